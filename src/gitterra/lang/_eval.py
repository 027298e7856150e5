"""Expression evaluation: an ``_ast`` tree and a scope in, a :class:`Value` out.

Errors are user mistakes: they raise :class:`~gitterra.diag.DiagnosticError` carrying a
diagnostic placed at the offending sub-expression. Names are resolved through
:class:`Scope`; a root may be a :class:`Namespace` (``var``, ``local``, a resource type) whose
members are looked up one by one, so a module with thousands of locals never builds one giant
object just to read ``local.x``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from gitterra.diag import Diagnostic, DiagnosticError, SourceRange
from gitterra.lang import _ast as ast
from gitterra.lang import _convert as convert
from gitterra.lang import _ops as ops
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import ArgumentError, Function, FunctionError
from gitterra.lang._values import UNKNOWN, Value

MissingMember = Callable[[str, SourceRange], Diagnostic]


def _default_missing(root: str) -> MissingMember:
    def missing(name: str, rng: SourceRange) -> Diagnostic:
        return Diagnostic.error(
            "Unsupported attribute", f'This object does not have an attribute named "{name}".', rng
        )

    del root
    return missing


@dataclass(frozen=True, slots=True)
class Namespace:
    """A root name whose attributes are looked up individually (``var.x``, ``local.y``)."""

    members: Mapping[str, Value]
    missing: MissingMember | None = None

    def as_value(self) -> Value:
        return v.object_val(self.members)


@dataclass(slots=True)
class Scope:
    """What names mean during one evaluation: root variables, functions, and their context."""

    variables: Mapping[str, Value | Namespace]
    functions: Mapping[str, Function]
    fctx: FunctionContext = field(default_factory=FunctionContext)

    def child(self, bindings: Mapping[str, Value]) -> Scope:
        merged: dict[str, Value | Namespace] = dict(self.variables)
        merged.update(bindings)
        return Scope(merged, self.functions, self.fctx)


def evaluate(expr: ast.Expr, scope: Scope) -> Value:
    """The value of ``expr`` in ``scope``; raises :class:`DiagnosticError` for user mistakes."""
    return _Evaluator(scope).eval(expr)


def _fail(summary: str, detail: str, rng: SourceRange) -> DiagnosticError:
    return DiagnosticError(Diagnostic.error(summary, detail, rng))


class _Evaluator:
    __slots__ = ("scope", "splat_items")

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.splat_items: list[Value] = []

    def eval(self, expr: ast.Expr) -> Value:
        return _DISPATCH[type(expr)](self, expr)

    def with_bindings(self, bindings: Mapping[str, Value]) -> _Evaluator:
        child = _Evaluator(self.scope.child(bindings))
        child.splat_items = self.splat_items
        return child

    # ---- names and access ----

    def literal(self, e: ast.Literal) -> Value:
        return e.value

    def variable(self, e: ast.Variable) -> Value:
        found = self.scope.variables.get(e.name)
        if found is None:
            raise _fail("Unknown variable", f'There is no variable named "{e.name}".', e.rng)
        if isinstance(found, Namespace):
            return found.as_value()
        return found

    def get_attr(self, e: ast.GetAttr) -> Value:
        if isinstance(e.obj, ast.Variable):
            root = self.scope.variables.get(e.obj.name)
            if isinstance(root, Namespace):
                member = root.members.get(e.name)
                if member is None:
                    missing = root.missing or _default_missing(e.obj.name)
                    raise DiagnosticError(missing(e.name, e.rng))
                return member
        obj = self.eval(e.obj)
        try:
            return ops.get_attr(obj, e.name)
        except ops.OpError as exc:
            raise _fail(exc.summary, exc.detail, e.rng) from None

    def index(self, e: ast.Index) -> Value:
        obj = self.eval(e.obj)
        key = self.eval(e.key)
        try:
            return ops.index(obj, key)
        except ops.OpError as exc:
            raise _fail(exc.summary, exc.detail, e.key.rng) from None

    def splat_item(self, e: ast.SplatItem) -> Value:
        return self.splat_items[-1]

    def splat(self, e: ast.Splat) -> Value:
        source = self.eval(e.source)
        if source.raw is UNKNOWN:
            return v.unknown_val(t.DYNAMIC).with_marks_of(source)
        if source.raw is None:
            return Value(t.EMPTY_TUPLE, ())
        ty = source.type
        as_tuple = not isinstance(ty, t.ListType | t.SetType)
        elems = (
            source.elements() if isinstance(ty, t.ListType | t.SetType | t.TupleType) else (source,)
        )
        out: list[Value] = []
        for elem in elems:
            self.splat_items.append(elem)
            try:
                out.append(self.eval(e.each))
            finally:
                self.splat_items.pop()
        if as_tuple:
            return v.tuple_val(out).with_marks_of(source)
        unified = convert.unify([x.type for x in out]) if out else None
        if out and unified is not None:
            out = [convert.convert(x, unified) for x in out]
            return v.list_val(out, unified).with_marks_of(source)
        if not out:
            return v.list_val((), t.DYNAMIC).with_marks_of(source)
        return v.tuple_val(out).with_marks_of(source)

    def parens(self, e: ast.Parens) -> Value:
        return self.eval(e.inner)

    # ---- operators ----

    def unary(self, e: ast.Unary) -> Value:
        operand = self.eval(e.operand)
        try:
            return ops.negate(operand) if e.op == "-" else ops.logical_not(operand)
        except ops.OpError as exc:
            raise _fail(exc.summary, exc.detail, e.operand.rng) from None

    def binary(self, e: ast.Binary) -> Value:
        op = e.op
        if op in ("&&", "||"):
            return self.logical(e)
        left = self.eval(e.left)
        right = self.eval(e.right)
        try:
            if op in _ARITHMETIC:
                return ops.arithmetic(op, left, right)
            if op in _COMPARISON:
                return ops.compare(op, left, right)
            if op == "==":
                return ops.equals(left, right)
            if op == "!=":
                return ops.logical_not(ops.equals(left, right))
        except ops.OpError as exc:
            side = {"left": e.left, "right": e.right}.get(exc.side or "", e)
            raise _fail(exc.summary, exc.detail, side.rng) from None
        raise _fail("Unsupported operator", f'The operator "{op}" is not supported.', e.rng)

    def logical(self, e: ast.Binary) -> Value:
        """``&&`` and ``||``, short-circuiting on a known left operand (HCL 2.22+)."""
        left = self._bool_operand(self.eval(e.left), e.left, "left")
        decisive = e.op == "||"
        if left.raw is decisive:
            return left
        right = self._bool_operand(self.eval(e.right), e.right, "right")
        if left.raw is UNKNOWN:
            if right.raw is decisive:
                return right.with_marks_of(left)
            return v.unknown_val(t.BOOL).with_marks_of(left, right)
        return right.with_marks_of(left)

    def _bool_operand(self, val: Value, node: ast.Expr, side: str) -> Value:
        try:
            return ops.operand(val, t.BOOL, side)
        except ops.OpError as exc:
            raise _fail(exc.summary, exc.detail, node.rng) from None

    def condition(self, expr: ast.Expr, null: tuple[str, str], wrong: tuple[str, str]) -> Value:
        """``expr`` as a bool (maybe unknown); ``null`` and ``wrong`` are the (summary, detail)
        for a null value and for a value that is no bool (its detail ends with the reason)."""
        cond = self.eval(expr)
        if cond.raw is None:
            raise _fail(*null, expr.rng)
        try:
            return convert.convert(cond, t.BOOL)
        except convert.ConversionError as exc:
            raise _fail(wrong[0], f"{wrong[1]}: {exc.describe()}.", expr.rng) from None

    def conditional(self, e: ast.Conditional) -> Value:
        cond = self.condition(
            e.cond,
            (
                "Null condition",
                "The condition value is null. Conditions must either be true or false.",
            ),
            ("Incorrect condition type", "The condition expression must be of type bool"),
        )
        if cond.raw is UNKNOWN:
            a, b = self.eval(e.true), self.eval(e.false)
            unified = convert.unify([a.type, b.type], unsafe=True)
            ty = unified if unified is not None else t.DYNAMIC
            return v.unknown_val(ty).with_marks_of(cond, a, b)
        chosen, other = (e.true, e.false) if cond.raw else (e.false, e.true)
        result = self.eval(chosen)
        try:
            other_type = self.eval(other).type
        except DiagnosticError:
            return result.with_marks_of(cond)
        unified = convert.unify([result.type, other_type], unsafe=True)
        if unified is None:
            raise _fail(
                "Inconsistent conditional result types",
                "The true and false result expressions must have consistent types: "
                f"{result.type.friendly()} and {other_type.friendly()} have no common type.",
                e.rng,
            )
        try:
            result = convert.convert(result, unified)
        except convert.ConversionError:
            # Unsafe unification (string to number) can fail for this value: keep it as is.
            return result.with_marks_of(cond)
        return result.with_marks_of(cond)

    # ---- constructors ----

    def tuple_cons(self, e: ast.TupleCons) -> Value:
        return v.tuple_val([self.eval(x) for x in e.elements])

    def object_cons(self, e: ast.ObjectCons) -> Value:
        attrs: dict[str, Value] = {}
        key_sensitive = False
        unknown_key = False
        for item in e.items:
            key = self.eval(item.key)
            value = self.eval(item.value)
            if key.raw is None:
                raise _fail("Null value as key", "Can't use a null value as a key.", item.key.rng)
            try:
                key = convert.convert(key, t.STRING)
            except convert.ConversionError as exc:
                raise _fail(
                    "Incorrect key type",
                    f"Can't use this value as a key: {exc.describe()}.",
                    item.key.rng,
                ) from None
            key_sensitive = key_sensitive or key.sensitive
            if key.raw is UNKNOWN:
                unknown_key = True
                continue
            name = key.as_str()
            if name in attrs:
                raise _fail(
                    "Duplicate object attribute",
                    f'An attribute named "{name}" was already defined in this object.',
                    item.key.rng,
                )
            attrs[name] = value
        if unknown_key:
            return v.unknown_val(t.DYNAMIC).mark_sensitive(key_sensitive)
        return v.object_val(attrs).mark_sensitive(key_sensitive)

    # ---- for expressions ----

    def iterate(self, coll: Value, rng: SourceRange) -> list[tuple[Value, Value]]:
        """The (key, value) pairs a ``for`` visits, in the language's order."""
        if coll.raw is None:
            raise _fail(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                rng,
            )
        ty = coll.type
        if isinstance(ty, t.ListType | t.TupleType):
            return [(v.number_val(i), x.with_marks_of(coll)) for i, x in enumerate(coll.elements())]
        if isinstance(ty, t.SetType):
            return [(x.with_marks_of(coll), x.with_marks_of(coll)) for x in coll.elements()]
        if isinstance(ty, t.MapType | t.ObjectType):
            items = coll.items()
            return [(v.string_val(k), items[k].with_marks_of(coll)) for k in sorted(items)]
        raise _fail(
            "Iteration over non-iterable value",
            f"A value of type {ty.friendly()} cannot be used as the collection in a 'for' "
            "expression.",
            rng,
        )

    def for_expr(self, e: ast.ForExpr) -> Value:
        coll = self.eval(e.collection)
        if coll.raw is UNKNOWN:
            ty: t.Type = t.DYNAMIC
            return v.unknown_val(ty).with_marks_of(coll)
        pairs = self.iterate(coll, e.collection.rng)
        bindings: dict[str, Value] = {}
        child = self.with_bindings(bindings)
        variables = child.scope.variables
        assert isinstance(variables, dict)
        is_object = e.key is not None
        keys: list[str] = []
        values: list[Value] = []
        unknown = False
        for key, value in pairs:
            if e.key_var is not None:
                variables[e.key_var] = key
            variables[e.value_var] = value
            if e.cond is not None:
                include = child._for_condition(e.cond)
                if include is None:
                    unknown = True
                    continue
                if not include:
                    continue
            if is_object:
                assert e.key is not None
                k = child.eval(e.key)
                k = child._for_key(k, e.key.rng)
                if k.raw is UNKNOWN:
                    unknown = True
                    continue
                keys.append(k.as_str())
            values.append(child.eval(e.value))
        if unknown:
            return v.unknown_val(t.DYNAMIC).with_marks_of(coll)
        if not is_object:
            return v.tuple_val(values).with_marks_of(coll)
        return self._for_object(e, keys, values).with_marks_of(coll)

    def _for_condition(self, cond: ast.Expr) -> bool | None:
        c = self.condition(
            cond,
            ("Condition is null", "The value of the 'if' clause must not be null."),
            ("Invalid 'for' condition", "The 'if' clause value is invalid"),
        )
        return None if c.raw is UNKNOWN else c.as_bool()

    def _for_key(self, k: Value, rng: SourceRange) -> Value:
        if k.raw is None:
            raise _fail(
                "Invalid object key",
                "Key expression in 'for' expression must not produce a null value.",
                rng,
            )
        try:
            return convert.convert(k, t.STRING)
        except convert.ConversionError as exc:
            raise _fail(
                "Invalid object key",
                f"The key expression produced an invalid result: {exc.describe()}.",
                rng,
            ) from None

    def _for_object(self, e: ast.ForExpr, keys: list[str], values: list[Value]) -> Value:
        if e.group:
            groups: dict[str, list[Value]] = {}
            for k, val in zip(keys, values, strict=True):
                groups.setdefault(k, []).append(val)
            return v.object_val({k: v.tuple_val(vals) for k, vals in groups.items()})
        attrs: dict[str, Value] = {}
        for k, val in zip(keys, values, strict=True):
            if k in attrs:
                assert e.key is not None
                raise _fail(
                    "Duplicate object key",
                    f"Two different items produced the key \"{k}\" in this 'for' expression. "
                    "If duplicates are expected, use the ellipsis (...) after the value "
                    "expression to enable grouping by key.",
                    e.key.rng,
                )
            attrs[k] = val
        return v.object_val(attrs)

    # ---- templates ----

    def template(self, e: ast.Template) -> Value:
        parts = e.parts
        if len(parts) == 1 and isinstance(parts[0], ast.TemplateInterp):
            return self.eval(parts[0].expr)
        out: list[str] = []
        state = _TemplateState()
        self._render(parts, out, state)
        if state.unknown:
            return v.unknown_val(t.STRING).mark_sensitive(state.sensitive)
        return v.string_val("".join(out)).mark_sensitive(state.sensitive)

    def _render(
        self, parts: tuple[ast.TemplatePart, ...], out: list[str], state: _TemplateState
    ) -> None:
        for part in parts:
            if isinstance(part, ast.TemplateText):
                out.append(part.text)
            elif isinstance(part, ast.TemplateInterp):
                out.append(self._interp_text(part.expr, state))
            elif isinstance(part, ast.TemplateIf):
                cond = self._template_cond(part, state)
                if cond is None:
                    state.unknown = True
                else:
                    self._render(part.then if cond else part.otherwise, out, state)
            else:
                coll = self.eval(part.collection)
                state.sensitive = state.sensitive or coll.sensitive
                if coll.raw is UNKNOWN:
                    state.unknown = True
                    continue
                bindings: dict[str, Value] = {}
                child = self.with_bindings(bindings)
                variables = child.scope.variables
                assert isinstance(variables, dict)
                for key, value in self.iterate(coll, part.collection.rng):
                    if part.key_var is not None:
                        variables[part.key_var] = key
                    variables[part.value_var] = value
                    child._render(part.body, out, state)

    def _interp_text(self, expr: ast.Expr, state: _TemplateState) -> str:
        val = self.eval(expr)
        state.sensitive = state.sensitive or val.sensitive
        if val.raw is None:
            raise _fail(
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
                expr.rng,
            )
        try:
            s = convert.convert(val, t.STRING)
        except convert.ConversionError as exc:
            raise _fail(
                "Invalid template interpolation value",
                f"Cannot include the given value in a string template: {exc.describe()}.",
                expr.rng,
            ) from None
        if s.raw is UNKNOWN:
            state.unknown = True
            return ""
        return s.as_str()

    def _template_cond(self, part: ast.TemplateIf, state: _TemplateState) -> bool | None:
        c = self.condition(
            part.cond,
            (
                "Invalid template if directive",
                "The condition value is null. Conditions must either be true or false.",
            ),
            ("Invalid template if directive", "The condition must be of type bool"),
        )
        state.sensitive = state.sensitive or c.sensitive
        return None if c.raw is UNKNOWN else c.as_bool()

    # ---- function calls ----

    def call(self, e: ast.Call) -> Value:
        special = _SPECIAL_FORMS.get(e.name)
        if special is not None:
            return special(self, e)
        fn = self.scope.functions.get(e.name)
        if fn is None:
            raise DiagnosticError(unknown_function(e.name, e.name_rng, self.scope.functions))
        args = [self.eval(a) for a in e.args]
        if e.expand_final:
            if not args:
                raise _fail(
                    "Invalid expanding argument value",
                    "The expansion symbol ... needs an argument to expand.",
                    e.rng,
                )
            last = args.pop()
            last_rng = e.args[-1].rng
            if last.raw is UNKNOWN:
                return v.unknown_val(fn.return_type(args)).with_marks_of(last)
            if last.raw is None or not isinstance(last.type, t.ListType | t.SetType | t.TupleType):
                raise _fail(
                    "Invalid expanding argument value",
                    "The expanding argument (indicated by ...) must be of a tuple, list, "
                    "or set type.",
                    last_rng,
                )
            args.extend(x.with_marks_of(last) for x in last.elements())
        try:
            return fn.call(self.scope.fctx, args)
        except ArgumentError as exc:
            rng = e.rng
            if exc.arg_index is not None and not e.expand_final and exc.arg_index < len(e.args):
                rng = e.args[exc.arg_index].rng
            raise _fail("Invalid function argument", exc.message, rng) from None
        except FunctionError as exc:
            if exc.summary is not None:
                rng = e.args[len(fn.params)].rng if len(e.args) > len(fn.params) else e.rng
                raise _fail(exc.summary, exc.message, rng) from None
            if exc.arg_index is not None and exc.arg_index < len(e.args) and not e.expand_final:
                raise _fail(
                    "Invalid function argument",
                    f'Invalid value for "{_param_name(fn, exc.arg_index)}" parameter: '
                    f"{exc.message}",
                    e.args[exc.arg_index].rng,
                ) from None
            message = exc.message if exc.message.endswith((".", "?", "!")) else exc.message + "."
            raise _fail(
                "Error in function call",
                f'Call to function "{e.name}" failed: {message}',
                e.rng,
            ) from None

    def call_try(self, e: ast.Call) -> Value:
        if not e.args:
            raise _fail(
                "Not enough function arguments",
                'Function "try" expects at least one argument.',
                e.rng,
            )
        failures: list[Diagnostic] = []
        for arg in e.args:
            try:
                result = self.eval(arg)
            except DiagnosticError as exc:
                failures.extend(exc.diagnostics)
                continue
            if not result.is_wholly_known():
                # It might still fail once known, so its type cannot be promised either.
                return v.DYNAMIC_UNKNOWN
            return result
        lines = "\n".join(
            f"- {d.subject}: {d.summary}; {d.detail}" if d.subject else f"- {d.summary}; {d.detail}"
            for d in failures
        )
        raise _fail(
            "Error in function call",
            f'Call to function "try" failed: no expression succeeded:\n{lines}\n\n'
            "At least one expression must produce a successful result.",
            e.rng,
        )

    def call_can(self, e: ast.Call) -> Value:
        if len(e.args) != 1:
            raise _fail(
                "Wrong number of function arguments",
                'Function "can" expects 1 argument(s).',
                e.rng,
            )
        try:
            result = self.eval(e.args[0])
        except DiagnosticError:
            return v.FALSE
        if not result.is_wholly_known():
            return v.unknown_val(t.BOOL)
        return v.TRUE


@dataclass(slots=True)
class _TemplateState:
    unknown: bool = False
    sensitive: bool = False


def _param_name(fn: Function, i: int) -> str:
    if i < len(fn.params):
        return fn.params[i].name
    return fn.variadic.name if fn.variadic is not None else f"argument {i}"


def unknown_function(name: str, rng: SourceRange, functions: Mapping[str, Function]) -> Diagnostic:
    """The diagnostic for a call to a function that does not exist, with a suggestion."""
    detail = f'There is no function named "{name}".'
    close = difflib.get_close_matches(name, [*functions, "try", "can"], n=1)
    if close:
        detail += f' Did you mean "{close[0]}"?'
    elif "::" in name:
        detail = (
            f'There is no function named "{name}": provider-defined functions are not supported.'
        )
    return Diagnostic.error("Call to unknown function", detail, rng)


_ARITHMETIC: Final = frozenset("+-*/%")
_COMPARISON: Final = frozenset(("<", ">", "<=", ">="))

_SPECIAL_FORMS: Final[dict[str, Callable[[_Evaluator, ast.Call], Value]]] = {
    "try": _Evaluator.call_try,
    "can": _Evaluator.call_can,
}

#: Special forms' names, which validation must not report as unknown functions.
SPECIAL_FUNCTIONS: Final = frozenset(_SPECIAL_FORMS)

_DISPATCH: Final[dict[type[ast.Expr], Callable[[_Evaluator, Any], Value]]] = {
    ast.Literal: _Evaluator.literal,
    ast.Variable: _Evaluator.variable,
    ast.GetAttr: _Evaluator.get_attr,
    ast.Index: _Evaluator.index,
    ast.SplatItem: _Evaluator.splat_item,
    ast.Splat: _Evaluator.splat,
    ast.Parens: _Evaluator.parens,
    ast.Unary: _Evaluator.unary,
    ast.Binary: _Evaluator.binary,
    ast.Conditional: _Evaluator.conditional,
    ast.TupleCons: _Evaluator.tuple_cons,
    ast.ObjectCons: _Evaluator.object_cons,
    ast.ForExpr: _Evaluator.for_expr,
    ast.Template: _Evaluator.template,
    ast.Call: _Evaluator.call,
}

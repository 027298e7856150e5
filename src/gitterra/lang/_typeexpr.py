"""Type constraints as written in ``variable`` blocks: ``string``, ``list(number)``,
``object({name = string, port = optional(number, 80)})``, ``any`` ..."""

from __future__ import annotations

from gitterra.diag import Diagnostic, DiagnosticError, SourceRange
from gitterra.lang import _ast as ast
from gitterra.lang import _types as t
from gitterra.lang import _values as v

_PRIMITIVES = {"string": t.STRING, "number": t.NUMBER, "bool": t.BOOL, "any": t.DYNAMIC}
_COLLECTIONS = {"list": t.ListType, "set": t.SetType, "map": t.MapType}
_KEYWORDS = ", ".join(sorted([*_PRIMITIVES, *_COLLECTIONS, "object", "tuple"]))


def _invalid(detail: str, rng: SourceRange) -> DiagnosticError:
    return DiagnosticError(Diagnostic.error("Invalid type specification", detail, rng))


def type_from_expr(expr: ast.Expr, *, allow_optional: bool = False) -> t.Type:
    """The type a type-constraint expression denotes; raises :class:`DiagnosticError`.

    ``optional(...)`` is only valid directly as an attribute of ``object({...})``; its default
    (second argument) must be a constant expression and is kept on the object type."""
    if isinstance(expr, ast.Parens):
        return type_from_expr(expr.inner, allow_optional=allow_optional)
    if isinstance(expr, ast.Variable):
        prim = _PRIMITIVES.get(expr.name)
        if prim is not None:
            return prim
        if expr.name in _COLLECTIONS:
            return _COLLECTIONS[expr.name](t.DYNAMIC)  # the legacy shorthand "list" = list(any)
        raise _invalid(
            f'The keyword "{expr.name}" is not a valid type specification; expected one of '
            f"{_KEYWORDS}.",
            expr.rng,
        )
    if isinstance(expr, ast.Literal) and expr.value.raw in _PRIMITIVES:
        word = expr.value.raw
        raise _invalid(
            f'A type constraint is a keyword, not a string: write {word} instead of "{word}".',
            expr.rng,
        )
    if not isinstance(expr, ast.Call):
        raise _invalid(f"A type specification is expected here: one of {_KEYWORDS}.", expr.rng)
    return _type_call(expr, allow_optional)


def _one_arg(call: ast.Call) -> ast.Expr:
    if len(call.args) != 1:
        raise _invalid(f"The {call.name} type constructor requires one argument.", call.rng)
    return call.args[0]


def _type_call(call: ast.Call, allow_optional: bool) -> t.Type:
    name = call.name
    if name in _COLLECTIONS:
        return _COLLECTIONS[name](type_from_expr(_one_arg(call)))
    if name == "object":
        arg = _one_arg(call)
        if not isinstance(arg, ast.ObjectCons):
            raise _invalid(
                "The object type constructor requires one argument specifying the attribute "
                "types as a map.",
                arg.rng,
            )
        attrs: dict[str, t.Type] = {}
        optional: set[str] = set()
        defaults: dict[str, object] = {}
        for item in arg.items:
            key = _attr_name(item)
            if key in attrs:
                raise _invalid(f'The attribute "{key}" is declared twice.', item.key.rng)
            value = item.value
            if isinstance(value, ast.Call) and value.name == "optional":
                attrs[key], default = _optional(value)
                optional.add(key)
                if default is not None:
                    defaults[key] = default
            else:
                attrs[key] = type_from_expr(value)
        return t.ObjectType(attrs, frozenset(optional), defaults)
    if name == "tuple":
        arg = _one_arg(call)
        if not isinstance(arg, ast.TupleCons):
            raise _invalid(
                "The tuple type constructor requires one argument specifying the element "
                "types as a list.",
                arg.rng,
            )
        return t.TupleType(tuple(type_from_expr(e) for e in arg.elements))
    if name == "optional":
        raise _invalid(
            'Keyword "optional" is valid only as a modifier for object type attributes.',
            call.rng,
        )
    del allow_optional
    raise _invalid(
        f'Keyword "{name}" is not a valid type constructor; expected one of {_KEYWORDS}.',
        call.name_rng,
    )


def _attr_name(item: ast.ObjectItem) -> str:
    if item.bare_key is not None:
        return item.bare_key
    key = item.key
    if isinstance(key, ast.Literal) and isinstance(key.value.raw, str):
        return key.value.raw
    raise _invalid("Object type attribute names must be plain names or strings.", key.rng)


def _optional(call: ast.Call) -> tuple[t.Type, v.Value | None]:
    if not 1 <= len(call.args) <= 2:
        raise _invalid(
            "Optional attribute modifier expects a type and, optionally, a default value.",
            call.rng,
        )
    ty = type_from_expr(call.args[0])
    if len(call.args) == 1:
        return ty, None
    from gitterra.lang import _eval  # local import: the evaluator imports this module's users

    default = _eval.evaluate(call.args[1], _eval.Scope({}, {}))
    return ty, default

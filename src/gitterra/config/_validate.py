"""``validate``: every static check of a module, with all problems reported at once.

Beyond decoding (block shapes, names, duplicates), this checks each expression's references and
function names, then evaluates it with unknown inputs so type errors that do not depend on input
values (``abs("x")``, ``upper(1, 2)``, ``[1, 2].name``) are found before any plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from gitterra import lang
from gitterra.config import _model as m
from gitterra.config._references import RefContext, check_functions, check_references
from gitterra.config._scope import ScopeOptions, module_scope
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics
from gitterra.lang import functions

_UNKNOWN_NUMBER = lang.unknown_val(lang.NUMBER)
_UNKNOWN_STRING = lang.unknown_val(lang.STRING)


@dataclass(frozen=True, slots=True)
class _Site:
    """An expression to check and the names bound around it."""

    expr: lang.Expr
    refs: RefContext
    bindings: dict[str, lang.Value] = field(default_factory=dict)


def validate(module: m.Module, fctx: lang.FunctionContext, opts: ScopeOptions) -> Diagnostics:
    """All diagnostics for ``module`` and its children (decoding diagnostics excluded: the
    loader returns those)."""
    diags = Diagnostics()
    _validate_module(module, fctx, replace(opts, unknown_variables=True), diags)
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for d in diags:
        unique.setdefault((d.severity, d.summary, d.subject), d)
    # Reading order: by file and position (diagnostics without a place first).
    return Diagnostics(sorted(unique.values(), key=_position))


def _position(d: Diagnostic) -> tuple[str, int]:
    if d.subject is None:
        return ("", -1)
    return (d.subject.filename, d.subject.start.offset)


def _validate_module(
    module: m.Module, fctx: lang.FunctionContext, opts: ScopeOptions, diags: Diagnostics
) -> None:
    known_functions = frozenset(functions.builtins()) | lang.SPECIAL_FUNCTIONS
    static: list[tuple[_Site, list[Diagnostic]]] = []
    for site in _sites(module):
        found = check_references(site.expr, module, site.refs)
        found += [
            d.with_context(site.refs.describe) for d in check_functions(site.expr, known_functions)
        ]
        static.append((site, found))
    broken = frozenset(
        name
        for name, local in module.locals.items()
        if any(site.expr is local.expr and found for site, found in static)
    )
    scope, scope_diags = module_scope(module, fctx, opts, skip_locals=broken)
    diags.extend(scope_diags)
    for site, found in static:
        diags.extend(found)
        if found:
            continue
        try:
            lang.evaluate(site.expr, scope.child(site.bindings) if site.bindings else scope)
        except DiagnosticError as exc:
            diags.extend(d.with_context(site.refs.describe) for d in exc.diagnostics)
    _check_repetition(module, scope, diags)
    _check_module_inputs(module, diags)
    _check_backend(module, diags)
    for child in module.children.values():
        _validate_module(child, fctx, replace(opts), diags)


def _sites(module: m.Module) -> Iterator[_Site]:
    for var in module.variables.values():
        ctx = RefContext(f'variable "{var.name}"')
        for check in var.validations:
            yield _Site(check.condition, ctx)
            yield _Site(check.error_message, ctx)
    for local in module.locals.values():
        yield _Site(local.expr, RefContext("locals"))
    for out in module.outputs.values():
        ctx = RefContext(f'output "{out.name}"')
        yield _Site(out.expr, ctx)
        for check in out.preconditions:
            yield _Site(check.condition, ctx)
            yield _Site(check.error_message, ctx)
    for res in module.resources.values():
        yield from _resource_sites(res)
    for call in module.module_calls.values():
        ctx = RefContext(f'module "{call.name}"')
        for expr in (call.count, call.for_each):
            if expr is not None:
                yield _Site(expr, ctx)
        inner, bindings = _repetition_context(ctx, call.count, call.for_each)
        for attr in call.inputs:
            yield _Site(attr.expr, inner, bindings)
    for prov in module.providers.values():
        ctx = RefContext(f'provider "{prov.name}"')
        for expr in _body_exprs(prov.config):
            yield _Site(expr, ctx)


def _repetition_context(
    ctx: RefContext, count: lang.Expr | None, for_each: lang.Expr | None
) -> tuple[RefContext, dict[str, lang.Value]]:
    bindings: dict[str, lang.Value] = {}
    if count is not None:
        ctx = replace(ctx, count=True)
        bindings["count"] = lang.object_val({"index": _UNKNOWN_NUMBER})
    if for_each is not None:
        ctx = replace(ctx, each=True)
        bindings["each"] = lang.object_val({"key": _UNKNOWN_STRING, "value": lang.DYNAMIC_UNKNOWN})
    return ctx, bindings


def _resource_sites(res: m.Resource) -> Iterator[_Site]:
    ctx = RefContext(res.describe())
    for expr in (res.count, res.for_each):
        if expr is not None:
            yield _Site(expr, ctx)
    inner, bindings = _repetition_context(ctx, res.count, res.for_each)
    yield from _body_sites(res.config, inner, bindings)
    lc = res.lifecycle
    for expr in lc.replace_triggered_by:
        yield _Site(expr, inner, bindings)
    for check in lc.preconditions:
        yield _Site(check.condition, inner, bindings)
        yield _Site(check.error_message, inner, bindings)
    with_self = replace(inner, self_ok=True)
    self_bindings = {**bindings, "self": lang.DYNAMIC_UNKNOWN}
    for check in lc.postconditions:
        yield _Site(check.condition, with_self, self_bindings)
        yield _Site(check.error_message, with_self, self_bindings)
    for prov in res.provisioners:
        yield from _body_sites(prov.config, with_self, self_bindings)


def _body_sites(
    body: lang.Body, ctx: RefContext, bindings: dict[str, lang.Value]
) -> Iterator[_Site]:
    for attr in body.attributes:
        yield _Site(attr.expr, ctx, bindings)
    for block in body.blocks:
        if block.type != "dynamic":
            yield from _body_sites(block.body, ctx, bindings)
            continue
        for_each = block.body.attribute("for_each")
        if for_each is not None:
            yield _Site(for_each.expr, ctx, bindings)
        iterator = block.labels[0] if block.labels else "dynamic"
        it_attr = block.body.attribute("iterator")
        if it_attr is not None and isinstance(it_attr.expr, lang.ast.Variable):
            iterator = it_attr.expr.name
        inner = {
            **bindings,
            iterator: lang.object_val({"key": lang.DYNAMIC_UNKNOWN, "value": lang.DYNAMIC_UNKNOWN}),
        }
        inner_ctx = replace(ctx, bound=ctx.bound | {iterator})
        for content in block.body.blocks_of("content"):
            yield from _body_sites(content.body, inner_ctx, inner)


def _body_exprs(body: lang.Body) -> Iterator[lang.Expr]:
    for attr in body.attributes:
        yield attr.expr
    for block in body.blocks:
        yield from _body_exprs(block.body)


def _check_repetition(module: m.Module, scope: lang.Scope, diags: Diagnostics) -> None:
    """``count`` must be a whole non-negative number and ``for_each`` a map or set of strings,
    when their values are already known."""
    owners: list[tuple[str, lang.Expr | None, lang.Expr | None]] = [
        (r.describe(), r.count, r.for_each) for r in module.resources.values()
    ]
    owners += [(f'module "{c.name}"', c.count, c.for_each) for c in module.module_calls.values()]
    for describe, count, for_each in owners:
        if count is not None:
            _check_count(count, scope, describe, diags)
        if for_each is not None:
            _check_for_each(for_each, scope, describe, diags)


def _value(expr: lang.Expr, scope: lang.Scope) -> lang.Value | None:
    try:
        return lang.evaluate(expr, scope)
    except DiagnosticError:
        return None  # already reported at the expression site


def _check_count(expr: lang.Expr, scope: lang.Scope, describe: str, diags: Diagnostics) -> None:
    val = _value(expr, scope)
    if val is None or not val.is_known:
        return
    problem = None
    if val.is_null:
        problem = "The given count argument value is null. An integer is required."
    else:
        try:
            num = lang.convert(val, lang.NUMBER)
        except lang.ConversionError:
            problem = "The given count argument value is unsuitable: a number is required."
        else:
            n = num.as_number() if num.is_known else 0
            if not isinstance(n, int):
                problem = (
                    "The given count argument value is unsuitable: a whole number is required."
                )
            elif n < 0:
                problem = (
                    "The given count argument value is invalid: must be greater than or equal "
                    "to zero."
                )
    if problem:
        diags.add(Diagnostic.error("Invalid count argument", problem, expr.rng, describe))


def _check_for_each(expr: lang.Expr, scope: lang.Scope, describe: str, diags: Diagnostics) -> None:
    val = _value(expr, scope)
    if val is None or not val.is_known:
        return
    ty = val.type
    problem = None
    if val.is_null:
        problem = (
            'The given "for_each" argument value is null. A map, or set of strings is allowed.'
        )
    elif isinstance(ty, lang.SetType):
        if ty.element not in (lang.STRING, lang.DYNAMIC):
            problem = (
                'The given "for_each" argument value is unsuitable: "for_each" supports maps and '
                f"sets of strings, but you have provided a set containing type {ty.element}."
            )
    elif isinstance(ty, lang.ListType | lang.TupleType):
        problem = (
            'The given "for_each" argument value is unsuitable: the "for_each" argument must be a '
            "map, or set of strings, and you have provided a value of type "
            f"{ty.friendly()}. Convert it with toset() if its elements are unique strings."
        )
    elif not isinstance(ty, lang.MapType | lang.ObjectType):
        problem = (
            'The given "for_each" argument value is unsuitable: the "for_each" argument must be a '
            f"map, or set of strings, and you have provided a value of type {ty.friendly()}."
        )
    if problem:
        diags.add(Diagnostic.error("Invalid for_each argument", problem, expr.rng, describe))


def _check_module_inputs(module: m.Module, diags: Diagnostics) -> None:
    for call in module.module_calls.values():
        child = module.children.get(call.name)
        if child is None:
            continue
        given = {a.name: a for a in call.inputs}
        context = f'module "{call.name}"'
        for name, attr in given.items():
            if name not in child.variables:
                diags.add(
                    Diagnostic.error(
                        "Unsupported argument",
                        f'An argument named "{name}" is not expected here: the module at '
                        f"{child.path} declares no variable of that name.",
                        attr.name_rng,
                        context,
                    )
                )
        for name, var in child.variables.items():
            if var.required and name not in given:
                diags.add(
                    Diagnostic.error(
                        "Missing required argument",
                        f'The argument "{name}" is required, but no definition was found.',
                        call.rng,
                        context,
                    )
                )


def _check_backend(module: m.Module, diags: Diagnostics) -> None:
    backend = module.backend
    if backend is None:
        return
    for expr in _body_exprs(backend.config):
        refs = lang.traversals(expr)
        if refs:
            diags.add(
                Diagnostic.error(
                    "Variables not allowed",
                    "Variables may not be used here: backend settings are read before "
                    "variables are; pass them with -backend-config instead.",
                    refs[0].rng,
                    f'backend "{backend.type}"',
                )
            )

"""Static checks of references: every ``var.``, ``local.``, resource, ``module.`` and ``data.``
reference must name something the module declares, and ``count``/``each``/``self`` may appear
only where they mean something."""

from __future__ import annotations

from dataclasses import dataclass

from gitterra import lang
from gitterra.config import _model as m
from gitterra.config._decode import suggest
from gitterra.diag import Diagnostic, SourceRange

BUILTIN_ROOTS = frozenset(
    ("var", "local", "module", "data", "path", "terraform", "count", "each", "self")
)


@dataclass(frozen=True, slots=True)
class RefContext:
    """Where an expression sits: which of ``count``, ``each``, ``self`` it may use."""

    describe: str | None = None
    count: bool = False
    each: bool = False
    self_ok: bool = False
    #: Extra names bound around the expression (a dynamic block's iterator).
    bound: frozenset[str] = frozenset()


def check_references(expr: lang.Expr, module: m.Module, ctx: RefContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for trav in lang.traversals(expr):
        if trav.root in ctx.bound:
            continue
        diag = check_traversal(trav, module, ctx)
        if diag is not None:
            out.append(diag.with_context(ctx.describe))
    return out


def check_functions(expr: lang.Expr, functions: set[str] | frozenset[str]) -> list[Diagnostic]:
    """Calls to functions that do not exist (each reported once per call site)."""
    from gitterra.lang import functions as fns

    table = fns.builtins()
    out: list[Diagnostic] = []
    for node in lang.ast.walk(expr):
        if isinstance(node, lang.ast.Call) and node.name not in functions:
            out.append(lang.unknown_function(node.name, node.name_rng, table))
    return out


def _attr_step(trav: lang.Traversal, i: int) -> str | None:
    if i >= len(trav.steps):
        return None
    step = trav.steps[i]
    return step if isinstance(step, str) else None


def undeclared_variable(name: str, module: m.Module, rng: SourceRange) -> Diagnostic:
    return Diagnostic.error(
        "Reference to undeclared input variable",
        f'An input variable with the name "{name}" has not been declared. This variable can be '
        f'declared with a variable "{name}" {{}} block.' + suggest(name, module.variables),
        rng,
    )


def undeclared_local(name: str, module: m.Module, rng: SourceRange) -> Diagnostic:
    return Diagnostic.error(
        "Reference to undeclared local value",
        f'A local value with the name "{name}" has not been declared.'
        + suggest(name, module.locals),
        rng,
    )


def check_traversal(trav: lang.Traversal, module: m.Module, ctx: RefContext) -> Diagnostic | None:
    root, rng = trav.root, trav.rng
    first = _attr_step(trav, 0)
    if root in ("var", "local", "module", "path", "terraform", "count", "each") and first is None:
        return Diagnostic.error(
            f'Invalid "{root}" reference',
            f'The "{root}" object cannot be accessed directly. Instead, access one of its '
            "attributes.",
            rng,
        )
    if root == "var":
        assert first is not None
        return None if first in module.variables else undeclared_variable(first, module, rng)
    if root == "local":
        assert first is not None
        return None if first in module.locals else undeclared_local(first, module, rng)
    if root == "module":
        assert first is not None
        if first not in module.module_calls:
            return Diagnostic.error(
                "Reference to undeclared module",
                f'No module call named "{first}" is declared in this module.'
                + suggest(first, module.module_calls),
                rng,
            )
        return None
    if root == "path":
        if first not in ("module", "root", "cwd"):
            return Diagnostic.error(
                'Invalid "path" attribute',
                f'The "path" object does not have an attribute named "{first}". The supported '
                "attributes are path.cwd, path.module, and path.root.",
                rng,
            )
        return None
    if root == "terraform":
        if first != "workspace":
            return Diagnostic.error(
                'Invalid "terraform" attribute',
                f'The "terraform" object does not have an attribute named "{first}". The only '
                "supported attribute is terraform.workspace.",
                rng,
            )
        return None
    if root == "count":
        if not ctx.count:
            return Diagnostic.error(
                'Reference to "count" in non-counted context',
                'The "count" object can only be used in "module", "resource", and "data" blocks, '
                'and only when the "count" argument is set.',
                rng,
            )
        if first != "index":
            return Diagnostic.error(
                'Invalid "count" attribute',
                f'The "count" object does not have an attribute named "{first}". The only '
                "supported attribute is count.index, which is the index of each instance.",
                rng,
            )
        return None
    if root == "each":
        if not ctx.each:
            return Diagnostic.error(
                'Reference to "each" in context without for_each',
                'The "each" object can be used only in "module" or "resource" blocks, and only '
                'when the "for_each" argument is set.',
                rng,
            )
        if first not in ("key", "value"):
            return Diagnostic.error(
                'Invalid "each" attribute',
                f'The "each" object does not have an attribute named "{first}". The supported '
                "attributes are each.key and each.value, the current key and value pair of the "
                '"for_each" attribute set.',
                rng,
            )
        return None
    if root == "self":
        if not ctx.self_ok:
            return Diagnostic.error(
                'Invalid "self" reference',
                'The "self" object is not available in this context. This object can be used '
                "only in resource provisioner and connection blocks.",
                rng,
            )
        return None
    if root == "data":
        rtype, name = first, _attr_step(trav, 1)
        if rtype is None or name is None:
            return Diagnostic.error(
                "Invalid data resource reference",
                "A reference to a data source must be followed by the data source type and name: "
                "data.TYPE.NAME.",
                rng,
            )
        if f"data.{rtype}.{name}" not in module.resources:
            return Diagnostic.error(
                "Reference to undeclared resource",
                f'A data resource "{rtype}" "{name}" has not been declared in this module.',
                rng,
            )
        return None
    return _check_resource_ref(trav, module, first)


def _check_resource_ref(
    trav: lang.Traversal, module: m.Module, name: str | None
) -> Diagnostic | None:
    root, rng = trav.root, trav.rng
    if name is None:
        if any(r.type == root for r in module.resources.values()):
            return Diagnostic.error(
                "Invalid reference",
                "A reference to a resource type must be followed by at least one attribute "
                "access, specifying the resource name.",
                rng,
            )
        return Diagnostic.error(
            "Invalid reference",
            f'A reference to "{root}" is not valid here: there is no variable or resource type '
            f"of that name.{suggest(root, [*BUILTIN_ROOTS])}",
            rng,
        )
    if f"{root}.{name}" not in module.resources:
        if "_" not in root and not any(r.type == root for r in module.resources.values()):
            return Diagnostic.error(
                "Unknown variable",
                f'There is no variable named "{root}".{suggest(root, [*BUILTIN_ROOTS])}',
                rng,
            )
        return Diagnostic.error(
            "Reference to undeclared resource",
            f'A managed resource "{root}" "{name}" has not been declared in this module.',
            rng,
        )
    return None

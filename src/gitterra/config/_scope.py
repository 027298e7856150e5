"""The evaluation scope of a module before anything is applied: variables, locals, ``path``,
``terraform``, with every resource, data source and module output *unknown*.

This is what ``validate`` and ``console`` evaluate in; the engine builds richer scopes from state
and plans on the same pattern.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from gitterra import lang
from gitterra.config import _model as m
from gitterra.config._references import undeclared_local, undeclared_variable
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics, SourceRange
from gitterra.kits import CycleError, Graph
from gitterra.lang import functions


@dataclass(frozen=True, slots=True)
class ScopeOptions:
    #: Absolute working directory (``path.cwd``) and the root module's path (``path.root``).
    cwd: str
    root: str = "."
    workspace: str = "default"
    #: Variables without a value or default become unknown (validate) instead of missing.
    unknown_variables: bool = False


def variable_namespace(
    module: m.Module, values: Mapping[str, lang.Value], unknown_missing: bool
) -> lang.Namespace:
    members: dict[str, lang.Value] = {}
    for name, decl in module.variables.items():
        if name in values:
            val = values[name]
        elif decl.default is not None:
            val = decl.default
        elif unknown_missing:
            val = lang.unknown_val(decl.type)
        else:
            continue
        members[name] = val.mark_sensitive(decl.sensitive)

    def missing(name: str, rng: SourceRange) -> Diagnostic:
        if name in module.variables:
            return Diagnostic.error(
                "No value for required variable",
                f'The input variable "{name}" is not set, and has no default value. Use a -var '
                "or -var-file command line argument, a terraform.tfvars file, or a TF_VAR_"
                f"{name} environment variable to provide a value.",
                rng,
            )
        return undeclared_variable(name, module, rng)

    return lang.Namespace(members, missing)


def base_variables(module: m.Module, opts: ScopeOptions) -> dict[str, lang.Value | lang.Namespace]:
    """``path`` and ``terraform``, and unknown placeholders for resources, data and modules."""
    scope: dict[str, lang.Value | lang.Namespace] = {
        "path": lang.object_val(
            {
                "module": lang.string_val(module.path),
                "root": lang.string_val(opts.root),
                "cwd": lang.string_val(posixpath.normpath(opts.cwd)),
            }
        ),
        "terraform": lang.object_val({"workspace": lang.string_val(opts.workspace)}),
    }
    by_type: dict[str, dict[str, lang.Value]] = {}
    data: dict[str, dict[str, lang.Value]] = {}
    for res in module.resources.values():
        table = by_type if res.mode == "managed" else data
        table.setdefault(res.type, {})[res.name] = lang.DYNAMIC_UNKNOWN
    for rtype, members in by_type.items():
        scope[rtype] = lang.Namespace(members)
    scope["data"] = lang.Namespace({k: lang.object_val(v) for k, v in data.items()})
    scope["module"] = lang.Namespace(dict.fromkeys(module.module_calls, lang.DYNAMIC_UNKNOWN))
    return scope


def local_order(module: m.Module, diags: Diagnostics) -> tuple[list[str], dict[str, Diagnostic]]:
    """Local value names in an order where each comes after the locals it uses, and the locals
    left out because they are in a cycle (each with the diagnostic that explains it; the cycle
    itself is also reported in ``diags``, once)."""
    cyclic: dict[str, Diagnostic] = {}
    graph: Graph[str] = Graph()
    for name, local in module.locals.items():
        graph.add(name)
        for trav in lang.traversals(local.expr):
            first = trav.attr(0)
            if trav.root == "local" and first is not None and first in module.locals:
                graph.add_edge(name, first)
    while True:
        try:
            return graph.topological_order(), cyclic
        except CycleError as exc:
            chain = [str(n) for n in exc.cycle]
            head = module.locals[chain[0]]
            places = ", ".join(f"local.{n} ({module.locals[n].rng})" for n in chain[:-1])
            diag = Diagnostic.error(
                "Cycle in local values",
                "The local values refer to each other in a cycle: "
                + " -> ".join(f"local.{n}" for n in chain)
                + f". Involved: {places}.",
                head.rng,
                "locals",
            )
            diags.add(diag)
            for n in chain:
                cyclic[n] = diag
            pruned: Graph[str] = Graph()
            for n in graph.nodes:
                if n in cyclic:
                    continue
                pruned.add(n)
                for d in graph.dependencies(n):
                    if d not in cyclic:
                        pruned.add_edge(n, d)
            graph = pruned


def module_scope(
    module: m.Module,
    fctx: lang.FunctionContext,
    opts: ScopeOptions,
    values: Mapping[str, lang.Value] | None = None,
    skip_locals: frozenset[str] = frozenset(),
) -> tuple[lang.Scope, Diagnostics]:
    """The scope for evaluating expressions of ``module``, with its locals computed.

    Locals named in ``skip_locals`` (already known to be broken) are not evaluated: they are
    unknown, so what uses them is checked without a cascade of repeated errors."""
    diags = Diagnostics()
    variables = base_variables(module, opts)
    variables["var"] = variable_namespace(module, values or {}, opts.unknown_variables)
    locals_: dict[str, lang.Value] = {}
    order, failed = local_order(module, diags)
    variables["local"] = lang.Namespace(locals_, _missing_local(module, failed))
    scope = lang.Scope(variables, functions.builtins(), fctx)
    for name in order:
        local = module.locals[name]
        if name in skip_locals:
            locals_[name] = lang.DYNAMIC_UNKNOWN
            continue
        try:
            locals_[name] = lang.evaluate(local.expr, scope)
        except DiagnosticError as exc:
            diags.extend(d.with_context("locals") for d in exc.diagnostics)
            failed[name] = exc.diagnostic
    return scope, diags


def _missing_local(module: m.Module, failed: Mapping[str, Diagnostic]) -> lang.MissingMember:
    """Reports a reference to an undeclared local, or re-raises why a declared one failed
    (so a reference to a broken local shows the real problem, at the local's definition)."""

    def missing(name: str, rng: SourceRange) -> Diagnostic:
        if name in failed:
            return failed[name]
        return undeclared_local(name, module, rng)

    return missing

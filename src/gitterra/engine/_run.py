"""The engine's entry points: :func:`plan` and :func:`apply`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from gitterra import config, lang, state
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.engine import _values_json as vj
from gitterra.engine._applier import Applier, Persist
from gitterra.engine._context import WalkContext
from gitterra.engine._graph import (
    ConfigGraph,
    Node,
    build,
    declaration_range,
    self_references,
)
from gitterra.engine._hooks import ApplyHooks, NoHooks
from gitterra.engine._moves import implied_moves
from gitterra.engine._plan import Action, OutputChange, Plan
from gitterra.engine._planner import Planner, PlanOptions
from gitterra.engine._provider import ProviderRegistry
from gitterra.engine._providers import ProviderSet
from gitterra.kits import CycleError


def _graph(root: config.Module, diags: Diagnostics) -> ConfigGraph | None:
    found = self_references(root)
    diags.extend(found)
    if found:
        return None
    cg = build(root)
    try:
        cg.graph.topological_order()
    except CycleError as exc:
        ranges = [declaration_range(root, n) if isinstance(n, Node) else None for n in exc.cycle]
        chain = " -> ".join(
            f"{n} ({rng})" if rng is not None else str(n)
            for n, rng in zip(exc.cycle, ranges, strict=True)
        )
        diags.add(
            Diagnostic.error(
                "Cycle",
                f"The configuration's references form a cycle: {chain}. Break it by removing "
                "one of the references.",
                ranges[0],
            )
        )
        return None
    return cg


async def plan(
    root: config.Module,
    prior: state.State,
    registry: ProviderRegistry,
    inputs: Mapping[str, lang.Value],
    fctx: lang.FunctionContext,
    cwd: str,
    opts: PlanOptions | None = None,
    workspace: str = "default",
) -> tuple[Plan, Diagnostics]:
    """Plan ``root`` against ``prior``: a :class:`Plan` (``errored`` when diagnostics have
    errors) and every diagnostic found."""
    opts = opts or PlanOptions()
    diags = Diagnostics()
    cg = _graph(root, diags)
    if cg is None:
        return Plan((), errored=True, prior_lineage=prior.lineage, prior_serial=prior.serial), diags
    ctx = WalkContext(root, fctx, cwd, workspace)
    providers = ProviderSet(registry, root)
    moved_prior, moves = implied_moves(root, prior)
    planner = Planner(ctx, cg, providers, inputs, diags, moved_prior, opts)
    try:
        await planner.run()
        await planner.plan_orphan_resources()
        destinations = providers.destinations()
    finally:
        await providers.close()
    changes = sorted(
        (
            replace(c, moved_from=moves[c.addr]) if c.addr in moves and c.deposed is None else c
            for c in planner.changes
        ),
        key=lambda c: c.sort_key,
    )
    if opts.targets:
        diags.add(
            Diagnostic.warning(
                "Resource targeting is in effect",
                "You are creating a plan with the -target option, which means that the result "
                "of this plan may not represent all of the changes requested by the current "
                "configuration.\n\nThe -target option is not for routine use, and is provided "
                "only for exceptional situations such as recovering from errors or mistakes, or "
                "when gitterra specifically suggests to use it as part of an error message.",
            )
        )
    outputs = _output_changes(root, ctx, prior, opts)
    result = Plan(
        changes=tuple(changes),
        outputs=tuple(outputs),
        variables=dict(inputs),
        prior_lineage=prior.lineage,
        prior_serial=prior.serial,
        destroy=opts.mode == "destroy",
        refresh_only=opts.mode == "refresh-only",
        targets=tuple(str(t) for t in opts.targets),
        drift=tuple(sorted(planner.drift, key=lambda c: c.sort_key)),
        prior_state=planner.refreshed,
        errored=diags.has_errors,
        destinations=destinations,
    )
    return result, diags


def _output_changes(
    root: config.Module, ctx: WalkContext, prior: state.State, opts: PlanOptions
) -> list[OutputChange]:
    from gitterra.engine._addrs import ModuleInstance

    values = ctx.modules[ModuleInstance()].outputs
    out: list[OutputChange] = []
    for name, decl in sorted(root.outputs.items()):
        before_state = prior.outputs.get(name)
        before = _output_before(before_state)
        if opts.mode == "destroy":
            if before is not None:
                out.append(OutputChange(name, Action.DELETE, before, None, decl.sensitive))
            continue
        after = values.get(name)
        if after is None:
            continue
        if before is None:
            action = Action.CREATE
        elif after.is_wholly_known() and before.unmark_deep() == after.unmark_deep():
            action = Action.NOOP
        else:
            action = Action.UPDATE
        out.append(
            OutputChange(name, action, before, after, decl.sensitive or after.contains_sensitive())
        )
    for name, before_state in sorted(prior.outputs.items()):
        if name not in root.outputs:
            out.append(
                OutputChange(
                    name, Action.DELETE, _output_before(before_state), None, before_state.sensitive
                )
            )
    return out


def _output_before(st: state.OutputState | None) -> lang.Value | None:
    if st is None:
        return None
    try:
        ty = vj.type_from_json(st.type)
    except ValueError:
        ty = lang.DYNAMIC
    return vj.from_json(st.value, ty).mark_sensitive(st.sensitive)


async def apply(
    the_plan: Plan,
    root: config.Module,
    registry: ProviderRegistry,
    fctx: lang.FunctionContext,
    cwd: str,
    persist: Persist,
    hooks: ApplyHooks | None = None,
    parallelism: int = 10,
    workspace: str = "default",
) -> tuple[state.State, Diagnostics]:
    """Carry ``the_plan`` out, persisting state after every resource operation; returns the
    final state and every diagnostic. The caller has checked the plan is not stale."""
    diags = Diagnostics()
    assert the_plan.prior_state is not None, "apply needs the plan's prior state"
    working = the_plan.prior_state.copy()
    cg = _graph(root, diags)
    if cg is None:
        return working, diags
    ctx = WalkContext(root, fctx, cwd, workspace)
    providers = ProviderSet(registry, root)
    applier = Applier(
        ctx,
        cg,
        providers,
        the_plan.variables,
        diags,
        the_plan,
        working,
        persist,
        hooks or NoHooks(),
        parallelism,
    )
    try:
        await applier.run()
    finally:
        await providers.close()
    if the_plan.destroy:
        working.outputs.clear()
    else:
        applier.finish_outputs()
    await applier.persist()
    if the_plan.targets:
        diags.add(
            Diagnostic.warning(
                "Applied changes may be incomplete",
                "The plan was created with the -target option in effect, so some changes "
                "requested in the configuration may have been ignored and the output values may "
                "not be fully updated. Run the following command to verify that no other changes "
                "are pending:\n    gitterra plan\n\nNote that the -target option is not "
                "suitable for routine use, and is provided only for exceptional situations such "
                "as recovering from errors or mistakes, or when gitterra specifically suggests to "
                "use it as part of an error message.",
            )
        )
    return working, diags

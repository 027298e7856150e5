"""Apply: carry a :class:`Plan` out, never re-deciding what to do.

The configuration graph is walked again so expressions see the values learned so far; each
resource instance's planned change is re-planned with them (the provider's final plan must agree
with every value the saved plan already knew), applied, and the working state persisted at once,
so a crash at any moment leaves a valid state that the next plan continues from. Deletions are
separate graph nodes ordered in reverse dependency order; ``create_before_destroy`` deposes the
old object, creates the new one, updates dependents, then destroys the deposed object.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Mapping

from gitterra import config, lang, state
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.engine import _state_ops as ops
from gitterra.engine import _values_json as vj
from gitterra.engine._addrs import AbsResource, Key, ModuleInstance, Resource, ResourceInstance
from gitterra.engine._context import Expansion, ResourceData, WalkContext
from gitterra.engine._decode_config import decode_body, place
from gitterra.engine._graph import ConfigGraph, Node, module_at
from gitterra.engine._hooks import ApplyHooks
from gitterra.engine._marks import mark_schema
from gitterra.engine._objchange import proposed_new
from gitterra.engine._plan import Action, Plan, ResourceChange
from gitterra.engine._planner import object_value
from gitterra.engine._provider import ApplyResult, Provider, ReadResult
from gitterra.engine._providers import ProviderError, ProviderSet
from gitterra.engine._provisioners import run_local_exec
from gitterra.engine._schema import ResourceSchema
from gitterra.engine._walker import Walker

Persist = Callable[[state.State], Awaitable[None]]

_STILL_EVERY = 10.0


def config_address(inst: ResourceInstance) -> str:
    """``module.a.aws_lb.x``: the instance's resource in the configuration (no keys)."""
    return "".join(f"module.{n}." for n in inst.module.module_path) + str(inst.resource)


class Applier(Walker):
    def __init__(
        self,
        ctx: WalkContext,
        cg: ConfigGraph,
        providers: ProviderSet,
        inputs: Mapping[str, lang.Value],
        diags: Diagnostics,
        plan: Plan,
        working: state.State,
        persist: Persist,
        hooks: ApplyHooks,
        parallelism: int = 10,
    ) -> None:
        super().__init__(ctx, cg, providers, inputs, diags, parallelism)
        self.plan = plan
        self.working = working
        self._persist = persist
        self._persist_lock = asyncio.Lock()
        self._edits = 0
        self._written = 0
        self.hooks = hooks
        self.by_instance: dict[ResourceInstance, ResourceChange] = {
            c.addr: c for c in plan.changes if c.deposed is None and c.action is not Action.DELETE
        }
        self.destroys: dict[Node, ResourceChange] = {}
        #: Deposed keys given to objects replaced create-before-destroy during this apply.
        self.deposed_now: dict[ResourceInstance, str] = {}
        self._add_destroy_nodes()

    async def persist(self) -> None:
        """Write the working state, and return once a write containing every change made so
        far is durable. Concurrent callers share writes (group commit): a snapshot taken after
        waiting for the lock covers all of them."""
        self._edits += 1
        mine = self._edits
        async with self._persist_lock:
            if self._written >= mine:
                return
            covers = self._edits
            await self._persist(ops.snapshot(self.working))
            self._written = covers

    # ---- the graph of deletions ----

    def _add_destroy_nodes(self) -> None:
        g = self.cg.graph
        for change in self.plan.changes:
            if not change.action.destroys:
                continue
            label = f"{change.addr}" + (f" (deposed {change.deposed})" if change.deposed else "")
            node = Node("resource", ("\0destroy",), label)
            self.destroys[node] = change
            g.add(node)
            key = self._provider_key(change)
            if key is not None:
                g.add_edge(node, Node("provider", (), key))
            res_node = Node("resource", change.addr.module.module_path, str(change.addr.resource))
            if res_node in g and change.deposed is None:
                if change.action is Action.DELETE_THEN_CREATE:
                    g.add_edge(res_node, node)
                elif change.action is Action.CREATE_THEN_DELETE:
                    g.add_edge(node, res_node)
                    for dependent, deps in self.cg.resource_deps.items():
                        if res_node in deps:
                            g.add_edge(node, dependent)
        for node, change in self.destroys.items():
            for other, other_change in self.destroys.items():
                # `other` depends on `node`'s resource: destroy `other` first.
                if other is not node and config_address(change.addr) in other_change.dependencies:
                    g.add_edge(node, other)

    def _provider_key(self, change: ResourceChange) -> str | None:
        try:
            return self.providers.key_from_state(change.provider)
        except ProviderError:
            return None

    # ---- visiting ----

    async def resource(self, node: Node) -> bool:
        change = self.destroys.get(node)
        if change is not None:
            return await self._destroy(change)
        module = module_at(self.ctx.root, node.path)
        res = module.resources[node.name]
        key = self.cg.providers[node]
        try:
            provider = self.providers.get(key)
        except ProviderError as exc:
            self.diags.add(Diagnostic.error("Provider not available", str(exc), res.rng))
            return False
        schema = self.providers.resource_schema(key, res.mode, res.type)
        if schema is None:
            self.diags.add(
                self.providers.missing_type(key, res.mode, res.type).with_subject(res.rng)
            )
            return False
        ok = True
        for mi in self.ctx.instances_of(node.path):
            ar = AbsResource(mi, Resource(res.mode, res.type, res.name))
            ok = await self._resource_in(node, mi, ar, res, key, provider, schema) and ok
        return ok

    async def _resource_in(
        self,
        node: Node,
        mi: ModuleInstance,
        ar: AbsResource,
        res: config.Resource,
        key: str,
        provider: Provider,
        schema: ResourceSchema,
    ) -> bool:
        data = ResourceData(None, type=schema.block.implied_type())
        self.ctx.resources[ar] = data
        if self.plan.destroy:
            data.expansion = Expansion.single()
            return True
        exp = self.expand(self.ctx.scope(mi), res.count, res.for_each, res.describe())
        if exp is None:
            return False
        data.expansion = exp

        async def one(k: Key) -> bool:
            inst = ar.instance(k)
            change = self.by_instance.get(inst)
            current = self._current_value(inst, schema)
            if change is None or change.action is Action.NOOP:
                if current is not None:
                    data.values[k] = current
                return True
            value = await self._apply_instance(
                node, inst, res, provider, schema, exp.bindings(k), change, current
            )
            if value is not None:
                data.values[k] = value
            return value is not None

        return await self.each_instance(exp.keys, one)

    def _current_value(self, inst: ResourceInstance, schema: ResourceSchema) -> lang.Value | None:
        rs = self.working.resource(str(inst.abs_resource))
        instance = rs.instances.get(inst.key) if rs is not None else None
        if instance is None or instance.current is None:
            return None
        return object_value(instance.current, schema)

    async def _apply_instance(
        self,
        node: Node,
        inst: ResourceInstance,
        res: config.Resource,
        provider: Provider,
        schema: ResourceSchema,
        bindings: dict[str, lang.Value],
        change: ResourceChange,
        current: lang.Value | None,
    ) -> lang.Value | None:
        scope = self.ctx.scope(inst.module, bindings)
        cfg_val, found = decode_body(res.config, schema.block, scope, res.describe(), res.rng)
        self.diags.extend(found)
        if found.has_errors:
            return None
        if change.action is Action.READ:
            return await self._read(inst, res, provider, schema, cfg_val, change)
        if change.action is Action.CREATE_THEN_DELETE:
            deposed = ops.depose(self.working, inst)
            if deposed is not None:
                self.deposed_now[inst] = deposed
                await self.persist()
        creating = change.action.creates
        prior = None if creating else (current.unmark_deep() if current is not None else None)
        marks = vj.sensitive_paths(cfg_val)
        cfg = cfg_val.unmark_deep()
        if prior is not None:
            from gitterra.engine import _lifecycle

            cfg = _lifecycle.ignore_changes(cfg, prior, res.lifecycle.ignore_changes)
        final = provider.plan_resource(res.type, prior, proposed_new(schema.block, prior, cfg), cfg)
        self.diags.extend(final.diagnostics)
        if final.diagnostics.has_errors:
            return None
        if not self._consistent(inst, provider, change.after, final.planned, "final plan"):
            return None
        operation = "creating" if creating else "modifying"
        result_state, failed = await self._timed(
            change, operation, provider.apply_resource(res.type, prior, final.planned, cfg)
        )
        deps = tuple(sorted(str(n) for n in self.cg.resource_deps.get(node, ())))
        new = (
            mark_schema(schema.block, vj.mark_paths(result_state, marks))
            if result_state is not None
            else None
        )
        # Record the object the moment it exists: a crash during a provisioner must not leave
        # a real object the state does not know about. A create that failed half-way yet
        # returned an object (a server that never became healthy) is kept tainted, as
        # Terraform does: the next plan replaces it.
        cbd = res.lifecycle.create_before_destroy
        status = "tainted" if failed and creating and new is not None else None
        ops.set_current(self.working, inst, change.provider, new, schema, deps, cbd, status)
        deposed = self.deposed_now.get(inst)
        if new is None and deposed is not None:
            # The replacement was never created: the old object is current again, as in
            # Terraform (its delete is skipped along with this failed node).
            ops.restore_deposed(self.working, inst, deposed)
        await self.persist()
        if failed or new is None:
            return None
        if (
            creating
            and res.provisioners
            and await self._provision(inst, res, change, new, bindings, "create") == "tainted"
        ):
            ops.set_current(self.working, inst, change.provider, new, schema, deps, cbd, "tainted")
            await self.persist()
            return None
        if not self._consistent(inst, provider, final.planned, new, "result after apply"):
            return None
        return new

    async def _read(
        self,
        inst: ResourceInstance,
        res: config.Resource,
        provider: Provider,
        schema: ResourceSchema,
        cfg_val: lang.Value,
        change: ResourceChange,
    ) -> lang.Value | None:
        result, failed = await self._timed(
            change, "reading", provider.read_data_source(res.type, cfg_val.unmark_deep())
        )
        if failed or result is None:
            return None
        value = mark_schema(schema.block, vj.mark_paths(result, vj.sensitive_paths(cfg_val)))
        ops.set_current(self.working, inst, change.provider, value, schema)
        await self.persist()
        return value

    async def _destroy(self, change: ResourceChange) -> bool:
        inst = change.addr
        deposed = change.deposed
        if change.action is Action.CREATE_THEN_DELETE:
            deposed = self.deposed_now.get(inst)
            if deposed is not None:  # progress lines name the deposed object, as Terraform's
                change = dataclasses.replace(change, deposed=deposed)
        key = self._provider_key(change)
        if key is None:
            self.diags.add(
                Diagnostic.error(
                    "Provider not available", f"{inst}: unreadable provider {change.provider}"
                )
            )
            return False
        provider = self.providers.get(key)
        schema = self.providers.resource_schema(key, inst.resource.mode, inst.resource.type)
        if schema is None:
            self.diags.add(self.providers.missing_type(key, inst.resource.mode, inst.resource.type))
            return False
        before = change.before
        if before is None:
            return True
        res = self._config_of(inst)
        destroy_time = res is not None and any(p.when == "destroy" for p in res.provisioners)
        if (
            destroy_time
            and res is not None
            and await self._provision(inst, res, change, before, {}, "destroy") == "tainted"
        ):
            return False
        _, failed = await self._timed(
            change,
            "destroying",
            provider.apply_resource(inst.resource.type, before.unmark_deep(), None, None),
        )
        if failed:
            return False
        if deposed is not None:
            ops.remove_deposed(self.working, inst, deposed)
        else:  # a plain delete, or the delete half of delete-then-create
            ops.set_current(self.working, inst, change.provider, None, schema)
        await self.persist()
        return True

    def _config_of(self, inst: ResourceInstance) -> config.Resource | None:
        try:
            module = module_at(self.ctx.root, inst.module.module_path)
        except KeyError:
            return None
        return module.resources.get(str(inst.resource))

    async def _timed(
        self, change: ResourceChange, operation: str, call: Awaitable[ApplyResult | ReadResult]
    ) -> tuple[lang.Value | None, bool]:
        """Run a provider call with start/still/finish hooks: the object it returns (or None)
        and whether it failed (its diagnostics are recorded)."""
        started = time.monotonic()
        self.hooks.start(change, operation)
        task = asyncio.ensure_future(call)
        while True:
            done, _ = await asyncio.wait({task}, timeout=_STILL_EVERY)
            if done:
                break
            self.hooks.still(change, operation, time.monotonic() - started)
        result = task.result()
        res = self._config_of(change.addr)
        if res is not None:  # placed at the resource's block, as in plan
            self.diags.extend(place(result.diagnostics, res.config, res.rng, res.describe()))
        else:
            self.diags.extend(d.with_context(str(change.addr)) for d in result.diagnostics)
        failed = result.diagnostics.has_errors
        value = result.state
        object_id = None
        if value is not None and value.is_known and not value.is_null:
            ident = value.items().get("id")
            if (
                ident is not None
                and ident.is_known
                and not ident.is_null
                and ident.type is lang.STRING
            ):
                object_id = ident.as_str()
        self.hooks.finish(change, operation, time.monotonic() - started, object_id, failed)
        return value, failed

    async def _provision(
        self,
        inst: ResourceInstance,
        res: config.Resource,
        change: ResourceChange,
        value: lang.Value,
        bindings: dict[str, lang.Value],
        when: str,
    ) -> str | None:
        """Run the provisioners for ``when``; "tainted" if one failed (and must not continue)."""
        scope = self.ctx.scope(inst.module, {**bindings, "self": value})
        for prov in res.provisioners:
            if prov.when != when:
                continue

            def show(line: str, kind: str = prov.type) -> None:
                self.hooks.output(change, kind, line)

            self.hooks.provisioning(change, prov.type)
            found = await run_local_exec(prov, scope, res.describe(), show)
            self.diags.extend(found)
            if found.has_errors:
                return "tainted"
        return None

    def _consistent(
        self,
        inst: ResourceInstance,
        provider: Provider,
        expected: lang.Value | None,
        got: lang.Value,
        what: str,
    ) -> bool:
        if expected is None:
            return True
        problems = _differences(expected.unmark_deep(), got.unmark_deep(), "")
        if not problems:
            return True
        path, was, now = problems[0]
        self.diags.add(
            Diagnostic.error(
                f"Provider produced inconsistent {what}",
                f"When applying changes to {inst}, the provider produced an unexpected new value: "
                f"{path or 'the object'} was {was}, but now {now}. This is a bug in the provider.",
            )
        )
        del provider
        return False

    def finish_outputs(self) -> None:
        root = self.ctx.modules[ModuleInstance()]
        for name, out in self.ctx.root.outputs.items():
            value = root.outputs.get(name)
            if value is None or not value.is_wholly_known():
                self.working.outputs.pop(name, None)
                continue
            ops.set_output(self.working, name, value, out.sensitive)
        for name in list(self.working.outputs):
            if name not in self.ctx.root.outputs:
                del self.working.outputs[name]


def _differences(expected: lang.Value, got: lang.Value, path: str) -> list[tuple[str, str, str]]:
    """Known parts of ``expected`` that ``got`` does not match."""
    if not expected.is_known:
        return []
    if expected.is_null or got.is_null or not got.is_known:
        same = expected.is_null and got.is_null
        return [] if same else [(path, lang.format_value(expected), lang.format_value(got))]
    raw_e, raw_g = expected.raw, got.raw
    if isinstance(raw_e, dict) and isinstance(raw_g, dict):
        out: list[tuple[str, str, str]] = []
        for k, e in raw_e.items():
            g = raw_g.get(k)
            if g is not None:
                out += _differences(e, g, f"{path}.{k}")
        return out
    if (
        isinstance(raw_e, tuple)
        and isinstance(raw_g, tuple)
        and not isinstance(expected.type, lang.SetType)
    ):
        if len(raw_e) != len(raw_g):
            return [(path, f"{len(raw_e)} elements", f"{len(raw_g)} elements")]
        out = []
        for i, (e, g) in enumerate(zip(raw_e, raw_g, strict=True)):
            out += _differences(e, g, f"{path}[{i}]")
        return out
    if (
        expected.is_wholly_known()
        and expected != got
        and expected.unmark_deep() != got.unmark_deep()
    ):
        if isinstance(expected.type, lang.SetType) or expected.type != got.type:
            return (
                []
                if lang.format_value(expected) == lang.format_value(got)
                else [(path, lang.format_value(expected), lang.format_value(got))]
            )
        return [(path, lang.format_value(expected), lang.format_value(got))]
    return []

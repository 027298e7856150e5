"""Planning: configuration, prior state and provider answers in; a :class:`Plan` out.

For each resource instance: refresh the prior object through the provider (unless disabled),
evaluate the configuration, let the provider plan the new state, and choose the action — create,
update in place, replace (delete-then-create, or create-then-delete with
``create_before_destroy``), delete, or nothing. Data sources are read now when their
configuration is known, else at apply. Instances in state that the configuration no longer asks
for are deleted, with Terraform's reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from gitterra import config, lang, state
from gitterra.diag import Diagnostic, Diagnostics, SourceRange
from gitterra.engine import _values_json as vj
from gitterra.engine._addrs import (
    AbsResource,
    Key,
    ModuleInstance,
    Resource,
    ResourceInstance,
    Target,
)
from gitterra.engine._context import Expansion, ResourceData, WalkContext
from gitterra.engine._decode_config import decode_body, place
from gitterra.engine._graph import ConfigGraph, Node, module_at
from gitterra.engine._marks import mark_schema
from gitterra.engine._objchange import apply_defaults, proposed_new
from gitterra.engine._plan import Action, Reason, ResourceChange
from gitterra.engine._provider import Provider
from gitterra.engine._providers import ProviderError, ProviderSet
from gitterra.engine._schema import ResourceSchema
from gitterra.engine._walker import Walker

Mode = Literal["normal", "destroy", "refresh-only"]


@dataclass(frozen=True, slots=True)
class PlanOptions:
    mode: Mode = "normal"
    refresh: bool = True
    targets: tuple[Target, ...] = ()
    replace: tuple[Target, ...] = ()
    parallelism: int = 10


def object_value(obj: state.ObjectState, schema: ResourceSchema) -> lang.Value:
    """A state object as a value of the schema's type, with its sensitive marks."""
    value = vj.from_json(obj.attributes, schema.block.implied_type())
    value = vj.mark_paths(value, vj.paths_from_state(obj.sensitive_attributes))
    return mark_schema(schema.block, value)


def same(a: lang.Value, b: lang.Value) -> bool:
    """Equal and wholly known (marks ignored)."""
    return a.is_wholly_known() and b.is_wholly_known() and a.unmark_deep() == b.unmark_deep()


class Planner(Walker):
    def __init__(
        self,
        ctx: WalkContext,
        cg: ConfigGraph,
        providers: ProviderSet,
        inputs: Mapping[str, lang.Value],
        diags: Diagnostics,
        prior: state.State,
        opts: PlanOptions,
    ) -> None:
        super().__init__(ctx, cg, providers, inputs, diags, opts.parallelism)
        self.prior = prior
        self.refreshed = prior.copy()
        self.opts = opts
        self.changes: list[ResourceChange] = []
        self.drift: list[ResourceChange] = []
        self.visited: set[str] = set()
        self.lifecycle_checked: set[SourceRange] = set()
        self.dependencies_of_targets: set[Node] = set()
        self.in_scope = self._targeted_nodes()
        self._dependents: set[str] | None = None

    # ---- targets ----

    def _targeted_nodes(self) -> set[Node] | None:
        """Resource nodes -target selects, plus every resource they depend on; None when the
        plan is not targeted."""
        if not self.opts.targets:
            return None
        direct = {
            n
            for n in self.cg.graph.nodes
            if n.kind == "resource" and any(_node_matches(n, t) for t in self.opts.targets)
        }
        self.dependencies_of_targets = set().union(*(self.cg.resource_deps[n] for n in direct))
        return direct | self.dependencies_of_targets

    def _deletion_in_scope(self, inst: ResourceInstance) -> bool:
        """Whether deleting ``inst`` belongs in the plan: always without -target; otherwise when
        a target names it or, destroying, when it depends on what a target names (through the
        dependencies state records), so that it goes first."""
        if not self.opts.targets or any(t.contains(inst) for t in self.opts.targets):
            return True
        return self.opts.mode == "destroy" and _config_address(inst.abs_resource) in (
            self._destroy_dependents()
        )

    def _destroy_dependents(self) -> set[str]:
        """Configuration addresses of the resources in state that depend, directly or not, on
        an object a target names."""
        if self._dependents is None:
            depends: dict[str, set[str]] = {}
            seeds: set[str] = set()
            for rs in self.prior.resources.values():
                ar = _abs_from_state(rs)
                addr = _config_address(ar)
                for k, instance in rs.instances.items():
                    for obj in (instance.current, *instance.deposed.values()):
                        if obj is not None:
                            depends.setdefault(addr, set()).update(obj.dependencies)
                    if any(t.contains(ar.instance(k)) for t in self.opts.targets):
                        seeds.add(addr)
            dependents: set[str] = set()
            grew = True
            while grew:
                grew = False
                for addr, deps in depends.items():
                    if addr not in dependents and deps & (seeds | dependents):
                        dependents.add(addr)
                        grew = True
            self._dependents = dependents
        return self._dependents

    def _instance_targeted(self, node: Node, inst: ResourceInstance) -> bool:
        if self.in_scope is None:
            return True
        if node not in self.in_scope:
            return False
        if node in self.dependencies_of_targets:
            return True
        return any(t.contains(inst) for t in self.opts.targets)

    # ---- resources ----

    async def resource(self, node: Node) -> bool:
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
            self.visited.add(str(ar))
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
        if res.lifecycle.ignore_changes and res.rng not in self.lifecycle_checked:
            from gitterra.engine import _lifecycle

            self.lifecycle_checked.add(res.rng)
            wrong = _lifecycle.check_ignore_changes(res, schema.block)
            if wrong:
                self.diags.extend(wrong)
                return False
        prior = self.prior.resource(str(ar))
        if self.opts.mode == "destroy":
            data.expansion = _prior_expansion(prior)
            if not self._valid_for_destroy(mi, res, provider, schema):
                return False
            return await self._destroy_all(ar, prior, key, res, schema, data)
        exp = self.expand(self.ctx.scope(mi), res.count, res.for_each, res.describe())
        if exp is None:
            return False
        data.expansion = exp

        async def one(k: Key) -> bool:
            inst = ar.instance(k)
            if not self._instance_targeted(node, inst):
                prior_obj = _current(prior, k)
                if prior_obj is not None:
                    data.values[k] = object_value(prior_obj, schema)
                return True
            bindings = exp.bindings(k)
            return await self._instance(node, inst, res, key, provider, schema, bindings, prior)

        ok = await self.each_instance(exp.keys, one)
        return await self._orphans(ar, prior, exp, key, res, schema) and ok

    def _valid_for_destroy(
        self, mi: ModuleInstance, res: config.Resource, provider: Provider, schema: ResourceSchema
    ) -> bool:
        """Check the configuration against the schema before destroying, as Terraform validates
        before any plan: a broken configuration destroys nothing. ``count.index``, ``each`` and
        other resources are unknown here, as in ``validate``: a destroy plan does not expand
        configuration, so ``aws_x.y[0]`` of a resource with no instances is no error."""
        from gitterra.engine._validate import unknown_repetition

        unknown: dict[str, lang.Value] = dict.fromkeys(
            self.ctx.index(self.ctx.modules[mi].config)[0], lang.DYNAMIC_UNKNOWN
        )
        unknown.update(data=lang.DYNAMIC_UNKNOWN, module=lang.DYNAMIC_UNKNOWN)
        scope = self.ctx.scope(mi, {**unknown, **unknown_repetition(res)})
        cfg_val, found = decode_body(res.config, schema.block, scope, res.describe(), res.rng)
        if not found.has_errors and res.mode == "managed":
            checked = provider.validate_resource(res.type, cfg_val.unmark_deep())
            found.extend(place(checked, res.config, res.rng, res.describe()))
        self.diags.extend(found)
        return not found.has_errors

    async def _instance(
        self,
        node: Node,
        inst: ResourceInstance,
        res: config.Resource,
        key: str,
        provider: Provider,
        schema: ResourceSchema,
        bindings: dict[str, lang.Value],
        prior_res: state.ResourceState | None,
    ) -> bool:
        instance = prior_res.instances.get(inst.key) if prior_res is not None else None
        prov_addr = self.providers.state_address(key)
        deps = tuple(sorted(str(n) for n in self.cg.resource_deps.get(node, ())))
        if instance is not None:
            for dk, obj in sorted(instance.deposed.items()):
                self.changes.append(
                    ResourceChange(
                        inst,
                        Action.DELETE,
                        prov_addr,
                        object_value(obj, schema),
                        None,
                        deposed=dk,
                        dependencies=tuple(obj.dependencies),
                    )
                )
        prior_obj = instance.current if instance is not None else None
        prior_val = object_value(prior_obj, schema) if prior_obj is not None else None
        if prior_val is not None and self.opts.refresh and res.mode == "managed":
            # Data sources are not refreshed: they are read again below, as Terraform does.
            prior_val = await self._refresh(inst, res, provider, schema, prior_val, prov_addr)
            if prior_val is None and self.diags.has_errors:
                return False
        data = self.ctx.resources[inst.abs_resource]
        if self.opts.mode == "refresh-only":
            if prior_val is not None:
                data.values[inst.key] = prior_val
            return True
        scope = self.ctx.scope(inst.module, bindings)
        cfg_val, found = decode_body(res.config, schema.block, scope, res.describe(), res.rng)
        if not found.has_errors:
            if res.mode == "data":
                checked = provider.validate_data_source(res.type, cfg_val.unmark_deep())
            else:
                checked = provider.validate_resource(res.type, cfg_val.unmark_deep())
            found.extend(place(checked, res.config, res.rng, res.describe()))
        self.diags.extend(d.with_context(res.describe()) for d in found)
        if found.has_errors:
            return False
        if res.mode == "data":
            return await self._data(node, inst, res, provider, schema, cfg_val, prov_addr)
        tainted = prior_obj is not None and prior_obj.status == "tainted"
        return self._managed(
            inst, res, provider, schema, cfg_val, prior_val, tainted, prov_addr, deps
        )

    async def _refresh(
        self,
        inst: ResourceInstance,
        res: config.Resource,
        provider: Provider,
        schema: ResourceSchema,
        prior_val: lang.Value,
        prov_addr: str,
    ) -> lang.Value | None:
        result = await provider.read_resource(res.type, prior_val.unmark_deep())
        self.diags.extend(place(result.diagnostics, res.config, res.rng, res.describe()))
        if result.diagnostics.has_errors:
            return None
        now = None
        if result.state is not None:
            # The prior object's marks carry over (sensitive config values stay hidden), as in
            # Terraform's refresh.
            marked = vj.mark_paths(result.state, vj.sensitive_paths(prior_val))
            now = mark_schema(schema.block, marked)
        if now is None or not same(now, prior_val):
            action = Action.DELETE if now is None else Action.UPDATE
            self.drift.append(ResourceChange(inst, action, prov_addr, prior_val, now))
            _record(self.refreshed, inst, prov_addr, now, schema)
        return now

    def _managed(
        self,
        inst: ResourceInstance,
        res: config.Resource,
        provider: Provider,
        schema: ResourceSchema,
        cfg_val: lang.Value,
        prior_val: lang.Value | None,
        tainted: bool,
        prov_addr: str,
        deps: tuple[str, ...],
    ) -> bool:
        from gitterra.engine import _lifecycle

        marks = vj.sensitive_paths(cfg_val)
        cfg = cfg_val.unmark_deep()
        prior = prior_val.unmark_deep() if prior_val is not None else None
        if prior is not None:
            cfg = _lifecycle.ignore_changes(cfg, prior, res.lifecycle.ignore_changes)
        planned_change = provider.plan_resource(
            res.type, prior, proposed_new(schema.block, prior, cfg), cfg
        )
        self.diags.extend(place(planned_change.diagnostics, res.config, res.rng, res.describe()))
        if planned_change.diagnostics.has_errors:
            return False
        planned = planned_change.planned
        reason: Reason | None = None
        if prior is None:
            action = Action.CREATE
        else:
            reason = self._replace_reason(inst, res, tainted, planned_change.requires_replace)
            if reason is not None:
                fresh = provider.plan_resource(
                    res.type, None, proposed_new(schema.block, None, cfg), cfg
                )
                self.diags.extend(fresh.diagnostics)
                if fresh.diagnostics.has_errors:
                    return False
                planned = fresh.planned
                cbd = res.lifecycle.create_before_destroy
                action = Action.CREATE_THEN_DELETE if cbd else Action.DELETE_THEN_CREATE
            elif same(prior, planned):
                action = Action.NOOP
            else:
                action = Action.UPDATE
        if action.destroys and res.lifecycle.prevent_destroy:
            self.diags.add(_prevent_destroy(inst, res))
            return False
        after = mark_schema(schema.block, vj.mark_paths(planned, marks))
        self.ctx.resources[inst.abs_resource].values[inst.key] = after
        self.changes.append(
            ResourceChange(
                inst,
                action,
                prov_addr,
                prior_val,
                after,
                reason,
                planned_change.requires_replace if reason is Reason.CANNOT_UPDATE else (),
                create_before_destroy=res.lifecycle.create_before_destroy,
                dependencies=deps,
            )
        )
        return True

    def _replace_reason(
        self,
        inst: ResourceInstance,
        res: config.Resource,
        tainted: bool,
        requires: tuple[object, ...],
    ) -> Reason | None:
        from gitterra.engine import _lifecycle

        if tainted:
            return Reason.TAINTED
        if any(
            t.contains(inst) and (t.has_key or t.resource is not None) for t in self.opts.replace
        ):
            return Reason.BY_REQUEST
        if _lifecycle.triggered(res, inst, self.changes):
            return Reason.BY_TRIGGERS
        if requires:
            return Reason.CANNOT_UPDATE
        return None

    async def _data(
        self,
        node: Node,
        inst: ResourceInstance,
        res: config.Resource,
        provider: Provider,
        schema: ResourceSchema,
        cfg_val: lang.Value,
        prov_addr: str,
    ) -> bool:
        data = self.ctx.resources[inst.abs_resource]
        pending = {str(c.addr.abs_resource) for c in self.changes if c.action is not Action.NOOP}
        depends_pending = any(
            str(AbsResource(inst.module, _resource_of(n))) in pending
            for n in self.cg.resource_deps.get(node, ())
        )
        if cfg_val.is_wholly_known() and not depends_pending:
            result = await provider.read_data_source(res.type, cfg_val.unmark_deep())
            self.diags.extend(place(result.diagnostics, res.config, res.rng, res.describe()))
            if result.diagnostics.has_errors or result.state is None:
                return False
            value = mark_schema(
                schema.block, vj.mark_paths(result.state, vj.sensitive_paths(cfg_val))
            )
            data.values[inst.key] = value
            _record(self.refreshed, inst, prov_addr, value, schema)
            return True
        after = apply_defaults(schema.block, cfg_val, creating=True)
        data.values[inst.key] = after
        reason = Reason.READ_DEPENDENCY_PENDING if depends_pending else Reason.READ_CONFIG_UNKNOWN
        self.changes.append(ResourceChange(inst, Action.READ, prov_addr, None, after, reason))
        return True

    # ---- deletions ----

    async def _destroy_all(
        self,
        ar: AbsResource,
        prior: state.ResourceState | None,
        key: str,
        res: config.Resource,
        schema: ResourceSchema,
        data: ResourceData,
    ) -> bool:
        if prior is None:
            return True
        ok = True
        prov_addr = self.providers.state_address(key)
        for k, instance in sorted(prior.instances.items(), key=lambda kv: _key_order(kv[0])):
            inst = ar.instance(k)
            if instance.current is not None:
                value = object_value(instance.current, schema)
                data.values[k] = value
            if not self._deletion_in_scope(inst):
                continue
            if instance.current is not None:
                if ar.resource.mode == "managed" and res.lifecycle.prevent_destroy:
                    self.diags.add(_prevent_destroy(inst, res))
                    ok = False
                elif ar.resource.mode == "managed":
                    self.changes.append(
                        ResourceChange(
                            inst,
                            Action.DELETE,
                            prov_addr,
                            value,
                            None,
                            dependencies=tuple(instance.current.dependencies),
                        )
                    )
            for dk, obj in sorted(instance.deposed.items()):
                self.changes.append(
                    ResourceChange(
                        inst,
                        Action.DELETE,
                        prov_addr,
                        object_value(obj, schema),
                        None,
                        deposed=dk,
                        dependencies=tuple(obj.dependencies),
                    )
                )
        return ok

    async def _orphans(
        self,
        ar: AbsResource,
        prior: state.ResourceState | None,
        exp: Expansion,
        key: str,
        res: config.Resource,
        schema: ResourceSchema,
    ) -> bool:
        if prior is None:
            return True
        ok = True
        keep = set(exp.keys)
        prov_addr = self.providers.state_address(key)
        for k, instance in sorted(prior.instances.items(), key=lambda kv: _key_order(kv[0])):
            if k in keep:
                continue
            inst = ar.instance(k)
            if not self._deletion_in_scope(inst):
                continue
            if exp.kind is None or (isinstance(k, int) != (exp.kind == "list")):
                reason = Reason.WRONG_REPETITION
            else:
                reason = Reason.COUNT_INDEX if isinstance(k, int) else Reason.EACH_KEY
            for obj, dk in [
                (instance.current, None),
                *((o, d) for d, o in sorted(instance.deposed.items())),
            ]:
                if obj is None or ar.resource.mode == "data":
                    continue
                if dk is None and res.lifecycle.prevent_destroy:
                    self.diags.add(_prevent_destroy(inst, res))
                    ok = False
                    continue
                self.changes.append(
                    ResourceChange(
                        inst,
                        Action.DELETE,
                        prov_addr,
                        object_value(obj, schema),
                        None,
                        reason,
                        deposed=dk,
                        dependencies=tuple(obj.dependencies),
                    )
                )
        return ok

    async def plan_orphan_resources(self) -> None:
        """Resources in state that no configuration (or no module instance) asks for."""
        for address, rs in sorted(self.prior.resources.items()):
            if address in self.visited or rs.mode == "data":
                continue
            try:
                key = self.providers.key_from_state(rs.provider)
                provider = self.providers.get(key)
                if not self.providers.configured(key):
                    await self.provider(Node("provider", (), key))
            except ProviderError as exc:
                self.diags.add(Diagnostic.error("Provider not available", f"{address}: {exc}"))
                continue
            schema = self.providers.resource_schema(key, rs.mode, rs.type)
            if schema is None:
                self.diags.add(self.providers.missing_type(key, rs.mode, rs.type))
                continue
            module_exists = any(str(mi) == rs.module for mi in self.ctx.modules)
            reason: Reason | None = Reason.NO_RESOURCE_CONFIG
            if rs.module and not module_exists:
                reason = Reason.NO_MODULE
            if self.opts.mode == "destroy":
                reason = None  # a destroy plan deletes everything, without a reason
            ar = _abs_from_state(rs)
            for k, instance in sorted(rs.instances.items(), key=lambda kv: _key_order(kv[0])):
                inst = ar.instance(k)
                if not self._deletion_in_scope(inst):
                    continue
                for obj, dk in [
                    (instance.current, None),
                    *((o, d) for d, o in sorted(instance.deposed.items())),
                ]:
                    if obj is None:
                        continue
                    self.changes.append(
                        ResourceChange(
                            inst,
                            Action.DELETE,
                            rs.provider,
                            object_value(obj, schema),
                            None,
                            reason,
                            deposed=dk,
                            dependencies=tuple(obj.dependencies),
                        )
                    )
            del provider


def _node_matches(node: Node, target: Target) -> bool:
    path = target.module.module_path
    if target.resource is None:
        return node.path[: len(path)] == path
    return node.path == path and node.name == str(target.resource)


def _current(prior: state.ResourceState | None, key: Key) -> state.ObjectState | None:
    if prior is None:
        return None
    inst = prior.instances.get(key)
    return inst.current if inst is not None else None


def _prior_expansion(prior: state.ResourceState | None) -> Expansion:
    """The expansion state records (for destroy plans, which do not evaluate configuration)."""
    if prior is None:
        return Expansion.single()
    keys = sorted(prior.instances, key=_key_order)
    if keys == [None]:
        return Expansion.single()
    return Expansion("list" if all(isinstance(k, int) for k in keys) else "map", keys)


def _key_order(key: Key) -> tuple[int, int | str]:
    if key is None:
        return (0, 0)
    return (1, key) if isinstance(key, int) else (2, key)


def _resource_of(node: Node) -> Resource:
    name = node.name
    if name.startswith("data."):
        rtype, rname = name[5:].split(".", 1)
        return Resource("data", rtype, rname)
    rtype, rname = name.split(".", 1)
    return Resource("managed", rtype, rname)


def _config_address(ar: AbsResource) -> str:
    """``module.a.aws_lb.x``: the resource's address in the configuration (no keys), as state
    records dependencies."""
    return "".join(f"module.{n}." for n in ar.module.module_path) + str(ar.resource)


def _abs_from_state(rs: state.ResourceState) -> AbsResource:
    from gitterra.engine._addrs import parse_target

    target = parse_target(rs.address)
    assert target.resource is not None
    return AbsResource(target.module, target.resource)


def _record(
    st: state.State,
    inst: ResourceInstance,
    prov_addr: str,
    value: lang.Value | None,
    schema: ResourceSchema,
) -> None:
    """Put ``value`` (or its absence) into ``st`` as the instance's current object."""
    from gitterra.engine import _state_ops

    _state_ops.set_current(st, inst, prov_addr, value, schema)


def _prevent_destroy(inst: ResourceInstance, res: config.Resource) -> Diagnostic:
    return Diagnostic.error(
        "Instance cannot be destroyed",
        f"Resource {inst} has lifecycle.prevent_destroy set, but the plan calls for this resource "
        "to be destroyed. To avoid this error and continue with the plan, either disable "
        "lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag.",
        res.rng,
    )

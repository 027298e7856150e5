"""``aws_autoscaling_group``: a group the local cloud holds at its desired capacity
(``/api/v1/autoscaling-groups``, addressed by name).

Create and update send the group's fields, then wait as :mod:`_asg_waits` describes (capacity;
an instance refresh when the launch template/configuration or a trigger changes). Delete drains
the group first, or with ``force_delete`` lets the cloud terminate its instances; either way
apply returns when the group is gone. Reads take the group's fields from the cloud and keep
the arguments only Terraform knows (waits, refresh preferences, ``force_delete``) from state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _asg_waits, _client, _kit, _resource
from gitterra.providers.aws import _autoscaling_schema as spec

#: Changes of these start an instance refresh (when an instance_refresh block is configured).
_ALWAYS_REFRESH = ("launch_configuration", "launch_template")
_FIELDS = (
    "min_size",
    "max_size",
    "desired_capacity",
    "target_group_arns",
    "vpc_zone_identifier",
    "health_check_type",
    "health_check_grace_period",
    "default_instance_warmup",
    "termination_policies",
)


class AutoscalingGroup(_resource.CloudResource):
    name = "aws_autoscaling_group"
    label = "Auto Scaling Group"
    schema = spec.SCHEMA
    unsupported = (*spec.UNSUPPORTED_ATTRS, *spec.UNSUPPORTED_BLOCKS)
    api_fields: ClassVar[Mapping[str, str]] = {
        "tags": "tag",
        "preferences": "instance_refresh.0.preferences.0",
        "strategy": "instance_refresh.0.strategy",
    }

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        spec.check(cfg, config, diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        planned = change.planned
        if prior is None or prior.is_null or change.requires_replace:
            return change
        cfg = config.items()
        changes: dict[str, Any] = {}
        # the cloud moves an unconfigured desired capacity into a changed [min, max]
        if cfg["desired_capacity"].is_null and (
            _kit.changed(prior, planned, "min_size") or _kit.changed(prior, planned, "max_size")
        ):
            changes["desired_capacity"] = lang.unknown_val(lang.NUMBER)
        for given, derived in (
            ("vpc_zone_identifier", "availability_zones"),
            ("availability_zones", "vpc_zone_identifier"),
        ):
            if cfg[derived].is_null and _kit.changed(prior, planned, given):
                changes[derived] = _kit.unknown(self.block, derived)
        lt = self._plan_launch_template(prior, planned)
        if lt is not None:
            changes["launch_template"] = lt
        if changes:
            planned = _kit.with_values(self.block, planned, changes)
        return engine.PlannedChange(planned, change.requires_replace)

    def _plan_launch_template(self, prior: lang.Value, planned: lang.Value) -> Any:
        """A template chosen by id (or name) anew: its other name (or id), and a version left
        to the cloud, are not the prior ones."""
        new, old = planned.items()["launch_template"], prior.items()["launch_template"]
        if not new.is_known or not old.is_known or not new.elements() or not old.elements():
            return None
        n, o = new.elements()[0].items(), old.elements()[0].items()
        fixed = dict(n)
        for key, other in (("id", "name"), ("name", "id")):
            if not n[key].is_known or (not n[key].is_null and n[key] != o[key]):
                fixed[other] = lang.unknown_val(lang.STRING)
        if fixed == n:
            return None
        elem = lang.object_val(fixed)
        return lang.Value(new.type, (elem,))

    # ---- create / update --------------------------------------------------------------------

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "terraform-")
        try:
            body = {"name": name, **await self._fields(p, p, None), "tags": _tags(p)}
            await self.cloud.autoscaling.create_group(body, _propagate(p))
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        diags = await self._waited(name, p, refresh=False, capacity=True, creating=True)
        return await self._result(name, p, diags, planned)

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p, before = _kit.py(planned), _kit.py(prior)
        name = p["id"]
        changed = {f for f in self.block.attributes if _kit.changed(prior, planned, f)}
        changed |= {b for b in self.block.blocks if _kit.changed(prior, planned, b)}
        try:
            body = await self._fields(p, before, changed)
            if "tag" in changed:
                body["tags"] = _tags(p)
            if body:
                await self.cloud.autoscaling.update_group(name, body, _propagate(p))
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", name))
        refresh = bool(p["instance_refresh"]) and _refresh_wanted(p, changed)
        capacity = bool(changed & {"desired_capacity", "min_size"})
        diags = await self._waited(name, p, refresh=refresh, capacity=capacity, creating=False)
        return await self._result(name, p, diags, prior)

    async def _fields(
        self, p: dict[str, Any], before: dict[str, Any], changed: set[str] | None
    ) -> dict[str, Any]:
        """The API fields to send: all on create (``changed`` None), else the changed ones."""
        body: dict[str, Any] = {}
        for f in _FIELDS:
            if (changed is None or f in changed) and p.get(f) is not None:
                body[f] = (
                    sorted(p[f]) if f in ("target_group_arns", "vpc_zone_identifier") else p[f]
                )
        if p.get("availability_zones") and (changed is None or "availability_zones" in changed):
            body["vpc_zone_identifier"] = await self._subnets_of(p["availability_zones"])
        if changed is None or changed & set(_ALWAYS_REFRESH):
            lt = p["launch_template"][0] if p["launch_template"] else None
            if lt is not None:
                template = {"id": lt["id"] or await self._template_id(lt["name"])}
                if lt.get("version") is not None:
                    template["version"] = lt["version"]
                body["launch_template"] = template
                if before.get("launch_configuration") and changed is not None:
                    body["launch_configuration"] = None  # switching kinds
            else:
                body["launch_configuration"] = p["launch_configuration"]
                if before.get("launch_template") and changed is not None:
                    body["launch_template"] = None
        return body

    async def _waited(
        self, name: str, p: dict[str, Any], *, refresh: bool, capacity: bool, creating: bool
    ) -> Diagnostics:
        """Run the waits; their failures as diagnostics (the group exists either way)."""
        try:
            if refresh:
                await _asg_waits.run_refresh(self.session, name, p)
            if capacity:
                await _asg_waits.wait_capacity(self.session, name, p, creating)
        except _asg_waits.RefreshFailed as exc:
            return _error(
                f"instance refresh of Auto Scaling Group ({name}) failed",
                f"{exc}. The group keeps its new launch settings and the instances that were "
                "not replaced keep serving; fix the cause and apply a new change, or start a "
                "refresh again.",
            )
        except _resource.WaitTimeout as exc:
            what = "instance refresh" if refresh else "capacity satisfied"
            return _error(
                f"waiting for Auto Scaling Group ({name}) {what}",
                f"timeout while waiting (last state: '{exc}')",
            )
        except _client.CloudError as exc:
            verb = "refreshing the instances of" if refresh else "waiting for the capacity of"
            return self.failed(exc, verb, name)
        return Diagnostics()

    async def _result(
        self, name: str, p: dict[str, Any], diags: Diagnostics, fallback: lang.Value
    ) -> engine.ApplyResult:
        try:
            doc = await self.cloud.autoscaling.get_group(name)
            state = await self.from_doc(p, doc)
        except _client.CloudError as exc:
            diags.extend(self.failed(exc, "reading", name))
            return engine.ApplyResult(fallback, diags)
        return engine.ApplyResult(state, diags)

    # ---- delete / read / import --------------------------------------------------------------

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        name = p["id"]
        timeout = _asg_waits.timeout_of(p, "delete")
        groups = self.cloud.autoscaling
        try:
            if p.get("force_delete"):
                await groups.delete_group(name, force=True, timeout=timeout)
            else:
                await _asg_waits.drain(self.session, name, timeout)
                await groups.delete_group(name, force=False, timeout=timeout)
            await _asg_waits.wait_gone(self.session, name, timeout)
        except _client.NotFoundError:
            return engine.ApplyResult(None)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", name))
        except _resource.WaitTimeout as exc:
            return engine.ApplyResult(
                prior, _error(f"waiting for Auto Scaling Group ({name}) delete", str(exc))
            )
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.autoscaling.get_group(p["id"])
            return engine.ReadResult(await self.from_doc(p, doc))
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))

    async def import_(self, id_: str) -> engine.ImportResult:
        base = {
            "wait_for_capacity_timeout": "10m",
            "force_delete": False,
            "health_check_grace_period": 300,
        }
        try:
            doc = await self.cloud.autoscaling.get_group(id_)
            return engine.ImportResult((await self.from_doc(base, doc),))
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))

    # ---- the state ---------------------------------------------------------------------------

    async def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        subnets = sorted(doc.get("vpc_zone_identifier") or [])
        policies = doc.get("termination_policies") or []
        if p.get("termination_policies") is None and policies in ([], ["Default"]):
            policies = None  # the cloud's default, as the AWS provider reads it
        warmup = doc.get("default_instance_warmup")
        return self.state(
            {
                **p,
                "arn": doc.get("arn"),
                "id": doc["name"],
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "min_size": doc.get("min_size"),
                "max_size": doc.get("max_size"),
                "desired_capacity": doc.get("desired_capacity"),
                # unset: whatever default the cloud applies is not a change to show
                "default_instance_warmup": (
                    warmup if p.get("default_instance_warmup") is not None else None
                ),
                "launch_configuration": doc.get("launch_configuration"),
                "launch_template": await self._template_state(p, doc.get("launch_template")),
                "target_group_arns": doc.get("target_group_arns") or [],
                "vpc_zone_identifier": subnets,
                "availability_zones": await self._zones_of(subnets),
                "health_check_type": doc.get("health_check_type"),
                "health_check_grace_period": doc.get("health_check_grace_period"),
                "termination_policies": policies,
                "tag": _tag_blocks(p, doc.get("tags") or {}),
            }
        )

    async def _template_state(self, p: dict[str, Any], lt: dict[str, Any] | None) -> list[Any]:
        if not lt:
            return []
        given = (p.get("launch_template") or [{}])[0] or {}
        name = given.get("name") if given.get("id") in (None, lt["id"]) else None
        if name is None:
            try:
                doc = await self.cloud.ec2.get_launch_template(lt["id"])
                name = doc.get("name")
            except _client.NotFoundError:
                name = None
        return [{"id": lt["id"], "name": name, "version": lt.get("version")}]

    async def _subnet_table(self) -> list[dict[str, Any]]:
        cached = self.session.meta.get("subnets")
        if cached is None:
            cached = await self.cloud.ec2.list_subnets(None, [])
            self.session.meta["subnets"] = cached
        return list(cached)

    async def _subnets_of(self, zones: list[str]) -> list[str]:
        table = await self._subnet_table()
        return sorted(
            s["id"]
            for s in table
            if s.get("availability_zone") in zones and s.get("default_for_az", True)
        )

    async def _zones_of(self, subnets: list[str]) -> list[str]:
        if not subnets:
            return []
        table = {s["id"]: s.get("availability_zone") for s in await self._subnet_table()}
        return sorted({z for s in subnets if (z := table.get(s)) is not None})

    async def _template_id(self, name: str | None) -> str | None:
        if name is None:
            return None
        found = await self.cloud.ec2.find_launch_template(name)
        if found is None:
            raise _client.BadRequestError(
                400,
                "ValidationError",
                f"no launch template named {name!r}",
                "launch_template.0.name",
            )
        return str(found["id"])


def _refresh_wanted(p: dict[str, Any], changed: set[str]) -> bool:
    if changed & set(_ALWAYS_REFRESH):
        return True
    triggers = set(p["instance_refresh"][0].get("triggers") or [])
    return bool(triggers & changed)


def _tags(p: dict[str, Any]) -> dict[str, str]:
    return {t["key"]: t["value"] for t in p.get("tag") or []}


def _propagate(p: dict[str, Any]) -> dict[str, bool]:
    return {t["key"]: bool(t["propagate_at_launch"]) for t in p.get("tag") or []}


def _tag_blocks(p: dict[str, Any], tags: dict[str, str]) -> list[dict[str, Any]]:
    propagate = {t["key"]: t["propagate_at_launch"] for t in p.get("tag") or []}
    return [
        {"key": k, "value": v, "propagate_at_launch": propagate.get(k, True)}
        for k, v in sorted(tags.items())
    ]


def _error(summary: str, detail: str) -> Diagnostics:
    return Diagnostics([Diagnostic.error(summary, detail)])

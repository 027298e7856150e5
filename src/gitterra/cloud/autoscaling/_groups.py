"""Auto scaling groups: create, read, change, delete, capacity.

A group names exactly one source of instances: a launch template (``{"id" or "name",
"version"}``, the version a number, ``$Latest`` or ``$Default``, resolved at each launch) or a
launch configuration. Its target groups must exist. Changing the source does not touch running
instances (an instance refresh does). Deleting a group with instances needs ``force_delete``:
the group turns ``Delete in progress`` and its controller deregisters, drains and terminates
every instance; the call returns when they are gone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra.cloud import Conflict, NotFound, ValidationError, ids, tokens
from gitterra.cloud.autoscaling import _records, _validate
from gitterra.cloud.ec2 import fields

if TYPE_CHECKING:
    from gitterra.cloud.autoscaling._service import AutoScaling

DEFAULTS: dict[str, Any] = {
    "launch_template": None,
    "launch_configuration": None,
    "target_group_arns": [],
    "health_check_type": "EC2",
    "health_check_grace_period": 300,
    "default_instance_warmup": None,
    "termination_policies": ["Default"],
    "tags": {},
}


class Groups:
    def __init__(self, svc: AutoScaling) -> None:
        self.svc = svc
        self.store = svc.cloud.store

    # -- reading -----------------------------------------------------------------------------

    def get(self, name: str) -> dict[str, Any]:
        return self.public(self.require(name))

    def require(self, name: str) -> dict[str, Any]:
        doc = self.store.get(_records.GROUP, name)
        if doc is None:
            raise NotFound(f"auto scaling group {name} does not exist")
        return doc

    def find(self) -> list[dict[str, Any]]:
        return [self.public(d) for d in self.store.find(_records.GROUP)]

    def public(self, doc: dict[str, Any]) -> dict[str, Any]:
        members = sorted(_records.members(self.store, doc["name"]), key=lambda m: m["id"])
        return {**doc, "instances": [_records.public_member(m) for m in members]}

    def capacity(self, name: str) -> dict[str, int]:
        """What the provider's capacity waits poll."""
        doc = self.require(name)
        in_service = [
            m for m in _records.members(self.store, name) if m["lifecycle_state"] == "InService"
        ]
        healthy = 0
        for member in in_service:
            states = [
                self.svc.balancer().target_groups.health(arn, member["id"])[0]
                for arn in doc["target_group_arns"]
            ]
            if all(s == "healthy" for s in states):
                healthy += 1
        return {
            "desired": doc["desired_capacity"],
            "in_service": len(in_service),
            "healthy_in_target_groups": healthy,
        }

    # -- writing -----------------------------------------------------------------------------

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = fields.body(spec, "an auto scaling group")
        fields.only(spec, _validate.GROUP_CREATE, "an auto scaling group is created with")
        name = _validate.name(spec.get("name"))
        doc: dict[str, Any] = {"name": name, **DEFAULTS}
        doc["vpc_zone_identifier"] = _validate.subnets(spec.get("vpc_zone_identifier"))
        doc.update(_validate.sizes({}, spec))
        doc.update(self._settings(spec))
        doc.update(self._source(spec, required=True))
        resource = f"autoScalingGroup:{uuid.uuid4()}:autoScalingGroupName/{name}"
        doc.update(arn=ids.arn("autoscaling", resource), status=None, created_at=fields.now())
        tokens.stamp(doc)
        with self.store.transaction():
            if self.store.get(_records.GROUP, name) is not None:
                raise Conflict(f"an auto scaling group named {name} already exists", "name")
            self.store.put(_records.GROUP, name, doc)
        self.svc.cloud.event(
            "autoscaling.group", name, f"created (desired {doc['desired_capacity']})"
        )
        self.svc.manage(name)
        return self.public(doc)

    def update(self, name: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        changes = fields.body(changes, "an auto scaling group change")
        fields.only(changes, _validate.GROUP_FIELDS, "an auto scaling group can change")
        doc = self.require(name)
        tokens.check_change(doc, f"auto scaling group {name}")
        if doc.get("status") == _records.DELETING:
            raise Conflict(f"auto scaling group {name} is being deleted")
        doc = {**doc, **_validate.sizes(doc, changes), **self._settings(changes)}
        doc.update(self._source(changes, required=False))
        self.store.put(_records.GROUP, name, doc)
        self.svc.wake(name)
        return self.public(doc)

    async def delete(self, name: str, force: bool) -> None:
        doc = self.require(name)
        tokens.check_change(doc, f"auto scaling group {name}")
        live = [
            m for m in _records.members(self.store, name) if m["lifecycle_state"] != "Terminating"
        ]
        if live and not force and doc.get("status") != _records.DELETING:
            raise Conflict(
                f"auto scaling group {name} still has {len(live)} instance(s): set its "
                "desired capacity to 0 first, or delete with force_delete=true"
            )
        if doc.get("status") != _records.DELETING:
            with self.store.transaction():
                doc["status"] = _records.DELETING
                self.store.put(_records.GROUP, name, doc)
                active = _records.active_refresh(self.store, name)
                if active is not None:
                    self.svc.refreshes.end(active, "Cancelled", "the group is being deleted")
            self.svc.cloud.event("autoscaling.group", name, "delete in progress")
        await self.svc.wait_gone(name)

    # -- internals ---------------------------------------------------------------------------

    def _settings(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        out = _validate.group_settings(spec)
        for i, arn in enumerate(out.get("target_group_arns", ())):
            where = f"target_group_arns.{i}"
            tg = self.svc.balancer().target_groups.get(arn, where)
            tokens.check_use(tg, f"target group {tg['name']}", where)
        return out

    def _source(self, spec: Mapping[str, Any], required: bool) -> dict[str, Any]:
        """The launch template or configuration named in ``spec`` (exactly one)."""
        lt, lc = spec.get("launch_template"), spec.get("launch_configuration")
        if lt is not None and lc is not None:
            raise ValidationError(
                "give either launch_template or launch_configuration, not both",
                "launch_configuration",
            )
        if lt is not None:
            ref = _validate.template_ref(lt)
            try:
                version = self.svc.templates().resolve(ref["id"], ref["version"])
            except NotFound as exc:
                where = (
                    "launch_template.version" if exc.field == "version" else "launch_template.id"
                )
                raise NotFound(exc.message, where) from exc
            name = version.get("launch_template_name") or version["launch_template_id"]
            tokens.check_use(version, f"launch template {name}", "launch_template.id")
            source = {"id": version["launch_template_id"], "version": ref["version"]}
            source["name"] = version.get("launch_template_name")
            return {"launch_template": source, "launch_configuration": None}
        if lc is not None:
            name = fields.string(lc, "launch_configuration", max_len=255)
            config = self.svc.launch_configurations.get(name, "launch_configuration")
            tokens.check_use(config, f"launch configuration {name}", "launch_configuration")
            return {"launch_template": None, "launch_configuration": name}
        if required:
            raise ValidationError(
                "an auto scaling group needs a launch_template or a launch_configuration",
                "launch_template",
            )
        return {}

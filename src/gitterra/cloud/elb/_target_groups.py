"""Target groups: their settings, registered targets and the targets' health.

A target group document is what the API shows; its registrations live beside it (kind
``target_registrations``, one document per group: each target's id, port and last health), so
the set of targets survives restarts and is handed to the data plane again at start. Traffic
goes to the instance's own address (``private_ip`` and the port its server listens on,
``$PORT``); the registration's ``port`` is recorded as given, as AWS shows it.

Health comes from the data plane's checks (its ``on_health`` callback): each change is recorded
in the registration, published as an event, and passed to subscribers (the auto scaling
service). A deregistered target drains in the data plane; :meth:`TargetGroups.wait_drained`
waits until it has left (its last request ended, or the deregistration delay passed).
Instances that shut down or end are deregistered automatically, as on AWS.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gitterra.cloud import Conflict, NotFound, ValidationError, ids, meta, tokens
from gitterra.cloud.ec2 import fields
from gitterra.cloud.elb import _validate
from gitterra.cloud.elb.dataplane import _model as plane_model

if TYPE_CHECKING:
    from gitterra.cloud.elb._service import Elb

log = logging.getLogger("gitterra.cloud.elb")

KIND = "target_group"
REGISTRATIONS = "target_registrations"

HealthListener = Callable[[str, str, str, str], None]


def settings(doc: Mapping[str, Any]) -> plane_model.TargetGroupSettings:
    """The data plane's view of a target group document."""
    hc = doc["health_check"]
    check = plane_model.HealthCheck(
        enabled=hc["enabled"],
        path=hc["path"],
        interval=float(hc["interval"]),
        timeout=float(hc["timeout"]),
        healthy_threshold=hc["healthy_threshold"],
        unhealthy_threshold=hc["unhealthy_threshold"],
        matcher=hc["matcher"].replace(" ", ""),
    )
    return plane_model.TargetGroupSettings(
        health_check=check,
        deregistration_delay=float(doc["deregistration_delay"]),
        slow_start=float(doc["slow_start"]),
        algorithm=doc["load_balancing_algorithm_type"],
    )


class TargetGroups:
    """The target group part of the load balancer service."""

    def __init__(self, elb: Elb) -> None:
        self.elb = elb
        self.store = elb.cloud.store
        self._drained: dict[tuple[str, str], asyncio.Event] = {}

    # -- reading -----------------------------------------------------------------------------

    def get(self, arn: str, field: str | None = None) -> dict[str, Any]:
        doc = self.store.get(KIND, arn)
        if doc is None:
            raise NotFound(f"target group {arn} does not exist", field)
        return self._public(doc)

    def find(self, name: str | None = None) -> list[dict[str, Any]]:
        docs = self.store.find(KIND, lambda d: name is None or d["name"] == name)
        return [self._public(d) for d in docs]

    def _public(self, doc: dict[str, Any]) -> dict[str, Any]:
        users = self.elb.listeners.forwarding_to(doc["arn"])
        return {**doc, "load_balancer_arns": sorted({u["load_balancer_arn"] for u in users})}

    # -- writing -----------------------------------------------------------------------------

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = fields.body(spec, "a target group")
        _validate.only(spec, _validate.TG_CREATE, "a target group is created with")
        clean = _validate.target_group(spec)
        vpc_id = spec.get("vpc_id") or meta.VPC_ID
        if vpc_id != meta.VPC_ID:
            raise NotFound(
                f"VPC {vpc_id!r} does not exist: the local cloud has one VPC, {meta.VPC_ID}",
                "vpc_id",
            )
        arn = ids.arn("elasticloadbalancing", f"targetgroup/{clean['name']}/{ids.short_hash()}")
        doc = {"arn": arn, **clean, "vpc_id": vpc_id, "created_at": fields.now()}
        tokens.stamp(doc)
        plane_settings = settings(doc)
        with self.store.transaction():
            if self.find(clean["name"]):
                raise Conflict(f"a target group named {clean['name']} already exists", "name")
            self.store.put(KIND, arn, doc)
            self.store.put(REGISTRATIONS, arn, {"arn": arn, "targets": {}})
        self.elb.plane.configure_target_group(arn, plane_settings)
        self.elb.cloud.event("elb.target-group", clean["name"], "created")
        return self._public(doc)

    def update(self, arn: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        changes = fields.body(changes, "a target group change")
        _validate.only(changes, _validate.TG_UPDATE, "a target group can change")
        doc = self.store.get(KIND, arn)
        if doc is None:
            raise NotFound(f"target group {arn} does not exist")
        tokens.check_change(doc, f"target group {doc['name']}")
        doc = {**doc, **_validate.target_group_changes(changes, doc)}
        plane_settings = settings(doc)
        self.store.put(KIND, arn, doc)
        self.elb.plane.configure_target_group(arn, plane_settings)
        return self._public(doc)

    def delete(self, arn: str) -> None:
        doc = self.store.get(KIND, arn)
        if doc is None:
            raise NotFound(f"target group {arn} does not exist")
        tokens.check_change(doc, f"target group {doc['name']}")
        users = self.elb.listeners.forwarding_to(arn)
        if users:
            names = ", ".join(u["arn"] for u in users)
            raise Conflict(f"target group {doc['name']} is in use by listener {names}")
        with self.store.transaction():
            self.store.delete(KIND, arn)
            self.store.delete(REGISTRATIONS, arn)
        self.elb.plane.remove_target_group(arn)
        self.elb.cloud.event("elb.target-group", doc["name"], "deleted")

    # -- targets -----------------------------------------------------------------------------

    def register(self, arn: str, targets: object) -> None:
        """Register instances (the API's ``targets`` list): each must exist and not have ended."""
        doc = self._require(arn)
        tokens.check_change(doc, f"target group {doc['name']}")
        clean = self._target_list(targets, doc)
        for i, (instance_id, _port) in enumerate(clean):
            inst = self._instance(instance_id, f"targets.{i}.id")
            if inst.get("state") in ("shutting-down", "terminated"):
                raise ValidationError(
                    f"instance {instance_id} is {inst['state']} and cannot be registered",
                    f"targets.{i}.id",
                )
        regs = self._registrations(arn)
        for instance_id, port in clean:
            regs["targets"].setdefault(instance_id, _fresh(instance_id, port))["port"] = port
        self._save(arn, regs)

    def deregister(self, arn: str, targets: object) -> None:
        """Deregister targets (API): each must be registered; they drain."""
        doc = self._require(arn)
        tokens.check_change(doc, f"target group {doc['name']}")
        clean = self._target_list(targets, doc)
        regs = self._registrations(arn)
        for i, (instance_id, _port) in enumerate(clean):
            if instance_id not in regs["targets"]:
                raise ValidationError(
                    f"target {instance_id} is not registered in target group {doc['name']}",
                    f"targets.{i}.id",
                )
        for instance_id, _port in clean:
            self._start_drain(arn, instance_id)
            del regs["targets"][instance_id]
        self._save(arn, regs)

    def register_instance(self, arn: str, instance_id: str) -> None:
        """Register an instance at the group's port (idempotent; the auto scaling service)."""
        doc = self._require(arn)
        regs = self._registrations(arn)
        if instance_id not in regs["targets"]:
            regs["targets"][instance_id] = _fresh(instance_id, doc["port"])
            self._save(arn, regs)

    def deregister_instance(self, arn: str, instance_id: str) -> None:
        """Deregister an instance if registered (idempotent): it drains."""
        regs = self.store.get(REGISTRATIONS, arn)
        if regs is None or instance_id not in regs["targets"]:
            return
        self._start_drain(arn, instance_id)
        del regs["targets"][instance_id]
        self._save(arn, regs)

    def registered(self, arn: str) -> list[str]:
        regs = self.store.get(REGISTRATIONS, arn)
        return sorted(regs["targets"]) if regs else []

    def health(self, arn: str, instance_id: str) -> tuple[str, str]:
        """The live state and reason of a target (``unused``/``Target.NotRegistered`` if none)."""
        for th in self._plane_health(arn):
            if th.id == instance_id:
                return th.state, th.reason
        return "unused", "Target.NotRegistered"

    def describe(self, arn: str) -> list[dict[str, Any]]:
        """The API's target list: registered targets and those still draining."""
        self._require(arn)
        regs = self._registrations(arn)["targets"]
        live = {th.id: th for th in self._plane_health(arn)}
        out = []
        for instance_id, reg in sorted(regs.items()):
            th = live.get(instance_id)
            state = (th.state, th.reason, th.description) if th else (
                reg["state"], reg["reason"], reg["description"]
            )  # fmt: skip
            out.append(_item(instance_id, reg["port"], *state))
        for instance_id, th in sorted(live.items()):
            if instance_id not in regs:
                out.append(_item(instance_id, th.port, th.state, th.reason, th.description))
        return out

    async def wait_drained(self, arn: str, instance_id: str, timeout: float) -> bool:
        """Wait until a deregistered target has left the data plane (True), or ``timeout``."""
        if not any(th.id == instance_id for th in self._plane_health(arn)):
            return True
        event = self._drained.setdefault((arn, instance_id), asyncio.Event())
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return not any(th.id == instance_id for th in self._plane_health(arn))
        finally:
            self._drained.pop((arn, instance_id), None)
        return True

    # -- data plane --------------------------------------------------------------------------

    def restore(self) -> None:
        """Hand every group and its registered targets to a fresh data plane; instances that
        ended while the server was down are deregistered (as AWS does)."""
        for doc in self.store.find(KIND):
            regs = self._registrations(doc["arn"])
            ended = [i for i in regs["targets"] if self._ended(i)]
            if ended:
                for instance_id in ended:
                    del regs["targets"][instance_id]
                self.store.put(REGISTRATIONS, doc["arn"], regs)
            self.elb.plane.configure_target_group(doc["arn"], settings(doc))
            self.push(doc["arn"])

    def _ended(self, instance_id: str) -> bool:
        if not self.elb.has_instances():
            return False  # nobody to ask: keep the registration
        try:
            state = self.elb.instances().get(instance_id).get("state")
        except NotFound:
            return True
        return state in ("shutting-down", "terminated")

    def push(self, arn: str) -> None:
        """Tell the data plane the targets of ``arn`` (those whose instance has an address)."""
        regs = self.store.get(REGISTRATIONS, arn)
        if regs is None:
            return
        targets = []
        for instance_id in sorted(regs["targets"]):
            target = self.elb.address(instance_id)
            if target is not None:
                targets.append(target)
        self.elb.plane.set_targets(arn, targets)

    def on_health(self, arn: str, th: plane_model.TargetHealth) -> None:
        """Record a health change from the data plane and tell whoever listens."""
        if th.state == "unused" and th.reason == "Target.NotRegistered":
            event = self._drained.get((arn, th.id))
            if event is not None:
                event.set()
        regs = self.store.get(REGISTRATIONS, arn)
        doc = self.store.get(KIND, arn)
        name = doc["name"] if doc else arn
        if regs is not None and th.id in regs["targets"]:
            reg = regs["targets"][th.id]
            if (reg["state"], reg["reason"]) != (th.state, th.reason):
                reg.update(state=th.state, reason=th.reason, description=th.description)
                self.store.put(REGISTRATIONS, arn, regs)
        why = f" ({th.reason})" if th.reason else ""
        self.elb.cloud.event("elb.target-health", f"{name}/{th.id}", f"{th.state}{why}")
        self.elb.publish(arn, th.id, th.state, th.reason)

    def on_instance(self, doc: Mapping[str, Any]) -> None:
        """An instance changed state: push its new address, or deregister it once it ends."""
        instance_id = doc["id"]
        for regs in self.store.find(REGISTRATIONS, lambda r: instance_id in r["targets"]):
            if doc.get("state") in ("shutting-down", "terminated"):
                self.deregister_instance(regs["arn"], instance_id)
            else:
                self.push(regs["arn"])

    # -- internals ---------------------------------------------------------------------------

    def _start_drain(self, arn: str, instance_id: str) -> None:
        self._drained.setdefault((arn, instance_id), asyncio.Event())

    def _save(self, arn: str, regs: dict[str, Any]) -> None:
        self.store.put(REGISTRATIONS, arn, regs)
        self.push(arn)

    def _require(self, arn: str) -> dict[str, Any]:
        doc = self.store.get(KIND, arn)
        if doc is None:
            raise NotFound(f"target group {arn} does not exist")
        return doc

    def _registrations(self, arn: str) -> dict[str, Any]:
        return self.store.get(REGISTRATIONS, arn) or {"arn": arn, "targets": {}}

    def _plane_health(self, arn: str) -> list[plane_model.TargetHealth]:
        try:
            return list(self.elb.plane.target_health(arn))
        except plane_model.NotFoundError:
            return []

    def _instance(self, instance_id: str, field: str) -> dict[str, Any]:
        try:
            return self.elb.instances().get(instance_id)
        except NotFound as exc:
            raise NotFound(f"instance {instance_id} does not exist", field) from exc

    def _target_list(self, targets: object, doc: Mapping[str, Any]) -> list[tuple[str, int]]:
        if not isinstance(targets, list) or not targets:
            raise ValidationError("targets must be a non-empty list of {id, port}", "targets")
        out: list[tuple[str, int]] = []
        for i, item in enumerate(targets):
            where = f"targets.{i}"
            target = fields.body(item, where)
            _validate.only(target, ("id", "port"), f"{where} has")
            instance_id = fields.string(target.get("id"), f"{where}.id", max_len=64)
            port = target.get("port")
            port = doc["port"] if port is None else _validate.port(port, f"{where}.port")
            out.append((instance_id, port))
        return out


def _fresh(instance_id: str, port: int) -> dict[str, Any]:
    return {
        "id": instance_id,
        "port": port,
        "state": "initial",
        "reason": "Elb.RegistrationInProgress",
        "description": "Target registration is in progress",
    }


def _item(instance_id: str, port: int, state: str, reason: str, desc: str) -> dict[str, Any]:
    return {"id": instance_id, "port": port, "state": state, "reason": reason, "description": desc}

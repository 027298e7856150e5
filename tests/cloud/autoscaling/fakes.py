"""Fakes of the auto scaling service's neighbours (``gitterra.cloud.autoscaling._ports``).

They keep the real services' promises that the controller relies on: documents shaped as
docs/cloud-api.md says, subscribers called on every state change, ``terminate`` returning once
the instance is terminated, deregistered targets draining. Tests drive them (``run``,
``crash``, ``set_health``) and read what happened (``log``: the calls in order).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

from gitterra.cloud import NotFound
from gitterra.cloud.compute import LaunchSpec

Doc = dict[str, Any]


class Clock:
    """A settable clock (epoch seconds)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeCompute:
    def __init__(self, clock: Clock, log: list[str]) -> None:
        self.clock = clock
        self.log = log
        self.docs: dict[str, Doc] = {}
        self.subscribers: list[Callable[[Doc], None]] = []
        self.fail_with: Exception | None = None
        self._ids = itertools.count(1)

    async def launch(self, spec: LaunchSpec) -> Doc:
        if self.fail_with is not None:
            raise self.fail_with
        n = next(self._ids)
        doc = {
            "id": f"i-{n:017x}",
            "state": "pending",
            "state_reason": None,
            "image_id": spec.image_id,
            "launch_template": dict(spec.launch_template) if spec.launch_template else None,
            "launch_configuration": spec.launch_configuration,
            "group": spec.group,
            "private_ip": f"127.0.1.{n}",
            "port": 40000 + n,
            "launched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock())),
            "health": "healthy",
            "tags": dict(spec.tags),
            "user_data": spec.user_data,
        }
        self.docs[doc["id"]] = doc
        self.log.append(f"launch {doc['id']}")
        self._publish(doc)
        return dict(doc)

    async def terminate(self, instance_id: str, reason: str) -> None:
        self.get(instance_id)
        doc = self.docs[instance_id]
        self.log.append(f"terminate {instance_id}")
        if doc["state"] != "terminated":
            doc.update(state="terminated", state_reason=reason)
            self._publish(doc)
        await asyncio.sleep(0)

    def get(self, instance_id: str) -> Doc:
        if instance_id not in self.docs:
            raise NotFound(f"The instance ID '{instance_id}' does not exist")
        return dict(self.docs[instance_id])

    def find(self, group: str | None = None, states: set[str] | None = None) -> list[Doc]:
        return [
            dict(d)
            for d in self.docs.values()
            if (group is None or d["group"] == group) and (states is None or d["state"] in states)
        ]

    def subscribe(self, callback: Callable[[Doc], None]) -> None:
        self.subscribers.append(callback)

    # -- test controls -------------------------------------------------------------------

    def run(self, instance_id: str) -> None:
        self.docs[instance_id]["state"] = "running"
        self._publish(self.docs[instance_id])

    def crash(self, instance_id: str) -> None:
        self.docs[instance_id].update(state="terminated", state_reason="exit status -9")
        self._publish(self.docs[instance_id])

    def live(self, group: str) -> list[str]:
        return sorted(d["id"] for d in self.find(group, {"pending", "running"}))

    def _publish(self, doc: Doc) -> None:
        for callback in self.subscribers:
            callback(dict(doc))


class FakeTemplates:
    """Launch templates: ``versions[template_id] = [version doc, ...]`` (1-based numbers)."""

    def __init__(self) -> None:
        self.versions: dict[str, list[Doc]] = {}
        self.default: dict[str, int] = {}

    def add(self, template_id: str, image_id: str = "ami-1", user_data: str = "") -> int:
        versions = self.versions.setdefault(template_id, [])
        versions.append(
            {
                "launch_template_id": template_id,
                "launch_template_name": template_id,
                "version_number": len(versions) + 1,
                "image_id": image_id,
                "instance_type": "t3.micro",
                "user_data": user_data,
                "security_group_ids": [],
                "key_name": None,
            }
        )
        self.default.setdefault(template_id, 1)
        return len(versions)

    def resolve(self, id_or_name: str, version: str | int | None = None) -> Doc:
        if id_or_name not in self.versions:
            raise NotFound(f"launch template {id_or_name} does not exist")
        versions = self.versions[id_or_name]
        if version == "$Latest":
            number = len(versions)
        elif version in (None, "$Default"):
            number = self.default[id_or_name]
        else:
            number = int(version)
        if not 1 <= number <= len(versions):
            raise NotFound(f"no version {number}", "version")
        return dict(versions[number - 1])


class FakeTargetGroups:
    """Target groups by arn: registered targets and their health; deregistering drains at
    once (the fake has no requests in flight)."""

    def __init__(self, log: list[str], publish: Callable[[str, str, str, str], None]) -> None:
        self.log = log
        self.publish = publish
        self.groups: dict[str, dict[str, str]] = {}
        self.settings: dict[str, Doc] = {}

    def add(self, arn: str, **health_check: Any) -> None:
        hc = {"healthy_threshold": 2, "interval": 1.0, "timeout": 0.5, **health_check}
        self.groups[arn] = {}
        self.settings[arn] = {
            "arn": arn,
            "name": arn.rsplit("/", 1)[-1],
            "deregistration_delay": 5,
            "health_check": hc,
        }

    def get(self, arn: str, field: str | None = None) -> Doc:
        if arn not in self.settings:
            raise NotFound(f"target group {arn} does not exist", field)
        return dict(self.settings[arn])

    def register_instance(self, arn: str, instance_id: str) -> None:
        self.get(arn)
        if instance_id not in self.groups[arn]:
            self.log.append(f"register {instance_id}")
            self.groups[arn][instance_id] = "initial"

    def deregister_instance(self, arn: str, instance_id: str) -> None:
        if self.groups.get(arn, {}).pop(instance_id, None) is not None:
            self.log.append(f"deregister {instance_id}")

    def health(self, arn: str, instance_id: str) -> tuple[str, str]:
        state = self.groups.get(arn, {}).get(instance_id)
        if state is None:
            return "unused", "Target.NotRegistered"
        return state, "Target.ResponseCodeMismatch" if state == "unhealthy" else ""

    async def wait_drained(self, arn: str, instance_id: str, timeout: float) -> bool:
        await asyncio.sleep(0)
        self.log.append(f"drained {instance_id}")
        return True

    def set_health(self, arn: str, instance_id: str, state: str) -> None:
        self.groups[arn][instance_id] = state
        self.publish(arn, instance_id, state, "")


class FakeBalancer:
    def __init__(self, log: list[str]) -> None:
        self.subscribers: list[Callable[[str, str, str, str], None]] = []
        self.target_groups = FakeTargetGroups(log, self._publish)

    def subscribe(self, callback: Callable[[str, str, str, str], None]) -> None:
        self.subscribers.append(callback)

    def _publish(self, arn: str, instance_id: str, state: str, reason: str) -> None:
        for callback in self.subscribers:
            callback(arn, instance_id, state, reason)

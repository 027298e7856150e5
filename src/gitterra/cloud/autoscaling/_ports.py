"""What the auto scaling service needs from its neighbours (structural, so fakes fit).

- :class:`Instances`: the compute service (launch, terminate, read, follow state changes).
- :class:`Templates`: the launch template service (resolve a version, ``$Latest``/``$Default``).
- :class:`TargetGroups` and :class:`Balancer`: the load balancer service's target groups
  (register, deregister with draining, health) and its health notifications.

The real services are found on the :class:`~gitterra.cloud.Cloud` at start; tests hand in
fakes (tests/cloud/autoscaling/fakes.py) that keep the same promises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from gitterra.cloud.compute import LaunchSpec

Doc = dict[str, Any]


class Instances(Protocol):
    async def launch(self, spec: LaunchSpec) -> Doc:
        """Start an instance; its document (``pending``) is stored before this returns.
        ValidationError for a spec it cannot run (unknown image ...)."""
        ...

    async def terminate(self, instance_id: str, reason: str) -> None:
        """End an instance gracefully; returns once it is ``terminated`` (idempotent)."""
        ...

    def get(self, instance_id: str) -> Doc:
        """The instance document; NotFound if unknown."""
        ...

    def find(self, group: str | None = None, states: set[str] | None = None) -> list[Doc]: ...

    def subscribe(self, callback: Callable[[Doc], None]) -> None:
        """``callback(document)`` in the loop on every instance state change."""
        ...


class Templates(Protocol):
    def resolve(self, id_or_name: str, version: str | int | None = None) -> Doc:
        """One version's document (``image_id``, ``instance_type``, ``user_data`` base64,
        ``security_group_ids``, ``key_name``, ``version_number``, ``launch_template_id``, the
        template's ``owner`` when a project made it);
        NotFound for an unknown template or version."""
        ...


class TargetGroups(Protocol):
    def get(self, arn: str, field: str | None = None) -> Doc:
        """The target group document; NotFound (naming ``field``) if unknown."""
        ...

    def register_instance(self, arn: str, instance_id: str) -> None:
        """Register (idempotent); health checks start."""
        ...

    def deregister_instance(self, arn: str, instance_id: str) -> None:
        """Deregister (idempotent): the target drains."""
        ...

    def health(self, arn: str, instance_id: str) -> tuple[str, str]:
        """The target's state (``initial``/``healthy``/``unhealthy``/``draining``/``unused``)
        and reason."""
        ...

    async def wait_drained(self, arn: str, instance_id: str, timeout: float) -> bool:
        """Wait until a deregistered target has drained (True) or ``timeout`` passed."""
        ...


class Balancer(Protocol):
    @property
    def target_groups(self) -> TargetGroups: ...

    def subscribe(self, callback: Callable[[str, str, str, str], None]) -> None:
        """``callback(tg_arn, instance_id, state, reason)`` on every target health change."""
        ...

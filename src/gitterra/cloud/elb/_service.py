"""The load balancer service (registered as ``"elb"``): the control plane over the data plane.

It owns one :class:`~gitterra.cloud.elb.dataplane.DataPlane` in the server's event loop and
keeps it equal to the store: at start every target group (with its registered targets) is
configured and every listener bound again on its recorded port; afterwards each API call
writes the store, then tells the data plane. A supervised loop re-derives the listeners'
allowed sources from the security groups once a second (rules change without notice).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from gitterra.cloud import Cloud, NotFound
from gitterra.cloud.elb import _balancers, _listeners, _ports, _target_groups
from gitterra.cloud.elb.dataplane import DataPlane, Target, TargetHealth
from gitterra.kits import TaskSet

log = logging.getLogger("gitterra.cloud.elb")

#: target group arn, instance id, state, reason
HealthCallback = Callable[[str, str, str, str], None]

#: How often listeners re-read their security groups' rules.
SYNC_INTERVAL = 1.0


class Elb:
    """Load balancers, listeners and target groups (see the package docstring)."""

    name = "elb"

    def __init__(self, cloud: Cloud, plane: DataPlane | None = None) -> None:
        self.cloud = cloud
        self.balancers = _balancers.LoadBalancers(self)
        self.listeners = _listeners.Listeners(self)
        self.target_groups = _target_groups.TargetGroups(self)
        self._plane = plane
        self._compute: _ports.Instances | None = None
        self._rules: _ports.SourceRules | None = None
        self._subscribers: list[HealthCallback] = []
        self._tasks = TaskSet("elb")

    @property
    def plane(self) -> DataPlane:
        if self._plane is None:
            raise RuntimeError("the load balancer service has not started")
        return self._plane

    # -- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Restore the data plane from the store and start the security group sync."""
        compute: object = self.cloud.services.get("compute")
        if isinstance(compute, _ports.Instances):
            self._compute = compute
            compute.subscribe(self.target_groups.on_instance)
        rules: object = self.cloud.services.get("security_groups")
        if isinstance(rules, _ports.SourceRules):
            self._rules = rules
        if self._plane is None:
            self._plane = DataPlane(on_health=self._on_health)
        await self._plane.start()
        self.target_groups.restore()
        await self.listeners.restore()
        self._tasks.spawn("security group sync", self._sync_loop())

    async def stop(self, terminate: bool) -> None:
        """Stop the sync loop and the data plane (listeners close; in-flight requests finish
        within a short grace)."""
        del terminate  # listeners always close with the server; they are rebound at start
        await self._tasks.close()
        if self._plane is not None:
            await self._plane.stop(grace=5.0)

    async def _sync_loop(self) -> None:
        while True:
            await asyncio.sleep(SYNC_INTERVAL)
            self.listeners.sync()

    # -- neighbours --------------------------------------------------------------------------

    def has_instances(self) -> bool:
        """Whether the compute service is there to ask about instances."""
        return self._compute is not None

    def instances(self) -> _ports.Instances:
        if self._compute is None:
            raise NotFound("the compute service is not running: no instance can be registered")
        return self._compute

    def address(self, instance_id: str) -> Target | None:
        """Where a registered instance serves, or None (unknown, ended, no address yet)."""
        if self._compute is None:
            return None
        try:
            doc = self._compute.get(instance_id)
        except NotFound:
            return None
        if doc.get("state") not in ("pending", "running") or not doc.get("port"):
            return None
        return Target(instance_id, doc["private_ip"], int(doc["port"]))

    def allowed_sources(self, group_ids: Iterable[str], port: int) -> list[str] | None:
        if self._rules is None:
            return None
        return self._rules.allowed_sources(group_ids, port)

    def require_security_groups(self, group_ids: Iterable[str], field: str) -> None:
        if self._rules is not None:
            self._rules.require(group_ids, field)

    def security_group_users(self, group_id: str) -> list[str]:
        """Who here uses ``group_id`` (for the security group service's delete check)."""
        return self.balancers.security_group_users(group_id)

    # -- health ------------------------------------------------------------------------------

    def subscribe(self, callback: HealthCallback) -> None:
        """``callback(tg_arn, instance_id, state, reason)`` on every target health change."""
        self._subscribers.append(callback)

    def publish(self, tg_arn: str, instance_id: str, state: str, reason: str) -> None:
        for callback in self._subscribers:
            try:
                callback(tg_arn, instance_id, state, reason)
            except Exception:  # a subscriber's bug must not stop health reporting
                log.exception("target health subscriber failed")

    def _on_health(self, tg_id: str, target_id: str, health: TargetHealth) -> None:
        del target_id  # health.id says the same
        self.target_groups.on_health(tg_id, health)

"""The auto scaling service (registered as ``"autoscaling"``): its parts and controllers.

At start it finds its neighbours on the cloud (compute, launch templates, the load balancer
service), subscribes to instance state changes and target health changes (each wakes the
controller of the group concerned), and starts one supervised controller task per group; a
new group gets its controller when it is created, and a controller ends when its group is
deleted. ``stop`` cancels the controllers; instances are the compute service's to stop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from gitterra.cloud import Cloud, NotFound
from gitterra.cloud.autoscaling import (
    _controller,
    _groups,
    _launch_configs,
    _ports,
    _records,
    _refresh,
)
from gitterra.cloud.compute import Compute
from gitterra.cloud.ec2 import LaunchTemplates
from gitterra.cloud.elb import Elb
from gitterra.kits import TaskSet

#: At most this long between two passes of a group's controller (times matter: grace periods,
#: warmups, deadlines); changes wake it at once.
TICK = 0.5


class AutoScaling:
    """Launch configurations, groups, their controllers and instance refreshes."""

    name = "autoscaling"

    def __init__(
        self,
        cloud: Cloud,
        *,
        instances: _ports.Instances | None = None,
        templates: _ports.Templates | None = None,
        balancer: _ports.Balancer | None = None,
        clock: Callable[[], float] = time.time,
        tick: float = TICK,
    ) -> None:
        self.cloud = cloud
        self.clock = clock
        self.tick = tick
        self.launch_configurations = _launch_configs.LaunchConfigurations(self)
        self.groups = _groups.Groups(self)
        self.refreshes = _refresh.Refreshes(self)
        self._instances = instances
        self._templates = templates
        self._balancer = balancer
        self._controllers: dict[str, _controller.GroupController] = {}
        self._tasks = TaskSet("autoscaling")

    # -- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        if self._instances is None:
            self._instances = self.cloud.service(Compute.name, Compute)
        if self._templates is None:
            self._templates = self.cloud.service(LaunchTemplates.name, LaunchTemplates)
        if self._balancer is None:
            self._balancer = self.cloud.service(Elb.name, Elb)
        self.instances().subscribe(self._on_instance)
        self.balancer().subscribe(self._on_target)
        for doc in self.cloud.store.find(_records.GROUP):
            self.manage(doc["name"])

    async def stop(self, terminate: bool) -> None:
        del terminate  # instances belong to the compute service, which stops them
        await self._tasks.close()
        self._controllers.clear()

    # -- neighbours --------------------------------------------------------------------------

    def instances(self) -> _ports.Instances:
        assert self._instances is not None, "autoscaling has not started"
        return self._instances

    def templates(self) -> _ports.Templates:
        assert self._templates is not None, "autoscaling has not started"
        return self._templates

    def balancer(self) -> _ports.Balancer:
        assert self._balancer is not None, "autoscaling has not started"
        return self._balancer

    def require_security_groups(self, group_ids: Iterable[str], field: str) -> None:
        rules = self.cloud.services.get("security_groups")
        require = getattr(rules, "require", None)
        if require is not None:
            require(group_ids, field)

    def security_group_users(self, group_id: str) -> list[str]:
        return self.launch_configurations.security_group_users(group_id)

    # -- controllers -------------------------------------------------------------------------

    def manage(self, name: str) -> None:
        """Start the controller of group ``name`` (if it does not run)."""
        if name in self._controllers and not self._controllers[name].gone.is_set():
            return
        ctl = _controller.GroupController(self, name)
        self._controllers[name] = ctl
        self._tasks.spawn(f"group {name} {id(ctl)}", ctl.run())

    def controller(self, name: str) -> _controller.GroupController:
        ctl = self._controllers.get(name)
        if ctl is None:
            raise NotFound(f"auto scaling group {name} does not exist")
        return ctl

    def wake(self, name: str) -> None:
        ctl = self._controllers.get(name)
        if ctl is not None:
            ctl.wake()

    async def wait_gone(self, name: str) -> None:
        """Wait until the controller of ``name`` has deleted its group."""
        ctl = self.controller(name)
        ctl.wake()
        await ctl.gone.wait()
        if self._controllers.get(name) is ctl:
            del self._controllers[name]

    def _on_instance(self, doc: _ports.Doc) -> None:
        if doc.get("group"):
            self.wake(doc["group"])

    def _on_target(self, tg_arn: str, instance_id: str, state: str, reason: str) -> None:
        del tg_arn, state, reason
        member = self.cloud.store.get(_records.MEMBER, instance_id)
        if member is not None:
            self.wake(member["group"])

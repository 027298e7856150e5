"""The group controller against fakes of compute, launch templates and the balancer: scaling,
replacement, draining order, instance refresh (rolling, one at a time, failure), launch
failures, deletion, and a restart that adopts instances and resumes a refresh.

Each test runs its scenario in a fresh event loop; the controller ticks every 10 ms and the
clock is a fake one that the test advances for grace periods and deadlines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gitterra.cloud import Cloud, ValidationError
from gitterra.cloud.autoscaling import AutoScaling
from tests.cloud.autoscaling.fakes import (
    Clock,
    FakeBalancer,
    FakeCompute,
    FakeTemplates,
)

TG = "arn:aws:elasticloadbalancing:local-1:000000000000:targetgroup/web/0123456789abcdef"
DEADLINE = 20.0


@dataclass
class World:
    cloud: Cloud
    clock: Clock
    log: list[str]
    compute: FakeCompute
    templates: FakeTemplates
    balancer: FakeBalancer
    svc: AutoScaling

    async def until(self, condition: Callable[[], Any], what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while not (value := condition()):
            if loop.time() > deadline:
                pytest.fail(f"timed out waiting for {what}; last calls: {self.log[-30:]}")
            await asyncio.sleep(0.005)
        return value

    def group(self, name: str = "web") -> dict[str, Any]:
        return self.svc.groups.get(name)

    def states(self, name: str = "web") -> dict[str, str]:
        return {i["id"]: i["lifecycle_state"] for i in self.group(name)["instances"]}

    async def serve(
        self, count: int, name: str = "web", exclude: set[str] | None = None
    ) -> list[str]:
        """Wait for ``count`` live instances (besides ``exclude``), run them, make them healthy
        once registered; returns their ids."""
        skip = exclude or set()

        def fresh() -> list[str]:
            ids = [i for i in self.compute.live(name) if i not in skip]
            return ids if len(ids) >= count else []

        ids = (await self.until(fresh, f"{count} launches"))[:count]
        for instance_id in ids:
            self.compute.run(instance_id)
        await self.until(
            lambda: all(self.states(name).get(i) == "InService" for i in ids), "in service"
        )
        for instance_id in ids:
            self.balancer.target_groups.set_health(TG, instance_id, "healthy")
        return ids

    def refresh(self, name: str = "web") -> dict[str, Any]:
        return self.svc.refreshes.find(name)[0]


@asynccontextmanager
async def world(tmp_path: Path, cloud: Cloud | None = None, **parts: Any) -> AsyncIterator[World]:
    cloud = cloud or Cloud(tmp_path, "http://127.0.0.1:1")
    clock = parts.get("clock") or Clock()
    log: list[str] = parts.get("log") if parts.get("log") is not None else []
    compute = parts.get("compute") or FakeCompute(clock, log)
    templates = parts.get("templates") or FakeTemplates()
    balancer = parts.get("balancer") or FakeBalancer(log)
    if not templates.versions:
        templates.add("lt-web")
    if TG not in balancer.target_groups.settings:
        balancer.target_groups.add(TG)
    svc = AutoScaling(
        cloud, instances=compute, templates=templates, balancer=balancer, clock=clock, tick=0.01
    )
    await svc.start()
    try:
        yield World(cloud, clock, log, compute, templates, balancer, svc)
    finally:
        await svc.stop(terminate=False)


def run(scenario: Coroutine[Any, Any, None]) -> None:
    asyncio.run(scenario)


def group_spec(**over: Any) -> dict[str, Any]:
    spec = {
        "name": "web",
        "min_size": 1,
        "max_size": 10,
        "desired_capacity": 2,
        "launch_template": {"id": "lt-web", "version": "$Latest"},
        "target_group_arns": [TG],
        "health_check_type": "ELB",
        "health_check_grace_period": 30,
    }
    spec.update(over)
    return spec


def test_scales_out_registers_running_instances_and_scales_in_by_policy(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.svc.groups.create(group_spec())
            first = await w.serve(2)
            assert w.svc.groups.capacity("web") == {
                "desired": 2,
                "in_service": 2,
                "healthy_in_target_groups": 2,
            }
            w.templates.add("lt-web")  # version 2 ($Latest): new instances use it
            w.svc.groups.update("web", {"desired_capacity": 3})
            (third,) = await w.serve(1, exclude=set(first))
            assert w.compute.docs[third]["launch_template"]["version"] == 2
            w.svc.groups.update("web", {"desired_capacity": 1})
            await w.until(lambda: len(w.compute.live("web")) == 1, "scale in to 1")
            # Default policy: instances on the oldest template version go first.
            assert w.compute.live("web") == [third]
            for victim in first:
                assert w.log.index(f"deregister {victim}") < w.log.index(f"drained {victim}")
                assert w.log.index(f"drained {victim}") < w.log.index(f"terminate {victim}")
            await w.until(lambda: list(w.states()) == [third], "members forgotten")

    run(scenario())


def test_replaces_crashed_and_elb_unhealthy_instances_after_grace(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.svc.groups.create(group_spec())
            a, b = await w.serve(2)
            w.compute.crash(a)
            (c,) = await w.serve(1, exclude={a, b})
            await w.until(lambda: a not in w.states(), "crashed member forgotten")
            w.balancer.target_groups.set_health(TG, b, "unhealthy")
            for _ in range(5):  # within the grace period: kept
                await asyncio.sleep(0.02)
            assert w.states()[b] == "InService"
            w.clock.advance(31)
            await w.until(lambda: w.states().get(b) in (None, "Terminating"), "unhealthy retired")
            await w.serve(1, exclude={a, b, c})
            assert w.compute.docs[b]["state"] == "terminated"

    run(scenario())


def test_rolling_refresh_launches_first_and_retires_old_only_when_new_are_healthy(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.svc.groups.create(group_spec())
            old = await w.serve(2)
            w.templates.add("lt-web")
            prefs = {"min_healthy_percentage": 100, "max_healthy_percentage": 200}
            w.svc.refreshes.start("web", {"preferences": {**prefs, "instance_warmup": 0}})
            new = await w.until(
                lambda: (
                    [i for i in w.compute.live("web") if i not in old][:2] or None
                    if len(w.compute.live("web")) == 4
                    else None
                ),
                "two new instances launched at once",
            )
            assert all(w.states()[i] == "InService" for i in old)
            for instance_id in new:
                w.compute.run(instance_id)
            await w.until(lambda: all(w.states().get(i) == "InService" for i in new), "in service")
            assert w.refresh()["status"] == "InProgress"
            assert not any(f"terminate {i}" in w.log for i in old)  # nothing healthy yet
            w.balancer.target_groups.set_health(TG, new[0], "healthy")
            await w.until(lambda: sum(w.states().get(i) is None for i in old) == 1, "one old out")
            w.balancer.target_groups.set_health(TG, new[1], "healthy")
            await w.until(lambda: w.refresh()["status"] == "Successful", "success")
            assert sorted(w.states()) == sorted(new)
            assert w.refresh()["percentage_complete"] == 100

    run(scenario())


def test_refresh_with_min_and_max_100_replaces_one_at_a_time(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.svc.groups.create(group_spec(desired_capacity=3))
            old = await w.serve(3)
            w.templates.add("lt-web")
            prefs = {"min_healthy_percentage": 100, "max_healthy_percentage": 100}
            w.svc.refreshes.start("web", {"preferences": {**prefs, "instance_warmup": 0}})
            seen: set[str] = set(old)
            for _ in range(3):
                (new,) = await w.serve(1, exclude=seen)
                seen.add(new)
                # never more than one instance missing, never more than desired live
                assert len(w.compute.live("web")) <= 3
            await w.until(lambda: w.refresh()["status"] == "Successful", "success")
            terminated = [line for line in w.log if line.startswith("terminate")]
            assert len(terminated) == 3

    run(scenario())


def test_refresh_fails_when_new_instances_never_become_healthy(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.svc.groups.create(group_spec(health_check_grace_period=10))
            old = await w.serve(2)
            w.templates.add("lt-web")
            prefs = {"min_healthy_percentage": 100, "max_healthy_percentage": 200}
            w.svc.refreshes.start("web", {"preferences": {**prefs, "instance_warmup": 5}})
            new = await w.until(
                lambda: [i for i in w.compute.live("web") if i not in old] or None, "launches"
            )
            for instance_id in new:
                w.compute.run(instance_id)
            await w.until(lambda: w.refresh()["status"] == "InProgress", "in progress")
            # allowance: warmup 5 + grace 10 + healthy_threshold 2 x interval 1 + timeout 0.5
            w.clock.advance(17.6)
            refresh = await w.until(
                lambda: w.refresh() if w.refresh()["status"] == "Failed" else None, "failure"
            )
            assert "did not become healthy within 17.5s" in refresh["status_reason"]
            assert "the old instances keep serving" in refresh["status_reason"]
            await w.until(lambda: sorted(w.compute.live("web")) == sorted(old), "new ones retired")
            assert all(w.states()[i] == "InService" for i in old)

    run(scenario())


def test_launch_failure_is_retried_with_backoff_and_fails_a_refresh(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.svc.groups.create(group_spec(desired_capacity=1))
            await w.serve(1)
            w.templates.add("lt-web")
            w.compute.fail_with = ValidationError("image ami-gone is unknown", "image_id")
            prefs = {"min_healthy_percentage": 100, "max_healthy_percentage": 200}
            w.svc.refreshes.start("web", {"preferences": prefs})
            refresh = await w.until(
                lambda: w.refresh() if w.refresh()["status"] == "Failed" else None, "failure"
            )
            assert refresh["status_reason"] == (
                "launching an instance failed: image ami-gone is unknown"
            )
            events = w.cloud.store.events(kind="autoscaling.launch-failed")
            assert len(events) == 1  # backoff: no retry before the clock moves
            w.compute.fail_with = None
            w.svc.groups.update("web", {"desired_capacity": 2})
            await asyncio.sleep(0.05)
            assert len(w.compute.live("web")) == 1
            w.clock.advance(1.5)
            await w.until(lambda: len(w.compute.live("web")) == 2, "launch after backoff")

    run(scenario())


def test_force_delete_drains_then_terminates_everything(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path) as w:
            w.svc.groups.create(group_spec())
            ids = await w.serve(2)
            await w.svc.groups.delete("web", force=True)
            assert w.svc.groups.find() == []
            for instance_id in ids:
                assert w.log.index(f"drained {instance_id}") < w.log.index(
                    f"terminate {instance_id}"
                )
                assert w.compute.docs[instance_id]["state"] == "terminated"

    run(scenario())


def test_restart_adopts_live_instances_replaces_dead_ones_and_resumes_the_refresh(
    tmp_path: Path,
) -> None:
    cloud = Cloud(tmp_path, "http://127.0.0.1:1")
    clock = Clock()
    log: list[str] = []
    compute = FakeCompute(clock, log)
    templates = FakeTemplates()
    balancer = FakeBalancer(log)
    parts = {"clock": clock, "log": log, "compute": compute, "templates": templates}

    async def before() -> None:
        async with world(tmp_path, cloud, balancer=balancer, **parts) as w:
            w.svc.groups.create(group_spec(desired_capacity=3))
            await w.serve(3)
            w.templates.add("lt-web")
            prefs = {"min_healthy_percentage": 100, "max_healthy_percentage": 200}
            w.svc.refreshes.start("web", {"preferences": {**prefs, "instance_warmup": 0}})
            await w.until(lambda: len(w.compute.live("web")) == 6, "new launched")

    run(before())
    old = [i for i, d in compute.docs.items() if d["launch_template"]["version"] == 1]
    new = [i for i, d in compute.docs.items() if d["launch_template"]["version"] == 2]
    # The crash: an old and a new instance died with the server, and the record of another
    # new one was never written (the server died between the launch and the record).
    compute.crash(old[0])
    compute.crash(new[1])
    cloud.store.delete("autoscaling_instance", new[0])
    # The balancer restores its registrations from its own store.
    fresh = FakeBalancer(log)
    fresh.target_groups.add(TG)
    for instance_id in old[1:]:
        fresh.target_groups.groups[TG][instance_id] = "healthy"

    async def after() -> None:
        async with world(tmp_path, cloud, balancer=fresh, **parts) as w:
            await w.until(lambda: new[0] in w.states(), "adoption")
            await w.until(lambda: len(w.compute.live("web")) == 5, "the dead new one replaced")
            pending = [i for i in w.compute.live("web") if i not in old]
            for instance_id in pending:
                w.compute.run(instance_id)
            await w.until(
                lambda: all(w.states().get(i) == "InService" for i in pending), "in service"
            )
            for instance_id in pending:
                fresh.target_groups.set_health(TG, instance_id, "healthy")
            await w.until(lambda: w.refresh()["status"] == "Successful", "refresh resumed")
            assert sorted(w.states()) == sorted(pending)
            assert new[0] in pending
            assert new[1] not in pending

    run(after())

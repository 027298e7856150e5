"""Health checks: thresholds, matcher, reasons, the unused state, on_health reports."""

from __future__ import annotations

import httpx

from gitterra.cloud.elb import dataplane as dp
from tests.cloud.dataplane.backends import Backend
from tests.cloud.dataplane.helpers import (
    Events,
    FakeClock,
    quick_checks,
    run,
    state_of,
    target,
    wait_until,
)


async def _plane(
    clock: FakeClock, events: Events, settings: dp.TargetGroupSettings
) -> dp.DataPlane:
    plane = dp.DataPlane(on_health=events, clock=clock, sleep=clock.sleep)
    await plane.start()
    plane.configure_target_group("tg", settings)
    await plane.bind_listener("l", "127.0.0.1", 0, dp.ListenerConfig(dp.ForwardAction("tg")))
    return plane


async def _step(plane: dp.DataPlane, clock: FakeClock, backend: Backend) -> None:
    """One interval of fake time, and the check it triggers done and applied."""
    before = backend.health_checks
    clock.advance(10)
    await wait_until(lambda: backend.health_checks > before, "a health check")
    members = plane.groups["tg"].members.values()
    await wait_until(lambda: not any(m.checking for m in members), "the check's result")


def _health(plane: dp.DataPlane, target_id: str) -> dp.TargetHealth:
    return next(h for h in plane.target_health("tg") if h.id == target_id)


@run
async def test_thresholds_and_reasons() -> None:
    a = await Backend("a").start()
    clock, events = FakeClock(), Events()
    settings = quick_checks(health={"healthy_threshold": 3, "unhealthy_threshold": 2})
    plane = await _plane(clock, events, settings)
    plane.set_targets("tg", [target(a)])
    assert _health(plane, "a").reason == "Elb.RegistrationInProgress"
    # the first check runs at once, without waiting an interval
    await wait_until(lambda: _health(plane, "a").reason == "Elb.InitialHealthChecking", "check 1")
    assert a.requests("/health")[0].header("user-agent") == "ELB-HealthChecker/2.0"
    assert a.requests("/health")[0].header("host") == f"127.0.0.1:{a.port}"
    await _step(plane, clock, a)
    assert state_of(plane, "tg", "a") == "initial"
    await _step(plane, clock, a)
    await wait_until(lambda: state_of(plane, "tg", "a") == "healthy", "healthy after 3")
    assert a.health_checks == 3
    # one failure is tolerated, the second makes it unhealthy
    a.health_status = 500
    await _step(plane, clock, a)
    assert state_of(plane, "tg", "a") == "healthy"
    await _step(plane, clock, a)
    await wait_until(lambda: state_of(plane, "tg", "a") == "unhealthy", "unhealthy after 2")
    h = _health(plane, "a")
    assert (h.reason, h.description) == (
        "Target.ResponseCodeMismatch",
        "Health checks failed with these codes: [500]",
    )
    # recovery needs healthy_threshold successes in a row again
    a.health_status = 200
    await _step(plane, clock, a)
    await _step(plane, clock, a)
    assert state_of(plane, "tg", "a") == "unhealthy"
    await _step(plane, clock, a)
    await wait_until(lambda: state_of(plane, "tg", "a") == "healthy", "healthy again")
    assert [(h.state, h.reason) for _, _, h in events.seen] == [
        ("initial", "Elb.RegistrationInProgress"),
        ("initial", "Elb.InitialHealthChecking"),
        ("healthy", ""),
        ("unhealthy", "Target.ResponseCodeMismatch"),
        ("healthy", ""),
    ]
    await plane.stop()
    await a.stop()


@run
async def test_matcher_ranges_and_lists() -> None:
    cases = [("200-299", 204, "healthy"), ("200,302", 302, "healthy"), ("200", 302, "unhealthy")]
    for matcher, status, expected in cases:
        a = await Backend("a", health_status=status).start()
        clock, events = FakeClock(), Events()
        health = {"matcher": matcher, "healthy_threshold": 1, "unhealthy_threshold": 1}
        plane = await _plane(clock, events, quick_checks(health=health))
        plane.set_targets("tg", [target(a)])
        await wait_until(
            lambda p=plane, e=expected: state_of(p, "tg", "a") == e, f"{matcher} {status}"
        )
        await plane.stop()
        await a.stop()


@run
async def test_timeouts_and_connection_failures() -> None:
    a = await Backend("a").start()
    gone = await Backend("gone").start()
    await gone.stop()  # its port now refuses connections
    clock, events = FakeClock(), Events()
    health = {"path": "/hang", "timeout": 0.2, "healthy_threshold": 1, "unhealthy_threshold": 1}
    plane = await _plane(clock, events, quick_checks(health=health))
    plane.set_targets("tg", [target(a), target(gone)])
    await wait_until(
        lambda: (
            {h.id: h.reason for h in plane.target_health("tg")}
            == {"a": "Target.Timeout", "gone": "Target.FailedHealthChecks"}
        ),
        "both unhealthy",
    )
    assert _health(plane, "a").description == "Request timed out"
    assert _health(plane, "gone").description.startswith("Health checks failed")
    await plane.stop()
    await a.stop(graceful=False)


@run
async def test_a_group_no_listener_uses_is_unused_and_not_checked() -> None:
    a = await Backend("a").start()
    clock, events = FakeClock(), Events()
    plane = dp.DataPlane(on_health=events, clock=clock, sleep=clock.sleep)
    await plane.start()
    plane.configure_target_group("tg", quick_checks(health={"healthy_threshold": 1}))
    plane.set_targets("tg", [target(a)])
    h = _health(plane, "a")
    assert (h.state, h.reason) == ("unused", "Target.NotInUse")
    clock.advance(100)
    assert plane.groups["tg"].checkable() == []
    assert a.health_checks == 0
    await plane.bind_listener("l", "127.0.0.1", 0, dp.ListenerConfig(dp.FixedResponseAction(200)))
    assert state_of(plane, "tg", "a") == "unused"  # a listener, but not forwarding here
    plane.configure_listener("l", dp.ListenerConfig(dp.ForwardAction("tg")))
    await wait_until(lambda: state_of(plane, "tg", "a") == "healthy", "checked once in use")
    await plane.close_listener("l")
    assert state_of(plane, "tg", "a") == "unused"
    await plane.stop()
    await a.stop()


@run
async def test_disabled_checks_make_targets_routable_at_once() -> None:
    a = await Backend("a", health_status=500).start()
    clock, events = FakeClock(), Events()
    plane = await _plane(clock, events, quick_checks(health={"enabled": False}))
    port = plane.listeners["l"].port
    plane.set_targets("tg", [target(a)])
    h = _health(plane, "a")
    assert (h.state, h.reason) == ("healthy", "Target.HealthCheckDisabled")
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"http://127.0.0.1:{port}/")).text == "a"
    assert a.health_checks == 0
    await plane.stop()
    await a.stop()


@run
async def test_a_failing_on_health_callback_does_not_stop_checks() -> None:
    a = await Backend("a").start()
    clock = FakeClock()

    def broken(tg: str, target_id: str, health: dp.TargetHealth) -> None:
        raise RuntimeError("control plane bug")

    plane = dp.DataPlane(on_health=broken, clock=clock, sleep=clock.sleep)
    await plane.start()
    plane.configure_target_group("tg", quick_checks(health={"healthy_threshold": 2}))
    await plane.bind_listener("l", "127.0.0.1", 0, dp.ListenerConfig(dp.ForwardAction("tg")))
    plane.set_targets("tg", [target(a)])
    await wait_until(lambda: a.health_checks == 1, "first check")
    await _step(plane, clock, a)
    await wait_until(lambda: state_of(plane, "tg", "a") == "healthy", "healthy")
    await plane.stop()
    await a.stop()

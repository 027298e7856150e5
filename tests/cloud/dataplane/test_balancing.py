"""Routing choice: round robin, slow start ramps, least outstanding requests."""

from __future__ import annotations

import asyncio
import collections

import httpx

from tests.cloud.dataplane.backends import Backend
from tests.cloud.dataplane.helpers import (
    FakeClock,
    become_healthy,
    plane_with,
    quick_checks,
    run,
    target,
    wait_until,
)


async def _count(client: httpx.AsyncClient, n: int) -> collections.Counter[str]:
    return collections.Counter([(await client.get("/")).text for _ in range(n)])


@run
async def test_round_robin_spreads_evenly() -> None:
    backends = [await Backend(name).start() for name in "abc"]
    async with plane_with(backends) as (_, url), httpx.AsyncClient(base_url=url) as client:
        assert await _count(client, 30) == {"a": 10, "b": 10, "c": 10}
    for b in backends:
        await b.stop()


@run
async def test_slow_start_ramps_a_new_targets_share_linearly() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    clock = FakeClock()
    settings = quick_checks(health={"healthy_threshold": 1}, slow_start=100)
    async with (
        plane_with([a], clock=clock, settings=settings) as (plane, url),
        httpx.AsyncClient(base_url=url) as client,
    ):
        clock.advance(1000)  # a is long past its own ramp
        plane.set_targets("tg", [target(a), target(b)])
        await become_healthy(plane, clock, ["b"])
        ramp_start = plane.groups["tg"].members["b"].healthy_since
        shares = []
        for elapsed in (25, 50, 75):
            clock.now = ramp_start + elapsed
            counts = await _count(client, 200)
            shares.append(counts["b"] / 200)
        # weight w = elapsed / window against a's 1: share w / (1 + w)
        for share, expected in zip(shares, (0.25 / 1.25, 0.5 / 1.5, 0.75 / 1.75), strict=True):
            assert abs(share - expected) < 0.03, shares
        clock.now = ramp_start + 100  # the window is over: equal shares
        assert await _count(client, 100) == {"a": 50, "b": 50}
    await a.stop()
    await b.stop()


@run
async def test_least_outstanding_requests_avoids_the_busy_target() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    clock = FakeClock()
    for algorithm, expected in (
        ("least_outstanding_requests", {"b": 10}),
        ("round_robin", {"a": 5, "b": 5}),
    ):
        settings = quick_checks(health={"healthy_threshold": 1}, algorithm=algorithm)
        async with (
            plane_with([a], clock=clock, settings=settings) as (plane, url),
            httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=20)) as client,
        ):
            holds = [asyncio.ensure_future(client.get("/hold")) for _ in range(3)]
            await wait_until(lambda: a.in_flight == 3, "three requests held by a")
            plane.set_targets("tg", [target(a), target(b)])
            await become_healthy(plane, clock, ["b"])
            assert await _count(client, 10) == expected, algorithm
            a.release()
            assert [(await h).text for h in holds] == ["held a"] * 3
            a._released.clear()
    await a.stop()
    await b.stop()

"""Draining: no new requests, in-flight ones finish, the delay, idle pooled connections."""

from __future__ import annotations

import asyncio

import httpx

from tests.cloud.dataplane.backends import Backend
from tests.cloud.dataplane.helpers import (
    Events,
    FakeClock,
    become_healthy,
    plane_with,
    quick_checks,
    run,
    state_of,
    target,
    wait_until,
)


@run
async def test_in_flight_requests_finish_and_new_ones_go_elsewhere() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    clock, events = FakeClock(), Events()
    settings = quick_checks(health={"healthy_threshold": 1}, deregistration_delay=300)
    async with plane_with([a], clock=clock, settings=settings, events=events) as (plane, url):
        async with httpx.AsyncClient(base_url=url) as client:
            held = asyncio.ensure_future(client.get("/hold"))
            await wait_until(lambda: a.in_flight == 1, "the request in flight on a")
            plane.set_targets("tg", [target(a), target(b)])
            await become_healthy(plane, clock, ["b"])
            plane.set_targets("tg", [target(b)])
            assert state_of(plane, "tg", "a") == "draining"
            assert plane.target_health("tg")[0].reason == "Target.DeregistrationInProgress"
            for _ in range(10):
                assert (await client.get("/")).text == "b"
            assert a.requests("/") == []
            a.release()
            r = await held
            assert (r.status_code, r.text) == (200, "held a")
            # with nothing left in flight it leaves at once, long before the delay
            await wait_until(lambda: state_of(plane, "tg", "a") is None, "a leaving")
        assert events.states("a")[-2:] == ["draining", "unused"]
        assert events.seen[-1][2].reason == "Target.NotRegistered"
    await a.stop()
    await b.stop()


@run
async def test_the_deregistration_delay_cuts_what_is_still_in_flight() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    clock = FakeClock()
    settings = quick_checks(health={"healthy_threshold": 1}, deregistration_delay=30)
    async with (
        plane_with([a], clock=clock, settings=settings) as (plane, url),
        httpx.AsyncClient(base_url=url) as client,
    ):
        held = asyncio.ensure_future(client.get("/hold"))
        await wait_until(lambda: a.in_flight == 1, "the request in flight on a")
        plane.set_targets("tg", [target(a), target(b)])
        await become_healthy(plane, clock, ["b"])
        plane.set_targets("tg", [target(b)])
        clock.advance(29)
        await asyncio.sleep(0)
        assert state_of(plane, "tg", "a") == "draining"
        b.release()
        clock.advance(1)
        await wait_until(lambda: state_of(plane, "tg", "a") is None, "a removed at the delay")
        # its connection was cut before any response byte: the GET went to b instead
        r = await held
        assert (r.status_code, r.text) == (200, "held b")
    await a.stop(graceful=False)
    await b.stop()


@run
async def test_idle_pooled_connections_to_a_draining_target_close_at_once() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    clock = FakeClock()
    async with plane_with([a, b], clock=clock) as (plane, url):
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(4):
                await client.get("/")
        assert len(a._writers) == 1  # one pooled connection from the balancer
        plane.set_targets("tg", [target(b)])
        assert state_of(plane, "tg", "a") is None  # nothing in flight: gone at once
        await wait_until(lambda: not a._writers, "the pooled connection to a closed")
        assert len(b._writers) == 1
    await a.stop()
    await b.stop()


@run
async def test_registering_a_draining_target_again_brings_it_back() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    clock = FakeClock()
    async with (
        plane_with([a, b], clock=clock) as (plane, url),
        httpx.AsyncClient(base_url=url) as client,
    ):
        held = asyncio.ensure_future(client.get("/hold"))
        await wait_until(lambda: a.in_flight + b.in_flight == 1, "a request in flight")
        busy = "a" if a.in_flight else "b"
        other = "b" if busy == "a" else "a"
        plane.set_targets("tg", [target(a if other == "a" else b)])
        assert state_of(plane, "tg", busy) == "draining"
        plane.set_targets("tg", [target(a), target(b)])
        assert state_of(plane, "tg", busy) == "initial"
        await become_healthy(plane, clock, [busy])
        a.release()
        b.release()
        assert (await held).text == f"held {busy}"
    await a.stop()
    await b.stop()

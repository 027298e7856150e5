"""Failures: 503/502/504 with ALB's meaning, retries when safe, fail-open."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gitterra.cloud.elb import dataplane as dp
from tests.cloud.dataplane.backends import Backend
from tests.cloud.dataplane.helpers import (
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
async def test_503_without_routable_targets() -> None:
    a = await Backend("a", health_status=500).start()
    clock = FakeClock()
    plane = dp.DataPlane(clock=clock, sleep=clock.sleep)
    await plane.start()
    plane.configure_target_group("tg", quick_checks(health={"healthy_threshold": 5}))
    _, port = await plane.bind_listener(
        "l", "127.0.0.1", 0, dp.ListenerConfig(dp.ForwardAction("tg"))
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        r = await client.get("/")  # no targets at all
        assert r.status_code == 503
        assert "503 Service Temporarily Unavailable" in r.text or "503" in r.text
        plane.set_targets("tg", [target(a)])
        await wait_until(lambda: a.health_checks >= 1, "the first health check")
        assert state_of(plane, "tg", "a") == "initial"
        assert (await client.get("/")).status_code == 503  # initial targets get nothing
        assert a.requests("/") == []
        plane.configure_listener("l", dp.ListenerConfig(dp.ForwardAction("missing")))
        assert (await client.get("/")).status_code == 503  # a group that does not exist
    m = plane.metrics()
    assert m.listeners["l"].responses["5xx"] == 3
    assert m.target_groups["tg"].errors == {}
    await plane.stop()
    await a.stop()


@run
async def test_502_when_the_target_drops_the_request() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (plane, url), httpx.AsyncClient(base_url=url) as client:
        # POST is not idempotent: sent once, never again
        r = await client.post("/drop", content=b"payload")
        assert r.status_code == 502
        assert len(a.requests("/drop")) == 1
        # GET would be sent again, but there is no other target
        r = await client.get("/drop")
        assert r.status_code == 502
        assert len(a.requests("/drop")) == 2
        # the client connection survives a 502
        assert (await client.get("/")).text == "a"
        m = plane.metrics().target_groups["tg"]
        assert m.errors["reset"] == 2
        assert m.responses["5xx"] == 2
        assert m.in_flight == 0
    await a.stop()


@run
async def test_idempotent_requests_go_to_another_target_when_one_fails() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    async with plane_with([a, b]) as (plane, url), httpx.AsyncClient(base_url=url) as client:
        await b.stop(graceful=False)  # still "healthy": no check has run since
        bodies = [(await client.get("/")).text for _ in range(10)]
        assert bodies == ["a"] * 10
        # nothing was sent on a refused connection: even POST may go elsewhere
        r = await client.post("/upload", content=b"once")
        assert (r.status_code, r.content) == (200, b"once")
        # a GET reset after sending goes to the other target
        r = await client.get("/drop")  # a drops it; b refuses; no third target
        assert r.status_code == 502
        m = plane.metrics().target_groups["tg"]
        assert m.retries >= 5
        assert m.errors["connect"] >= 5
    await a.stop()


@run
async def test_504_when_the_target_does_not_answer_within_the_idle_timeout() -> None:
    a = await Backend("a").start()
    config = dp.ListenerConfig(dp.ForwardAction("tg"), idle_timeout=0.5)
    async with (
        plane_with([a], listener=config) as (plane, url),
        httpx.AsyncClient(base_url=url) as client,
    ):
        loop = asyncio.get_running_loop()
        start = loop.time()
        r = await client.get("/hang")
        assert r.status_code == 504
        assert loop.time() - start >= 0.45
        assert plane.metrics().target_groups["tg"].errors["timeout"] == 1
        assert (await client.get("/")).status_code == 200
    await a.stop(graceful=False)


@run
async def test_a_pooled_connection_closed_by_the_target_is_retried_transparently() -> None:
    # this target closes every kept-alive connection when the next request arrives on it
    a = await Backend("a", drop_reused=True).start()
    async with plane_with([a]) as (plane, url), httpx.AsyncClient(base_url=url) as client:
        for _ in range(20):
            assert (await client.get("/")).text == "a"
        m = plane.metrics().target_groups["tg"]
        assert m.responses["2xx"] == 20
        assert m.errors["stale_connection"] >= 19
        assert m.retries == m.errors["stale_connection"]
    await a.stop()


@run
async def test_a_target_dying_mid_response_cuts_the_client_connection() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (plane, url), httpx.AsyncClient(base_url=url) as client:

        async def read_all() -> None:
            async with client.stream("GET", "/big?n=10000000&hold=1") as r:
                n = 0
                async for data in r.aiter_raw():
                    n += len(data)
                    if n >= 5_000_000:
                        await a.stop(graceful=False)

        with pytest.raises(httpx.RemoteProtocolError):
            await read_all()
        assert plane.metrics().target_groups["tg"].errors["reset"] == 1
        a = await Backend("a", port=a.port).start()
        assert (await client.get("/")).text == "a"  # a new client connection, fresh pool
    await a.stop()


@run
async def test_every_target_unhealthy_fails_open() -> None:
    a, b = await Backend("a").start(), await Backend("b").start()
    clock = FakeClock()
    async with (
        plane_with([a, b], clock=clock) as (plane, url),
        httpx.AsyncClient(base_url=url) as client,
    ):
        a.health_status = b.health_status = 503
        for _ in range(2):  # unhealthy_threshold
            checks = a.health_checks + b.health_checks
            clock.advance(10)
            await wait_until(lambda c=checks: a.health_checks + b.health_checks >= c + 2, "checks")
        await wait_until(
            lambda: {h.state for h in plane.target_health("tg")} == {"unhealthy"}, "unhealthy"
        )
        bodies = {(await client.get("/")).text for _ in range(6)}
        assert bodies == {"a", "b"}  # both still serve
        # one recovers: traffic goes to it only
        a.health_status = 200
        await become_healthy(plane, clock, ["a"])
        assert {(await client.get("/")).text for _ in range(6)} == {"a"}
    await a.stop()
    await b.stop()

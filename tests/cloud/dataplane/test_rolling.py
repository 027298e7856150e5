"""Swapping every target under load loses no request (the rolling update's promise).

20 clients, each on its own keep-alive connection, send requests back to back while the
target set is replaced again and again the way the control plane does it: start the new
servers, register them, wait until they are healthy, deregister the old ones, wait until they
have left (drained), then stop the old servers gracefully (which closes their idle keep-alive
connections, racing with the balancer's next request on them). Some generations of servers
also close every kept-alive connection when the next request arrives, so the balancer's
transparent retry of such requests is exercised all the time.
"""

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
    state_of,
    target,
    wait_until,
)

CLIENTS = 20
GENERATIONS = 5


@run
async def test_zero_failed_requests_while_targets_are_swapped() -> None:
    clock = FakeClock()
    settings = quick_checks(health={"healthy_threshold": 2}, deregistration_delay=300)
    old = [await Backend(f"g0-{i}").start() for i in range(2)]
    failures: list[str] = []
    served: collections.Counter[str] = collections.Counter()
    stop = asyncio.Event()

    async def client_loop(url: str) -> None:
        async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=1)) as c:
            while not stop.is_set():
                try:
                    r = await c.get("/")
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                    continue
                if r.status_code != 200:
                    failures.append(f"{r.status_code} {r.text[:80]}")
                else:
                    served[r.text] += 1

    async with plane_with(old, clock=clock, settings=settings) as (plane, url):
        clients = [asyncio.ensure_future(client_loop(url)) for _ in range(CLIENTS)]
        for gen in range(1, GENERATIONS + 1):
            new = [await Backend(f"g{gen}-{i}", drop_reused=gen % 2 == 0).start() for i in range(2)]
            plane.set_targets("tg", [target(b) for b in old + new])
            await become_healthy(plane, clock, [b.name for b in new])
            await wait_until(lambda n=new: all(served[b.name] > 30 for b in n), "new ones serving")
            plane.set_targets("tg", [target(b) for b in new])
            await wait_until(
                lambda o=old: all(state_of(plane, "tg", b.name) is None for b in o),
                "the old targets drained",
            )
            before = {b.name: len(b.seen) for b in old}
            await asyncio.gather(*(b.stop() for b in old))
            assert {b.name: len(b.seen) for b in old} == before  # nothing sent after leaving
            old = new
        total = sum(served.values())
        await wait_until(lambda: sum(served.values()) > total + 200, "traffic on the last set")
        stop.set()
        await asyncio.gather(*clients)
        await wait_until(lambda: not plane.listeners["l"].conns, "the clients' connections closed")
        metrics = plane.metrics()
    await asyncio.gather(*(b.stop() for b in old))
    assert failures == []
    assert sum(served.values()) > 500
    assert metrics.listeners["l"].responses["5xx"] == 0
    assert metrics.listeners["l"].connections == 0
    # the retries that made it lossless did happen
    assert metrics.target_groups["tg"].errors.get("stale_connection", 0) > 0

"""Helpers for the data plane's tests: a steppable clock, condition waits, a running plane.

Tests are ``async def`` bodies run by :func:`run` in a fresh event loop with a deadline.
Time that the data plane measures with its injected clock (health check intervals, slow start,
deregistration delay) is stepped with :class:`FakeClock`; everything else is waited for with
:func:`wait_until`, which polls a condition under a generous deadline (never a fixed sleep).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from gitterra.cloud.elb import dataplane as dp
from tests.cloud.dataplane.backends import Backend

DEADLINE = 60.0


def run(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test body in a new event loop, failing it after :data:`DEADLINE`.

    The loop is asyncio's own, or uvloop's when ``GITTERRA_TEST_UVLOOP=1`` (the server may
    run on either).
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        async def main() -> None:
            async with asyncio.timeout(DEADLINE * 2):
                await fn(*args, **kwargs)

        if os.environ.get("GITTERRA_TEST_UVLOOP") == "1":
            import uvloop

            uvloop.run(main())
        else:
            asyncio.run(main())

    return wrapper


async def wait_until(cond: Callable[[], object], what: str, deadline: float = DEADLINE) -> None:
    """Poll ``cond`` until it is true; fail naming ``what`` after ``deadline`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.005)


class FakeClock:
    """A clock that moves only when told; ``sleep`` waits for it to pass a point."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._seq), fut))
        await fut

    def advance(self, seconds: float) -> None:
        self.now += seconds
        while self._sleepers and self._sleepers[0][0] <= self.now:
            _, _, fut = heapq.heappop(self._sleepers)
            if not fut.done():
                fut.set_result(None)


class Events:
    """Records ``on_health`` reports."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dp.TargetHealth]] = []

    def __call__(self, tg_id: str, target_id: str, health: dp.TargetHealth) -> None:
        self.seen.append((tg_id, target_id, health))

    def states(self, target_id: str) -> list[str]:
        return [h.state for _, t, h in self.seen if t == target_id]


def state_of(plane: dp.DataPlane, tg: str, target_id: str) -> str | None:
    for h in plane.target_health(tg):
        if h.id == target_id:
            return h.state
    return None


def quick_checks(**kw: Any) -> dp.TargetGroupSettings:
    """Settings whose health checks a :class:`FakeClock` steps (interval 10 s of fake time)."""
    hc = {
        "path": "/health",
        "interval": 10.0,
        "timeout": 5.0,
        "healthy_threshold": 2,
        "unhealthy_threshold": 2,
        **kw.pop("health", {}),
    }
    return dp.TargetGroupSettings(health_check=dp.HealthCheck(**hc), **kw)


@contextlib.asynccontextmanager
async def plane_with(
    backends: list[Backend],
    *,
    clock: FakeClock | None = None,
    settings: dp.TargetGroupSettings | None = None,
    listener: dp.ListenerConfig | None = None,
    access_log: Callable[[dp.AccessLogEntry], None] | None = None,
    events: Events | None = None,
) -> AsyncIterator[tuple[dp.DataPlane, str]]:
    """A started plane with target group ``tg`` (the backends registered), a listener ``l``
    forwarding to it, and every backend healthy; yields the plane and the listener's URL."""
    clock = clock or FakeClock()
    plane = dp.DataPlane(on_health=events, access_log=access_log, clock=clock, sleep=clock.sleep)
    await plane.start()
    try:
        plane.configure_target_group(
            "tg", settings or quick_checks(health={"healthy_threshold": 1})
        )
        plane.set_targets("tg", [target(b) for b in backends])
        config = listener or dp.ListenerConfig(dp.ForwardAction("tg"))
        host, port = await plane.bind_listener("l", "127.0.0.1", 0, config)
        await become_healthy(plane, clock, [b.name for b in backends])
        yield plane, f"http://{host}:{port}"
    finally:
        await plane.stop(grace=5.0)


def target(b: Backend) -> dp.Target:
    return dp.Target(b.name, b.host, b.port)


async def become_healthy(plane: dp.DataPlane, clock: FakeClock, names: list[str]) -> None:
    """Step the clock by health check intervals until every named target is healthy."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE

    def done() -> bool:
        return all(state_of(plane, "tg", n) == "healthy" for n in names)

    while not done():
        if loop.time() > end:
            raise AssertionError(f"targets never became healthy: {plane.target_health('tg')}")
        await asyncio.sleep(0.01)
        if not done() and not any(m.checking for m in plane.groups["tg"].members.values()):
            clock.advance(plane.groups["tg"].settings.health_check.interval)


async def gather_ok(*aws: Awaitable[Any]) -> list[Any]:
    return list(await asyncio.gather(*aws))


async def read_response(
    reader: asyncio.StreamReader, head_request: bool = False
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response from a raw stream (Content-Length or chunked bodies)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {
        k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ln)
    }
    if head_request or status in (204, 304):
        body = b""
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
    else:
        body = await reader.read()
    return status, headers, body


@contextlib.asynccontextmanager
async def raw_connection(
    url: str,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

"""Health checks: one task per target group probes its members on their own schedule.

A member is probed as soon as it is registered (or the group comes into use), then every
``interval`` after the start of its previous probe. A probe is ``GET path`` on a new
connection with ``User-Agent: ELB-HealthChecker/2.0``; it passes when the status is one the
matcher accepts within ``timeout``. Results go to :meth:`TargetGroup.record_check`, which
applies the thresholds. Intervals are measured with the injected clock and sleep, so tests
step time instead of waiting; the probe's own timeout is real time (it bounds real I/O).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from gitterra.cloud.elb.dataplane import _group, _model, _tasks

_USER_AGENT = b"ELB-HealthChecker/2.0"


class HealthChecker:
    """The health check loop of one target group."""

    def __init__(
        self,
        group: _group.TargetGroup,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        tasks: _tasks.TaskSet,
    ) -> None:
        self._group = group
        self._clock = clock
        self._sleep = sleep
        self._tasks = tasks
        self._wake = asyncio.Event()
        self._task = tasks.spawn(f"health checks {group.id}", self._run())
        group.on_change = self._wake.set

    def stop(self) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        group = self._group
        while True:
            self._wake.clear()
            now = self._clock()
            hc = group.settings.health_check
            waits: list[float] = []
            for m in group.checkable():
                if m.checking:
                    continue
                if m.next_check <= now:
                    m.checking = True
                    m.next_check = now + hc.interval
                    self._tasks.spawn(f"health check {m.target.id}", self._check(m, hc))
                else:
                    waits.append(m.next_check - now)
            await self._wait(min(waits) if waits else None)

    async def _wait(self, delay: float | None) -> None:
        """Until ``delay`` has passed on the clock, or something changed."""
        if self._wake.is_set():
            return
        if delay is None:
            await self._wake.wait()
            return
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait((sleeper, waker), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    async def _check(self, m: _group.Member, hc: _model.HealthCheck) -> None:
        try:
            host, port = m.target.host, hc.port or m.target.port
            ok, reason, description = await probe(host, port, hc.path, hc.timeout, hc.codes)
        finally:
            m.checking = False
            self._wake.set()
        self._group.record_check(m, ok, reason, description)


async def probe(
    host: str, port: int, path: str, timeout: float, codes: frozenset[int]
) -> tuple[bool, str, str]:
    """One health check: ``(passed, reason code, description)`` as AWS words them."""
    request = b"GET %b HTTP/1.1\r\nHost: %b:%d\r\nUser-Agent: %b\r\nAccept: */*\r\n" % (
        path.encode(),
        host.encode(),
        port,
        _USER_AGENT,
    )
    request += b"Connection: close\r\n\r\n"
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(request)
                line = await reader.readline()
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
    except TimeoutError:
        return False, "Target.Timeout", "Request timed out"
    except OSError as exc:
        return False, "Target.FailedHealthChecks", f"Health checks failed: {exc.strerror or exc}"
    parts = line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return False, "Target.FailedHealthChecks", "Health checks failed: no valid HTTP response"
    status = int(parts[1])
    if status in codes:
        return True, "", ""
    return (
        False,
        "Target.ResponseCodeMismatch",
        f"Health checks failed with these codes: [{status}]",
    )

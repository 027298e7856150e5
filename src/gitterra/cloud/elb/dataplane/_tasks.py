"""Owned background tasks and cheap inactivity timers.

:class:`TaskSet` (:class:`gitterra.kits.TaskSet`) is the one place the data plane starts long-
or short-lived tasks. :class:`IdleTimer` fires a callback after a period without activity;
marking activity is one attribute store, so it costs nothing per packet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from gitterra.kits import TaskSet

__all__ = ["IdleTimer", "TaskSet"]


class IdleTimer:
    """Calls ``on_idle`` once nothing has set :attr:`last` for ``timeout`` seconds.

    Activity is recorded by assigning ``timer.last = loop.time()``; the timer re-arms itself
    for the remainder when it wakes early, instead of being rescheduled on every event.
    """

    __slots__ = ("_handle", "_loop", "_on_idle", "last", "timeout")

    def __init__(
        self, loop: asyncio.AbstractEventLoop, timeout: float, on_idle: Callable[[], None]
    ) -> None:
        self._loop = loop
        self._on_idle = on_idle
        self._handle: asyncio.TimerHandle | None = None
        self.timeout = timeout
        self.last = 0.0

    def start(self, timeout: float | None = None) -> None:
        """(Re)start counting from now."""
        if timeout is not None:
            self.timeout = timeout
        self.last = self._loop.time()
        due = self.last + self.timeout
        if self._handle is not None and self._handle.when() > due:
            self._handle.cancel()
            self._handle = None
        if self._handle is None:
            self._handle = self._loop.call_at(due, self._fire)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        due = self.last + self.timeout
        if self._loop.time() < due - 0.001:
            self._handle = self._loop.call_at(due, self._fire)
            return
        self._handle = None
        self._on_idle()

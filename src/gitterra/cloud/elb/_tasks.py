"""Supervised asyncio tasks for the control planes (STYLE.md §7).

:class:`TaskSet` is the one way the load balancer and auto scaling services start background
work: every task is named, kept referenced until it ends, its failure logged with its name
(never swallowed), and :meth:`TaskSet.close` cancels and collects them all on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("gitterra.cloud")


class TaskSet:
    """Tasks owned by one service or controller."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._closed = False

    def spawn(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as the task ``name`` (unique among the running ones)."""
        if self._closed:
            coro.close()
            raise RuntimeError(f"{self.owner}: task set closed, cannot start {name}")
        if name in self._tasks:
            coro.close()
            raise RuntimeError(f"{self.owner}: task {name} already runs")
        task = asyncio.get_running_loop().create_task(coro, name=f"{self.owner}: {name}")
        self._tasks[name] = task
        task.add_done_callback(lambda t: self._done(name, t))
        return task

    def running(self, name: str) -> bool:
        return name in self._tasks

    def _done(self, name: str, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("task %r failed", task.get_name(), exc_info=exc)

    async def close(self) -> None:
        """Cancel every task and wait until all have ended."""
        self._closed = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

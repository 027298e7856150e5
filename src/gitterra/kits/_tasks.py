"""Supervised asyncio tasks (STYLE.md §7): the one way long-running parts start background work.

A :class:`TaskSet` names every task after its owner, keeps it referenced until it ends, logs its
failure with its name (never swallowed), and :meth:`TaskSet.close` cancels and collects them
all — including tasks started while closing — so a service stops with nothing left running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger("gitterra.tasks")


class TaskSet:
    """Tasks owned by one service, controller or component."""

    def __init__(
        self, owner: str, *, unique: bool = False, logger: logging.Logger | None = None
    ) -> None:
        """``unique``: a task name may not be started again while it runs (a RuntimeError
        says so), and :meth:`running` tells whether it runs."""
        self.owner = owner
        self.unique = unique
        self._log = logger or log
        self._tasks: set[asyncio.Task[Any]] = set()
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._closed = False

    def spawn(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as the task ``owner: name``."""
        if self._closed:
            coro.close()
            raise RuntimeError(f"{self.owner}: task set closed, cannot start {name}")
        if self.unique and name in self._named:
            coro.close()
            raise RuntimeError(f"{self.owner}: task {name} already runs")
        task = asyncio.get_running_loop().create_task(coro, name=f"{self.owner}: {name}")
        self._tasks.add(task)
        if self.unique:
            self._named[name] = task
        task.add_done_callback(lambda t: self._done(name, t))
        return task

    def running(self, name: str) -> bool:
        """Whether the task ``name`` is running (in a ``unique`` set)."""
        return name in self._named

    def __len__(self) -> int:
        return len(self._tasks)

    def _done(self, name: str, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if self._named.get(name) is task:
            del self._named[name]
        if not task.cancelled() and (exc := task.exception()) is not None:
            self._log.error("task %r failed", task.get_name(), exc_info=exc)

    async def close(self) -> None:
        """Cancel every task and wait until all have ended (those started meanwhile too)."""
        self._closed = True
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

"""Supervised tasks: named, failures logged, everything collected on close."""

from __future__ import annotations

import asyncio
import logging

import pytest

from gitterra.kits import TaskSet


def test_failures_are_logged_with_the_task_name(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        tasks = TaskSet("svc")

        async def boom() -> None:
            raise ValueError("broken")

        task = tasks.spawn("worker", boom())
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)  # the done callback runs
        assert len(tasks) == 0
        await tasks.close()

    with caplog.at_level(logging.ERROR, logger="gitterra.tasks"):
        asyncio.run(main())
    assert "svc: worker" in caplog.text
    assert "broken" in caplog.text


def test_close_cancels_and_collects_even_tasks_started_meanwhile() -> None:
    async def main() -> list[str]:
        tasks = TaskSet("svc")
        ended: list[str] = []

        async def forever(name: str) -> None:
            try:
                await asyncio.Event().wait()
            finally:
                ended.append(name)

        async def spawns_on_cancel() -> None:
            try:
                await asyncio.Event().wait()
            finally:
                # a task started while the set closes: refused, its coroutine closed
                with pytest.raises(RuntimeError, match="closed"):
                    tasks.spawn("late", forever("late"))
                ended.append("spawner")

        tasks.spawn("a", forever("a"))
        tasks.spawn("b", spawns_on_cancel())
        await asyncio.sleep(0)
        await tasks.close()
        assert len(tasks) == 0
        return ended

    assert sorted(asyncio.run(main())) == ["a", "spawner"]


def test_unique_names() -> None:
    async def main() -> None:
        tasks = TaskSet("svc", unique=True)
        gate = asyncio.Event()
        tasks.spawn("job", gate.wait())
        assert tasks.running("job")
        with pytest.raises(RuntimeError, match="already runs"):
            tasks.spawn("job", gate.wait())
        gate.set()
        await asyncio.sleep(0.01)
        assert not tasks.running("job")
        tasks.spawn("job", gate.wait())  # again, once it ended
        await tasks.close()

    asyncio.run(main())

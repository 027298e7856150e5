"""Walking a dependency graph concurrently, with at most ``parallelism`` nodes at work.

A node starts once every node it depends on has finished *successfully*; when a node fails (its
visit raises, or returns False), everything that depends on it, directly or not, is skipped and
the walk goes on with the rest — Terraform's rule that an error stops dependents only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from gitterra.kits._dag import Graph

N = TypeVar("N", bound=Hashable)


@dataclass(slots=True)
class WalkResult(Generic[N]):
    done: list[N] = field(default_factory=list)
    failed: list[N] = field(default_factory=list)
    skipped: list[N] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped


async def walk(
    graph: Graph[N],
    visit: Callable[[N], Coroutine[Any, Any, bool]],
    parallelism: int = 10,
) -> WalkResult[N]:
    """Visit every node of ``graph`` after its dependencies. ``visit`` returns whether the node
    succeeded; an exception from it propagates after the nodes already running finish (a bug,
    not a user error)."""
    if parallelism < 1:
        raise ValueError("parallelism must be at least 1")
    order = graph.topological_order()  # raises CycleError before anything runs
    dependents = graph.dependents()
    waiting = {n: len(graph.dependencies(n)) for n in order}
    result: WalkResult[N] = WalkResult()
    ready = [n for n in order if waiting[n] == 0]
    running: dict[asyncio.Task[bool], N] = {}
    position = {n: i for i, n in enumerate(order)}

    def skip(node: N) -> None:
        stack = list(dependents[node])
        while stack:
            d = stack.pop()
            if waiting.get(d, -1) >= 0 and d not in result.skipped:
                waiting[d] = -1
                result.skipped.append(d)
                stack.extend(dependents[d])

    while ready or running:
        ready.sort(key=position.__getitem__)
        while ready and len(running) < parallelism:
            node = ready.pop(0)
            task = asyncio.create_task(visit(node), name=f"walk:{node}")
            running[task] = node
        finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        error: BaseException | None = None
        for task in finished:
            node = running.pop(task)
            exc = task.exception()
            if exc is not None:
                error = error or exc
                ok = False
            else:
                ok = task.result()
            if ok:
                result.done.append(node)
                for d in dependents[node]:
                    if waiting[d] > 0:
                        waiting[d] -= 1
                        if waiting[d] == 0:
                            ready.append(d)
            else:
                result.failed.append(node)
                skip(node)
        if error is not None:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise error
    return result

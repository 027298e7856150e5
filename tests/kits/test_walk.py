"""The concurrent graph walk: order, the parallelism bound, and skipping dependents of failures."""

from __future__ import annotations

import asyncio

import pytest

from gitterra.kits import CycleError, Graph, walk


def chain_graph() -> Graph[str]:
    g: Graph[str] = Graph()
    g.add_edge("b", "a")  # b needs a
    g.add_edge("c", "b")
    g.add_edge("d", "a")
    g.add("e")
    return g


def test_dependencies_finish_first() -> None:
    finished: list[str] = []

    async def visit(node: str) -> bool:
        await asyncio.sleep(0)
        finished.append(node)
        return True

    result = asyncio.run(walk(chain_graph(), visit))
    assert result.ok
    assert finished.index("a") < finished.index("b") < finished.index("c")
    assert finished.index("a") < finished.index("d")
    assert sorted(result.done) == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize("parallelism", [1, 2, 5])
def test_parallelism_bound(parallelism: int) -> None:
    g: Graph[int] = Graph()
    for i in range(12):
        g.add(i)
    active = 0
    peak = 0

    async def visit(node: int) -> bool:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        for _ in range(3):
            await asyncio.sleep(0)
        active -= 1
        return True

    asyncio.run(walk(g, visit, parallelism))
    assert peak == parallelism


def test_failure_skips_dependents_only() -> None:
    async def visit(node: str) -> bool:
        return node != "b"

    result = asyncio.run(walk(chain_graph(), visit))
    assert result.failed == ["b"]
    assert result.skipped == ["c"]
    assert sorted(result.done) == ["a", "d", "e"]


def test_exception_propagates_after_running_nodes_finish() -> None:
    async def visit(node: str) -> bool:
        if node == "a":
            raise RuntimeError("bug")
        return True

    with pytest.raises(RuntimeError, match="bug"):
        asyncio.run(walk(chain_graph(), visit))


def test_cycle_is_reported_before_anything_runs() -> None:
    g: Graph[str] = Graph()
    g.add_edge("a", "b")
    g.add_edge("b", "a")
    visited: list[str] = []

    async def visit(node: str) -> bool:
        visited.append(node)
        return True

    with pytest.raises(CycleError) as info:
        asyncio.run(walk(g, visit))
    assert visited == []
    assert info.value.cycle[0] == info.value.cycle[-1]

"""A directed acyclic graph of hashable nodes: dependencies, topological order, cycles.

Edges point from a node to what it depends on (``add_edge(a, b)``: ``a`` needs ``b``), so a
topological order lists dependencies first.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

N = TypeVar("N", bound=Hashable)


class CycleError(Exception):
    """The graph has a cycle; ``cycle`` lists its nodes in order, the first repeated last."""

    def __init__(self, cycle: list[object]) -> None:
        super().__init__(" -> ".join(str(n) for n in cycle))
        self.cycle = cycle


class Graph(Generic[N]):
    def __init__(self) -> None:
        self._deps: dict[N, dict[N, None]] = {}

    def add(self, node: N) -> None:
        self._deps.setdefault(node, {})

    def add_edge(self, node: N, dependency: N) -> None:
        """``node`` depends on ``dependency`` (both are added if missing)."""
        self.add(dependency)
        self._deps.setdefault(node, {})[dependency] = None

    def __contains__(self, node: object) -> bool:
        return node in self._deps

    def __len__(self) -> int:
        return len(self._deps)

    @property
    def nodes(self) -> list[N]:
        return list(self._deps)

    def dependencies(self, node: N) -> list[N]:
        return list(self._deps.get(node, ()))

    def dependents(self) -> dict[N, list[N]]:
        """For each node, the nodes that depend on it."""
        out: dict[N, list[N]] = {n: [] for n in self._deps}
        for node, deps in self._deps.items():
            for d in deps:
                out[d].append(node)
        return out

    def topological_order(self) -> list[N]:
        """Every node, each after all of its dependencies; raises :class:`CycleError`.

        Ties keep insertion order, so the result is deterministic."""
        order: list[N] = []
        state: dict[N, int] = {}  # 1 visiting, 2 done
        for root in self._deps:
            if state.get(root) == 2:
                continue
            # Iterative DFS: (node, iterator over its dependencies)
            stack: list[tuple[N, Iterator[N]]] = [(root, iter(self._deps[root]))]
            path: list[N] = [root]
            state[root] = 1
            while stack:
                node, deps = stack[-1]
                for dep in deps:  # an iterator: each pass resumes where the last stopped
                    s = state.get(dep)
                    if s == 1:
                        start = path.index(dep)
                        raise CycleError([*path[start:], dep])
                    if s is None:
                        state[dep] = 1
                        path.append(dep)
                        stack.append((dep, iter(self._deps[dep])))
                        break
                else:
                    stack.pop()
                    path.pop()
                    state[node] = 2
                    order.append(node)
        return order

    def transitive_dependencies(self, node: N) -> set[N]:
        seen: set[N] = set()
        stack = list(self._deps.get(node, ()))
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(self._deps.get(n, ()))
        return seen

"""Which instances a group gives up when it scales in: AWS's termination policies (pure).

Victims are chosen one at a time. Instances that are not ready (still booting, unhealthy) go
before any serving one — a local addition that makes a failed rollout or a quick scale-out
and scale-in never cost a serving instance. Among the rest, each policy of the group's list in
order narrows the candidates to those it prefers, and ``Default`` always applies last:

- ``OldestInstance`` / ``NewestInstance``: the earliest / latest launch.
- ``OldestLaunchConfiguration``: instances on a launch configuration, the oldest one first.
- ``OldestLaunchTemplate``: instances on a launch template, those not on the group's current
  version first, then the lowest version.
- ``ClosestToNextInstanceHour``: the instance whose running time is closest to a whole hour.
- ``AllocationStrategy``: no effect (the local cloud has one purchase option).
- ``Default`` (AWS's default policy as far as it applies to one availability zone): instances on
  a launch configuration when the group uses a template; else those on the oldest configuration
  other than the group's current one; then the closest to the next instance hour; then at
  random (here: the lowest instance id, so the choice is reproducible).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

POLICIES = frozenset(
    {
        "Default",
        "OldestInstance",
        "NewestInstance",
        "OldestLaunchConfiguration",
        "OldestLaunchTemplate",
        "ClosestToNextInstanceHour",
        "AllocationStrategy",
    }
)


@dataclass(frozen=True, slots=True)
class Config:
    """What an instance was launched from: a template version, or a launch configuration.

    ``age`` orders configurations (lower is older): the template version number, or the launch
    configuration's creation time.
    """

    template_id: str | None = None
    version: int | None = None
    configuration: str | None = None
    age: float = 0.0

    def same(self, other: Config) -> bool:
        return (self.template_id, self.version, self.configuration) == (
            other.template_id,
            other.version,
            other.configuration,
        )


class Candidate(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def config(self) -> Config: ...
    @property
    def launched_at(self) -> float: ...


C = TypeVar("C", bound=Candidate)


def choose(
    candidates: Sequence[C],
    count: int,
    policies: Sequence[str],
    current: Config,
    now: float,
    ready: Callable[[C], bool],
) -> list[C]:
    """``count`` victims from ``candidates``, in the order they should go."""
    left = list(candidates)
    chosen: list[C] = []
    while left and len(chosen) < count:
        pool = [c for c in left if not ready(c)] or left
        victim = _one(pool, policies, current, now)
        chosen.append(victim)
        left.remove(victim)
    return chosen


def _one(pool: list[C], policies: Sequence[str], current: Config, now: float) -> C:
    for policy in [*policies, "Default"]:
        pool = _narrow(pool, policy, current, now)
        if len(pool) == 1:
            return pool[0]
    return min(pool, key=lambda c: c.id)


def _narrow(pool: list[C], policy: str, current: Config, now: float) -> list[C]:
    if policy == "OldestInstance":
        return _best(pool, lambda c: c.launched_at)
    if policy == "NewestInstance":
        return _best(pool, lambda c: -c.launched_at)
    if policy == "OldestLaunchConfiguration":
        on_lc = [c for c in pool if c.config.configuration is not None]
        return _best(on_lc, lambda c: c.config.age) or pool
    if policy == "OldestLaunchTemplate":
        on_lt = [c for c in pool if c.config.template_id is not None]
        return _best(on_lt, lambda c: (c.config.same(current), c.config.age)) or pool
    if policy == "ClosestToNextInstanceHour":
        return _best(pool, lambda c: -((now - c.launched_at) % 3600))
    if policy == "Default":
        return _default(pool, current, now)
    return pool  # AllocationStrategy: one purchase option, nothing to align


def _default(pool: list[C], current: Config, now: float) -> list[C]:
    if current.template_id is not None:
        on_lc = [c for c in pool if c.config.configuration is not None]
        if on_lc:
            pool = on_lc
    outdated = [c for c in pool if not c.config.same(current)]
    if outdated:
        pool = _best(outdated, lambda c: c.config.age)
    return _best(pool, lambda c: -((now - c.launched_at) % 3600))


K = TypeVar("K", float, tuple[bool, float])


def _best(pool: list[C], key: Callable[[C], K]) -> list[C]:
    """The candidates with the smallest key (all of them on a tie)."""
    if not pool:
        return pool
    low = min(key(c) for c in pool)
    return [c for c in pool if key(c) == low]

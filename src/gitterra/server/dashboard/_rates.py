"""Requests per second, error rates and latencies of the balancers, from counter snapshots.

The data plane's figures (``elb.dataplane.Metrics``) are counters since the server started.
:class:`History` keeps the last few minutes of snapshots in memory (one :class:`Frame` per
sample, every listener in it) and derives from them, per set of listeners, the rate series the
sparklines draw and the figures over a recent window. A counter that went down (its listener
was recreated) counts from zero again. All of this is pure; :class:`Sampler` is the one task
that feeds it, at a fixed interval, for as long as the server runs.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gitterra.cloud.elb.dataplane import EndpointMetrics, Histogram, Metrics
from gitterra.kits import TaskSet

#: Seconds between two samples, and how many are kept (three minutes).
INTERVAL = 2.0
KEEP = 90
#: The window of the "now" figures (requests/s, error rate, latency).
WINDOW = 30.0


@dataclass(frozen=True, slots=True)
class Counts:
    """One listener's counters in one sample: requests, 5xx responses, latency buckets."""

    requests: int
    errors: int
    latency: tuple[int, ...]
    latency_total: float

    @classmethod
    def of(cls, m: EndpointMetrics) -> Counts:
        return cls(m.requests, m.responses.get("5xx", 0), m.latency.counts, m.latency.total)


@dataclass(frozen=True, slots=True)
class Frame:
    at: float
    listeners: dict[str, Counts]


@dataclass(frozen=True, slots=True)
class Figures:
    """A set of listeners over the recent window (zeros when nothing was sampled)."""

    rps: float
    error_ratio: float
    p50: float
    p95: float
    requests: int
    rps_series: tuple[float, ...]
    eps_series: tuple[float, ...]


class History:
    """The last :data:`KEEP` frames."""

    def __init__(self, keep: int = KEEP) -> None:
        self.frames: deque[Frame] = deque(maxlen=keep)

    def add(self, at: float, metrics: Metrics) -> None:
        self.frames.append(Frame(at, {k: Counts.of(v) for k, v in metrics.listeners.items()}))

    def figures(self, listener_ids: Iterable[str], window: float = WINDOW) -> Figures:
        ids = list(listener_ids)
        frames = list(self.frames)
        rps: list[float] = []
        eps: list[float] = []
        for old, new in itertools.pairwise(frames):
            span = new.at - old.at
            req, err, _ = _delta(old, new, ids)
            rps.append(req / span if span > 0 else 0.0)
            eps.append(err / span if span > 0 else 0.0)
        if len(frames) < 2:
            return Figures(0.0, 0.0, 0.0, 0.0, 0, tuple(rps), tuple(eps))
        last = frames[-1]
        first = next((f for f in frames if last.at - f.at <= window), frames[-2])
        if first is last:
            first = frames[-2]
        req, err, hist = _delta(first, last, ids)
        span = last.at - first.at
        return Figures(
            rps=req / span if span > 0 else 0.0,
            error_ratio=err / req if req else 0.0,
            p50=hist.quantile(0.5),
            p95=hist.quantile(0.95),
            requests=req,
            rps_series=tuple(rps),
            eps_series=tuple(eps),
        )


def _delta(old: Frame, new: Frame, ids: list[str]) -> tuple[int, int, Histogram]:
    """Requests, errors and the latency histogram between two frames, summed over ``ids``."""
    requests = errors = 0
    buckets: list[int] | None = None
    total = 0.0
    for ident in ids:
        now = new.listeners.get(ident)
        if now is None:
            continue
        then = old.listeners.get(ident)
        if then is None or now.requests < then.requests:  # new, or counting again from zero
            then = Counts(0, 0, (0,) * len(now.latency), 0.0)
        requests += now.requests - then.requests
        errors += max(0, now.errors - then.errors)
        diff = [max(0, a - b) for a, b in zip(now.latency, then.latency, strict=True)]
        buckets = diff if buckets is None else [a + b for a, b in zip(buckets, diff, strict=True)]
        total += max(0.0, now.latency_total - then.latency_total)
    return requests, errors, Histogram(tuple(buckets or ()), total)


class Sampler:
    """Registered on the cloud as the ``dashboard`` service: samples the data plane's metrics
    into a :class:`History` every ``interval`` seconds while the server runs. ``warm`` runs once
    at start, after the other services (it fills the pages' caches, so the first page after a
    start is as fast as the others)."""

    name = "dashboard"

    def __init__(
        self,
        history: History,
        metrics: Callable[[], Metrics | None],
        clock: Callable[[], float],
        interval: float = INTERVAL,
        warm: Callable[[], None] | None = None,
    ) -> None:
        self.history = history
        self._warm = warm
        self._metrics = metrics
        self._clock = clock
        self._interval = interval
        self._tasks = TaskSet("dashboard")

    def sample(self) -> None:
        found = self._metrics()
        if found is not None:
            self.history.add(self._clock(), found)

    async def start(self) -> None:
        if self._warm is not None:
            self._warm()
        self._tasks.spawn("balancer figures", self._loop())

    async def stop(self, terminate: bool) -> None:
        del terminate
        await self._tasks.close()

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self._interval)

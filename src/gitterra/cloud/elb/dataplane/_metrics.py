"""Counters and latency histograms per listener and per target group.

The proxy updates :class:`Counters` on its hot path (plain attribute increments, one bisect per
response); :meth:`Counters.snapshot` copies them into immutable :class:`EndpointMetrics` for the
caller. Counters only ever grow (Prometheus counters), except ``in_flight`` and ``connections``,
which are gauges. :meth:`Metrics.prometheus` renders the text exposition format.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass

#: Upper bounds (seconds) of the latency buckets; the last one catches everything.
BUCKETS: tuple[float, ...] = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    math.inf,
)
_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")


@dataclass(frozen=True, slots=True)
class Histogram:
    """Request latencies: ``counts[i]`` requests took at most ``BUCKETS[i]`` (not cumulative)."""

    counts: tuple[int, ...]
    total: float

    @property
    def count(self) -> int:
        return sum(self.counts)

    def quantile(self, q: float) -> float:
        """An estimate of the ``q`` quantile (0..1), interpolated inside its bucket."""
        n = self.count
        if n == 0:
            return 0.0
        rank = q * n
        seen = 0
        for i, c in enumerate(self.counts):
            if c and seen + c >= rank:
                lo = BUCKETS[i - 1] if i else 0.0
                hi = BUCKETS[i] if BUCKETS[i] != math.inf else lo * 2 or 1.0
                return lo + (hi - lo) * max(0.0, rank - seen) / c
            seen += c
        return BUCKETS[-2]


@dataclass(frozen=True, slots=True)
class EndpointMetrics:
    """One listener's or target group's figures at the time of the snapshot."""

    requests: int
    responses: dict[str, int]
    errors: dict[str, int]
    retries: int
    in_flight: int
    connections: int
    denied_connections: int
    latency: Histogram


@dataclass(frozen=True, slots=True)
class Metrics:
    """All figures of a data plane, by listener id and by target group id."""

    listeners: dict[str, EndpointMetrics]
    target_groups: dict[str, EndpointMetrics]

    def prometheus(self, prefix: str = "gitterra_elb") -> str:
        """The figures in Prometheus' text exposition format."""
        lines: list[str] = []
        for kind, table in (("listener", self.listeners), ("target_group", self.target_groups)):
            for ident, m in sorted(table.items()):
                lab = f'{kind}="{_escape(ident)}"'
                lines.append(f"{prefix}_{kind}_requests_total{{{lab}}} {m.requests}")
                for cls, n in m.responses.items():
                    lines.append(f'{prefix}_{kind}_responses_total{{{lab},class="{cls}"}} {n}')
                for err, n in sorted(m.errors.items()):
                    lines.append(f'{prefix}_{kind}_errors_total{{{lab},error="{err}"}} {n}')
                lines.append(f"{prefix}_{kind}_retries_total{{{lab}}} {m.retries}")
                lines.append(f"{prefix}_{kind}_in_flight{{{lab}}} {m.in_flight}")
                lines.append(f"{prefix}_{kind}_connections{{{lab}}} {m.connections}")
                lines.append(f"{prefix}_{kind}_denied_total{{{lab}}} {m.denied_connections}")
                cum = 0
                for bound, c in zip(BUCKETS, m.latency.counts, strict=True):
                    cum += c
                    le = "+Inf" if bound == math.inf else repr(bound)
                    lines.append(f'{prefix}_{kind}_latency_seconds_bucket{{{lab},le="{le}"}} {cum}')
                lines.append(f"{prefix}_{kind}_latency_seconds_sum{{{lab}}} {m.latency.total}")
                lines.append(f"{prefix}_{kind}_latency_seconds_count{{{lab}}} {cum}")
        return "\n".join(lines) + "\n"


class Counters:
    """The mutable figures of one listener or target group (owned by the event loop)."""

    __slots__ = (
        "connections",
        "denied",
        "errors",
        "in_flight",
        "latency",
        "latency_total",
        "requests",
        "responses",
        "retries",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.responses = [0, 0, 0, 0, 0]
        self.errors: dict[str, int] = {}
        self.retries = 0
        self.in_flight = 0
        self.connections = 0
        self.denied = 0
        self.latency = [0] * len(BUCKETS)
        self.latency_total = 0.0

    def observe(self, status: int, seconds: float) -> None:
        """Count one finished response and its latency."""
        cls = status // 100 - 1
        if 0 <= cls < 5:
            self.responses[cls] += 1
        self.latency[bisect_left(BUCKETS, seconds)] += 1
        self.latency_total += seconds

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def snapshot(self) -> EndpointMetrics:
        return EndpointMetrics(
            requests=self.requests,
            responses=dict(zip(_CLASSES, self.responses, strict=True)),
            errors=dict(self.errors),
            retries=self.retries,
            in_flight=self.in_flight,
            connections=self.connections,
            denied_connections=self.denied,
            latency=Histogram(tuple(self.latency), self.latency_total),
        )


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

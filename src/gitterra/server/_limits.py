"""Abuse limits: request body sizes and per-source rate limits, by route family.

Families: ``webhooks`` (``/webhooks/``), ``api`` (``/api/``), ``state`` (``/state/``), ``git``
(``/git/``) and ``other`` (the dashboard, ``/metrics``, ``/healthz``). Each source address has a
token bucket per family: ``rate`` requests a second on average, bursts of ``burst``. A request
finding its bucket empty is answered 429 with ``Retry-After`` before anything reads its body,
so a flood of webhook deliveries costs little and never empties the buckets that builds (the
API and state families) draw on. Body limits are checked on ``Content-Length`` and again as a
body streams in (413). Webhook bodies are limited by their route (25 MB, as forges send); git
push bodies are not limited (a repository may be large).

Defaults are generous (:data:`DEFAULT_RATES`, :data:`DEFAULT_BODIES`); the server's
environment changes them: ``GITTERRA_RATE_<FAMILY>=RATE:BURST`` or ``off``, and
``GITTERRA_BODY_<FAMILY>=SIZE`` (bytes, or with ``KiB``/``MiB``/``GiB``) or ``off``.
Everything here is pure: the clock is an argument.
"""

from __future__ import annotations

import collections
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

FAMILIES = ("webhooks", "api", "state", "git", "other")


@dataclass(frozen=True, slots=True)
class Rate:
    """``per_second`` requests a second on average, ``burst`` at once."""

    per_second: float
    burst: float


DEFAULT_RATES: Mapping[str, Rate | None] = {
    "webhooks": Rate(20, 200),
    "api": Rate(200, 2000),
    "state": Rate(100, 1000),
    "git": Rate(50, 500),
    "other": Rate(100, 1000),
}
MIB = 1024 * 1024
DEFAULT_BODIES: Mapping[str, int | None] = {
    "webhooks": None,  # the delivery route refuses bodies over 25 MB itself, and records why
    "api": 1 * MIB,
    "state": 64 * MIB,
    "git": None,
    "other": 1 * MIB,
}
#: Sources remembered per family; beyond it, the least recently seen are forgotten (a
#: forgotten source starts again with a full bucket).
MAX_SOURCES = 10_000


class LimitsError(ValueError):
    """A limit in the environment is malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Limits:
    rates: Mapping[str, Rate | None] = field(default_factory=lambda: dict(DEFAULT_RATES))
    bodies: Mapping[str, int | None] = field(default_factory=lambda: dict(DEFAULT_BODIES))

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> Limits:
        """The defaults, changed by ``GITTERRA_RATE_*`` and ``GITTERRA_BODY_*``."""
        rates, bodies = dict(DEFAULT_RATES), dict(DEFAULT_BODIES)
        for family in FAMILIES:
            name = f"GITTERRA_RATE_{family.upper()}"
            if name in env:
                rates[family] = _rate(name, env[name])
            name = f"GITTERRA_BODY_{family.upper()}"
            if name in env:
                bodies[family] = _size(name, env[name])
        return cls(rates, bodies)


def family(path: str) -> str:
    """The route family of a request path."""
    for prefix, name in (("/webhooks/", "webhooks"), ("/api/", "api"), ("/state/", "state")):
        if path.startswith(prefix):
            return name
    return "git" if path.startswith("/git/") else "other"


def _rate(name: str, text: str) -> Rate | None:
    if text.strip().lower() == "off":
        return None
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+)\s*", text)
    if found is None or float(found.group(1)) <= 0 or int(found.group(2)) < 1:
        raise LimitsError(
            f"{name}={text!r}: write RATE:BURST (requests a second, and at once), e.g. 20:200, "
            "or off"
        )
    return Rate(float(found.group(1)), float(found.group(2)))


_UNITS = {"": 1, "b": 1, "kib": 1024, "mib": MIB, "gib": 1024 * MIB}


def _size(name: str, text: str) -> int | None:
    if text.strip().lower() == "off":
        return None
    found = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]*)\s*", text)
    unit = found.group(2).lower() if found else ""
    if found is None or unit not in _UNITS or int(found.group(1)) < 1:
        raise LimitsError(f"{name}={text!r}: write a size in bytes, KiB, MiB or GiB, or off")
    return int(found.group(1)) * _UNITS[unit]


class RateLimiter:
    """Token buckets per (family, source). ``take`` spends one token, or says how long to
    wait for one."""

    def __init__(self, rates: Mapping[str, Rate | None], max_sources: int = MAX_SOURCES) -> None:
        self.rates = rates
        self.max_sources = max_sources
        # (tokens, last time) per source, least recently used first.
        self._buckets: dict[str, collections.OrderedDict[str, tuple[float, float]]] = {
            f: collections.OrderedDict() for f in FAMILIES
        }

    def take(self, family_: str, source: str, now: float) -> float:
        """0.0 when the request may go on; else the seconds until the bucket has a token."""
        rate = self.rates.get(family_)
        if rate is None:
            return 0.0
        buckets = self._buckets[family_]
        tokens, last = buckets.pop(source, (rate.burst, now))
        tokens = min(rate.burst, tokens + max(0.0, now - last) * rate.per_second)
        if tokens >= 1.0:
            buckets[source] = (tokens - 1.0, now)
            self._forget(buckets)
            return 0.0
        buckets[source] = (tokens, now)
        self._forget(buckets)
        return (1.0 - tokens) / rate.per_second

    def _forget(self, buckets: collections.OrderedDict[str, tuple[float, float]]) -> None:
        # A flood of distinct sources must not grow the table without bound.
        while len(buckets) > self.max_sources:
            buckets.popitem(last=False)


def retry_after(seconds: float) -> str:
    """``Retry-After`` in whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))

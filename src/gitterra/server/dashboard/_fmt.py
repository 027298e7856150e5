"""How values read on the pages: durations, ages, rates, status tones, short commit ids, and
which links may be links. Pure functions, registered as the templates' filters."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

_OK = {
    "SUCCEEDED", "success", "healthy", "InService", "Healthy", "accepted", "Successful",
    "running", "active", "open", "merged",
}  # fmt: skip
_BAD = {
    "FAILED", "FAULT", "TIMED_OUT", "failure", "error", "unhealthy", "Unhealthy", "refused",
    "Failed", "terminated",
}  # fmt: skip
_RUN = {"IN_PROGRESS", "pending", "initial", "Pending", "InProgress", "QUEUED", "shutting-down"}


def tone(status: object) -> str:
    """``ok``, ``bad``, ``run`` or ``idle``: the colour a status is shown in."""
    text = str(status or "")
    if text in _OK:
        return "ok"
    if text in _BAD:
        return "bad"
    if text in _RUN:
        return "run"
    return "idle"


def parse(value: object) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def seconds_between(start: object, end: object) -> float | None:
    a, b = parse(start), parse(end)
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds())


def duration(seconds: object) -> str:
    """``850ms``, ``12s``, ``3m 05s``, ``2h 04m``; ``—`` for nothing."""
    if not isinstance(seconds, int | float):
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def build_seconds(build: dict[str, object], now: datetime.datetime | None = None) -> float | None:
    """How long a build ran (so far, while it runs)."""
    if build.get("start_time") is None:
        return None
    end = build.get("end_time") or (now or datetime.datetime.now(datetime.UTC)).isoformat()
    return seconds_between(build.get("start_time"), end)


def ago(value: object, now: datetime.datetime | None = None) -> str:
    """``12s ago``, ``3m ago``, ``2h ago``, ``4d ago``."""
    when = parse(value)
    if when is None:
        return "—"
    seconds = ((now or datetime.datetime.now(datetime.UTC)) - when).total_seconds()
    if seconds < 60:
        return f"{max(0, int(seconds))}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86400)}d ago"


def rate(value: object) -> str:
    """Requests per second: ``0``, ``0.4``, ``12``, ``1.2k``."""
    if not isinstance(value, int | float) or value <= 0:
        return "0"
    if value < 10:
        return f"{value:.1f}"
    if value < 1000:
        return f"{value:.0f}"
    return f"{value / 1000:.1f}k"


def percent(ratio: object) -> str:
    if not isinstance(ratio, int | float) or ratio <= 0:
        return "0%"
    if ratio < 0.001:
        return "<0.1%"
    return f"{ratio * 100:.1f}%"


def short(sha: object) -> str:
    text = str(sha or "")
    return text[:7] if len(text) == 40 and all(c in "0123456789abcdef" for c in text) else text


def link(url: object) -> str:
    """``url`` when it is an http(s) address a page may link to, else ``""`` (no
    ``javascript:`` or ``data:`` links, whatever a status or payload said)."""
    text = str(url or "")
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return ""
    return text if scheme in ("http", "https") else ""


FILTERS = {
    "tone": tone,
    "duration": duration,
    "ago": ago,
    "rate": rate,
    "percent": percent,
    "short": short,
    "link": link,
    "build_seconds": build_seconds,
}

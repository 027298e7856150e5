"""The pages' query parameters, checked: a bad one is a 400 page naming the parameter and
saying what it accepts (nothing is shown from a half-understood request)."""

from __future__ import annotations

from collections.abc import Mapping

from gitterra.server.dashboard._errors import PageError

STATUSES = ("QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


class Query:
    def __init__(self, params: Mapping[str, str]) -> None:
        self.params = params

    def text(self, name: str, max_len: int = 255) -> str | None:
        value = self.params.get(name) or None
        if value is not None and (len(value) > max_len or not value.isprintable()):
            raise PageError(
                400, f"{name} must be printable text of at most {max_len} characters", name
            )
        return value

    def status(self) -> str | None:
        value = self.params.get("status") or None
        if value is not None and value not in STATUSES:
            raise PageError(
                400,
                f"status {value!r} is not a build status (one of {', '.join(STATUSES)})",
                "status",
            )
        return value

    def limit(self) -> int:
        return self.number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)

    def offset(self, last_event_id: str | None) -> int:
        """The live log's start: a reconnecting browser's ``Last-Event-ID`` wins."""
        if last_event_id:
            try:
                return max(0, int(last_event_id))
            except ValueError:
                raise PageError(
                    400, "Last-Event-ID must be a byte offset", "Last-Event-ID"
                ) from None
        return self.number("offset", 0, 0, 2**62)

    def number(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise PageError(400, f"{name} must be a whole number, got {raw[:40]!r}", name) from None
        if not low <= value <= high:
            raise PageError(400, f"{name} must be between {low} and {high}, got {value}", name)
        return value

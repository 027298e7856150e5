"""The pages' query parameters, checked: a bad one is a 400 page naming the parameter and
saying what it accepts (nothing is shown from a half-understood request)."""

from __future__ import annotations

from collections.abc import Mapping

from gitterra.cloud import tokens
from gitterra.server.dashboard._errors import PageError

STATUSES = ("QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED")
#: The audit log's actors by name, and the kinds that carry an id (``build:<id>``; the kind
#: alone, or ``build:<project>:``, matches every actor it begins).
ACTORS = ("admin", "server", "dashboard", "anonymous")
ACTOR_KINDS = ("token:", "build:")
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

    def actor(self) -> str | None:
        value = self.text("actor", 200)
        if value is None or value in ACTORS:
            return value
        if value.startswith(ACTOR_KINDS) and not any(c.isspace() for c in value):
            return value
        raise PageError(
            400,
            f"actor {value[:60]!r} is not an actor: one of {', '.join(ACTORS)}, token:ID or "
            "build:ID, or token: or build: for every one of its kind",
            "actor",
        )

    def outcome(self) -> str | None:
        value = self.params.get("outcome") or None
        if value is not None and value not in tokens.VERDICTS:
            raise PageError(
                400,
                f"outcome {value[:40]!r} is not one of {', '.join(tokens.VERDICTS)}",
                "outcome",
            )
        return value

    def cursor(self) -> tuple[int | None, int | None]:
        """A page of the audit log: ``before`` (older than this sequence number) or
        ``after`` (newer), not both; neither is the newest page."""
        before, after = self._seq("before"), self._seq("after")
        if before is not None and after is not None:
            raise PageError(400, "give before or after, not both", "after")
        return before, after

    def _seq(self, name: str) -> int | None:
        if not self.params.get(name):
            return None
        return self.number(name, 0, 0, 2**62)

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

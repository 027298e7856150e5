"""Build log lines as CodeBuild writes them, with secrets masked before they leave the runner.

The runner's own lines read ``[Container] 2024/12/22 20:03:43.966393 Running command echo hi``
(UTC, microseconds); the commands' output lines are passed on as they come. A message of several
lines (a multi-line command) gives one log line per line, only the first with the prefix.

Masking: each mask value, and these encodings of it, is replaced by ``***`` in every line:
standard and URL-safe base64 of the value, and of the value followed by a newline (what
``echo "$SECRET" | base64`` prints), without their ``=`` padding so that padded output matches
too. Encodings are only masked for values of 4 bytes or more (shorter ones would match by chance).
Not caught: a value split across two lines, or changed any other way (hex, URL quoting, reversed).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

_MASK = "***"
_MIN_ENCODED = 4


def timestamp(now: datetime) -> str:
    """CodeBuild's log time: ``2024/12/22 20:03:43.966393`` in UTC."""
    return now.astimezone(UTC).strftime("%Y/%m/%d %H:%M:%S.%f")


def _variants(value: str) -> Iterable[str]:
    yield value
    raw = value.encode("utf-8")
    if len(raw) < _MIN_ENCODED:
        return
    for data in (raw, raw + b"\n"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            yield encode(data).decode("ascii").rstrip("=")


class Masker:
    """Replaces every occurrence of the mask values (and their base64 forms) by ``***``."""

    def __init__(self, masks: Iterable[str]) -> None:
        found = {v for mask in masks if mask for v in _variants(mask)}
        ordered = sorted(found, key=lambda v: (-len(v), v))  # longest first: no partial masks
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, line: str) -> str:
        return self._pattern.sub(_MASK, line) if self._pattern else line


class BuildLog:
    """Writes log lines to the service's ``sink``, masked, with CodeBuild's prefix where due."""

    def __init__(
        self,
        sink: Callable[[str], None],
        masks: Iterable[str] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sink = sink
        self._mask = Masker(masks)
        self._clock = clock

    def container(self, message: str) -> None:
        """A line of the runner's own: ``[Container] <time> <message>``."""
        first, *rest = message.split("\n")
        self._sink(self._mask(f"[Container] {timestamp(self._clock())} {first}"))
        for line in rest:
            self._sink(self._mask(line))

    def output(self, line: str) -> None:
        """A line a command printed (stdout or stderr), as it came."""
        self._sink(self._mask(line))

    def phase_complete(self, phase: str, state: str, code: str = "", message: str = "") -> None:
        """The two lines that end every phase."""
        self.container(f"Phase complete: {phase} State: {state}")
        self.container(f"Phase context status code: {code} Message: {message}")

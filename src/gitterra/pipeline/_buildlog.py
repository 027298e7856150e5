"""Build log lines as CodeBuild writes them, with secrets masked before they leave the runner.

The runner's own lines read ``[Container] 2024/12/22 20:03:43.966393 Running command echo hi``
(UTC, microseconds); the commands' output lines are passed on as they come. A message of several
lines (a multi-line command) gives one log line per line, only the first with the prefix.

Masking: each mask value is replaced by ``***`` in every line, and so are

- its base64 forms (standard and URL-safe): the encoding of the value alone, and the part of
  the encoding that the value determines when it sits at any offset inside encoded text
  (``echo "user:$PASSWORD" | base64``, ``printf %s "$TOKEN" | base64``), padding or not;
- each line of a value that has several (a key file printed as it is, line by line).

Encodings are masked for values of 4 bytes or more and lines of a value for lines of 6 characters
or more (shorter ones would match by chance everywhere). Not caught: a value printed split
across two lines (``base64`` wraps its output every 76 characters, so a value whose encoding
reaches over the wrap is shown in two pieces; ``fold``; a line the runner cut at ``max_line``),
or changed any other way (hex, URL quoting, reversed, compressed).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

_MASK = "***"
_MIN_ENCODED = 4
_MIN_LINE = 6
#: For a value starting at byte offset ``a`` (mod 3) of encoded data: how many leading output
#: characters also depend on the bytes before it.
_LEAD = (0, 2, 3)


def timestamp(now: datetime) -> str:
    """CodeBuild's log time: ``2024/12/22 20:03:43.966393`` in UTC."""
    return now.astimezone(UTC).strftime("%Y/%m/%d %H:%M:%S.%f")


def _variants(value: str) -> Iterable[str]:
    yield value
    if "\n" in value:
        yield from (line for line in value.split("\n") if len(line.strip()) >= _MIN_LINE)
    raw = value.encode("utf-8")
    if len(raw) < _MIN_ENCODED:
        return
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for data in (raw, raw + b"\n"):  # the whole encoding: nothing of it is left in view
            yield encode(data).decode("ascii").rstrip("=")
        for offset in range(3):
            yield _encoded_core(encode(bytes(offset) + raw).decode("ascii"), offset, len(raw))


def _encoded_core(encoded: str, offset: int, size: int) -> str:
    """The characters of ``encoded`` (``offset`` filler bytes, then a value of ``size``
    bytes) that depend on the value's bytes only, whatever comes before or after it."""
    end = offset + size
    stop = (end // 3) * 4 + (end % 3)  # the last group's characters the value fills alone
    return encoded[_LEAD[offset] : stop]


class Masker:
    """Replaces every occurrence of the mask values (and their base64 forms) by ``***``."""

    def __init__(self, masks: Iterable[str]) -> None:
        found = {v for mask in masks if mask for v in _variants(mask) if v}
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

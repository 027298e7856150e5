"""Build logs: one file per build, appended line by line as the build writes, read by byte
offset, and followed by waiting for the next line (long-poll and server-sent events).

Offsets are byte offsets in the UTF-8 file; a page never ends inside a character, and its
``next_offset`` is where the next page starts. Waiters are woken by every appended line and by
the end of the build; they never poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from gitterra.cloud import ValidationError

#: The most one page returns.
PAGE = 1024 * 1024


class LogBook:
    """Log files of builds, by the path the service gives for each build."""

    def __init__(self) -> None:
        self._changed: dict[str, asyncio.Event] = {}

    def writer(self, build_id: str, path: Path) -> LogWriter:
        path.parent.mkdir(parents=True, exist_ok=True)
        return LogWriter(
            path.open("a", encoding="utf-8", errors="replace"), lambda: self.notify(build_id)
        )

    def notify(self, build_id: str) -> None:
        """Wake whoever waits on ``build_id``'s log (a line was added, or the build ended)."""
        event = self._changed.pop(build_id, None)
        if event is not None:
            event.set()

    def read(self, path: Path, offset: int, limit: int = PAGE) -> tuple[str, int]:
        """The text from ``offset`` (at most ``limit`` bytes, cut at a character boundary)."""
        size = _size(path)
        if offset < 0 or offset > size:
            raise ValidationError(f"offset {offset} is outside the log (0 to {size})", "offset")
        if offset == size:
            return "", offset
        with path.open("rb") as fh:
            fh.seek(offset)
            data = fh.read(limit)
            if len(data) == limit:
                cut = _complete(data)
                if cut == 0:  # one character longer than the page: give it whole
                    data += fh.read(3)
                    cut = _complete(data)
                data = data[:cut]
        return data.decode("utf-8", errors="replace"), offset + len(data)

    async def wait(
        self, build_id: str, path: Path, offset: int, timeout: float, done: Callable[[], bool]
    ) -> None:
        """Return once the log is longer than ``offset``, ``done()`` is true, or after
        ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while _size(path) <= offset and not done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            event = self._changed.setdefault(build_id, asyncio.Event())
            if _size(path) > offset or done():
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()


class LogWriter:
    """Appends lines to one build's log; each line is on disk (in the page cache) before the
    waiters hear of it. ``mask`` (the build's secrets: ``pipeline.Masker``) is applied to every
    line, the service's own as well as the commands'."""

    def __init__(self, fh: IO[str], on_line: Callable[[], None]) -> None:
        self._fh = fh
        self._on_line = on_line
        self.mask: Callable[[str], str] = _unchanged

    def __call__(self, line: str) -> None:
        if self._fh.closed:
            return
        self._fh.write(self.mask(line) + "\n")
        self._fh.flush()
        self._on_line()

    def close(self) -> None:
        if not self._fh.closed:
            with contextlib.suppress(OSError):
                os.fsync(self._fh.fileno())
            self._fh.close()
        self._on_line()


def _unchanged(line: str) -> str:
    return line


def _complete(data: bytes) -> int:
    """The length of ``data`` without a character cut off at its end."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: look further back for the lead byte
        if byte >= 0xC0:
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(data) - back if need > back else len(data)
        return len(data)
    return len(data)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0

"""An instance's console: ``console.log`` in its directory, one timestamped line per write.

Writers (the instance's runner, and the server for lifecycle lines) append whole lines with one
``write`` on an ``O_APPEND`` descriptor, so concurrent writers never interleave inside a line.
Readers page through the file by byte offset; a page never ends inside a UTF-8 sequence, so
``next_offset`` is always where the next read should start.

The file is in a directory the instance's code may write: it is opened without following a
link and only if it is a regular file (``isolation.open_regular``), by the server as by the
runner.
"""

from __future__ import annotations

import codecs
import os
import time
from pathlib import Path

from gitterra.cloud import isolation

FILENAME = "console.log"
PAGE_BYTES = 256 * 1024


def stamp(now: float | None = None) -> bytes:
    """``2026-11-01T10:00:00.123Z`` (UTC, milliseconds)."""
    now = time.time() if now is None else now
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{seconds}.{int(now * 1000) % 1000:03d}Z".encode()


def format_line(text: bytes, now: float | None = None) -> bytes:
    return stamp(now) + b" " + text.rstrip(b"\r\n") + b"\n"


class Writer:
    """Appends timestamped lines to a console file."""

    def __init__(self, path: Path) -> None:
        self._fd = isolation.open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def line(self, text: str | bytes) -> None:
        data = text.encode("utf-8", "replace") if isinstance(text, str) else text
        os.write(self._fd, format_line(data))

    def close(self) -> None:
        os.close(self._fd)


def append(path: Path, text: str) -> None:
    """One line from the server (``[gitterra] ...``); a missing directory, or a console the
    instance replaced by something else than a file, is ignored."""
    try:
        writer = Writer(path)
    except OSError:
        return
    try:
        writer.line("[gitterra] " + text)
    finally:
        writer.close()


def read(path: Path, offset: int, limit: int = PAGE_BYTES) -> tuple[str, int]:
    """The text from byte ``offset`` (at most ``limit`` bytes) and the offset after it.

    ``offset`` must lie within the file (callers validate it against :func:`size`)."""
    data = isolation.read_regular(path, limit, offset)
    if data is None:
        return "", offset
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = decoder.decode(data, final=False)
    pending = len(decoder.getstate()[0])
    return text, offset + len(data) - pending


def size(path: Path) -> int:
    return isolation.size_regular(path)

"""Files in directories user code can write, opened by the server without being led astray.

The server runs with more rights than the code it confines. A file that code could have
replaced (an instance's console, a build's exported values) is opened by the server without
following a symbolic link, without blocking on a FIFO, and only if it is a regular file;
otherwise it is treated as missing. (Hard links to files the user does not own are refused by
the kernel's ``protected_hardlinks``, on by default.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
    """A descriptor of ``path`` opened with ``flags``, if it is a regular file and not a
    symbolic link (the descriptor is back in blocking mode). Raises ``OSError`` otherwise."""
    fd = os.open(path, flags | _FLAGS, mode)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: Path, limit: int, offset: int = 0) -> bytes | None:
    """At most ``limit`` bytes of ``path`` from ``offset``; None when it is missing, a link or
    not a regular file."""
    try:
        fd = open_regular(path)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        fh.seek(offset)
        return fh.read(limit)


def size_regular(path: Path) -> int:
    """The size of ``path`` if it is a regular file (0 otherwise, links not followed)."""
    with contextlib.suppress(OSError):
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode):
            return info.st_size
    return 0

"""A file system whose files named in a snapshot read from the snapshot, the rest from a base.

Used to apply a saved plan with exactly the configuration it was made from, while files the
configuration reads at apply time (``file()``, ``templatefile()``) still come from the disk.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Mapping
from typing import Protocol


class _Base(Protocol):
    def read_bytes(self, path: str) -> bytes: ...
    def kind(self, path: str) -> str | None: ...
    def glob(self, base: str, pattern: str) -> list[str]: ...
    def abspath(self, path: str) -> str: ...
    def home(self) -> str: ...


def _norm(path: str) -> str:
    return posixpath.normpath(path)


class OverlayFileSystem:
    def __init__(self, base: _Base, files: Mapping[str, str]) -> None:
        self.base = base
        self.files = {_norm(k): v.encode("utf-8") for k, v in files.items()}
        self.dirs = {posixpath.dirname(k) or "." for k in self.files}
        for d in list(self.dirs):
            while d not in (".", "/", ""):
                d = posixpath.dirname(d) or "."
                self.dirs.add(d)

    def read_bytes(self, path: str) -> bytes:
        data = self.files.get(_norm(path))
        return data if data is not None else self.base.read_bytes(path)

    def kind(self, path: str) -> str | None:
        p = _norm(path)
        if p in self.files:
            return "file"
        if p in self.dirs:
            return "dir"
        return self.base.kind(path)

    def glob(self, base: str, pattern: str) -> list[str]:
        """Snapshot files replace the base's ``*.tf`` files of a directory in the snapshot."""
        root = _norm(base)
        if pattern.endswith(".tf") and "/" not in pattern and root in self.dirs:
            return sorted(
                posixpath.relpath(k, root)
                for k in self.files
                if (posixpath.dirname(k) or ".") == root
                and fnmatch.fnmatch(posixpath.basename(k), pattern)
            )
        return self.base.glob(base, pattern)

    def abspath(self, path: str) -> str:
        return self.base.abspath(path)

    def home(self) -> str:
        return self.base.home()

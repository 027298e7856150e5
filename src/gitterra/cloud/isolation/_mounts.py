"""The mount namespace of confined user code, as bubblewrap arguments (pure).

The namespace starts from the whole file system read-only (``--ro-bind / /``) with a fresh
``/dev`` and ``/proc`` (of a new pid namespace, so no other process is visible), a private
``/dev/shm``, and then:

1. every *hidden* directory (the data dir, ``/tmp``, directories the run user cannot enter
   that hold what it needs) replaced by an empty tmpfs, outermost first; one inside another
   hidden directory is already empty and is skipped;
2. every *exposed* path (read-only) and *writable* path (read-write) that lies in a hidden
   directory bound back at its own path, shallowest first, with the directories leading to it
   created (mode 0755) in the tmpfs. A writable path outside hidden ones is bound read-write
   over the read-only view; an exposed one outside them is visible already.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

#: No ``--die-with-parent``: instances outlive the server (a restarted one adopts them).
_BASE = [
    "--unshare-pid",
    "--unshare-ipc",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--perms",
    "1777",
    "--tmpfs",
    "/dev/shm",
]

TMP = Path("/tmp")


def bwrap_args(
    hidden: Iterable[Path], exposed: Iterable[Path], writable: Iterable[Path]
) -> list[str]:
    """bwrap's arguments (before ``--chdir``/``--``) for these hidden, exposed and writable
    paths (absolute; see the module docstring)."""
    tops = outermost(hidden)
    out = list(_BASE)
    for path in tops:
        out += ["--perms", "1777" if path == TMP else "0755", "--tmpfs", str(path)]
    binds: dict[Path, bool] = {}
    for path in exposed:
        if _under_any(path, tops):
            binds.setdefault(path, False)
    for path in writable:
        binds[path] = True
    made: set[Path] = set()
    for path in sorted(binds, key=lambda p: (len(p.parts), p)):
        for parent in _to_create(path, tops, binds):
            if parent not in made:
                made.add(parent)
                out += ["--perms", "0755", "--dir", str(parent)]
        out += ["--bind" if binds[path] else "--ro-bind", str(path), str(path)]
    return out


def outermost(paths: Iterable[Path]) -> list[Path]:
    """``paths`` without those inside another of them, outermost first."""
    ordered = sorted(set(paths), key=lambda p: (len(p.parts), p))
    kept: list[Path] = []
    for path in ordered:
        if not _under_any(path, kept):
            kept.append(path)
    return kept


def _under_any(path: Path, roots: Sequence[Path] | Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def _to_create(path: Path, tops: Sequence[Path], binds: dict[Path, bool]) -> list[Path]:
    """The directories between the hidden directory holding ``path`` and ``path`` that the
    namespace must create (none that another bind brings, none outside a tmpfs)."""
    top = next((t for t in tops if path.is_relative_to(t) and path != t), None)
    if top is None:
        return []
    out = []
    for parent in reversed(path.parents):
        if parent == top or not parent.is_relative_to(top):
            continue
        if any(parent == b or parent.is_relative_to(b) for b in binds if b != path):
            continue
        out.append(parent)
    return out

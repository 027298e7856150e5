"""File ownership and modes that make the isolation hold.

- The data dir is 0700 (0711 at level ``user``, so the run user can reach its own workspace
  by path without listing anything); every file directly in it is 0600 and every directory
  0700, except ``builds`` and ``instances`` (0711).
- A workspace (a build's ``src`` and ``home``, an instance's directory) is owned by the run
  user, mode 0700; the directories leading to it inside the data dir are 0711 and the
  server's own files next to it (the build log, artifacts) are the server's, 0600/0700.
- Handing a tree to the run user never follows a symbolic link (``lchown``): a checked-out
  repository may hold links to anywhere.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

import gitterra
from gitterra.cloud.isolation import _model

#: Directories of the data dir that lead to workspaces.
WORKSPACE_ROOTS = ("builds", "instances")


def prepare_data_dir(isolation: _model.Isolation) -> None:
    """Set the data dir's modes for ``isolation`` (see the module docstring)."""
    data = isolation.data_dir
    data.mkdir(parents=True, exist_ok=True)
    for name in WORKSPACE_ROOTS:
        (data / name).mkdir(exist_ok=True)
    os.chmod(data, 0o711 if isolation.level == _model.USER else 0o700)
    for entry in data.iterdir():
        info = entry.lstat()
        if stat.S_ISLNK(info.st_mode):
            continue
        if entry.name in WORKSPACE_ROOTS:
            os.chmod(entry, 0o711)
        elif stat.S_ISDIR(info.st_mode):
            os.chmod(entry, 0o700)
        else:
            os.chmod(entry, stat.S_IMODE(info.st_mode) & 0o700)


def workspace(isolation: _model.Isolation, root: Path, owned: Sequence[Path]) -> None:
    """Create ``owned`` (directories in ``root``) for the run user, with ``root`` and the
    directories leading to it from the data dir made passable (0711) but not listable."""
    root.mkdir(parents=True, exist_ok=True)
    data = isolation.data_dir
    for parent in (root, *root.parents):
        if parent == data or not parent.is_relative_to(data):
            break
        if parent not in owned:
            os.chmod(parent, 0o711)
    for path in owned:
        path.mkdir(parents=True, exist_ok=True)
        hand_over(isolation, path)


def hand_over(isolation: _model.Isolation, top: Path) -> None:
    """Give ``top`` and everything in it to the run user (nothing when there is none); ``top``
    itself becomes 0700. Links are changed themselves, never followed."""
    user = isolation.user
    if user is None:
        return
    os.chown(top, user.uid, user.gid, follow_symlinks=False)
    os.chmod(top, 0o700)
    for base, dirs, files in os.walk(top):
        for name in (*dirs, *files):
            os.chown(os.path.join(base, name), user.uid, user.gid, follow_symlinks=False)


def plan_paths(data_dir: Path, user: _model.RunUser | None) -> tuple[tuple[Path, ...], ...]:
    """The hidden and exposed paths of a namespace (see ``_model.Isolation``).

    Hidden: ``/tmp``, and the data dir — or, when the run user cannot enter one of the
    directories above it, the outermost such directory, so that the workspaces bound into it
    can be reached. Exposed: what confined Python needs (its installation, the virtual
    environment, gitterra's source) where the run user cannot enter a directory above it (the
    outermost such directory is hidden too) or where it lies in a hidden directory (a checkout
    under ``/tmp``): the path bound back read-only."""
    hidden = [Path("/tmp"), _blocked(data_dir, user) or data_dir]
    exposed = []
    for path in needed_paths():
        blocked = _blocked(path, user)
        if blocked is not None:
            hidden.append(blocked)
            exposed.append(path)
        elif any(path.is_relative_to(h) for h in hidden):
            exposed.append(path)  # a checkout under /tmp: bound back into the empty /tmp
    return tuple(hidden), tuple(exposed)


def needed_paths() -> list[Path]:
    """What confined Python (an instance's runner, the ``gitterra`` command) reads."""
    found = {
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix).resolve(),
        Path(sys.executable).resolve().parent,
        Path(gitterra.__file__).resolve().parent.parent,
    }
    ordered = sorted(found, key=lambda p: (len(p.parts), p))
    return [p for p in ordered if not any(p != o and p.is_relative_to(o) for o in ordered)]


def _blocked(path: Path, user: _model.RunUser | None) -> Path | None:
    """The outermost directory above ``path`` that ``user`` cannot enter (None: none is, or
    there is no run user: the server's own user can enter its own directories)."""
    if user is None:
        return None
    for parent in reversed(path.parents):
        if parent != Path(parent.anchor) and not can_enter(parent, user):
            return parent
    return None


def can_enter(directory: Path, user: _model.RunUser) -> bool:
    """Whether ``user`` may search ``directory`` by its mode bits (ACLs are not read)."""
    try:
        info = directory.stat()
    except OSError:
        return False
    if info.st_uid == user.uid:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid in user.groups or info.st_gid == user.gid:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)

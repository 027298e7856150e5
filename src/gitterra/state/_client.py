"""The storage protocols a backend implements, and an in-memory fake of them.

A :class:`StateClient` stores one workspace's state as opaque bytes and guards it with a lock;
a :class:`Backend` hands out clients by workspace. Everything above them (the codec, serials,
lineage, lock retries) lives in :class:`Manager`, so a backend only moves bytes and keeps locks.

:class:`MemoryBackend` is the fake beside the protocols: one process's dictionary with the same
lock rules as the real backends (it passes the same conformance suite), for tests of code that
uses state.
"""

from __future__ import annotations

import re
import threading
from typing import Protocol

from gitterra.state import _errors, _lock

DEFAULT_WORKSPACE = "default"

# Terraform's rule: a workspace name must survive url.PathEscape unchanged.
_WORKSPACE_NAME = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@]+")


class StateClient(Protocol):
    """One workspace's stored state and its lock.

    Side effects allowed: reading and writing the stored bytes and the lock, in whatever store
    the backend uses (a file, an HTTP endpoint, memory). Failures are :class:`StateError`s:
    :class:`BackendError` when the store cannot be reached or written, :class:`StateLockError`
    and :class:`StateLockedError` for lock problems.
    """

    def get(self) -> bytes | None:
        """The stored bytes, or None when nothing (or nothing but emptiness) is stored."""
        ...

    def put(self, data: bytes) -> None:
        """Store ``data``, replacing what was there, all or nothing."""
        ...

    def delete(self) -> None:
        """Remove the stored state (no error when there is none)."""
        ...

    def lock(self, info: _lock.LockInfo) -> str:
        """Take the lock at once or raise :class:`StateLockedError` carrying the holder's
        information; return the lock id (``""`` when the backend has no locking)."""
        ...

    def unlock(self, lock_id: str) -> None:
        """Release the lock ``lock_id``; :class:`StateLockError` when it is not the lock held."""
        ...

    def force_unlock(self, lock_id: str) -> None:
        """Release the lock ``lock_id`` on behalf of its holder (``force-unlock``)."""
        ...


class Backend(Protocol):
    """A place that stores states by workspace. Side effects: those of its clients, plus
    listing and deleting workspaces."""

    def workspaces(self) -> list[str]:
        """The workspace names, ``"default"`` first, the others sorted."""
        ...

    def client(self, workspace: str) -> StateClient:
        """The client for ``workspace`` (raises :class:`WorkspaceError` for a bad name)."""
        ...

    def delete_workspace(self, workspace: str) -> None:
        """Delete a workspace and its state; refuses ``"default"``."""
        ...


def check_workspace_name(name: str) -> None:
    """Raise :class:`WorkspaceError` unless ``name`` is a usable workspace name."""
    if not _WORKSPACE_NAME.fullmatch(name) or name in (".", ".."):
        raise _errors.WorkspaceError(
            f"{name!r} is not a valid workspace name: use letters, digits and - . _ ~ "
            "(a name must be usable as one path segment of a URL)"
        )


class MemoryBackend:
    """States and locks in a dictionary, shared by every client made from this backend."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._states: dict[str, bytes] = {}
        self._locks: dict[str, _lock.LockInfo] = {}

    def workspaces(self) -> list[str]:
        with self._mutex:
            others = sorted(w for w in self._states if w != DEFAULT_WORKSPACE)
        return [DEFAULT_WORKSPACE, *others]

    def client(self, workspace: str) -> MemoryClient:
        check_workspace_name(workspace)
        return MemoryClient(self, workspace)

    def delete_workspace(self, workspace: str) -> None:
        check_workspace_name(workspace)
        if workspace == DEFAULT_WORKSPACE:
            raise _errors.WorkspaceError('the "default" workspace cannot be deleted')
        with self._mutex:
            if workspace not in self._states:
                raise _errors.WorkspaceError(f"workspace {workspace!r} does not exist")
            holder = self._locks.get(workspace)
            if holder is not None:
                raise _errors.StateLockedError(
                    f"workspace {workspace!r} is locked by {holder.who}", holder
                )
            del self._states[workspace]


class MemoryClient:
    """A :class:`StateClient` over a :class:`MemoryBackend`'s dictionary."""

    def __init__(self, backend: MemoryBackend, workspace: str) -> None:
        self._backend = backend
        self._workspace = workspace
        self.location = f"memory:{workspace}"

    def get(self) -> bytes | None:
        with self._backend._mutex:
            return self._backend._states.get(self._workspace) or None

    def put(self, data: bytes) -> None:
        with self._backend._mutex:
            self._backend._states[self._workspace] = bytes(data)

    def delete(self) -> None:
        with self._backend._mutex:
            self._backend._states.pop(self._workspace, None)

    def lock(self, info: _lock.LockInfo) -> str:
        with self._backend._mutex:
            holder = self._backend._locks.get(self._workspace)
            if holder is not None:
                raise _errors.StateLockedError(
                    f"{self.location} is locked by {holder.who} (lock ID {holder.id})", holder
                )
            self._backend._locks[self._workspace] = info
            return info.id

    def unlock(self, lock_id: str) -> None:
        with self._backend._mutex:
            holder = self._backend._locks.get(self._workspace)
            if holder is None:
                raise _errors.StateLockError(f"{self.location} is not locked")
            if holder.id != lock_id:
                raise _errors.StateLockError(
                    f"{self.location}: lock ID {lock_id!r} does not match the lock held "
                    f"({holder.id}, by {holder.who})"
                )
            del self._backend._locks[self._workspace]

    def force_unlock(self, lock_id: str) -> None:
        self.unlock(lock_id)

"""The state exception family (the tree is drawn in the package docstring)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitterra.state._lock import LockInfo


class StateError(Exception):
    """Base of every error the state package and the backends raise about stored state."""


class CorruptStateError(StateError):
    """Stored bytes are not a state gitterra can read: bad JSON, a wrong field, an unsupported
    format version. The message names the source (file or URL) and the field or JSON position."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source = source
        self.where = where
        self.problem = problem
        place = f"{source}: {where}" if where else source
        super().__init__(f"{place}: {problem}")


class StateLineageError(StateError):
    """A write would replace a state of another lineage: the two states describe different
    infrastructure, so one of them is the wrong state for this place."""

    def __init__(self, stored: str, given: str, location: str) -> None:
        self.stored = stored
        self.given = given
        super().__init__(
            f"{location}: the stored state has lineage {stored!r} but the state being written "
            f"has lineage {given!r}; they are different states, so the write was refused "
            "(check the backend configuration and workspace)"
        )


class StateLockError(StateError):
    """Locking or unlocking failed: a wrong lock id, unreadable lock information, a lock the
    backend cannot release."""


class StateLockedError(StateLockError):
    """The state is locked by someone else. ``holder`` is their lock information when the
    backend could read it (None when the lock is held but its information is missing).

    ``summary`` and ``detail`` are the two parts of the diagnostic to show; ``str()`` is the
    detail.
    """

    summary = "Error acquiring the state lock"

    def __init__(self, message: str, holder: LockInfo | None) -> None:
        self.holder = holder
        self.detail = message
        super().__init__(message)


class BackendError(StateError):
    """The backend failed to do what was asked: unreachable, an HTTP error (with its status
    and an excerpt of the body), a file that cannot be written."""


class WorkspaceError(BackendError):
    """A workspace operation the backend refuses: an invalid name, deleting ``default``,
    workspaces on a backend that has only ``default``, a workspace that does not exist."""

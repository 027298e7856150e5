"""A state lock as an OS advisory lock (``flock``) on a lock file that holds the LockInfo.

Why ``flock`` on its own file: the kernel drops the lock when the holding process dies, even by
SIGKILL, so a crash never leaves the state locked; and the state file itself is replaced by
rename on every write, so it cannot carry a lock. The lock file's content names the holder, so a
second process (or a second client in this process: ``flock`` locks belong to an open file, not
to a process) can say who holds the lock.

Taking the lock: open (creating) the lock file, ``flock`` it without blocking, check the path
still names the file we locked (a releasing holder unlinks it; if we locked an unlinked file we
try again), then write our LockInfo. Releasing: unlink the file while still holding the lock,
then close it. A lock file left behind by a dead process holds stale information but no lock;
the next holder overwrites it.

Lock ids are checked in this process: a registry maps each lock file to the open descriptor and
lock id held here, so ``unlock`` with the right id releases it from any client, and a wrong id
is refused. A lock held by another process can only end with that process.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
from dataclasses import dataclass

from gitterra import state

_ATTEMPTS = 20


@dataclass
class _Held:
    fd: int
    lock_id: str


_registry_mutex = threading.Lock()
_held: dict[str, _Held] = {}


def lock_file_for(state_path: str) -> str:
    """Terraform's lock-info name beside a state file: ``.terraform.tfstate.lock.info``."""
    directory, name = os.path.split(state_path)
    return os.path.join(directory, f".{name.removeprefix('.')}.lock.info")


def acquire(lock_path: str, info: state.LockInfo) -> str:
    """Take the lock or raise :class:`StateLockedError` with the holder's LockInfo."""
    key = os.path.realpath(lock_path)
    data = info.to_json()
    for _ in range(_ATTEMPTS):
        fd = _open(lock_path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_holder(fd, lock_path)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise state.BackendError(f"{lock_path}: cannot lock: {exc.strerror}") from exc
            raise _locked(lock_path, holder) from exc
        if not _same_file(fd, lock_path):
            os.close(fd)  # we locked a file its holder had just unlinked; try the new one
            continue
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            os.fsync(fd)
        except OSError as exc:
            _remove(lock_path)
            os.close(fd)
            raise state.BackendError(f"{lock_path}: cannot write the lock: {exc}") from exc
        with _registry_mutex:
            _held[key] = _Held(fd, info.id)
        return info.id
    raise state.StateLockError(f"{lock_path}: the lock file kept changing; try again")


def release(lock_path: str, lock_id: str, *, force: bool) -> None:
    """Release the lock ``lock_id`` held in this process. With ``force``, a lock that nobody
    holds any more is cleaned up (its stale file removed) instead of being an error."""
    key = os.path.realpath(lock_path)
    with _registry_mutex:
        held = _held.get(key)
        if held is not None and held.lock_id == lock_id:
            del _held[key]
            _remove(lock_path)
            os.close(held.fd)
            return
    holder = current_holder(lock_path)
    if held is not None:
        raise state.StateLockError(
            f"{lock_path}: lock ID {lock_id!r} does not match the lock held ({held.lock_id}"
            + (f", by {holder.who})" if holder else ")")
        )
    if _is_locked_elsewhere(lock_path):
        who = f" by {holder.who} (lock ID {holder.id})" if holder else ""
        raise state.StateLockError(
            f"{lock_path}: the state is locked{who} by another running process; a local lock "
            "ends when its process ends, so stop that process instead"
        )
    if not force:
        raise state.StateLockError(f"{lock_path}: the state is not locked")
    if holder is not None and holder.id not in ("", lock_id):
        raise state.StateLockError(
            f"{lock_path}: lock ID {lock_id!r} does not match the stale lock ({holder.id})"
        )
    _remove(lock_path)


def current_holder(lock_path: str) -> state.LockInfo | None:
    """The LockInfo in the lock file, or None when there is none or it cannot be read."""
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return _read_holder(fd, lock_path)
    finally:
        os.close(fd)


def _open(lock_path: str) -> int:
    try:
        os.makedirs(os.path.dirname(lock_path) or ".", exist_ok=True)
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise state.BackendError(f"{lock_path}: cannot open the lock file: {exc}") from exc


def _same_file(fd: int, path: str) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _read_holder(fd: int, lock_path: str) -> state.LockInfo | None:
    chunks: list[bytes] = []
    offset = 0
    try:
        while chunk := os.pread(fd, 65536, offset):
            chunks.append(chunk)
            offset += len(chunk)
    except OSError:
        return None
    data = b"".join(chunks)
    if not data.strip():
        return None  # taken a moment ago, information not written yet
    try:
        return state.LockInfo.from_json(data, source=lock_path)
    except state.StateLockError:
        return None


def _is_locked_elsewhere(lock_path: str) -> bool:
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing also drops the probe's own lock
    return False


def _locked(lock_path: str, holder: state.LockInfo | None) -> state.StateLockedError:
    if holder is None:
        return state.StateLockedError(
            f"{lock_path}: the state is locked, but the holder's information is not there yet",
            None,
        )
    return state.StateLockedError(
        f"{lock_path}: the state is locked by {holder.who} for {holder.operation} "
        f"(lock ID {holder.id})",
        holder,
    )


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)

"""The state manager: reading, writing and locking one workspace's state through a client.

Rules it keeps, as Terraform's remote state manager does:

- A write happens only when the content changed; then the serial is the stored serial plus one
  and ``terraform_version`` is gitterra's version.
- A write never replaces a state of another lineage (:class:`StateLineageError`). A state with
  an empty lineage takes the stored one (or a fresh one when nothing is stored).
- While this manager holds the lock, it trusts what it last read or wrote; without the lock it
  reads the stored state again before each write, so the serial and lineage checks see the
  latest write of anyone else.
- Locking retries while someone else holds the lock, waiting 1, 2, 4, ... up to 16 seconds
  between attempts, until the timeout; a timeout of 0 tries once. When time runs out the
  :class:`StateLockedError`'s message is Terraform's detail text (``Error message: ...`` and
  the ``Lock Info:`` block); its ``summary`` is "Error acquiring the state lock".
- :meth:`overwrite` is the one way around these rules, for migration and forced pushes.

The clock and sleep are parameters so tests run without waiting.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from gitterra import __version__
from gitterra.state import _client, _decode, _encode, _errors, _lock, _model

_FIRST_DELAY = 1.0
_MAX_DELAY = 16.0

_LOCK_ADVICE = (
    "gitterra acquires a state lock to protect the state from being written by multiple "
    "users at the same time. Wait for the holder to finish (or give a longer -lock-timeout) "
    "and try again. If the holder is gone and the lock stayed behind, release it with "
    "'gitterra force-unlock {id}'."
)


class Manager:
    """Reads, persists and locks the state behind ``client``.

    ``source`` names the state in error messages; by default the client's ``location``
    attribute (a path or URL) when it has one. Safe to use from several threads.
    """

    def __init__(self, client: _client.StateClient, source: str | None = None) -> None:
        self._client = client
        location = getattr(client, "location", None)
        self.source = source or (location if isinstance(location, str) else "state")
        self._mutex = threading.RLock()
        self._loaded = False
        self._stored: _Stored | None = None
        self._lock_id: str | None = None
        self._fragments: _encode.FragmentCache = {}

    @property
    def client(self) -> _client.StateClient:
        """The client this manager reads and writes through."""
        return self._client

    def read(self) -> _model.State | None:
        """The stored state (decoded afresh: the caller owns it), or None when nothing is
        stored."""
        with self._mutex:
            return self._refresh()

    def persist(self, s: _model.State, *, copy_on_write: bool = False) -> _model.State:
        """Store ``s`` if its content differs from the stored state; return what is stored now:
        ``s``'s content with the stored serial, lineage and version. ``s`` is not changed; the
        returned state shares its resources and outputs with ``s`` (no copy is made, so
        persisting after every resource stays cheap).

        ``copy_on_write`` promises that resource entries already persisted are never changed
        in place (they are replaced instead), so their encodings are reused from the last
        write: persisting after each of N operations then costs O(N) copying, not O(N) JSON
        encoding, per write."""
        with self._mutex:
            if not self._loaded or self._lock_id is None:
                self._refresh()
            stored = self._stored
            lineage = s.lineage or (stored.lineage if stored else str(uuid.uuid4()))
            if stored is not None and stored.lineage and lineage != stored.lineage:
                raise _errors.StateLineageError(stored.lineage, lineage, self.source)
            content = _content(s, lineage, self._fragments if copy_on_write else None)
            if stored is not None and content == stored.content:
                return replace(
                    s, serial=stored.serial, lineage=lineage, terraform_version=stored.version
                )
            serial = stored.serial + 1 if stored is not None else s.serial + 1
            new = replace(s, serial=serial, lineage=lineage, terraform_version=__version__)
            self._client.put(_encode.rewrite_header(content, (0, ""), (serial, __version__)))
            self._stored = _Stored(serial, lineage, __version__, content)
            return new

    def overwrite(self, s: _model.State) -> _model.State:
        """Store ``s`` as it is, with its own lineage and serial, whatever is stored (state
        migration, ``state push -force``); return what is stored now."""
        with self._mutex:
            lineage = s.lineage or str(uuid.uuid4())
            new = replace(s, lineage=lineage, terraform_version=__version__)
            self._client.put(_encode.encode(new))
            self._stored = _Stored(new.serial, lineage, __version__, _content(new, lineage))
            self._loaded = True
            return new

    def lock(
        self,
        operation: str,
        timeout: float,
        *,
        info: str = "",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> str:
        """Take the lock for ``operation``, retrying for up to ``timeout`` seconds; return the
        lock id. Raises :class:`StateLockedError` naming the holder when time runs out; other
        errors (an unreachable backend) are raised at once."""
        lock_info = _lock.LockInfo.new(operation, info=info, path=self.source)
        deadline = clock() + max(timeout, 0.0)
        delay = _FIRST_DELAY
        while True:
            try:
                lock_id = self._client.lock(lock_info)
            except _errors.StateLockedError as exc:
                remaining = deadline - clock()
                if remaining <= 0:
                    raise _timeout_error(exc, timeout) from exc
                sleep(min(delay, remaining))
                delay = min(delay * 2, _MAX_DELAY)
                continue
            with self._mutex:
                # "" is a backend without locking: nothing is held, so writes keep re-reading.
                self._lock_id = lock_id or None
            return lock_id

    def unlock(self, lock_id: str) -> None:
        """Release the lock this manager (or whoever holds ``lock_id``) took."""
        self._client.unlock(lock_id)
        with self._mutex:
            if self._lock_id == lock_id:
                self._lock_id = None

    def _refresh(self) -> _model.State | None:
        data = self._client.get()
        self._loaded = True
        if data is None:
            self._stored = None
            return None
        current = _decode.decode(data, self.source)
        self._stored = _Stored(
            current.serial,
            current.lineage,
            current.terraform_version,
            _content(current, current.lineage),
        )
        return current


@dataclass(frozen=True)
class _Stored:
    """What this manager knows of the stored state: its metadata and its content's encoding."""

    serial: int
    lineage: str
    version: str
    content: bytes


def _content(s: _model.State, lineage: str, cache: _encode.FragmentCache | None = None) -> bytes:
    """The encoding of what ``s`` records, without the serial and the writer's version (which
    change with every write and say nothing about the infrastructure)."""
    return _encode.encode(replace(s, serial=0, lineage=lineage, terraform_version=""), cache)


def _timeout_error(last: _errors.StateLockedError, timeout: float) -> _errors.StateLockedError:
    holder = last.holder
    waited = f"after waiting {timeout:g}s" if timeout > 0 else "(no -lock-timeout was given)"
    if holder is None:
        body = f"Error message: {last}\nThe state is locked; gave up {waited}.\n"
        advice = _LOCK_ADVICE.format(id="<LOCK ID>")
    else:
        created = _lock.format_go_time(holder.created)
        body = (
            f"Error message: the state is locked by {holder.who} for {holder.operation} "
            f"since {created} (lock ID {holder.id}); gave up {waited}.\n{holder.describe()}"
        )
        advice = _LOCK_ADVICE.format(id=holder.id)
    return _errors.StateLockedError(f"{body}\n{advice}", holder)

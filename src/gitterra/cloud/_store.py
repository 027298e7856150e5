"""The local cloud's persistent store: SQLite in WAL mode, one table of JSON documents.

Every object is a JSON document under ``(kind, id)``. Writes commit before the call returns, so
an API call is acknowledged only once what it did is on disk. The store is used from the
server's event loop thread (SQLite calls are short); :meth:`Store.transaction` groups writes
that must happen together. An append-only event log records what controllers did.

The files (database, WAL, shared memory) are readable by the server's user only, and deleted
content is overwritten (``secure_delete``): a value replaced by its sealed form (``_crypto``)
leaves no copy in free pages; :meth:`Store.checkpoint` empties the WAL of older page versions.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, seq);
"""


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        # SQLite gives the WAL and shared-memory files the database file's mode.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
        for existing in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(existing, 0o600)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(_SCHEMA)
        self._lock = threading.RLock()
        self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def checkpoint(self) -> None:
        """Copy the WAL into the database and truncate it (no older page versions stay in it)."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together (or not at all when the block raises)."""
        with self._lock:
            if self._depth == 0:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("COMMIT")

    def get(self, kind: str, id_: str) -> Doc | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM objects WHERE kind = ? AND id = ?", (kind, id_)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def find(self, kind: str, where: Callable[[Doc], bool] | None = None) -> list[Doc]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM objects WHERE kind = ? ORDER BY id", (kind,)
            ).fetchall()
        docs = [json.loads(r[0]) for r in rows]
        return [d for d in docs if where is None or where(d)]

    def put(self, kind: str, id_: str, doc: Doc) -> None:
        text = json.dumps(doc, sort_keys=True)
        with self.transaction():
            self._db.execute(
                "INSERT INTO objects (kind, id, doc, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc, "
                "updated_at = excluded.updated_at",
                (kind, id_, text, time.time()),
            )

    def delete(self, kind: str, id_: str) -> bool:
        with self.transaction():
            cur = self._db.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, id_))
        return cur.rowcount > 0

    def add_event(self, kind: str, subject: str, message: str) -> int:
        with self.transaction():
            cur = self._db.execute(
                "INSERT INTO events (time, kind, subject, message) VALUES (?, ?, ?, ?)",
                (time.time(), kind, subject, message),
            )
        seq = cur.lastrowid
        assert seq is not None
        return seq

    def events(self, since: int = 0, kind: str | None = None, limit: int = 500) -> list[Doc]:
        query = "SELECT seq, time, kind, subject, message FROM events WHERE seq > ?"
        args: list[Any] = [since]
        if kind:
            query += " AND kind = ?"
            args.append(kind)
        query += " ORDER BY seq LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        return [
            {"seq": seq, "time": _rfc3339(t), "kind": k, "subject": s, "message": m}
            for seq, t, k, s, m in rows
        ]


def _rfc3339(epoch: float) -> str:
    stamp = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

"""The audit log: who did what to what, when, from where, and how it ended.

Records live in their own SQLite file (``DATA_DIR/audit.db``, WAL) beside the store, so that
writing one never waits on the store's write lock and a long store transaction never delays
an answer. Each record is ``seq, time, actor, action, target, outcome, source, project,
detail``: actor ``admin`` | ``token:<id>`` | ``build:<id>`` | ``anonymous``; action an HTTP
method and route template or a named action (``state.lock``, ``git.push``, ``token.create``);
outcome the HTTP status, read as a :func:`verdict_of` (allowed, refused, failed). The log keeps
its newest :data:`KEEP` records.
"""

from __future__ import annotations

import datetime
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Records kept; older ones are dropped as new ones arrive.
KEEP = 200_000
_PRUNE_EVERY = 1000

#: What became of a request, from its status: ``allowed`` (it was served: 1xx-3xx),
#: ``refused`` (the server said no to who asked or how much: 401, 403, 413, 429) or
#: ``failed`` (anything else: bad input, not found, a conflict, a server error, no answer).
VERDICTS = ("allowed", "refused", "failed")
REFUSED = (401, 403, 413, 429)
_ALLOWED_SQL = "outcome BETWEEN 100 AND 399"
_REFUSED_SQL = f"outcome IN ({', '.join(map(str, REFUSED))})"
_VERDICT_SQL = {
    "allowed": _ALLOWED_SQL,
    "refused": _REFUSED_SQL,
    "failed": f"NOT ({_ALLOWED_SQL} OR {_REFUSED_SQL})",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome INTEGER NOT NULL,
    source TEXT NOT NULL,
    project TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor, seq);
CREATE INDEX IF NOT EXISTS audit_project ON audit (project, seq);
"""


@dataclass(frozen=True, slots=True)
class Record:
    """One audited event (``time`` is set when it is written)."""

    actor: str
    action: str
    target: str
    outcome: int
    source: str = ""
    project: str | None = None
    detail: str = ""


class AuditLog:
    def __init__(self, path: Path, keep: int = KEEP) -> None:
        self.path = path
        self.keep = keep
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: in WAL mode a crash of the process loses nothing; only an OS crash or power
        # loss may lose the last records, and an fsync per request would slow every answer.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._writes = 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, rec: Record) -> int:
        """Append ``rec``; returns its sequence number."""
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO audit (time, actor, action, target, outcome, source, project, "
                "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    rec.actor,
                    rec.action,
                    rec.target,
                    rec.outcome,
                    rec.source,
                    rec.project,
                    rec.detail,
                ),
            )
            self._writes += 1
            if self._writes % _PRUNE_EVERY == 0:
                self._prune()
        seq = cur.lastrowid
        assert seq is not None
        return seq

    def _prune(self) -> None:
        self._db.execute(
            "DELETE FROM audit WHERE seq <= (SELECT MAX(seq) FROM audit) - ?", (self.keep,)
        )

    def find(
        self,
        *,
        since: int | None = None,
        before: int | None = None,
        limit: int = 100,
        actor: str | None = None,
        project: str | None = None,
        verdict: str | None = None,
    ) -> list[dict[str, Any]]:
        """Records oldest first: the first ``limit`` after ``since``, or (without it) the
        newest ``limit``, before ``before`` when given (paging back through the log by
        sequence number, which stays fast however long the log is). ``actor`` matches exactly,
        or as a prefix when it ends with ``:`` (``build:``); ``verdict`` is one of
        :data:`VERDICTS`."""
        where: list[str] = ["1 = 1"]
        args: list[Any] = []
        if since is not None:
            where.append("seq > ?")
            args.append(since)
        if before is not None:
            where.append("seq < ?")
            args.append(before)
        if verdict is not None:
            where.append(_VERDICT_SQL[verdict])
        if actor:
            if actor.endswith(":"):
                where.append("substr(actor, 1, ?) = ?")
                args += [len(actor), actor]
            else:
                where.append("actor = ?")
                args.append(actor)
        if project:
            where.append("project = ?")
            args.append(project)
        order = "ASC" if since is not None else "DESC"
        query = (
            "SELECT seq, time, actor, action, target, outcome, source, project, detail "
            f"FROM audit WHERE {' AND '.join(where)} ORDER BY seq {order} LIMIT ?"
        )
        with self._lock:
            rows = self._db.execute(query, [*args, limit]).fetchall()
        if order == "DESC":
            rows.reverse()
        return [_view(row) for row in rows]


def verdict_of(outcome: int) -> str:
    """``allowed``, ``refused`` or ``failed``: what an outcome (HTTP status) means."""
    if 100 <= outcome <= 399:
        return "allowed"
    return "refused" if outcome in REFUSED else "failed"


def _view(row: tuple[Any, ...]) -> dict[str, Any]:
    seq, when, actor, action, target, outcome, source, project, detail = row
    stamp = datetime.datetime.fromtimestamp(when, datetime.UTC)
    return {
        "seq": seq,
        "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "actor": actor,
        "action": action,
        "target": target,
        "outcome": outcome,
        "source": source,
        "project": project,
        "detail": detail,
    }

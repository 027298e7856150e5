"""The git host's events: stored first, then delivered to every subscriber, in order, at least
once.

:meth:`EventLog.record` writes events (with whatever documents changed with them, such as a
pull request's new state) in one store transaction and only then wakes the subscribers. Each
subscriber has a durable cursor (the sequence number of the last event its callback returned
from) and one worker task that awaits its callback for every later event, in order. A callback
that raises is logged and called again with the same event after a growing pause (never
skipped: the events are what builds start from); a server that dies before a callback returned
delivers that event again after the restart. Subscribers therefore see an event more than once
in rare cases and de-duplicate by ``delivery_id``.

A subscriber is known across restarts by its name (by default the callback's module and
qualified name, e.g. ``gitterra.cloud.codebuild._service.CodeBuild._on_event``); one seen for
the first time starts after the newest stored event. Events every cursor has passed are pruned
at start beyond the newest :data:`KEEP`.
"""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from gitterra.cloud import Cloud, Doc
from gitterra.cloud.ec2 import fields
from gitterra.kits import TaskSet
from gitterra.triggers import Event

log = logging.getLogger("gitterra.cloud.githost")

KIND = "githost_event"
CURSOR = "githost_cursor"
COUNTER = "githost_counter"
#: Delivered events kept for inspection (GET .../events) after every subscriber passed them.
KEEP = 1000

Callback = Callable[[Event], Awaitable[None]]

_FIELDS = tuple(f.name for f in dataclasses.fields(Event))


def to_doc(event: Event, seq: int) -> Doc:
    """An event as its stored (and API) document: its fields, ``seq`` and ``stored_at``."""
    doc: Doc = dataclasses.asdict(event)
    doc["changed_files"] = list(event.changed_files)
    doc.update(seq=seq, stored_at=fields.now())
    return doc


def from_doc(doc: Doc) -> Event:
    values = {name: doc[name] for name in _FIELDS if name in doc}
    values["changed_files"] = tuple(values.get("changed_files") or ())
    return Event(**values)


def _key(seq: int) -> str:
    return f"{seq:016d}"  # the store orders ids as text


@dataclass(slots=True)
class _Subscriber:
    name: str
    callback: Callback
    cursor: int
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class EventLog:
    """Stored events and their delivery (see the module docstring). ``retry`` is the first
    pause after a failed callback (doubling up to ``retry_max``)."""

    def __init__(self, cloud: Cloud, retry: float = 0.2, retry_max: float = 30.0) -> None:
        self.cloud = cloud
        self.store = cloud.store
        self.retry = retry
        self.retry_max = retry_max
        self._docs: list[Doc] = []
        self._seqs: list[int] = []
        self._subscribers: list[_Subscriber] = []
        self._tasks = TaskSet("githost events")
        self._started = False

    # -- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the stored events (pruning old delivered ones) and start delivering."""
        docs = self.store.find(KIND)
        cursors = [int(c["seq"]) for c in self.store.find(CURSOR)]
        floor = min(cursors) if cursors else (int(docs[-1]["seq"]) if docs else 0)
        old = [d for d in docs[:-KEEP] if int(d["seq"]) <= floor] if len(docs) > KEEP else []
        if old:
            with self.store.transaction():
                for doc in old:
                    self.store.delete(KIND, _key(int(doc["seq"])))
        self._docs = docs[len(old) :]
        self._seqs = [int(d["seq"]) for d in self._docs]
        self._started = True
        for sub in self._subscribers:
            self._spawn(sub)

    async def stop(self) -> None:
        self._started = False
        await self._tasks.close()

    # -- subscribers -------------------------------------------------------------------------

    def subscribe(self, callback: Callback, name: str | None = None) -> None:
        """Deliver every event from now on (and those stored but not yet delivered to the
        subscriber of this name) to ``callback``."""
        base = name or f"{callback.__module__}.{getattr(callback, '__qualname__', 'callback')}"
        taken = {s.name for s in self._subscribers}
        unique, n = base, 1
        while unique in taken:
            n += 1
            unique = f"{base}#{n}"
        stored = self.store.get(CURSOR, unique)
        if stored is None:
            stored = {"name": unique, "seq": self.last_seq()}
            self.store.put(CURSOR, unique, stored)
        sub = _Subscriber(unique, callback, int(stored["seq"]))
        self._subscribers.append(sub)
        if self._started:
            self._spawn(sub)

    def _spawn(self, sub: _Subscriber) -> None:
        self._tasks.spawn(f"deliver to {sub.name}", self._deliver(sub))

    async def _deliver(self, sub: _Subscriber) -> None:
        pause = self.retry
        while True:
            doc = self._next(sub.cursor)
            if doc is None:
                sub.wake.clear()
                await sub.wake.wait()
                continue
            try:
                await sub.callback(from_doc(doc))
            except Exception:  # a subscriber's bug must not end delivery: logged, retried
                log.exception(
                    "githost event %s (%s) not delivered to %s; again in %.1fs",
                    doc["seq"],
                    doc["delivery_id"],
                    sub.name,
                    pause,
                )
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.retry_max)
                continue
            pause = self.retry
            sub.cursor = int(doc["seq"])
            self.store.put(CURSOR, sub.name, {"name": sub.name, "seq": sub.cursor})

    def _next(self, cursor: int) -> Doc | None:
        at = bisect.bisect_right(self._seqs, cursor)
        return self._docs[at] if at < len(self._docs) else None

    # -- recording ---------------------------------------------------------------------------

    def last_seq(self) -> int:
        counter = self.store.get(COUNTER, "events")
        return int(counter["seq"]) if counter else 0

    def record(
        self, events: Sequence[Event], docs: Sequence[tuple[str, str, Doc]] = ()
    ) -> list[Doc]:
        """Store ``events`` and ``docs`` (kind, id, document) in one transaction, then wake
        the subscribers. Returns the stored event documents."""
        stored: list[Doc] = []
        with self.store.transaction():
            seq = self.last_seq()
            for kind, id_, doc in docs:
                self.store.put(kind, id_, doc)
            for event in events:
                seq += 1
                doc = to_doc(event, seq)
                self.store.put(KIND, _key(seq), doc)
                stored.append(doc)
            self.store.put(COUNTER, "events", {"seq": seq})
        for doc in stored:
            self._docs.append(doc)
            self._seqs.append(int(doc["seq"]))
            self.cloud.event("githost", doc["repository"], _summary(doc))
        for sub in self._subscribers:
            sub.wake.set()
        return stored

    def stored(self, repository: str | None = None, since: int = 0) -> list[Doc]:
        """Stored events after ``since``, oldest first (one repository's, or all)."""
        at = bisect.bisect_right(self._seqs, since)
        return [d for d in self._docs[at:] if repository is None or d["repository"] == repository]

    def cursors(self) -> dict[str, int]:
        """Each subscriber's last delivered event."""
        return {s.name: s.cursor for s in self._subscribers}


def _summary(doc: Doc) -> str:
    what = str(doc["kind"])
    if doc.get("pull_request") is not None:
        what += f" #{doc['pull_request']}"
    before, after = str(doc.get("before") or "")[:7], str(doc.get("after") or "")[:7]
    moved = f"{before}..{after}" if before else after
    return f"{what} {doc['head_ref']} {moved} by {doc['actor']} ({doc['delivery_id']})"

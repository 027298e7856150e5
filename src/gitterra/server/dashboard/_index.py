"""Caches over the store, so a page with a thousand builds renders in milliseconds.

The store keeps each object as a JSON document; reading every build means parsing every one.
These caches parse each document once and learn what changed from the cloud's append-only
event log, which every service writes to:

- :class:`BuildIndex`: all builds. New ones are announced by a ``codebuild.build`` event
  (queued, started, ended); a build that has not ended may change without one (its phases), so
  those few are read again on every refresh. An ended build never changes again.
- :class:`DeliveryIndex`: the deliveries, read again only after a ``codebuild.delivery`` event.
- :class:`RestartCount`: instances a group replaced because they ended or failed their health
  checks (``autoscaling.restart`` events).
- :class:`CommitMessages`: commit messages from the git host's stored events.

Everything runs on the server's event loop (the dashboard's routes are coroutines), like the
services themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from gitterra.cloud import Doc, Store
from gitterra.cloud.githost import GitHost

BUILD = "codebuild_build"
DELIVERY = "codebuild_delivery"
_PAGE = 500


class Tail:
    """The events of one kind after a cursor, read page by page."""

    def __init__(self, store: Store, kind: str) -> None:
        self.store = store
        self.kind = kind
        self.cursor = 0

    def new(self) -> list[Doc]:
        out: list[Doc] = []
        while True:
            page = self.store.events(self.cursor, self.kind, _PAGE)
            if not page:
                return out
            out += page
            self.cursor = int(page[-1]["seq"])
            if len(page) < _PAGE:
                return out


class BuildIndex:
    """Every build document (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._tail = Tail(store, "codebuild.build")
        self._docs: dict[str, Doc] = {}
        self._open: set[str] = set()
        self._order: list[Doc] | None = None
        self._loaded = False

    def refresh(self) -> None:
        if not self._loaded:
            self._tail.new()  # the cursor first: what happens after it is read again below
            for doc in self.store.find(BUILD):
                self._keep(doc)
            self._loaded = True
            return
        ids = {str(e["subject"]) for e in self._tail.new()} | self._open
        for build_id in ids:
            found = self.store.get(BUILD, build_id)
            if found is not None and found != self._docs.get(build_id):
                self._keep(found)

    def _keep(self, doc: Doc) -> None:
        self._docs[doc["id"]] = doc
        if doc.get("build_complete"):
            self._open.discard(doc["id"])
        else:
            self._open.add(doc["id"])
        self._order = None

    def newest_first(self) -> list[Doc]:
        """Builds, newest first (as the API lists them)."""
        if self._order is None:
            self._order = sorted(
                self._docs.values(),
                key=lambda d: (d["queued_at"], d["build_number"]),
                reverse=True,
            )
        return self._order

    def get(self, build_id: str) -> Doc | None:
        return self._docs.get(build_id)

    def find(
        self, project: str | None = None, status: str | None = None, limit: int | None = None
    ) -> list[Doc]:
        out = [
            d
            for d in self.newest_first()
            if (project is None or d["project_name"] == project)
            and (status is None or d["status"] == status)
        ]
        return out if limit is None else out[:limit]

    def latest_by_project(self) -> dict[str, Doc]:
        out: dict[str, Doc] = {}
        for doc in self.newest_first():
            out.setdefault(doc["project_name"], doc)
        return out


class DeliveryIndex:
    """Deliveries newest first, read again when a delivery was recorded since."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._tail = Tail(store, "codebuild.delivery")
        self._docs: list[Doc] | None = None

    def all(self) -> list[Doc]:
        if self._tail.new() or self._docs is None:
            self._docs = list(reversed(self.store.find(DELIVERY)))
        return self._docs


#: ``i-…: instance i-… is terminated…`` / ``… failed ELB health checks`` (autoscaling._decide):
#: the reasons that are the instance's own, not a scale-in, refresh or deletion.
class RestartCount:
    """Instances each group replaced because they ended or were unhealthy."""

    def __init__(self, store: Store) -> None:
        self._tail = Tail(store, "autoscaling.restart")
        self._counts: dict[str, int] = {}

    def by_group(self) -> dict[str, int]:
        for event in self._tail.new():
            group = str(event["subject"])
            self._counts[group] = self._counts.get(group, 0) + 1
        return dict(self._counts)


class CommitMessages:
    """Commit message by commit id, from the git host's events (pushes and pull requests)."""

    def __init__(self) -> None:
        self._messages: dict[str, str] = {}
        self._cursors: dict[str, int] = {}

    def refresh(self, githost: GitHost) -> None:
        for repo in githost.repositories():
            name = repo["name"]
            for event in githost.stored_events(name, self._cursors.get(name, 0)):
                self._cursors[name] = int(event["seq"])
                if event.get("after") and event.get("commit_message"):
                    self._messages[str(event["after"])] = str(event["commit_message"])

    def get(self, sha: str) -> str:
        return self._messages.get(sha, "")

    @property
    def lookup(self) -> Callable[[str], str]:
        return self.get

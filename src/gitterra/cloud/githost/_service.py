"""The git host service (registered as ``"githost"``): repositories, smart HTTP, pushes, pull
requests, commit statuses and their events."""

from __future__ import annotations

import asyncio
import itertools
import logging
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from gitterra.cloud import Cloud, Conflict, Doc, NotFound, tokens
from gitterra.cloud.ec2 import fields
from gitterra.cloud.githost import _names, _pulls, _push, _refs, _smart_http, _statuses
from gitterra.cloud.githost._errors import GitError
from gitterra.cloud.githost._events import Callback, EventLog
from gitterra.cloud.githost._git import Git
from gitterra.kits import TaskSet

log = logging.getLogger("gitterra.cloud.githost")

REPOSITORY = "githost_repository"
DEFAULT_BRANCH = "main"
#: How long a stopping server waits for pushes that just ended to be announced.
STOP_GRACE = 10.0


class GitHost:
    """Bare repositories under ``DATA_DIR/git`` (see the package docstring)."""

    name = "githost"
    #: Who API calls (pull request actions, merges) are made by: the admin token's holder.
    ACTOR = "admin"

    def __init__(self, cloud: Cloud, retry: float = 0.2) -> None:
        self.cloud = cloud
        self.store = cloud.store
        self.root = cloud.data_dir / "git"
        self.git = Git(shutil.which("git"), self.root)
        self.events = EventLog(cloud, retry=retry)
        self._locks: dict[str, asyncio.Lock] = {}
        self._settling: dict[str, asyncio.Lock] = {}
        self._tasks = TaskSet("githost")
        self._serial = itertools.count(1)
        self._announcing: set[asyncio.Task[Any]] = set()

    # -- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the stored events, announce what changed while no server watched (a push
        the server died in), and start delivering."""
        self.root.mkdir(parents=True, exist_ok=True)
        await self.events.start()
        for repo in self.repositories():
            try:
                await self.settle(repo["name"], "unknown")
            except GitError as exc:  # one damaged repository must not keep the server down
                log.error("repository %s: %s", repo["name"], exc)
                self.cloud.event("githost", repo["name"], f"cannot read the repository: {exc}")

    async def stop(self, terminate: bool) -> None:
        """Let pushes that just ended be announced (briefly), then stop everything."""
        del terminate
        if self._announcing:
            await asyncio.wait(self._announcing, timeout=STOP_GRACE)
        await self._tasks.close()
        await self.events.stop()

    # -- repositories ------------------------------------------------------------------------

    def create_repository(self, name: str) -> Doc:
        """A new bare repository (default branch ``main``); ``Conflict`` if the name is taken."""
        name = _names.repository_name(name)
        with self.store.transaction():
            if self.store.get(REPOSITORY, name) is not None:
                raise Conflict(f"repository {name} already exists", "name")
            self.root.mkdir(parents=True, exist_ok=True)
            target = self.root / f"{name}.git"
            staging = self.root / f".new-{name}-{uuid.uuid4().hex[:8]}"
            try:
                self.git.run_sync(
                    None, "init", "--quiet", "--bare", "-b", DEFAULT_BRANCH, str(staging)
                )
                for key, value in (
                    ("core.logAllRefUpdates", "true"),
                    ("receive.fsckObjects", "true"),
                ):
                    self.git.run_sync(staging, "config", key, value)
                if target.exists():  # left by a create the server died in: never acknowledged
                    shutil.rmtree(target)
                staging.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            doc: Doc = {"name": name, "default_branch": DEFAULT_BRANCH, "created_at": fields.now()}
            tokens.stamp(doc)
            self.store.put(REPOSITORY, name, doc)
            self.store.put(_push.REFS, name, {"repository": name, "refs": {}})
        self.cloud.event("githost", name, f"repository {name} created")
        return self._public(doc)

    def repository(self, name: str) -> Doc:
        """The repository document (with ``clone_url``); ``NotFound`` if there is none."""
        doc = self.store.get(REPOSITORY, name) if isinstance(name, str) else None
        if doc is None:
            raise NotFound(f"repository {name} does not exist (create it: gitterra repo create)")
        return self._public(doc)

    def repositories(self) -> list[Doc]:
        return [self._public(d) for d in self.store.find(REPOSITORY)]

    def path(self, name: str) -> Path:
        """The bare repository on disk."""
        self.repository(name)
        return self.root / f"{name}.git"

    def clone_url(self, name: str) -> str:
        return f"{self.cloud.endpoint}/git/{name}.git"

    def repo_facts(self, name: str) -> _push.Repo:
        doc = self.repository(name)
        return _push.Repo(name, self.path(name), doc["clone_url"], doc["default_branch"])

    def _public(self, doc: Doc) -> Doc:
        return {**doc, "clone_url": self.clone_url(doc["name"])}

    def lock(self, name: str) -> asyncio.Lock:
        """Held by every ref change (receive-pack, merge) of one repository."""
        return self._locks.setdefault(name, asyncio.Lock())

    # -- events ------------------------------------------------------------------------------

    def subscribe(self, callback: Callback, name: str | None = None) -> None:
        """``callback`` is awaited for every event, in order, at least once (see
        :mod:`._events`)."""
        self.events.subscribe(callback, name)

    def stored_events(self, repository: str, since: int = 0) -> list[Doc]:
        self.repository(repository)
        return self.events.stored(repository, since)

    async def settle(
        self,
        name: str,
        pusher: str,
        skip: int | None = None,
        finish: Callable[[_push.Outcome], None] | None = None,
    ) -> _push.Outcome:
        """Announce every ref change since the last announcement (:mod:`._push`); ``finish``
        may add events and documents stored in the same transaction."""
        async with self._settling.setdefault(name, asyncio.Lock()):
            repo = self.repo_facts(name)
            known = self.store.get(_push.REFS, name)
            announced = known["refs"] if known else {}
            actual = await _refs.snapshot(self.git, repo.path)
            open_pulls = [p for p in _pulls.find(self, name, "open") if p["number"] != skip]
            outcome = await _push.consequences(
                self.git, repo, announced, actual, pusher, open_pulls
            )
            if finish is not None:
                finish(outcome)
            if outcome.events or announced != actual or finish is not None:
                self.events.record(outcome.events, outcome.docs)
            return outcome

    # -- smart HTTP --------------------------------------------------------------------------

    async def serve_git(
        self,
        request: _smart_http.GitRequest,
        body: AsyncIterator[bytes],
        out: _smart_http.Responder,
    ) -> None:
        """Serve one smart-HTTP request. A receive-pack request holds the repository's lock
        and announces the ref changes it made when the backend ends, even if the client has
        gone (a task of the service finishes it)."""
        self.repository(request.repository)
        if not _smart_http.served(request.path):
            raise NotFound(f"{request.repository}.git{request.path[:100]} is not served")
        if _smart_http.needs_auth(request.path, request.query) and request.user is None:
            raise PermissionError("receive-pack needs an authenticated user (the route checks)")
        if not (request.method == "POST" and request.path == "/git-receive-pack"):
            await _smart_http.run_backend(self.git, self.root, request, body, out)
            return
        async with self.lock(request.repository):
            try:
                await _smart_http.run_backend(self.git, self.root, request, body, out)
            finally:
                task = self._tasks.spawn(
                    f"announce push {next(self._serial)} to {request.repository}",
                    self.settle(request.repository, request.user or "unknown"),
                )
                self._announcing.add(task)
                task.add_done_callback(self._announcing.discard)
                await asyncio.shield(task)  # cancelled: the task still finishes

    # -- pull requests and statuses ----------------------------------------------------------

    async def open_pull_request(
        self, repository: str, head: str, base: str, title: str | None = None
    ) -> Doc:
        return self._detailed(await _pulls.open_(self, repository, head, base, title))

    async def close_pull_request(self, repository: str, number: int) -> Doc:
        return self._detailed(await _pulls.close(self, repository, number))

    async def reopen_pull_request(self, repository: str, number: int) -> Doc:
        return self._detailed(await _pulls.reopen(self, repository, number))

    async def merge_pull_request(self, repository: str, number: int) -> Doc:
        return self._detailed(await _pulls.merge(self, repository, number))

    def pull_request(self, repository: str, number: int) -> Doc:
        """A pull request with the statuses of its head commit (newest first) and their
        combined state."""
        return self._detailed(_pulls.get(self, repository, number))

    def pull_requests(self, repository: str, state: str | None = None) -> list[Doc]:
        return [self._detailed(d) for d in _pulls.find(self, repository, state)]

    def _detailed(self, doc: Doc) -> Doc:
        found = _statuses.find(self.store, doc["repository"], doc["head_sha"])
        return {**doc, "statuses": found, "status": _statuses.combined(found)}

    def set_status(
        self,
        repository: str,
        sha: str,
        context: str,
        state: str,
        target_url: str,
        description: str,
    ) -> None:
        """Record a commit status (newest per context wins); ``state``: pending, success,
        failure or error."""
        self.repository(repository)
        commit = _statuses.sha(sha)
        status = _statuses.check(context, state, target_url, description)
        _statuses.put(self.store, repository, commit, status)
        self.cloud.event("githost", repository, f"status {context} {state} on {commit[:7]}")

    def statuses(self, repository: str, sha: str) -> list[Doc]:
        self.repository(repository)
        return _statuses.find(self.store, repository, _statuses.sha(sha))

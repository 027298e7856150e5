"""The build service (registered as ``"codebuild"``): its records, its queue and its builds.

At start it seals the secrets an older server stored in clear (``_secrets.seal_plaintext``),
subscribes to the git host's events (when a git host runs), loads the queue, and
ends the builds a crash interrupted: a build still IN_PROGRESS in the store ran in a server
that is gone, so it becomes FAULT with that reason, and whatever processes it left are killed.
Then one supervised scheduler task starts QUEUED builds, oldest first, within each project's
``concurrent_build_limit``; each build runs as its own supervised task. ``stop`` cancels them:
a running build's processes are killed and the build ends FAULT ("the server stopped").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gitterra import pipeline
from gitterra.cloud import Cloud
from gitterra.cloud.codebuild import (
    _builds,
    _deliveries,
    _logs,
    _poll,
    _ports,
    _projects,
    _queue,
    _reap,
    _run,
    _secrets,
    _statuses,
    _webhooks,
)
from gitterra.diag import Diagnostic
from gitterra.kits import TaskSet

log = logging.getLogger("gitterra.cloud.codebuild")

#: Renders diagnostics for the build log (the server passes ``diag.render_text``).
Render = Callable[[Sequence[Diagnostic], Mapping[str, str]], str]

#: How long a killed build's processes get between SIGTERM and SIGKILL.
KILL_GRACE = 5.0


def plain(diags: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    del sources
    return "".join(f"{'Error' if d.is_error else 'Warning'}: {d}\n" for d in diags)


class CodeBuild:
    """Projects, webhooks, secrets, deliveries, the queue and the running builds.

    ``minute`` is the length of one of the projects' minutes in seconds (build and queued
    timeouts are in minutes); tests shorten it. ``githost`` overrides the git host found on the
    cloud; ``runner`` the build runner.
    """

    name = "codebuild"

    def __init__(
        self,
        cloud: Cloud,
        *,
        runner: pipeline.BuildRunner | None = None,
        githost: _ports.GitHost | None = None,
        minute: float = 60.0,
        render: Render = plain,
    ) -> None:
        self.cloud = cloud
        self.runner = runner or pipeline.BuildRunner(kill_grace=KILL_GRACE)
        self.minute = minute
        self.render = render
        self.githost = githost
        self.projects = _projects.Projects(self)
        self.webhooks = _webhooks.Webhooks(self)
        self.secrets = _secrets.Secrets(self)
        self.credentials = _secrets.SourceCredentials(self)
        self.deliveries = _deliveries.Deliveries(self)
        self.queue = _queue.Queue(self)
        self.logs = _logs.LogBook()
        self.statuses = _statuses.Statuses(self)
        self.poller = _poll.Poller(self)
        self._running: dict[str, asyncio.Event] = {}
        self._wake = asyncio.Event()
        self._tasks = TaskSet("codebuild")

    # -- lifetime ----------------------------------------------------------------------------

    async def start(self) -> None:
        if self.githost is None:
            found: object = self.cloud.services.get("githost")
            if isinstance(found, _ports.GitHost):
                self.githost = found
        sealed = _secrets.seal_plaintext(
            self.cloud.store,
            self.cloud.sealer,
            {**_secrets.SEALED, _webhooks.KIND: _webhooks.SEALED},
        )
        if sealed:
            self.cloud.event("codebuild.secret", "at rest", f"{sealed} stored in clear now sealed")
        interrupted = self.queue.restore()
        if interrupted:
            ids = [d["id"] for d in interrupted]
            await asyncio.to_thread(_reap.kill_builds, ids)
            await asyncio.to_thread(_reap.remove_sources, self.cloud.data_dir / "builds", ids)
        for doc in interrupted:
            _builds.end_open_phase(doc, "FAULT", "CLIENT_ERROR", "the server stopped")
            _builds.finish(doc, "FAULT", "the server stopped while the build ran (it restarted)")
            self.cloud.store.put(_builds.KIND, doc["id"], doc)
            self.cloud.event("codebuild.build", doc["id"], "FAULT: interrupted by a server restart")
        if self.githost is not None:
            self.githost.subscribe(self.deliveries.on_githost_event)
        self._tasks.spawn("scheduler", self._schedule())
        self._tasks.spawn("poller", self.poller.run())

    async def stop(self, terminate: bool) -> None:
        del terminate  # builds never outlive the server: their processes are killed either way
        await self._tasks.close()
        await self.statuses.close()

    # -- the scheduler -----------------------------------------------------------------------

    def wake(self) -> None:
        """Something changed (a build queued or ended): let the scheduler look again."""
        self._wake.set()

    def interrupt(self, build_id: str) -> None:
        stop = self._running.get(build_id)
        if stop is not None:
            stop.set()

    def running(self, build_id: str) -> bool:
        return build_id in self._running

    async def _schedule(self) -> None:
        while True:
            self._wake.clear()
            next_check = self._start_ready()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), next_check)

    def _start_ready(self) -> float:
        """Start what may start; seconds until a queued build may time out."""
        busy: dict[str, int] = {}
        for build_id in self._running:
            project = build_id.partition(":")[0]
            busy[project] = busy.get(project, 0) + 1
        soonest = 60.0
        for build_id, doc in list(self.queue.waiting.items()):
            found = self.cloud.store.get(_projects.KIND, doc["project_name"])
            limit = int((found or doc).get("concurrent_build_limit", 1))
            waited = _waited(doc)
            allowed = doc["queued_timeout"] * self.minute
            if waited >= allowed:
                self._queue_timeout(build_id, doc)
                continue
            soonest = min(soonest, allowed - waited)
            if busy.get(doc["project_name"], 0) >= limit:
                continue
            del self.queue.waiting[build_id]
            current = self.cloud.store.get(_builds.KIND, build_id)
            if current is None or current["status"] != _builds.QUEUED:
                continue  # stopped or superseded meanwhile
            busy[doc["project_name"]] = busy.get(doc["project_name"], 0) + 1
            stop = asyncio.Event()
            self._running[build_id] = stop
            self._tasks.spawn(f"build {build_id}", self._build(current, stop))
        return max(0.01, soonest)

    def _queue_timeout(self, build_id: str, doc: dict[str, Any]) -> None:
        del self.queue.waiting[build_id]
        doc = self.cloud.store.get(_builds.KIND, build_id) or doc
        doc["phases"].append(_builds.phase("QUEUED", "TIMED_OUT", doc["queued_at"], _builds.now()))
        _builds.finish(doc, "TIMED_OUT", f"queued for longer than {doc['queued_timeout']} minutes")
        self.cloud.store.put(_builds.KIND, build_id, doc)
        self.logs.notify(build_id)

    async def _build(self, doc: dict[str, Any], stop: asyncio.Event) -> None:
        try:
            await _run.BuildRun(self, doc, stop).execute()
        finally:
            self._running.pop(doc["id"], None)
            self.logs.notify(doc["id"])
            self.wake()


def _waited(doc: Mapping[str, Any]) -> float:
    queued = _builds.parse_time(doc["queued_at"])
    now = _builds.parse_time(_builds.now())
    return (now - queued).total_seconds()

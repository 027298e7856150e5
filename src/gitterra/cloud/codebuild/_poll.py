"""Polling: a project whose source sends no webhooks can still build on every change.

A project tagged ``gitterra:poll-interval`` (seconds, at least 10) has its source
asked for the head of its branch (``git ls-remote``) that often: the ``source_version`` when it
names a branch, else the default branch (``HEAD``). The first answer is remembered; each later
change queues a build of the new commit as a ``PUSH`` event from source ``poll``, so the build
sees the CodeBuild webhook variables (``CODEBUILD_WEBHOOK_TRIGGER=branch/main``, the previous
commit) and, when the project also has a webhook, must pass its filter groups (changed files
and commit messages are not known to a poll: FILE_PATH and COMMIT_MESSAGE filters see none).
What a poll saw is stored (kind ``codebuild.poll``), so a restart neither misses a change made
meanwhile nor builds one twice.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from gitterra import triggers
from gitterra.cloud import CloudError
from gitterra.cloud.codebuild import _env, _projects, _source

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

#: The store kind of what each project's last poll saw.
KIND = "codebuild.poll"
#: How often the poller looks for projects that are due.
TICK = 2.0


def tracked_ref(project: dict[str, Any]) -> str:
    """The ref a poll asks for: the project's source version when it names a branch."""
    version = str(project.get("source_version") or "")
    if version.startswith("refs/heads/"):
        return version
    if version and not version.startswith(("refs/", "pr/")) and not _source.is_sha(version):
        return f"refs/heads/{version}"
    return "HEAD"


class Poller:
    """One task that polls every due project in turn."""

    def __init__(self, svc: CodeBuild) -> None:
        self.svc = svc
        self.store = svc.cloud.store
        self._due: dict[str, float] = {}

    async def run(self) -> None:
        while True:
            for project in self.svc.projects.find():
                every = _projects.poll_interval(project)
                if every is None:
                    continue
                now = time.monotonic()
                if self._due.get(project["name"], 0.0) > now:
                    continue
                self._due[project["name"]] = now + every
                try:
                    await self.poll(project)
                except (CloudError, _source.SourceError) as exc:
                    self.svc.cloud.event("codebuild.poll", project["name"], f"poll failed: {exc}")
            await asyncio.sleep(TICK)

    async def poll(self, project: dict[str, Any]) -> dict[str, Any] | None:
        """Ask the source once; the build queued for a change, if any."""
        name, ref = project["name"], tracked_ref(project)
        url = _source.fetch_url(self.svc, project["source"])
        home = self.svc.cloud.data_dir / "builds" / ".poll"
        home.mkdir(parents=True, exist_ok=True)
        head_ref, sha = await _source.ls_remote(url, ref, _env.git(home))
        seen = self.store.get(KIND, name)
        self.store.put(KIND, name, {"ref": head_ref, "sha": sha})
        if seen is None or seen.get("ref") != head_ref:
            self.svc.cloud.event("codebuild.poll", name, f"watching {head_ref} at {sha[:10]}")
            return None
        if seen.get("sha") == sha:
            return None
        event = triggers.Event(
            kind="PUSH",
            head_ref=head_ref,
            base_ref=None,
            before=seen.get("sha"),
            after=sha,
            changed_files=(),
            commit_message="",
            actor_account_id="",
            actor="",
            repository=str(project["source"]["location"]),
            clone_url=url,
            pull_request=None,
            deleted=False,
            created=False,
            forced=False,
            delivery_id=f"poll-{name}-{sha}",
            source="poll",
        )
        webhook = self.svc.webhooks.for_project(name)
        if webhook is not None and self.svc.webhooks.groups(webhook).matching_group(event) is None:
            self.svc.cloud.event("codebuild.poll", name, f"{sha[:10]}: no filter group matches")
            return None
        want = {"sha": sha, "ref": head_ref, "version": "", "source_version": sha}
        build = self.svc.queue.enqueue(project, initiator="codebuild-poll", want=want, event=event)
        self.svc.cloud.event("codebuild.poll", name, f"{head_ref} moved to {sha[:10]}: building")
        return build

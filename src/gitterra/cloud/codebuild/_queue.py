"""The persistent build queue: builds are written to the store (QUEUED) before the call or
delivery that asked for them is acknowledged, and started by the scheduler in queue order
within each project's ``concurrent_build_limit``.

A newer webhook build of the same branch or pull request supersedes an older one that is still
QUEUED (STOPPED, "superseded by <sha>"): only the newest commit is worth building. A build that
waited longer than its project's ``queued_timeout`` ends TIMED_OUT without running.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra import triggers
from gitterra.cloud import NotFound, ValidationError
from gitterra.cloud.codebuild import _builds
from gitterra.cloud.codebuild import _check as check

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

KIND = _builds.KIND


class Queue:
    def __init__(self, svc: CodeBuild) -> None:
        self.svc = svc
        self.store = svc.cloud.store
        #: QUEUED builds in queue order (restored from the store at start).
        self.waiting: dict[str, dict[str, Any]] = {}

    def restore(self) -> list[dict[str, Any]]:
        """Load the queue; returns the builds that were IN_PROGRESS (the caller ends them)."""
        queued: list[dict[str, Any]] = []
        running: list[dict[str, Any]] = []
        for doc in self.store.find(KIND, lambda d: d["status"] in _builds.ACTIVE):
            (queued if doc["status"] == _builds.QUEUED else running).append(doc)
        queued.sort(key=lambda d: (d["queued_at"], d["build_number"]))
        self.waiting = {d["id"]: d for d in queued}
        return running

    # -- adding ------------------------------------------------------------------------------

    def enqueue(
        self,
        project: Mapping[str, Any],
        *,
        initiator: str,
        want: Mapping[str, str],
        event: triggers.Event | None = None,
        overrides: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Queue a build of ``project`` (stored before this returns); the scheduler is woken."""
        with self.store.transaction():
            counter = self.store.get(_builds.COUNTER, project["name"]) or {"next": 1}
            number = int(counter["next"])
            self.store.put(_builds.COUNTER, project["name"], {"next": number + 1})
            doc = _builds.new(
                project, number, initiator=initiator, want=want, event=event, overrides=overrides
            )
            superseded = self._supersede(doc)
            self.store.put(KIND, doc["id"], doc)
        for old in superseded:
            self.waiting.pop(old["id"], None)
            self.svc.logs.notify(old["id"])
        self.waiting[doc["id"]] = doc
        self.svc.cloud.event("codebuild.build", doc["id"], f"queued build #{number} ({initiator})")
        self.svc.wake()
        return doc

    def start(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /api/v1/codebuild/builds``: a build asked for by a person or a program."""
        spec = check.obj(
            spec,
            "the build",
            ("project_name", "source_version", "environment_variables_override"),
            root=True,
        )
        name = check.string(spec.get("project_name"), "project_name", max_len=255)
        version = check.optional_str(spec.get("source_version"), "source_version", 255)
        overrides = [
            _override(raw, f"environment_variables_override.{i}")
            for i, raw in enumerate(
                check.items(
                    spec.get("environment_variables_override"), "environment_variables_override"
                )
            )
        ]
        project = self.svc.projects.get(name)
        if project["source"]["type"] == "NO_SOURCE" and version:
            raise ValidationError("a NO_SOURCE project has no source version", "source_version")
        version = version or project["source_version"]
        want = {"version": version, "source_version": version}
        return self.enqueue(project, initiator="admin", want=want, overrides=overrides)

    def _supersede(self, doc: Mapping[str, Any]) -> list[dict[str, Any]]:
        key = doc["supersede_key"]
        if not key:
            return []
        sha = doc["want"]["sha"] or doc["want"]["ref"]
        older = [
            d
            for d in self.waiting.values()
            if d["project_name"] == doc["project_name"] and d["supersede_key"] == key
        ]
        for old in older:
            old = self.store.get(KIND, old["id"]) or old
            if old["status"] != _builds.QUEUED:
                continue
            _builds.end_open_phase(old, "STOPPED")
            old["phases"].append(
                _builds.phase("QUEUED", "STOPPED", old["queued_at"], _builds.now())
            )
            _builds.finish(old, "STOPPED", f"superseded by {sha} (build #{doc['build_number']})")
            self.store.put(KIND, old["id"], old)
        return older

    # -- reading and stopping ----------------------------------------------------------------

    def get(self, build_id: str) -> dict[str, Any]:
        doc = self.store.get(KIND, build_id)
        if doc is None:
            raise NotFound(f"build {build_id} does not exist")
        return doc

    def find(
        self, project: str | None = None, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Builds, newest first."""
        docs = self.store.find(
            KIND,
            lambda d: (
                (project is None or d["project_name"] == project)
                and (status is None or d["status"] == status)
            ),
        )
        docs.sort(key=lambda d: (d["queued_at"], d["build_number"]), reverse=True)
        return docs[:limit]

    def stop(self, build_id: str) -> dict[str, Any]:
        """Stop a build: a QUEUED one ends at once, a running one is interrupted (its status
        becomes STOPPED when its processes are gone)."""
        doc = self.get(build_id)
        if doc["status"] == _builds.QUEUED:
            self.waiting.pop(build_id, None)
            doc["phases"].append(
                _builds.phase("QUEUED", "STOPPED", doc["queued_at"], _builds.now())
            )
            _builds.finish(doc, "STOPPED", "stopped while queued")
            self.store.put(KIND, build_id, doc)
            self.svc.logs.notify(build_id)
            self.svc.cloud.event("codebuild.build", build_id, "stopped while queued")
        elif doc["status"] == _builds.IN_PROGRESS:
            self.svc.interrupt(build_id)
        return doc

    def project_deleted(self, name: str) -> None:
        for doc in [d for d in self.waiting.values() if d["project_name"] == name]:
            self.stop(doc["id"])


def _override(raw: object, field: str) -> dict[str, str]:
    var = check.obj(raw, field, ("name", "value", "type"))
    name = check.string(var.get("name"), f"{field}.name", max_len=255)
    value = var.get("value")
    if not isinstance(value, str):
        raise ValidationError(f"{field}.value must be a string", f"{field}.value")
    check.choice(var.get("type"), f"{field}.type", ("PLAINTEXT",), "PLAINTEXT")
    return {"name": name, "value": value}

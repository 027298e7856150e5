"""Running one build: workspace, source, buildspec, environment, ``BuildRunner``, artifacts,
statuses, and the record of it all.

The workspace is ``DATA_DIR/builds/<project>/<uuid>/``: ``src`` (the checkout, removed after
the build), ``home`` (the build's ``HOME``), ``build.log`` and ``artifacts/``; the build's code
sees and owns only ``src`` and ``home`` (``_confine``), and every line of its log is masked.
The source is fetched in the DOWNLOAD_SOURCE phase (the runner's record of that phase is
stretched back to when the fetch began); a fetch that fails, a buildspec with errors (its
diagnostics are in the log) or a secret that does not exist fail the build before any command
runs. The timeout runs from the start of PROVISIONING; a stop request or the timeout interrupts
any step.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import shutil
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from gitterra import pipeline
from gitterra.cloud import tokens
from gitterra.cloud.codebuild import (
    _builds,
    _confine,
    _env,
    _secrets,
    _source,
    _statuses,
    _summary,
)

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

T = TypeVar("T")
DEFAULT_BUILDSPECS = ("buildspec.yml", "buildspec.yaml")


class Failed(Exception):
    """The build cannot go on: ``status`` in ``phase`` with a status code and message."""

    def __init__(self, status: str, phase: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.phase, self.code, self.message = status, phase, code, message


def container(message: str) -> str:
    """A log line of the service's own, in CodeBuild's form."""
    return f"[Container] {pipeline_time()} {message}"


def pipeline_time() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y/%m/%d %H:%M:%S.%f")


class BuildRun:
    """One build from PROVISIONING to COMPLETED (``execute`` runs it once)."""

    def __init__(self, svc: CodeBuild, doc: dict[str, Any], stop: asyncio.Event) -> None:
        self.svc = svc
        self.doc = doc
        self.stop = stop
        project, _, uid = doc["id"].partition(":")
        self.root = svc.cloud.data_dir / "builds" / project / uid
        self.src, self.home = self.root / "src", self.root / "home"
        self.log = svc.logs.writer(doc["id"], self.root / "build.log")
        self.deadline = 0.0
        self.masks: list[str] = []
        self.pending: asyncio.Task[None] | None = None

    def save(self) -> None:
        self.svc.cloud.store.put(_builds.KIND, self.doc["id"], self.doc)

    async def execute(self) -> None:
        try:
            status = await self._run()
        except asyncio.CancelledError:
            self._end("FAULT", "CLIENT_ERROR", "the server stopped while the build ran")
            if self.pending is not None:
                self.pending.cancel()
            self.log(container("Build FAULT: the server stopped while the build ran"))
            self.log.close()
            raise
        finally:
            await asyncio.shield(self._cleanup())
        await self._report(status)

    async def _run(self) -> str:
        doc = self.doc
        start = _builds.now()
        doc["phases"].append(_builds.phase("QUEUED", "SUCCEEDED", doc["queued_at"], start))
        doc["phases"].append(_builds.phase("PROVISIONING", None, start, None))
        doc.update(status=_builds.IN_PROGRESS, current_phase="PROVISIONING", start_time=start)
        doc["start_ms"] = int(time.time() * 1000)
        self.save()
        self.svc.cloud.event("codebuild.build", doc["id"], f"build #{doc['build_number']} started")
        loop = asyncio.get_running_loop()
        self.deadline = loop.time() + doc["build_timeout"] * self.svc.minute
        self.log(container(f"Build {doc['id']} (#{doc['build_number']}) of {doc['project_name']}"))
        try:
            await asyncio.to_thread(_confine.prepare, self.svc, self.root, self.src, self.home)
            _builds.end_open_phase(doc, "SUCCEEDED")
            fetch_started = datetime.datetime.now(datetime.UTC)
            doc["current_phase"] = "DOWNLOAD_SOURCE"
            resolved = await self._bounded(self._fetch())
            await asyncio.to_thread(_confine.hand_over, self.svc, self.src, self.home)
            doc["resolved_source_version"] = resolved
            self.save()
            self.pending = asyncio.ensure_future(
                self.svc.statuses.post(doc, "pending", "Build in progress", self._late_log)
            )
            spec = self._buildspec()
            lifetime = max(0.0, self.deadline - loop.time())
            env = _env.base(self.svc.cloud, doc, self.src, self.home, resolved, lifetime)
            try:
                extra = _env.overrides(doc, spec, self.svc.secrets)
            except _secrets.SecretMissing as exc:
                raise Failed("FAILED", "DOWNLOAD_SOURCE", "CLIENT_ERROR", str(exc)) from exc
            self.masks = _confine.masks(self.svc, extra.masks, env["GITTERRA_TOKEN"])
            self.log.mask = pipeline.Masker(self.masks)
        except Failed as exc:
            self.log(container(exc.message))
            doc["phases"].append(
                _builds.phase(exc.phase, exc.status, start, _builds.now(), exc.code, exc.message)
            )
            return self._end(exc.status, exc.code, exc.message)
        return await self._runner(spec, env, extra, fetch_started)

    async def _fetch(self) -> str:
        doc, source = self.doc, self.doc["source"]
        if source["type"] == "NO_SOURCE":
            return ""
        url = self._clone_url()
        want = _source.Wanted(url, source["git_clone_depth"], **doc["want"])
        self.log(container(f"Fetching the source from {source['location']}"))
        try:
            return await _source.fetch(want, self.src, _env.git(self.home), self.log)
        except _source.SourceError as exc:
            raise Failed("FAILED", "DOWNLOAD_SOURCE", "CLIENT_ERROR", str(exc)) from exc

    def _clone_url(self) -> str:
        try:
            return _source.fetch_url(self.svc, self.doc["source"])
        except _source.SourceError as exc:
            status = "FAULT" if self.svc.githost is None else "FAILED"
            raise Failed(status, "DOWNLOAD_SOURCE", "CLIENT_ERROR", str(exc)) from exc

    def _buildspec(self) -> pipeline.Buildspec:
        given = self.doc["source"]["buildspec"]
        if "\n" in given:
            text, name = given, "buildspec (inline)"
        else:
            names = (given,) if given else DEFAULT_BUILDSPECS
            found = next((n for n in names if (self.src / n).is_file()), None)
            if found is None or not (self.src / found).resolve().is_relative_to(self.src.resolve()):
                shown = " or ".join(names)
                raise Failed(
                    "FAILED",
                    "DOWNLOAD_SOURCE",
                    "YAML_FILE_ERROR",
                    f"{shown} not found in the source",
                )
            text, name = (self.src / found).read_text(encoding="utf-8", errors="replace"), found
        spec, diags = pipeline.load_buildspec(text, name)
        if diags:
            for line in self.svc.render(list(diags), {name: text}).rstrip("\n").split("\n"):
                self.log(line)
        if spec is None:
            raise Failed(
                "FAILED",
                "DOWNLOAD_SOURCE",
                "YAML_FILE_ERROR",
                f"{name} has errors (see the log above)",
            )
        return spec

    async def _runner(
        self,
        spec: pipeline.Buildspec,
        env: dict[str, str],
        extra: _env.Overrides,
        fetch_started: datetime.datetime,
    ) -> str:
        loop = asyncio.get_running_loop()
        timeout = max(0.0, self.deadline - loop.time())
        result = await self.svc.runner.run(
            spec,
            workdir=self.src,
            env=env,
            log=self._runner_log,
            timeout=timeout,
            stop=self.stop,
            masks=self.masks,
            overrides=extra.values,
            sandbox=_confine.sandbox(self.svc, self.src, self.home),
        )
        phases = list(result.phases)
        if phases and phases[0].name is pipeline.PhaseType.DOWNLOAD_SOURCE:
            first = phases[0]
            duration = (first.ended - fetch_started).total_seconds()
            phases[0] = dataclasses.replace(first, started=fetch_started, duration=duration)
        self.doc["phases"].extend(_builds.runner_phase(p) for p in phases)
        self.doc["exported_environment_variables"] = [
            {"name": k, "value": self.log.mask(v)} for k, v in result.exported.items()
        ]
        if result.artifacts and self.doc["artifacts_type"] != "NO_ARTIFACTS":
            await asyncio.to_thread(self._store_artifacts, result.artifacts)
        return self._end(result.status.value, "", result.reason)

    def _runner_log(self, line: str) -> None:
        if line.startswith("[Container] ") and " Entering phase " in line:
            self.doc["current_phase"] = line.rsplit(" ", 1)[-1]
        self.log(line)

    def _store_artifacts(self, files: list[pipeline.ArtifactFile]) -> None:
        target = self.root / "artifacts"
        target.mkdir(mode=0o700, exist_ok=True)
        stored = []
        for item in files:
            dest = target / item.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            _confine.copy_artifact(item.path.resolve(), dest)
            stored.append({"name": item.name, "size": dest.stat().st_size})
        self.doc["artifacts"] = stored

    async def _bounded(self, work: Awaitable[T]) -> T:
        """``work`` unless the build is stopped or times out first."""
        task = asyncio.ensure_future(work)
        stopper = asyncio.ensure_future(self.stop.wait())
        remaining = max(0.0, self.deadline - asyncio.get_running_loop().time())
        try:
            done, _ = await asyncio.wait(
                {task, stopper}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for pending in (task, stopper):
                if not pending.done():
                    pending.cancel()
            await asyncio.gather(task, stopper, return_exceptions=True)
        if task in done and not task.cancelled():
            return task.result()
        if stopper in done:
            raise Failed("STOPPED", "DOWNLOAD_SOURCE", "BUILD_STOPPED", "Build was stopped")
        raise Failed(
            "TIMED_OUT",
            "DOWNLOAD_SOURCE",
            "BUILD_TIMED_OUT",
            f"Build has timed out after {self.doc['build_timeout']} minutes",
        )

    def _end(self, status: str, code: str, message: str) -> str:
        _builds.end_open_phase(self.doc, status, code, message)
        _builds.finish(self.doc, status, message if status != "SUCCEEDED" else "")
        self.save()
        self.svc.cloud.event(
            "codebuild.build", self.doc["id"], f"build #{self.doc['build_number']} {status}"
        )
        return status

    def _late_log(self, message: str) -> None:
        self.log(container(message))

    async def _report(self, status: str) -> None:
        if self.pending is not None:
            await self.pending
            state = _builds_state(status)
            seconds = _elapsed(self.doc)
            words = {
                "success": "succeeded",
                "failure": "failed",
                "error": status.lower().replace("_", " "),
            }
            text = f"Build #{self.doc['build_number']} {words[state]} in {seconds}s"
            said = _summary.summary(self.root / "build.log")
            await self.svc.statuses.post(
                self.doc, state, f"{text}: {said}" if said else text, self._late_log
            )
        self.log(container(f"Build {status}"))
        self.log.close()

    async def _cleanup(self) -> None:
        tokens.of(self.svc.cloud).revoke_build(self.doc["id"])  # the build's token ends with it
        await asyncio.to_thread(shutil.rmtree, self.src, True)


def _builds_state(status: str) -> str:
    return _statuses.STATES.get(status, "error")


def _elapsed(doc: dict[str, Any]) -> int:
    if not doc.get("start_time") or not doc.get("end_time"):
        return 0
    delta = _builds.parse_time(doc["end_time"]) - _builds.parse_time(doc["start_time"])
    return max(0, round(delta.total_seconds()))

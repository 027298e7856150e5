"""Build documents: how a build is created (a copy of its project, what to build, why) and how
its phases and outcome are recorded, in CodeBuild's vocabulary.

``status`` is QUEUED while a build waits (CodeBuild says IN_PROGRESS with ``current_phase``
QUEUED; gitterra keeps the two apart so a restart knows which builds never started), then
IN_PROGRESS, then one of SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED. ``phases`` lists
CodeBuild's phase records: SUBMITTED, QUEUED and PROVISIONING written here, the rest by
``pipeline.BuildRunner``, and COMPLETED.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from gitterra import pipeline, triggers
from gitterra.cloud import ids

KIND = "codebuild_build"
COUNTER = "codebuild_counter"

QUEUED = "QUEUED"
IN_PROGRESS = "IN_PROGRESS"
DONE = frozenset(s.value for s in pipeline.Status)
ACTIVE = frozenset({QUEUED, IN_PROGRESS})


def now() -> str:
    return rfc3339(datetime.datetime.now(datetime.UTC))


def rfc3339(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def new(
    project: Mapping[str, Any],
    number: int,
    *,
    initiator: str,
    want: Mapping[str, str],
    event: triggers.Event | None = None,
    overrides: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """A QUEUED build of ``project`` (copied), numbered ``number``."""
    name = project["name"]
    build_id = f"{name}:{uuid.uuid4()}"
    queued = now()
    doc: dict[str, Any] = {
        "id": build_id,
        "arn": ids.arn("codebuild", f"build/{build_id}"),
        "build_number": number,
        "project_name": name,
        "status": QUEUED,
        "current_phase": "QUEUED",
        "build_complete": False,
        "source": dict(project["source"]),
        "source_version": want.get("source_version", ""),
        "want": {k: want.get(k, "") for k in ("sha", "ref", "version")},
        "environment": project["environment"],
        "environment_variables_override": overrides or [],
        "build_timeout": project["build_timeout"],
        "queued_timeout": project["queued_timeout"],
        "artifacts_type": project["artifacts"]["type"],
        "initiator": initiator,
        "trigger": None,
        "webhook_variables": {},
        "supersede_key": "",
        "resolved_source_version": "",
        "queued_at": queued,
        "start_time": None,
        "end_time": None,
        "start_ms": 0,
        "reason": "",
        "phases": [_phase("SUBMITTED", "SUCCEEDED", queued, queued)],
        "artifacts": [],
        "exported_environment_variables": [],
        "logs": {"path": f"/api/v1/codebuild/builds/{build_id}/logs"},
    }
    if event is not None:
        doc["trigger"] = {
            "source": event.source,
            "event": event.kind,
            "head_ref": event.head_ref,
            "base_ref": event.base_ref,
            "commit": event.after,
            "pull_request": event.pull_request,
            "actor": event.actor,
            "delivery_id": event.delivery_id,
        }
        doc["webhook_variables"] = event.codebuild_variables()
        if event.before and event.before != triggers.ZERO_SHA:
            doc["webhook_variables"]["CODEBUILD_WEBHOOK_PREV_COMMIT"] = event.before
        doc["supersede_key"] = event.trigger
    return doc


def _phase(
    kind: str, status: str | None, start: str, end: str | None, code: str = "", message: str = ""
) -> dict[str, Any]:
    duration = None
    if end is not None:
        duration = max(0, round((parse_time(end) - parse_time(start)).total_seconds()))
    return {
        "phase_type": kind,
        "phase_status": status,
        "start_time": start,
        "end_time": end,
        "duration_in_seconds": duration,
        "contexts": [{"status_code": code, "message": message}] if code or message else [],
    }


def phase(
    kind: str, status: str | None, start: str, end: str | None, code: str = "", message: str = ""
) -> dict[str, Any]:
    """A phase record as the API shows it."""
    return _phase(kind, status, start, end, code, message)


def runner_phase(record: pipeline.PhaseRecord) -> dict[str, Any]:
    out = _phase(
        record.name.value,
        record.status.value,
        rfc3339(record.started),
        rfc3339(record.ended),
        record.status_code,
        record.message,
    )
    out["duration_in_seconds"] = round(record.duration)
    return out


def finish(doc: dict[str, Any], status: str, reason: str = "") -> None:
    """Mark ``doc`` complete with ``status`` (phases already recorded), adding COMPLETED."""
    end = now()
    doc["status"] = status
    doc["current_phase"] = "COMPLETED"
    doc["build_complete"] = True
    doc["end_time"] = end
    if reason and not doc.get("reason"):
        doc["reason"] = reason
    doc["phases"].append(_phase("COMPLETED", None, end, None))


def end_open_phase(doc: dict[str, Any], status: str, code: str = "", message: str = "") -> None:
    """Close the last phase if it is still open (a build interrupted mid-phase)."""
    phases = doc["phases"]
    if phases and phases[-1]["end_time"] is None and phases[-1]["phase_type"] != "COMPLETED":
        last = phases[-1]
        phases[-1] = _phase(last["phase_type"], status, last["start_time"], now(), code, message)


def public(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The build as the API shows it (internal bookkeeping left out)."""
    return {k: v for k, v in doc.items() if k not in ("want", "supersede_key", "start_ms")}

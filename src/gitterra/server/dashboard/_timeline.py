"""The timeline: for each project, each commit's way to production.

One row per commit (the newest :data:`COMMITS`), made of steps::

    commit (sha, message) → build → plan summary → apply result → rollout → healthy

- the build: the newest build of that commit (others are counted);
- plan and apply: the lines the build's log printed (:mod:`._summary`); a pull request's
  build is plan-only;
- rollout: the instance refreshes of the project's groups (from its states) that started
  while the build ran (or within :data:`SLACK` after it ended, when no other build ran then),
  with their status and percentage;
- healthy: for the newest commit whose apply completed, the project's groups now (instances
  in service and healthy in every target group, against the desired capacity).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from gitterra.cloud import CloudError, Doc
from gitterra.server.dashboard import _infra
from gitterra.server.dashboard._context import Context

COMMITS = 10
#: A refresh that starts this long after its build ended still belongs to it (clock slack).
SLACK = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    tone: str  # ok, bad, run, idle


@dataclass(frozen=True, slots=True)
class Row:
    sha: str
    message: str
    ref: str
    build: Doc
    others: int
    plan: Step
    apply: Step
    rollout: Step
    healthy: Step


NONE = Step("—", "idle")


def commit_of(build: Doc) -> str:
    """The commit a build built (or will build)."""
    trigger = build.get("trigger") or {}
    want = build.get("want") or {}
    return str(
        build.get("resolved_source_version") or trigger.get("commit") or want.get("sha") or ""
    )


def project_rows(ctx: Context, project: str, limit: int = COMMITS) -> list[Row]:
    """The newest ``limit`` commits of ``project`` with their steps."""
    by_commit: dict[str, list[Doc]] = {}
    for build in ctx.builds.find(project=project):
        key = commit_of(build) or f"({build.get('source_version') or 'default branch'})"
        by_commit.setdefault(key, []).append(build)
        if len(by_commit) > limit:
            del by_commit[key]
            break
    groups = _infra.group_names(ctx.states.of_project(project))
    rollouts = assign([b[0] for b in by_commit.values()], _refreshes(ctx, groups))
    rows: list[Row] = []
    healthy_shown = False
    for sha, builds in by_commit.items():
        build = builds[0]
        row = _row(ctx, sha, build, len(builds) - 1, rollouts.get(build["id"], []))
        if not healthy_shown and row.apply.tone == "ok":
            healthy_shown = True
            row = _with_health(ctx, row, groups)
        rows.append(row)
    return rows


def _row(ctx: Context, sha: str, build: Doc, others: int, refreshes: list[Doc]) -> Row:
    summary = ctx.summary(build)
    trigger = build.get("trigger") or {}
    status = build["status"]
    plan = Step(summary.plan, "ok") if summary.plan else _missing(status)
    if summary.apply:
        apply = Step(summary.apply, "ok")
    elif trigger.get("pull_request") is not None:
        apply = Step("plan only (pull request)", "idle")
    elif summary.error and status not in ("QUEUED", "IN_PROGRESS"):
        apply = Step(summary.error, "bad")
    else:
        apply = _missing(status)
    return Row(
        sha=sha,
        message=_subject(ctx.messages.get(sha)),
        ref=str(trigger.get("head_ref") or build.get("source_version") or ""),
        build=build,
        others=others,
        plan=plan,
        apply=apply,
        rollout=rollout(refreshes),
        healthy=NONE,
    )


def _subject(message: str) -> str:
    lines = message.strip().splitlines()
    return lines[0] if lines else ""


def _missing(status: str) -> Step:
    if status in ("QUEUED", "IN_PROGRESS"):
        return Step("…", "run")
    return NONE


def _refreshes(ctx: Context, groups: list[str]) -> list[Doc]:
    svc = ctx.autoscaling
    out: list[Doc] = []
    if svc is None:
        return out
    for name in groups:
        try:
            out += svc.refreshes.find(name)
        except CloudError:  # a group deleted meanwhile has no refreshes to show
            continue
    return out


def assign(builds: list[Doc], refreshes: list[Doc]) -> dict[str, list[Doc]]:
    """Each refresh to the build that was running when it started (a few seconds after a
    build's end still count, unless another build was running then): by build id."""
    spans = []
    for build in builds:
        start = _time(build.get("start_time"))
        if start is not None:
            spans.append((start, _time(build.get("end_time")) or datetime.now(UTC), build["id"]))
    out: dict[str, list[Doc]] = {}
    for refresh in refreshes:
        at = _time(refresh.get("started_at"))
        if at is None:
            continue
        exact = [s for s in spans if s[0] <= at <= s[1]]
        near = exact or [s for s in spans if s[0] <= at <= s[1] + SLACK]
        if near:
            out.setdefault(max(near)[2], []).append(refresh)
    return out


def rollout(during: list[Doc]) -> Step:
    """The refreshes a build started, as one step."""
    if not during:
        return NONE
    texts = [
        f"{r['auto_scaling_group_name']}: {r['status']} {r['percentage_complete']}%"
        + (f" ({r['status_reason']})" if r["status"] in ("Failed", "Cancelled") else "")
        for r in during
    ]
    statuses = {r["status"] for r in during}
    tone = (
        "bad"
        if statuses & {"Failed", "Cancelled"}
        else "run"
        if statuses & {"Pending", "InProgress"}
        else "ok"
    )
    return Step("; ".join(texts), tone)


def _with_health(ctx: Context, row: Row, groups: list[str]) -> Row:
    views = [g for g in (_infra.group(ctx, n) for n in groups) if g is not None]
    if not views:
        return row
    text = ", ".join(f"{g.name} {g.healthy}/{g.desired} healthy" for g in views)
    tone = "ok" if all(g.healthy >= g.desired for g in views) else "bad"
    return replace(row, healthy=Step(text, tone))


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None

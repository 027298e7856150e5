"""What each page shows: its template's context, made from a :class:`Context`.

Pure of HTTP: a page function takes the context and its checked parameters and returns a
dict for its template, or raises :class:`PageError` (an unknown object: 404). Parameters are
checked in :mod:`._routes`.
"""

from __future__ import annotations

from typing import Any

from gitterra.cloud import CloudError, Doc
from gitterra.server.dashboard import _ansi, _fmt, _index, _infra, _timeline
from gitterra.server.dashboard._context import Context
from gitterra.server.dashboard._errors import PageError

#: How much of a build's log its page shows before following it live (the rest: log.txt).
LOG_TAIL = 256 * 1024
RECENT = 10


def project_names(ctx: Context) -> list[str]:
    """Build projects, and projects that only have states."""
    names = {p["name"] for p in ctx.codebuild.projects.find()} if ctx.codebuild else set()
    names |= {s.project for s in ctx.states.all()}
    return sorted(names)


def overview(ctx: Context) -> dict[str, Any]:
    latest = ctx.builds.latest_by_project()
    active = [b for b in ctx.builds.find() if b["status"] in ("QUEUED", "IN_PROGRESS")]
    return {
        "projects": [(name, latest.get(name)) for name in project_names(ctx)],
        "balancers": _infra.balancers(ctx),
        "groups": _infra.groups(ctx),
        "recent": ctx.builds.find(limit=RECENT),
        "active": len(active),
    }


def project(ctx: Context, name: str) -> dict[str, Any]:
    doc, hook = None, None
    if ctx.codebuild is not None:
        try:
            doc = ctx.codebuild.projects.get(name)
        except CloudError:
            doc = None
        if doc is not None:
            try:
                found = ctx.codebuild.webhooks.get(name)
            except CloudError:
                found = None
            if found is not None:  # never the secret
                hook = {k: found.get(k) for k in ("id", "payload_url", "filter_group")}
    states = ctx.states.of_project(name)
    if doc is None and not states:
        raise PageError(404, f"there is no project named {name!r}")
    return {
        "name": name,
        "project": doc,
        "webhook": hook,
        "builds": ctx.builds.find(project=name, limit=20),
        "rows": _timeline.project_rows(ctx, name),
        "infra": _infra.from_states(ctx, states),
        "deliveries": [d for d in ctx.deliveries.all() if d["project_name"] == name][:RECENT],
    }


def builds(ctx: Context, project: str | None, status: str | None, limit: int) -> dict[str, Any]:
    return {
        "builds": ctx.builds.find(project, status, limit),
        "project": project or "",
        "status": status or "",
        "limit": limit,
        "projects": project_names(ctx),
    }


def build(ctx: Context, build_id: str) -> dict[str, Any]:
    doc = find_build(ctx, build_id)
    ended = ctx.log_ended(doc)
    lines, start, end = log_tail(ctx, doc, ended)
    return {
        "build": doc,
        "phases": phase_bars(doc),
        "seconds": _fmt.build_seconds(doc),
        "summary": ctx.summary(doc),
        "commit": _timeline.commit_of(doc),
        "message": ctx.messages.get(_timeline.commit_of(doc)),
        "lines": lines,
        "skipped": start,
        "offset": end,
        "live": not ended,
    }


def find_build(ctx: Context, build_id: str) -> Doc:
    found = ctx.cloud.store.get(_index.BUILD, build_id) if ctx.codebuild else None
    if found is None:
        raise PageError(404, f"there is no build {build_id!r}")
    return found


def phase_bars(doc: Doc) -> list[dict[str, Any]]:
    """Each phase with its precise length (an open phase: until now) for the phase bar."""
    out = []
    for phase in doc["phases"]:
        if phase["phase_type"] == "COMPLETED":
            continue
        seconds = _fmt.seconds_between(phase["start_time"], phase["end_time"])
        running = phase["end_time"] is None
        if running:
            seconds = _fmt.build_seconds({"start_time": phase["start_time"], "end_time": None})
        status = phase["phase_status"] or ("IN_PROGRESS" if running else "")
        messages = [c["message"] for c in phase.get("contexts") or [] if c.get("message")]
        out.append(
            {
                "type": phase["phase_type"],
                "status": status,
                "seconds": seconds or 0.0,
                "weight": max(seconds or 0.0, 0.25),
                "message": "; ".join(messages),
            }
        )
    return out


def log_tail(ctx: Context, doc: Doc, ended: bool) -> tuple[list[list[_ansi.Segment]], int, int]:
    """The last :data:`LOG_TAIL` bytes of whole lines: (lines, where they start, where the
    live stream goes on)."""
    path = ctx.log_path(doc)
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            start = max(0, size - LOG_TAIL)
            fh.seek(start)
            data = fh.read(size - start)
    except FileNotFoundError:
        return [], 0, 0
    if start:
        cut = data.find(b"\n") + 1
        data, start = data[cut:], start + cut
    end = len(data) if ended else data.rfind(b"\n") + 1
    text = data[:end].decode("utf-8", errors="replace")
    return [_ansi.segments(line) for line in text.splitlines()], start, start + end


def timeline(ctx: Context) -> dict[str, Any]:
    return {"projects": [(name, _timeline.project_rows(ctx, name)) for name in project_names(ctx)]}


def infrastructure(ctx: Context) -> dict[str, Any]:
    states = ctx.states.all()
    managed = _infra.from_states(ctx, states)
    in_states = set(_infra.group_names(states))
    lb_arns = {
        str(r.attributes.get("arn") or r.attributes.get("id"))
        for s in states
        for r in s.of_type("aws_lb", "aws_alb")
    }
    return {
        "managed": managed,
        "groups": [g for g in _infra.groups(ctx) if g.name not in in_states],
        "balancers": [b for b in _infra.balancers(ctx) if b.arn not in lb_arns],
    }


def deliveries(ctx: Context, project: str | None, limit: int) -> dict[str, Any]:
    found = [d for d in ctx.deliveries.all() if project is None or d["project_name"] == project]
    return {"deliveries": found[:limit], "project": project or "", "limit": limit}


def pulls(ctx: Context) -> dict[str, Any]:
    host = ctx.githost
    repos: list[tuple[str, list[Doc]]] = []
    if host is not None:
        for repo in host.repositories():
            found = host.pull_requests(repo["name"])
            found.sort(key=lambda p: (p["state"] != "open", -int(p["number"])))
            repos.append((repo["name"], found))
    return {"repositories": repos}

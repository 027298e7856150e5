"""The live build log: server-sent events that follow a build's log like ``tail -f``.

The stream starts at a byte offset (where the page's rendered log ended, or the
``Last-Event-ID`` a reconnecting browser sends) and reads the build service's log with its own
reader (``CodeBuild.logs``: pages end on character boundaries, waiters wake on every line).
Events::

    event: lines   id: <offset after them>
                   data: {"next": offset, "lines": [[[cls, text], ...], ...]}
    event: status  data: {"status": "IN_PROGRESS", "phase": "BUILD", "tone": "run"}
    event: end     data: {"status": "SUCCEEDED", "tone": "ok"}

Lines are ANSI-coloured segments (:mod:`._ansi`), which the page puts in ``textContent``: log
text never becomes HTML. A comment is sent every :data:`HEARTBEAT` seconds so proxies keep the
stream open; after ``end`` the stream closes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from gitterra.cloud import Doc
from gitterra.cloud.codebuild import CodeBuild
from gitterra.server.dashboard import _ansi, _fmt, _index
from gitterra.server.dashboard._context import Context

HEARTBEAT = 15.0
#: Lines per ``lines`` event at most (a fast build's backlog goes in several).
BATCH = 500


def event(name: str, data: dict[str, Any], ident: int | None = None) -> str:
    head = f"event: {name}\n" + (f"id: {ident}\n" if ident is not None else "")
    return head + f"data: {json.dumps(data, separators=(',', ':'))}\n\n"


async def follow(ctx: Context, svc: CodeBuild, build: Doc, offset: int) -> AsyncIterator[str]:
    """The events of ``build``'s log from ``offset`` until the build has ended."""
    build_id = build["id"]
    path = ctx.log_path(build)
    pending = ""
    shown: tuple[str, str] | None = None

    def current() -> Doc:
        return ctx.cloud.store.get(_index.BUILD, build_id) or build

    while True:
        doc = current()
        ended = ctx.log_ended(doc)
        text, offset = svc.logs.read(path, offset)
        pending += text
        *lines, pending = pending.split("\n")
        if ended and not text and pending:
            lines, pending = [*lines, pending], ""
        at = offset - len(pending.encode())
        for i in range(0, len(lines), BATCH):
            chunk = lines[i : i + BATCH]
            last = at if i + BATCH >= len(lines) else None
            data = {"next": last, "lines": [_ansi.segments(line) for line in chunk]}
            yield event("lines", data, last)
        state = (doc["status"], doc.get("current_phase") or "")
        if state != shown:
            shown = state
            yield event(
                "status", {"status": state[0], "phase": state[1], "tone": _fmt.tone(state[0])}
            )
        if ended and not text:
            yield event("end", {"status": doc["status"], "tone": _fmt.tone(doc["status"])})
            return
        if not text:
            await svc.logs.wait(build_id, path, offset, HEARTBEAT, lambda: ctx.log_ended(current()))
            if path.exists() and path.stat().st_size <= offset and not ctx.log_ended(current()):
                yield ": keep-alive\n\n"

"""The audit page: the audit log newest first, filtered by actor, project and outcome.

Who sees it: the audit API's rule is "the admin token only", and a dashboard session is only
ever opened with the admin token (:mod:`._session`), so every session may see this page and
nobody without one sees anything of it (the login redirect, as on every page).

Paging is by sequence number, never by offset: ``before=<seq>`` shows the ``limit`` records
just older, ``after=<seq>`` those just newer. Each page is one query on the log's primary key
(or its actor or project index) reading at most ``limit + 1`` rows, plus one row to learn
whether the other direction goes on, so the hundredth page of a long log is as fast as the
first.

What a record shows is what the log holds (docs/cloud-api.md "Audit"): paths, ids, addresses
and reasons, never a token's text; the tokens its actors name are shown by their description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from gitterra.cloud import CloudError, tokens
from gitterra.server.dashboard import _pages
from gitterra.server.dashboard._context import Context

#: The colour of each outcome (the templates' tones).
TONES = {"allowed": "ok", "refused": "bad", "failed": "run"}


@dataclass(frozen=True, slots=True)
class Filters:
    actor: str | None = None
    project: str | None = None
    outcome: str | None = None

    def link(self, **cursor: int) -> str:
        """This page's address with these filters and ``cursor`` (``before``/``after``)."""
        params = {k: v for k, v in self.params().items() if v}
        return "/audit" + ("?" + urlencode({**params, **cursor}) if params or cursor else "")

    def params(self) -> dict[str, str]:
        return {
            "actor": self.actor or "",
            "project": self.project or "",
            "outcome": self.outcome or "",
        }


def page(
    ctx: Context, filters: Filters, before: int | None, after: int | None, limit: int
) -> dict[str, Any]:
    svc = ctx.tokens
    records: list[dict[str, Any]] = []
    newer = older = False
    if svc is not None:
        records, newer, older = _window(svc.audit, filters, before, after, limit)
    names = _Names(ctx, svc)
    rows = [_row(r, names) for r in reversed(records)]
    return {
        "rows": rows,
        "filters": filters.params(),
        "limit": limit,
        "projects": _pages.project_names(ctx),
        "actors": ["admin", "build:", "token:", "anonymous", "dashboard", "server"],
        "verdicts": tokens.VERDICTS,
        "newest": filters.link() if before is not None or after is not None else "",
        "newer": filters.link(after=rows[0]["seq"]) if newer and rows else "",
        "older": filters.link(before=rows[-1]["seq"]) if older and rows else "",
        "live": before is None and after is None,
    }


def _window(
    log: tokens.AuditLog, filters: Filters, before: int | None, after: int | None, limit: int
) -> tuple[list[dict[str, Any]], bool, bool]:
    """The page's records oldest first, and whether there are newer and older ones."""

    def find(
        since: int | None = None, before: int | None = None, limit: int = 1
    ) -> list[dict[str, Any]]:
        return log.find(
            since=since,
            before=before,
            limit=limit,
            actor=filters.actor,
            project=filters.project,
            verdict=filters.outcome,
        )

    if after is not None:
        found = find(since=after, limit=limit + 1)
        records = found[:limit]
        older = bool(records) and bool(find(before=records[0]["seq"]))
        return records, len(found) > limit, older
    found = find(before=before, limit=limit + 1)
    older = len(found) > limit
    records = found[1:] if older else found
    newer = before is not None and bool(records) and bool(find(since=records[-1]["seq"]))
    return records, newer, older


class _Names:
    """What an actor is called on the page: a build's project and number, a token's
    description (looked up once per page)."""

    def __init__(self, ctx: Context, svc: tokens.Tokens | None) -> None:
        self.ctx = ctx
        self.svc = svc
        self._tokens: dict[str, str] = {}

    def actor(self, actor: str) -> dict[str, str]:
        kind, _, ident = actor.partition(":")
        if kind == "build" and ident:
            doc = self.ctx.builds.get(ident)
            label = f"{doc['project_name']} #{doc['build_number']}" if doc else ident
            return {"kind": "build", "label": label, "href": f"/builds/{ident}", "note": ""}
        if kind == "token" and ident:
            return {"kind": "token", "label": actor, "href": "", "note": self._token(ident)}
        return {"kind": actor, "label": actor, "href": "", "note": ""}

    def _token(self, token_id: str) -> str:
        if token_id not in self._tokens:
            try:
                doc = self.svc.get(token_id) if self.svc is not None else None
            except CloudError:  # dropped since (ended build tokens go after a day)
                doc = None
            self._tokens[token_id] = str(doc.get("description") or "") if doc else ""
        return self._tokens[token_id]


def _row(record: dict[str, Any], names: _Names) -> dict[str, Any]:
    verdict = tokens.verdict_of(int(record["outcome"]))
    return {
        **record,
        "who": names.actor(str(record["actor"])),
        "verdict": verdict,
        "tone": TONES[verdict],
    }

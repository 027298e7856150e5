"""The audit log's route (docs/cloud-api.md, "Audit"): ``GET /api/v1/audit``, admin only.

Without ``since``: the newest ``limit`` records, oldest first. With ``since``: the records after
that sequence number, oldest first (``next`` is the one to ask with next time), which is how
``gitterra audit -f`` and the dashboard follow the log.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import Depends, FastAPI, Query

from gitterra.cloud import tokens

_TAGS: list[str | Enum] = ["audit"]


def install(app: FastAPI, service: tokens.Tokens, admin_only: Any) -> None:
    @app.get("/api/v1/audit", dependencies=[Depends(admin_only)], tags=_TAGS)
    async def list_audit(
        since: int | None = Query(None, ge=0, description="Records after this seq"),
        limit: int = Query(100, ge=1, le=1000),
        actor: str | None = Query(
            None, max_length=200, description="admin, token:ID, build:ID, or a prefix: build:"
        ),
        project: str | None = Query(None, max_length=255),
        outcome: str | None = Query(
            None,
            pattern=f"^({'|'.join(tokens.VERDICTS)})$",
            description="allowed (1xx-3xx), refused (401, 403, 413, 429) or failed (the rest)",
        ),
    ) -> dict[str, Any]:
        items = service.audit.find(
            since=since, limit=limit, actor=actor, project=project, verdict=outcome
        )
        last = items[-1]["seq"] if items else (since or 0)
        return {"items": items, "next": last}

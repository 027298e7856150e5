"""Token routes (docs/cloud-api.md, "Tokens"): ``/api/v1/tokens``, for the admin token only.

``POST`` makes a scoped token and answers its text once (``token``); ``GET`` lists records
(never texts or hashes); ``DELETE /api/v1/tokens/<id>`` revokes one (the record stays).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import Body, Depends, FastAPI, Query, Request

from gitterra.cloud import ValidationError, tokens
from gitterra.server import _auth

_TAGS: list[str | Enum] = ["tokens"]
_STATES = ("active", "expired", "revoked")


def install(app: FastAPI, service: tokens.Tokens, admin_only: Any) -> None:
    base = "/api/v1/tokens"

    @app.post(base, status_code=201, tags=_TAGS)
    async def create_token(
        request: Request,
        body: dict[str, Any] = Body(...),  # noqa: B008 - FastAPI's parameter idiom
        principal: tokens.Principal = Depends(admin_only),  # noqa: B008 - FastAPI's idiom
    ) -> dict[str, Any]:
        """A scoped token: ``project`` (none: no project's resources), ``read_only``,
        ``expires_in`` (``24h``, ``7d``, ``never``; default 30d), ``description``. The answer's
        ``token`` is the only time its text is shown."""
        doc, text = service.create(body, created_by=principal.actor)
        _auth.name_action(request.scope, "token.create", doc["id"], doc["project"])
        return {**doc, "token": text}

    @app.get(base, dependencies=[Depends(admin_only)], tags=_TAGS)
    async def list_tokens(
        state: str | None = Query(None, description="active, expired or revoked"),
    ) -> dict[str, Any]:
        if state is not None and state not in _STATES:
            raise ValidationError(f"state must be one of {', '.join(_STATES)}", "state")
        items = service.find()
        return {"items": [t for t in items if state is None or t["state"] == state]}

    @app.get(base + "/{token_id}", dependencies=[Depends(admin_only)], tags=_TAGS)
    async def get_token(token_id: str) -> dict[str, Any]:
        return service.get(token_id)

    @app.delete(base + "/{token_id}", dependencies=[Depends(admin_only)], tags=_TAGS)
    async def revoke_token(token_id: str, request: Request) -> dict[str, Any]:
        """Revoke a token at once (its record stays, marked revoked)."""
        doc = service.revoke(token_id)
        _auth.name_action(request.scope, "token.revoke", token_id, doc["project"])
        return doc

"""The log groups' routes (docs/cloud-api.md, "Logs"). Names may contain ``/``: in paths they
are URL-encoded (``/api/v1/log-groups/%2Faws%2Fcodebuild%2Fsite``) or written as they are."""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import Depends, FastAPI, Response
from pydantic import BaseModel, ConfigDict

from gitterra.cloud import Cloud
from gitterra.cloud.logs import LogGroups

_NO_CONTENT = 204


class LogGroupIn(BaseModel):
    """A log group (``retention_in_days``: a CloudWatch period, 0 or absent: never expire)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    retention_in_days: int | None = None
    tags: dict[str, str] | None = None


class LogGroupPatch(BaseModel):
    """The fields PATCH may change (others are refused, naming the field)."""

    model_config = ConfigDict(extra="allow")
    retention_in_days: int | None = None
    tags: dict[str, str] | None = None


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    """Register the log group service and add its routes."""
    groups = cloud.register(LogGroups(cloud))
    auth = [Depends(authorized)]
    base = "/api/v1/log-groups"
    tags: list[str | Enum] = ["logs"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_log_group(body: LogGroupIn) -> dict[str, Any]:
        return groups.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_log_groups(name_prefix: str | None = None) -> dict[str, Any]:
        return {"items": groups.find(name_prefix)}

    @app.get(base + "/{name:path}", dependencies=auth, tags=tags)
    async def get_log_group(name: str) -> dict[str, Any]:
        return groups.get(name)

    @app.patch(base + "/{name:path}", dependencies=auth, tags=tags)
    async def update_log_group(name: str, body: LogGroupPatch) -> dict[str, Any]:
        return groups.update(name, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{name:path}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_log_group(name: str) -> Response:
        groups.delete(name)
        return Response(status_code=_NO_CONTENT)

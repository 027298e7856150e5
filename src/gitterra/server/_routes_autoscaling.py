"""EC2 Auto Scaling's routes: launch configurations, groups, capacity, instance refreshes
(docs/cloud-api.md, "Auto Scaling").

Groups and launch configurations are addressed by name. ``DELETE`` of a group with
``force_delete=true`` returns once its instances are drained and terminated. The request
models document the bodies in /openapi.json and check their JSON types; the service checks
the rest and names the field at fault.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import Depends, FastAPI, Response
from pydantic import BaseModel, ConfigDict, Field

from gitterra.cloud import Cloud
from gitterra.cloud.autoscaling import AutoScaling

_NO_CONTENT = 204


class LaunchConfigurationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    image_id: str
    instance_type: str
    user_data: str | None = Field(default=None, description="Base64, at most 16 KiB decoded.")
    security_group_ids: list[str] | None = None
    key_name: str | None = None


class LaunchTemplateRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = None
    name: str | None = None
    version: str | int | None = Field(
        default=None, description='A version number, "$Latest" or "$Default" (the default).'
    )


class GroupPatch(BaseModel):
    """The fields PATCH may change (all but the name)."""

    model_config = ConfigDict(extra="allow")
    min_size: int | None = None
    max_size: int | None = None
    desired_capacity: int | None = Field(default=None, description="Default: min_size.")
    launch_template: LaunchTemplateRef | None = None
    launch_configuration: str | None = None
    target_group_arns: list[str] | None = None
    vpc_zone_identifier: list[str] | None = None
    health_check_type: str | None = Field(default=None, description='"EC2" (default) or "ELB".')
    health_check_grace_period: int | None = Field(default=None, description="Default 300.")
    default_instance_warmup: int | None = None
    termination_policies: list[str] | None = None
    tags: dict[str, str] | None = None


class GroupIn(GroupPatch):
    model_config = ConfigDict(extra="forbid")
    name: str


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_healthy_percentage: int | None = Field(default=None, description="0-100, default 90.")
    max_healthy_percentage: int | None = Field(default=None, description="100-200, default 100.")
    instance_warmup: int | None = Field(
        default=None, description="Default: the group's default_instance_warmup, else its grace."
    )
    skip_matching: bool | None = None


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    strategy: str | None = Field(default=None, description='Only "Rolling".')
    preferences: PreferencesIn | None = None


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    """Register the auto scaling service and add its routes."""
    svc = cloud.register(AutoScaling(cloud))
    auth = [Depends(authorized)]
    _launch_configurations(app, svc, auth)
    _groups(app, svc, auth)
    _refreshes(app, svc, auth)


def _launch_configurations(app: FastAPI, svc: AutoScaling, auth: list[Any]) -> None:
    base = "/api/v1/launch-configurations"
    tags: list[str | Enum] = ["autoscaling"]
    lcs = svc.launch_configurations

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_launch_configuration(body: LaunchConfigurationIn) -> dict[str, Any]:
        return lcs.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_launch_configurations() -> dict[str, Any]:
        return {"items": lcs.find()}

    @app.get(base + "/{name}", dependencies=auth, tags=tags)
    async def get_launch_configuration(name: str) -> dict[str, Any]:
        return lcs.get(name)

    @app.delete(base + "/{name}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_launch_configuration(name: str) -> Response:
        lcs.delete(name)
        return Response(status_code=_NO_CONTENT)


def _groups(app: FastAPI, svc: AutoScaling, auth: list[Any]) -> None:
    base = "/api/v1/autoscaling-groups"
    tags: list[str | Enum] = ["autoscaling"]
    groups = svc.groups

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_autoscaling_group(body: GroupIn) -> dict[str, Any]:
        return groups.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_autoscaling_groups() -> dict[str, Any]:
        return {"items": groups.find()}

    @app.get(base + "/{name}", dependencies=auth, tags=tags)
    async def get_autoscaling_group(name: str) -> dict[str, Any]:
        return groups.get(name)

    @app.get(base + "/{name}/capacity", dependencies=auth, tags=tags)
    async def get_autoscaling_group_capacity(name: str) -> dict[str, Any]:
        return groups.capacity(name)

    @app.patch(base + "/{name}", dependencies=auth, tags=tags)
    async def update_autoscaling_group(name: str, body: GroupPatch) -> dict[str, Any]:
        return groups.update(name, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{name}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_autoscaling_group(name: str, force_delete: bool = False) -> Response:
        await groups.delete(name, force_delete)
        return Response(status_code=_NO_CONTENT)


def _refreshes(app: FastAPI, svc: AutoScaling, auth: list[Any]) -> None:
    base = "/api/v1/autoscaling-groups/{name}/instance-refreshes"
    tags: list[str | Enum] = ["autoscaling"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def start_instance_refresh(name: str, body: RefreshIn) -> dict[str, Any]:
        return svc.refreshes.start(name, body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_instance_refreshes(name: str) -> dict[str, Any]:
        return {"items": svc.refreshes.find(name)}

    @app.delete(base + "/current", dependencies=auth, tags=tags)
    async def cancel_instance_refresh(name: str) -> dict[str, Any]:
        return svc.refreshes.cancel(name)

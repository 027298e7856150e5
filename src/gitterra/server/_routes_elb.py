"""Elastic Load Balancing's routes: load balancers, listeners, target groups and their targets
(docs/cloud-api.md, "Elastic Load Balancing").

ARNs contain ``/`` and ``:``; clients URL-encode them in paths and the routes take the rest of
the path as the ARN, so the more specific target routes are declared before the plain ones.
The request models document the bodies in /openapi.json and check their JSON types; the
service checks the rest and names the field at fault.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from fastapi import Depends, FastAPI, Response
from pydantic import BaseModel, ConfigDict, Field

from gitterra.cloud import Cloud
from gitterra.cloud.elb import Elb

_NO_CONTENT = 204


class LoadBalancerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    internal: bool | None = None
    load_balancer_type: str | None = Field(default=None, description='Only "application".')
    security_group_ids: list[str] | None = None
    subnet_ids: list[str] | None = Field(default=None, description="Default: every subnet.")
    idle_timeout: int | None = Field(default=None, description="Seconds, 1-4000 (default 60).")
    tags: dict[str, str] | None = None


class LoadBalancerPatch(BaseModel):
    model_config = ConfigDict(extra="allow")
    security_group_ids: list[str] | None = None
    subnet_ids: list[str] | None = None
    idle_timeout: int | None = None
    tags: dict[str, str] | None = None


class ActionIn(BaseModel):
    """``forward`` (target_group_arn), ``fixed-response`` (status_code, content_type,
    message_body) or ``redirect`` (status_code HTTP_301/HTTP_302, protocol, host, port, path,
    query with AWS's ``#{...}`` placeholders as defaults)."""

    model_config = ConfigDict(extra="allow")
    type: Literal["forward", "fixed-response", "redirect"]
    target_group_arn: str | None = None
    status_code: str | int | None = None
    content_type: str | None = None
    message_body: str | None = None
    protocol: str | None = None
    host: str | None = None
    port: str | int | None = None
    path: str | None = None
    query: str | None = None


class ListenerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    load_balancer_arn: str
    port: int = Field(description="The requested port (the listener's identity).")
    protocol: str | None = Field(default=None, description='Only "HTTP".')
    default_action: ActionIn
    tags: dict[str, str] | None = None


class ListenerPatch(BaseModel):
    model_config = ConfigDict(extra="allow")
    port: int | None = None
    protocol: str | None = None
    default_action: ActionIn | None = None
    tags: dict[str, str] | None = None


class HealthCheckIn(BaseModel):
    """Defaults: enabled, path "/", interval 30, timeout 5, healthy 5, unhealthy 2, matcher
    "200". Intervals may be fractions of seconds (AWS's minimum is 5)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool | None = None
    path: str | None = None
    port: str | None = Field(default=None, description='Only "traffic-port".')
    protocol: str | None = None
    interval: int | float | None = None
    timeout: int | float | None = None
    healthy_threshold: int | None = None
    unhealthy_threshold: int | None = None
    matcher: str | None = None


class TargetGroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    port: int
    protocol: str | None = None
    vpc_id: str | None = None
    target_type: str | None = Field(default=None, description='Only "instance".')
    deregistration_delay: int | None = None
    slow_start: int | None = None
    load_balancing_algorithm_type: str | None = None
    health_check: HealthCheckIn | None = None
    tags: dict[str, str] | None = None


class TargetGroupPatch(BaseModel):
    model_config = ConfigDict(extra="allow")
    deregistration_delay: int | None = None
    slow_start: int | None = None
    load_balancing_algorithm_type: str | None = None
    health_check: HealthCheckIn | None = None
    tags: dict[str, str] | None = None


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    port: int | None = None


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    targets: list[TargetIn]


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    """Register the load balancer service and add its routes."""
    elb = cloud.register(Elb(cloud))
    auth = [Depends(authorized)]
    _load_balancers(app, elb, auth)
    _listeners(app, elb, auth)
    _target_groups(app, elb, auth)


def _load_balancers(app: FastAPI, elb: Elb, auth: list[Any]) -> None:
    base = "/api/v1/load-balancers"
    tags: list[str | Enum] = ["elb"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_load_balancer(body: LoadBalancerIn) -> dict[str, Any]:
        return elb.balancers.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_load_balancers(name: str | None = None) -> dict[str, Any]:
        return {"items": elb.balancers.find(name)}

    @app.get(base + "/{arn:path}", dependencies=auth, tags=tags)
    async def get_load_balancer(arn: str) -> dict[str, Any]:
        return elb.balancers.get(arn)

    @app.patch(base + "/{arn:path}", dependencies=auth, tags=tags)
    async def update_load_balancer(arn: str, body: LoadBalancerPatch) -> dict[str, Any]:
        return elb.balancers.update(arn, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{arn:path}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_load_balancer(arn: str) -> Response:
        await elb.balancers.delete(arn)
        return Response(status_code=_NO_CONTENT)


def _listeners(app: FastAPI, elb: Elb, auth: list[Any]) -> None:
    base = "/api/v1/listeners"
    tags: list[str | Enum] = ["elb"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_listener(body: ListenerIn) -> dict[str, Any]:
        return await elb.listeners.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_listeners(load_balancer_arn: str | None = None) -> dict[str, Any]:
        return {"items": elb.listeners.find(load_balancer_arn)}

    @app.get(base + "/{arn:path}", dependencies=auth, tags=tags)
    async def get_listener(arn: str) -> dict[str, Any]:
        return elb.listeners.get(arn)

    @app.patch(base + "/{arn:path}", dependencies=auth, tags=tags)
    async def update_listener(arn: str, body: ListenerPatch) -> dict[str, Any]:
        return await elb.listeners.update(arn, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{arn:path}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_listener(arn: str) -> Response:
        await elb.listeners.delete(arn)
        return Response(status_code=_NO_CONTENT)


def _target_groups(app: FastAPI, elb: Elb, auth: list[Any]) -> None:
    base = "/api/v1/target-groups"
    tags: list[str | Enum] = ["elb"]
    groups = elb.target_groups

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_target_group(body: TargetGroupIn) -> dict[str, Any]:
        return groups.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_target_groups(name: str | None = None) -> dict[str, Any]:
        return {"items": groups.find(name)}

    @app.post(base + "/{arn:path}/targets/deregister", dependencies=auth, tags=tags)
    async def deregister_targets(arn: str, body: TargetsIn) -> dict[str, Any]:
        groups.deregister(arn, body.model_dump(exclude_unset=True)["targets"])
        return {"items": groups.describe(arn)}

    @app.post(base + "/{arn:path}/targets", dependencies=auth, tags=tags)
    async def register_targets(arn: str, body: TargetsIn) -> dict[str, Any]:
        groups.register(arn, body.model_dump(exclude_unset=True)["targets"])
        return {"items": groups.describe(arn)}

    @app.get(base + "/{arn:path}/targets", dependencies=auth, tags=tags)
    async def describe_targets(arn: str) -> dict[str, Any]:
        return {"items": groups.describe(arn)}

    @app.get(base + "/{arn:path}", dependencies=auth, tags=tags)
    async def get_target_group(arn: str) -> dict[str, Any]:
        return groups.get(arn)

    @app.patch(base + "/{arn:path}", dependencies=auth, tags=tags)
    async def update_target_group(arn: str, body: TargetGroupPatch) -> dict[str, Any]:
        return groups.update(arn, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{arn:path}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_target_group(arn: str) -> Response:
        groups.delete(arn)
        return Response(status_code=_NO_CONTENT)

"""Routes of the compute service: ``/api/v1/instances`` (read, terminate, console).

Instances are launched by auto-scaling groups, not through this API (docs/cloud-api.md).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field

from gitterra.cloud import Cloud, Conflict, ValidationError, tokens
from gitterra.cloud.compute import Compute

USER_REASON = "Client.UserInitiatedShutdown: User initiated shutdown"


class LaunchTemplateRef(BaseModel):
    id: str
    version: str | int


class Instance(BaseModel):
    """An instance (docs/cloud-api.md "Instances")."""

    id: str
    state: str = Field(description="pending | running | shutting-down | terminated")
    state_reason: str | None
    image_id: str
    instance_type: str
    launch_template: LaunchTemplateRef | None
    launch_configuration: str | None
    group: str | None = Field(description="the auto-scaling group that launched it")
    security_group_ids: list[str]
    key_name: str | None
    private_ip: str = Field(description="127.0.1.x (127.0.0.1 where the OS has no 127/8)")
    port: int
    pid: int | None
    launched_at: str
    terminated_at: str | None
    health: str = Field(description="healthy | unhealthy")
    tags: dict[str, str]
    created_at: str


class InstanceList(BaseModel):
    items: list[Instance]


class TerminateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decrement_desired_capacity: bool = Field(
        False, description="also lower the instance's group's desired capacity by one"
    )


class ConsolePage(BaseModel):
    text: str = Field(description="console output from the requested offset")
    next_offset: int = Field(description="the offset to ask for next")


@runtime_checkable
class CapacityDecrementer(Protocol):
    """What the autoscaling service offers so that terminating an instance can shrink its
    group instead of having it replaced."""

    async def decrement_desired_capacity(self, group: str, instance_id: str) -> None: ...


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    compute = cloud.register(Compute(cloud))
    auth = [Depends(authorized)]

    @app.get("/api/v1/instances", dependencies=auth, tags=["ec2"], response_model=InstanceList)
    def list_instances(
        group: str | None = None,
        state: list[str] | None = Query(None, description="repeat for several states"),  # noqa: B008 - FastAPI's parameter idiom
    ) -> dict[str, Any]:
        return {"items": compute.find(group, set(state) if state else None)}

    @app.get(
        "/api/v1/instances/{instance_id}", dependencies=auth, tags=["ec2"], response_model=Instance
    )
    def get_instance(instance_id: str) -> dict[str, Any]:
        return compute.get(instance_id)

    @app.post(
        "/api/v1/instances/{instance_id}/terminate",
        dependencies=auth,
        tags=["ec2"],
        response_model=Instance,
    )
    async def terminate_instance(
        instance_id: str, body: TerminateRequest | None = None
    ) -> dict[str, Any]:
        """Start terminating (the instance is returned ``shutting-down``); idempotent."""
        doc = compute.get(instance_id)
        _may_terminate(cloud, doc)
        if (
            body is not None
            and body.decrement_desired_capacity
            and doc["state"]
            in (
                "pending",
                "running",
            )
        ):
            await _decrement(cloud, doc)
        return compute.request_terminate(instance_id, USER_REASON)

    @app.get(
        "/api/v1/instances/{instance_id}/console",
        dependencies=auth,
        tags=["ec2"],
        response_model=ConsolePage,
    )
    def instance_console(instance_id: str, offset: int = 0) -> dict[str, Any]:
        return compute.console(instance_id, offset)


#: The store kind of auto scaling groups (their instances belong to their owner).
_GROUP_KIND = "autoscaling_group"


def _may_terminate(cloud: Cloud, doc: dict[str, Any]) -> None:
    """403 unless the caller may change the instance: a group's instance is its group's."""
    group = cloud.store.get(_GROUP_KIND, doc["group"]) if doc.get("group") else None
    shown = f"instance {doc['id']}" + (f" (auto scaling group {doc['group']})" if group else "")
    tokens.check_change(group or doc, shown)


async def _decrement(cloud: Cloud, doc: dict[str, Any]) -> None:
    group = doc["group"]
    if group is None:
        raise ValidationError(
            f"{doc['id']} belongs to no auto-scaling group: there is no desired capacity to "
            "decrement",
            "decrement_desired_capacity",
        )
    groups: object = cloud.services.get("autoscaling")
    if not isinstance(groups, CapacityDecrementer):
        raise Conflict("the autoscaling service is not running: cannot decrement a group")
    await groups.decrement_desired_capacity(group, doc["id"])

"""The EC2 records' routes: security groups (and single ingress rules), key pairs, launch
templates (docs/cloud-api.md, "EC2").

The request models document the bodies in /openapi.json and check their JSON types; the
services check everything else (ranges, CIDRs, references) and name the field at fault. Handlers
are ``async`` so that they run on the event loop, one at a time, like the controllers.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import Depends, FastAPI, Response
from pydantic import BaseModel, ConfigDict, Field

from gitterra.cloud import Cloud
from gitterra.cloud.ec2 import KeyPairs, LaunchTemplates, SecurityGroups

_NO_CONTENT = 204


class RuleIn(BaseModel):
    """A security group rule (``protocol`` "tcp" or "-1" for all traffic)."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(default=None, description="Ignored on input: rules match by content.")
    protocol: str
    from_port: int | None = None
    to_port: int | None = None
    cidr_blocks: list[str] = Field(default_factory=list)
    description: str | None = None


class SecurityGroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str | None = None
    vpc_id: str | None = None
    ingress: list[RuleIn] | None = None
    egress: list[RuleIn] | None = None
    tags: dict[str, str] | None = None


class SecurityGroupPatch(BaseModel):
    """The fields PATCH may change (others are refused, naming the field)."""

    model_config = ConfigDict(extra="allow")
    ingress: list[RuleIn] | None = None
    egress: list[RuleIn] | None = None
    tags: dict[str, str] | None = None


class KeyPairIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    public_key: str
    tags: dict[str, str] | None = None


class TagsPatch(BaseModel):
    model_config = ConfigDict(extra="allow")
    tags: dict[str, str] | None = None


class VersionIn(BaseModel):
    """A launch template version (``user_data`` base64, at most 16 KiB decoded)."""

    model_config = ConfigDict(extra="forbid")
    image_id: str
    instance_type: str
    user_data: str | None = None
    security_group_ids: list[str] | None = None
    key_name: str | None = None
    tags: dict[str, str] | None = None


class LaunchTemplateIn(BaseModel):
    """A launch template with its first version (``version_tags``: that version's tags)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    image_id: str
    instance_type: str
    user_data: str | None = None
    security_group_ids: list[str] | None = None
    key_name: str | None = None
    tags: dict[str, str] | None = None
    version_tags: dict[str, str] | None = None


class LaunchTemplatePatch(BaseModel):
    model_config = ConfigDict(extra="allow")
    default_version: int | None = None
    tags: dict[str, str] | None = None


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    """Register the three services (in this order) and add their routes."""
    groups = cloud.register(SecurityGroups(cloud))
    keys = cloud.register(KeyPairs(cloud))
    templates = cloud.register(LaunchTemplates(cloud))
    auth = [Depends(authorized)]
    _security_groups(app, groups, auth)
    _key_pairs(app, keys, auth)
    _launch_templates(app, templates, auth)


def _security_groups(app: FastAPI, groups: SecurityGroups, auth: list[Any]) -> None:
    base = "/api/v1/security-groups"
    tags: list[str | Enum] = ["ec2"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_security_group(body: SecurityGroupIn) -> dict[str, Any]:
        return groups.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_security_groups(
        name: str | None = None, vpc_id: str | None = None
    ) -> dict[str, Any]:
        return {"items": groups.find(name, vpc_id)}

    @app.get(base + "/{group_id}", dependencies=auth, tags=tags)
    async def get_security_group(group_id: str) -> dict[str, Any]:
        return groups.get(group_id)

    @app.patch(base + "/{group_id}", dependencies=auth, tags=tags)
    async def update_security_group(group_id: str, body: SecurityGroupPatch) -> dict[str, Any]:
        return groups.update(group_id, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{group_id}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_security_group(group_id: str) -> Response:
        groups.delete(group_id)
        return Response(status_code=_NO_CONTENT)

    @app.post(base + "/{group_id}/ingress-rules", status_code=201, dependencies=auth, tags=tags)
    async def add_ingress_rule(group_id: str, body: RuleIn) -> dict[str, Any]:
        return groups.add_ingress_rule(group_id, body.model_dump(exclude_unset=True))

    @app.get(base + "/{group_id}/ingress-rules/{rule_id}", dependencies=auth, tags=tags)
    async def get_ingress_rule(group_id: str, rule_id: str) -> dict[str, Any]:
        return groups.get_ingress_rule(group_id, rule_id)

    @app.delete(
        base + "/{group_id}/ingress-rules/{rule_id}",
        status_code=_NO_CONTENT,
        dependencies=auth,
        tags=tags,
    )
    async def delete_ingress_rule(group_id: str, rule_id: str) -> Response:
        groups.delete_ingress_rule(group_id, rule_id)
        return Response(status_code=_NO_CONTENT)


def _key_pairs(app: FastAPI, keys: KeyPairs, auth: list[Any]) -> None:
    base = "/api/v1/key-pairs"
    tags: list[str | Enum] = ["ec2"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_key_pair(body: KeyPairIn) -> dict[str, Any]:
        return keys.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_key_pairs(name: str | None = None) -> dict[str, Any]:
        return {"items": keys.find(name)}

    @app.get(base + "/{key}", dependencies=auth, tags=tags)
    async def get_key_pair(key: str) -> dict[str, Any]:
        return keys.get(key)

    @app.patch(base + "/{key}", dependencies=auth, tags=tags)
    async def update_key_pair(key: str, body: TagsPatch) -> dict[str, Any]:
        return keys.update(key, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{key}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_key_pair(key: str) -> Response:
        keys.delete(key)
        return Response(status_code=_NO_CONTENT)


def _launch_templates(app: FastAPI, templates: LaunchTemplates, auth: list[Any]) -> None:
    base = "/api/v1/launch-templates"
    tags: list[str | Enum] = ["ec2"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_launch_template(body: LaunchTemplateIn) -> dict[str, Any]:
        return templates.create(body.model_dump(exclude_unset=True))

    @app.get(base, dependencies=auth, tags=tags)
    async def list_launch_templates(name: str | None = None) -> dict[str, Any]:
        return {"items": templates.find(name)}

    @app.get(base + "/{template}", dependencies=auth, tags=tags)
    async def get_launch_template(template: str) -> dict[str, Any]:
        return templates.get(template)

    @app.post(base + "/{template}/versions", status_code=201, dependencies=auth, tags=tags)
    async def add_launch_template_version(template: str, body: VersionIn) -> dict[str, Any]:
        return templates.add_version(template, body.model_dump(exclude_unset=True))

    @app.patch(base + "/{template}", dependencies=auth, tags=tags)
    async def update_launch_template(template: str, body: LaunchTemplatePatch) -> dict[str, Any]:
        return templates.update(template, body.model_dump(exclude_unset=True))

    @app.delete(base + "/{template}", status_code=_NO_CONTENT, dependencies=auth, tags=tags)
    async def delete_launch_template(template: str) -> Response:
        templates.delete(template)
        return Response(status_code=_NO_CONTENT)

"""CloudWatch log groups and IAM roles and role policies on AWS, as ``_target.Logs`` and
``_target.Iam`` documents.

A log group's retention is its retention policy (none: kept forever, ``retention_in_days``
0); its tags are read and set by ARN (``ListTagsForResource``, ``TagResource``), the ARN
without the ``:*`` suffix ``DescribeLogGroups`` gives it. Policy documents travel as JSON
text; boto3 hands IAM's URL-encoded documents back decoded, and they are dumped again here.
Deleting a role first deletes its inline policies and, with ``force_detach``, detaches its
managed policies, as the AWS provider does.
"""

from __future__ import annotations

import json
from typing import Any

from gitterra.providers.aws import _aws_base
from gitterra.providers.aws._aws_base import tag_changes, tag_dict, tag_list
from gitterra.providers.aws._target import Doc


class Logs(_aws_base.Service):
    service = "logs"

    async def create_log_group(self, body: Doc) -> Doc:
        params: dict[str, Any] = {"logGroupName": body["name"]}
        if body.get("tags"):
            params["tags"] = dict(body["tags"])
        await self.call("create_log_group", **params)
        if body.get("retention_in_days"):
            await self._retention(body["name"], body["retention_in_days"])
        return await self.settled(lambda: self.get_log_group(body["name"]))

    async def _retention(self, name: str, days: int) -> None:
        if days:
            await self.call("put_retention_policy", logGroupName=name, retentionInDays=days)
        else:
            await self.call("delete_retention_policy", logGroupName=name)

    async def _group(self, name: str) -> dict[str, Any]:
        groups = await self.pages("describe_log_groups", "logGroups", logGroupNamePrefix=name)
        found = next((g for g in groups if g.get("logGroupName") == name), None)
        if found is None:
            raise _aws_base.not_found(f"log group {name} not found")
        return dict(found)

    def _arn(self, group: dict[str, Any]) -> str:
        arn = str(group.get("arn") or self.arn("logs", f"log-group:{group['logGroupName']}"))
        return arn.removesuffix(":*")

    async def get_log_group(self, name: str) -> Doc:
        group = await self._group(name)
        arn = self._arn(group)
        tags = await self.call("list_tags_for_resource", resourceArn=arn)
        return {
            "name": group["logGroupName"],
            "arn": arn,
            "retention_in_days": int(group.get("retentionInDays") or 0),
            "tags": dict(tags.get("tags") or {}),
        }

    async def update_log_group(self, name: str, changes: Doc) -> Doc:
        if "retention_in_days" in changes:
            await self._retention(name, int(changes["retention_in_days"] or 0))
        if "tags" in changes:
            arn = self._arn(await self._group(name))
            found = await self.call("list_tags_for_resource", resourceArn=arn)
            upsert, removed = tag_changes(dict(found.get("tags") or {}), changes["tags"])
            if removed:
                await self.call("untag_resource", resourceArn=arn, tagKeys=removed)
            if upsert:
                await self.call("tag_resource", resourceArn=arn, tags=upsert)
        return await self.get_log_group(name)

    async def delete_log_group(self, name: str) -> None:
        await self.call("delete_log_group", logGroupName=name)


def _policy_text(document: Any) -> str:
    if isinstance(document, str):
        return document
    return json.dumps(document, separators=(",", ":"))


class Iam(_aws_base.Service):
    service = "iam"

    async def create_role(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "RoleName": body["name"],
            "Path": body.get("path") or "/",
            "AssumeRolePolicyDocument": body["assume_role_policy"],
        }
        if body.get("description"):
            params["Description"] = body["description"]
        if body.get("max_session_duration"):
            params["MaxSessionDuration"] = int(body["max_session_duration"])
        if body.get("tags"):
            params["Tags"] = tag_list(body["tags"])
        await self.call("create_role", **params)
        return await self.settled(lambda: self.get_role(body["name"]))

    async def get_role(self, name: str) -> Doc:
        role = (await self.call("get_role", RoleName=name))["Role"]
        return {
            "name": role["RoleName"],
            "arn": role["Arn"],
            "unique_id": role.get("RoleId"),
            "path": role.get("Path") or "/",
            "description": role.get("Description") or "",
            "assume_role_policy": _policy_text(role.get("AssumeRolePolicyDocument") or "{}"),
            "max_session_duration": role.get("MaxSessionDuration") or 3600,
            "create_date": str(role.get("CreateDate") or ""),
            "tags": tag_dict(role.get("Tags")),
        }

    async def update_role(self, name: str, changes: Doc) -> Doc:
        if "assume_role_policy" in changes:
            await self.call(
                "update_assume_role_policy",
                RoleName=name,
                PolicyDocument=changes["assume_role_policy"],
            )
        if "description" in changes or "max_session_duration" in changes:
            params: dict[str, Any] = {}
            if "description" in changes:
                params["Description"] = changes["description"] or ""
            if changes.get("max_session_duration"):
                params["MaxSessionDuration"] = int(changes["max_session_duration"])
            await self.call("update_role", RoleName=name, **params)
        if "tags" in changes:
            role = (await self.call("get_role", RoleName=name))["Role"]
            upsert, removed = tag_changes(tag_dict(role.get("Tags")), changes["tags"])
            if removed:
                await self.call("untag_role", RoleName=name, TagKeys=removed)
            if upsert:
                await self.call("tag_role", RoleName=name, Tags=tag_list(upsert))
        return await self.get_role(name)

    async def delete_role(self, name: str, *, force_detach: bool) -> None:
        for policy in await self.pages("list_role_policies", "PolicyNames", RoleName=name):
            await self.call("delete_role_policy", RoleName=name, PolicyName=policy)
        if force_detach:
            attached = await self.pages(
                "list_attached_role_policies", "AttachedPolicies", RoleName=name
            )
            for policy in attached:
                await self.call("detach_role_policy", RoleName=name, PolicyArn=policy["PolicyArn"])
        await self.call("delete_role", RoleName=name)

    async def put_role_policy(self, role: str, name: str, document: str) -> None:
        await self.call("put_role_policy", RoleName=role, PolicyName=name, PolicyDocument=document)

    async def get_role_policy(self, role: str, name: str) -> Doc:
        found = await self.call("get_role_policy", RoleName=role, PolicyName=name)
        return {
            "role": found.get("RoleName", role),
            "name": found.get("PolicyName", name),
            "policy": _policy_text(found.get("PolicyDocument") or "{}"),
        }

    async def delete_role_policy(self, role: str, name: str) -> None:
        await self.call("delete_role_policy", RoleName=role, PolicyName=name)

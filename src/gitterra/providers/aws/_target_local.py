"""The local target: gitterra's local cloud over its HTTP API (docs/cloud-api.md).

Each operation of ``_target`` is one request (two for the few that look an object up in a list),
and documents are the API's own: nothing is translated. Paths put ids, names and ARNs in one
URL-encoded segment. Errors are ``_client``'s (the family every target raises). IAM is not a
service of the local cloud (``iam`` is None: roles and policies are recorded in state only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitterra.providers.aws import _client, _target
from gitterra.providers.aws._client import segment
from gitterra.providers.aws._target import Doc


class _Rest:
    """Requests whose answers are documents (an answer that is not one is an API error)."""

    def __init__(self, api: _client.CloudClient) -> None:
        self.api = api

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Doc:
        return _doc(await self.api.get(path, params))

    async def _post(self, path: str, body: Any) -> Doc:
        return _doc(await self.api.post(path, body))

    async def _patch(self, path: str, body: Any) -> Doc:
        return _doc(await self.api.patch(path, body))

    async def _items(self, path: str, params: Mapping[str, str] | None = None) -> list[Doc]:
        return list((await self._get(path, params)).get("items", []))


def _doc(found: Any) -> Doc:
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise _client.ApiError(200, "Internal", "the server answered something not an object", None)
    return found


class LocalEc2(_Rest):
    def __init__(self, api: _client.CloudClient, meta: Mapping[str, Any]) -> None:
        super().__init__(api)
        self.meta = meta

    async def create_security_group(self, body: Doc) -> Doc:
        return await self._post("/security-groups", body)

    async def get_security_group(self, group_id: str) -> Doc:
        return await self._get(f"/security-groups/{segment(group_id)}")

    async def list_security_groups(self) -> list[Doc]:
        return await self._items("/security-groups")

    async def update_security_group(self, group_id: str, changes: Doc) -> Doc:
        return await self._patch(f"/security-groups/{segment(group_id)}", changes)

    async def delete_security_group(self, group_id: str) -> None:
        await self.api.delete(f"/security-groups/{segment(group_id)}")

    async def add_ingress_rule(self, group_id: str, rule: Doc) -> Doc:
        path = f"/security-groups/{segment(group_id)}/ingress-rules"
        return await self._post(path, rule)

    async def get_ingress_rule(self, group_id: str, rule_id: str) -> Doc | None:
        try:
            group = await self.get_security_group(group_id)
        except _client.NotFoundError:
            return None
        rule = next((r for r in group.get("ingress") or [] if r.get("id") == rule_id), None)
        return None if rule is None else {**rule, "security_group_id": group["id"]}

    async def find_ingress_rule(self, rule_id: str) -> Doc | None:
        for group in await self.list_security_groups():
            for rule in group.get("ingress") or []:
                if rule.get("id") == rule_id:
                    return {**rule, "security_group_id": group["id"]}
        return None

    async def delete_ingress_rule(self, group_id: str, rule_id: str) -> None:
        await self.api.delete(
            f"/security-groups/{segment(group_id)}/ingress-rules/{segment(rule_id)}"
        )

    async def create_key_pair(self, body: Doc) -> Doc:
        return await self._post("/key-pairs", body)

    async def find_key_pair(self, name: str) -> Doc | None:
        items = await self._items("/key-pairs")
        return next((d for d in items if d.get("name") == name), None)

    async def update_key_pair(self, key_pair_id: str, changes: Doc) -> Doc:
        return await self._patch(f"/key-pairs/{segment(key_pair_id)}", changes)

    async def delete_key_pair(self, key_pair_id: str) -> None:
        await self.api.delete(f"/key-pairs/{segment(key_pair_id)}")

    async def create_launch_template(self, body: Doc) -> Doc:
        return await self._post("/launch-templates", body)

    async def get_launch_template(self, template_id: str) -> Doc:
        return await self._get(f"/launch-templates/{segment(template_id)}")

    async def find_launch_template(self, name: str) -> Doc | None:
        items = await self._items("/launch-templates")
        return next((t for t in items if t.get("name") == name), None)

    async def add_launch_template_version(self, template_id: str, version: Doc) -> Doc:
        path = f"/launch-templates/{segment(template_id)}/versions"
        return await self._post(path, version)

    async def update_launch_template(self, template_id: str, changes: Doc) -> Doc:
        return await self._patch(f"/launch-templates/{segment(template_id)}", changes)

    async def delete_launch_template(self, template_id: str) -> None:
        await self.api.delete(f"/launch-templates/{segment(template_id)}")

    async def list_vpcs(self, filters: list[Doc]) -> list[Doc]:
        return await self._items("/vpcs")

    async def list_subnets(self, vpc_id: str | None, filters: list[Doc]) -> list[Doc]:
        return await self._items("/subnets", {"vpc_id": vpc_id} if vpc_id else None)

    async def list_images(self, owners: list[str], filters: list[Doc]) -> list[Doc]:
        return await self._items("/images")

    async def availability_zones(self) -> list[Doc]:
        region = str(self.meta.get("region", "local-1"))
        return [
            {"name": z, "zone_id": f"{region.replace('-', '')}-az{i + 1}", "state": "available"}
            for i, z in enumerate(self.meta.get("availability_zones") or [])
        ]

    async def region_info(self, name: str | None) -> Doc:
        region = str(self.meta.get("region", "local-1"))
        if name is not None and name != region:
            raise _client.NotFoundError(
                404, "NotFound", f"region {name!r} is not the local cloud's ({region})", "name"
            )
        host = self.api.base_url.split("://", 1)[-1]
        return {"name": region, "endpoint": host, "description": "gitterra local cloud"}


class LocalAutoscaling(_Rest):
    async def create_launch_configuration(self, body: Doc) -> Doc:
        return await self._post("/launch-configurations", body)

    async def get_launch_configuration(self, name: str) -> Doc:
        return await self._get(f"/launch-configurations/{segment(name)}")

    async def delete_launch_configuration(self, name: str) -> None:
        await self.api.delete(f"/launch-configurations/{segment(name)}")

    async def create_group(self, body: Doc, propagate: Mapping[str, bool]) -> None:
        await self._post("/autoscaling-groups", body)

    async def get_group(self, name: str) -> Doc:
        return await self._get(f"/autoscaling-groups/{segment(name)}")

    async def update_group(self, name: str, changes: Doc, propagate: Mapping[str, bool]) -> None:
        await self._patch(f"/autoscaling-groups/{segment(name)}", changes)

    async def delete_group(self, name: str, *, force: bool, timeout: float) -> None:
        path = f"/autoscaling-groups/{segment(name)}"
        params = {"force_delete": "true"} if force else None
        await self.api.delete(path, params, timeout=timeout)

    async def group_capacity(self, name: str) -> Doc:
        return await self._get(f"/autoscaling-groups/{segment(name)}/capacity")

    def _refreshes(self, name: str) -> str:
        return f"/autoscaling-groups/{segment(name)}/instance-refreshes"

    async def start_instance_refresh(self, name: str, body: Doc) -> Doc:
        return await self._post(self._refreshes(name), body)

    async def instance_refreshes(self, name: str) -> list[Doc]:
        return await self._items(self._refreshes(name))

    async def cancel_instance_refresh(self, name: str) -> None:
        await self.api.delete(f"{self._refreshes(name)}/current")


class LocalElbv2(_Rest):
    async def create_load_balancer(self, body: Doc) -> Doc:
        return await self._post("/load-balancers", body)

    async def get_load_balancer(self, arn: str) -> Doc:
        return await self._get(f"/load-balancers/{segment(arn)}")

    async def update_load_balancer(self, arn: str, changes: Doc) -> Doc:
        path = f"/load-balancers/{segment(arn)}"
        return await (self._patch(path, changes) if changes else self._get(path))

    async def delete_load_balancer(self, arn: str) -> None:
        await self.api.delete(f"/load-balancers/{segment(arn)}")

    async def create_listener(self, body: Doc) -> Doc:
        return await self._post("/listeners", body)

    async def get_listener(self, arn: str) -> Doc:
        return await self._get(f"/listeners/{segment(arn)}")

    async def list_listeners(self, load_balancer_arn: str) -> list[Doc]:
        return await self._items("/listeners", {"load_balancer_arn": load_balancer_arn})

    async def update_listener(self, arn: str, changes: Doc) -> Doc:
        path = f"/listeners/{segment(arn)}"
        return await (self._patch(path, changes) if changes else self._get(path))

    async def delete_listener(self, arn: str) -> None:
        await self.api.delete(f"/listeners/{segment(arn)}")

    async def create_target_group(self, body: Doc) -> Doc:
        return await self._post("/target-groups", body)

    async def get_target_group(self, arn: str) -> Doc:
        return await self._get(f"/target-groups/{segment(arn)}")

    async def update_target_group(self, arn: str, changes: Doc) -> Doc:
        path = f"/target-groups/{segment(arn)}"
        return await (self._patch(path, changes) if changes else self._get(path))

    async def delete_target_group(self, arn: str) -> None:
        await self.api.delete(f"/target-groups/{segment(arn)}")

    async def register_targets(self, arn: str, targets: list[Doc]) -> None:
        await self._post(f"/target-groups/{segment(arn)}/targets", {"targets": targets})

    async def deregister_targets(self, arn: str, targets: list[Doc]) -> None:
        path = f"/target-groups/{segment(arn)}/targets/deregister"
        await self._post(path, {"targets": targets})

    async def target_health(self, arn: str) -> list[Doc]:
        return await self._items(f"/target-groups/{segment(arn)}/targets")


class LocalLogs(_Rest):
    async def create_log_group(self, body: Doc) -> Doc:
        return await self._post("/log-groups", body)

    async def get_log_group(self, name: str) -> Doc:
        return await self._get(f"/log-groups/{segment(name)}")

    async def update_log_group(self, name: str, changes: Doc) -> Doc:
        return await self._patch(f"/log-groups/{segment(name)}", changes)

    async def delete_log_group(self, name: str) -> None:
        await self.api.delete(f"/log-groups/{segment(name)}")


_PROJECTS = "/codebuild/projects"
_WEBHOOKS = "/codebuild/webhooks"
_CREDENTIALS = "/codebuild/source-credentials"


class LocalCodeBuild(_Rest):
    async def create_project(self, body: Doc) -> Doc:
        return await self._post(_PROJECTS, body)

    async def get_project(self, name: str) -> Doc:
        return await self._get(f"{_PROJECTS}/{segment(name)}")

    async def update_project(self, name: str, changes: Doc) -> Doc:
        return await self._patch(f"{_PROJECTS}/{segment(name)}", changes)

    async def delete_project(self, name: str) -> None:
        await self.api.delete(f"{_PROJECTS}/{segment(name)}")

    async def create_webhook(self, body: Doc) -> Doc:
        return await self._post(_WEBHOOKS, body)

    async def get_webhook(self, key: str) -> Doc:
        return await self._get(f"{_WEBHOOKS}/{segment(key)}")

    async def update_webhook(self, key: str, changes: Doc) -> Doc:
        return await self._patch(f"{_WEBHOOKS}/{segment(key)}", changes)

    async def delete_webhook(self, key: str) -> None:
        await self.api.delete(f"{_WEBHOOKS}/{segment(key)}")

    async def create_source_credential(self, body: Doc) -> Doc:
        return await self._post(_CREDENTIALS, body)

    async def get_source_credential(self, key: str) -> Doc:
        return await self._get(f"{_CREDENTIALS}/{segment(key)}")

    async def delete_source_credential(self, key: str) -> None:
        await self.api.delete(f"{_CREDENTIALS}/{segment(key)}")


class LocalTarget:
    """The local cloud at ``client.base_url``; ``meta`` is its ``/meta`` answer."""

    kind: _target.TargetKind = "local"
    filters_on_server = False
    label = "the local cloud"
    unreachable_hint = "start it with gitterra server."
    iam: _target.Iam | None = None

    def __init__(self, client: _client.CloudClient, meta: Mapping[str, Any]) -> None:
        self.client = client
        self.meta = dict(meta)
        self.where = client.base_url
        self.ec2: _target.Ec2 = LocalEc2(client, self.meta)
        self.autoscaling: _target.Autoscaling = LocalAutoscaling(client)
        self.elbv2: _target.Elbv2 = LocalElbv2(client)
        self.logs: _target.Logs = LocalLogs(client)
        self.codebuild: _target.CodeBuild = LocalCodeBuild(client)

    def describe(self) -> str:
        return f"local cloud at {self.client.base_url}"

    def identity(self) -> Doc:
        account = str(self.meta.get("account_id", "000000000000"))
        return {
            "account_id": account,
            "arn": f"arn:aws:iam::{account}:user/gitterra",
            "user_id": "gitterra",
        }

    async def close(self) -> None:
        await self.client.close()

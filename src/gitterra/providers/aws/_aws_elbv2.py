"""Application load balancers and listeners on AWS, as ``_target.Elbv2`` documents.

A balancer's ``idle_timeout`` is its ``idle_timeout.timeout_seconds`` attribute; its subnets
are those of its availability zones. A listener's document carries what the local cloud calls
``bound_address`` and ``url``: on AWS the balancer's DNS name and the listener's port
(``http://<dns_name>``, with ``:<port>`` unless it is 80), which is what the provider's
``gitterra_url`` shows, so a module's ``output "url"`` works on both targets.
"""

from __future__ import annotations

from typing import Any

from gitterra.providers.aws import _aws_base
from gitterra.providers.aws._aws_base import tag_changes, tag_dict, tag_list
from gitterra.providers.aws._target import Doc

_REDIRECT = (
    ("protocol", "Protocol"),
    ("host", "Host"),
    ("port", "Port"),
    ("path", "Path"),
    ("query", "Query"),
    ("status_code", "StatusCode"),
)


def action_params(action: Doc) -> dict[str, Any]:
    """The local cloud's default action as AWS's ``Action``."""
    kind = action["type"]
    if kind == "fixed-response":
        fixed = {"StatusCode": str(action["status_code"]), "ContentType": action["content_type"]}
        if action.get("message_body") is not None:
            fixed["MessageBody"] = action["message_body"]
        return {"Type": kind, "FixedResponseConfig": fixed}
    if kind == "redirect":
        redirect = {aws: action[k] for k, aws in _REDIRECT if action.get(k) is not None}
        return {"Type": kind, "RedirectConfig": redirect}
    return {"Type": kind, "TargetGroupArn": action.get("target_group_arn")}


def action_doc(action: dict[str, Any]) -> Doc:
    kind = action.get("Type")
    if kind == "fixed-response":
        fixed = action.get("FixedResponseConfig") or {}
        return {
            "type": kind,
            "status_code": fixed.get("StatusCode"),
            "content_type": fixed.get("ContentType"),
            "message_body": fixed.get("MessageBody"),
        }
    if kind == "redirect":
        redirect = action.get("RedirectConfig") or {}
        return {"type": kind, **{k: redirect.get(aws) for k, aws in _REDIRECT}}
    arn = action.get("TargetGroupArn")
    if arn is None:
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or [{}]
        arn = groups[0].get("TargetGroupArn")
    return {"type": kind, "target_group_arn": arn}


class Balancers(_aws_base.Service):
    service = "elbv2"

    async def tags_of(self, arn: str) -> dict[str, str]:
        found = await self.call("describe_tags", ResourceArns=[arn])
        described = found.get("TagDescriptions") or [{}]
        return tag_dict(described[0].get("Tags"))

    async def retag(self, arn: str, tags: dict[str, str]) -> None:
        upsert, removed = tag_changes(await self.tags_of(arn), tags)
        if removed:
            await self.call("remove_tags", ResourceArns=[arn], TagKeys=removed)
        if upsert:
            await self.call("add_tags", ResourceArns=[arn], Tags=tag_list(upsert))

    # -- load balancers -------------------------------------------------------------------------

    async def create_load_balancer(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "Name": body["name"],
            "Subnets": list(body.get("subnet_ids") or []),
            "Scheme": "internal" if body.get("internal") else "internet-facing",
            "Type": body.get("load_balancer_type") or "application",
            "IpAddressType": "ipv4",
        }
        if body.get("security_group_ids"):
            params["SecurityGroups"] = list(body["security_group_ids"])
        if body.get("tags"):
            params["Tags"] = tag_list(body["tags"])
        created = (await self.call("create_load_balancer", **params))["LoadBalancers"][0]
        arn = str(created["LoadBalancerArn"])
        if body.get("idle_timeout") not in (None, 60):
            await self._idle_timeout(arn, int(body["idle_timeout"]))
        return await self.settled(lambda: self.get_load_balancer(arn))

    async def _idle_timeout(self, arn: str, seconds: int) -> None:
        await self.call(
            "modify_load_balancer_attributes",
            LoadBalancerArn=arn,
            Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": str(seconds)}],
        )

    async def _balancer(self, arn: str) -> dict[str, Any]:
        found = await self.call("describe_load_balancers", LoadBalancerArns=[arn])
        balancers = found.get("LoadBalancers") or []
        if not balancers:
            raise _aws_base.not_found(f"load balancer {arn} not found")
        return dict(balancers[0])

    async def get_load_balancer(self, arn: str) -> Doc:
        lb = await self._balancer(arn)
        found = await self.call("describe_load_balancer_attributes", LoadBalancerArn=arn)
        attributes = {a["Key"]: a["Value"] for a in found.get("Attributes") or []}
        return {
            "arn": lb["LoadBalancerArn"],
            "name": lb["LoadBalancerName"],
            "dns_name": lb.get("DNSName"),
            "internal": lb.get("Scheme") == "internal",
            "load_balancer_type": lb.get("Type"),
            "security_group_ids": sorted(lb.get("SecurityGroups") or []),
            "subnet_ids": sorted(z["SubnetId"] for z in lb.get("AvailabilityZones") or []),
            "vpc_id": lb.get("VpcId"),
            "state": (lb.get("State") or {}).get("Code"),
            "idle_timeout": int(attributes.get("idle_timeout.timeout_seconds") or 60),
            "tags": await self.tags_of(arn),
        }

    async def update_load_balancer(self, arn: str, changes: Doc) -> Doc:
        if "security_group_ids" in changes:
            await self.call(
                "set_security_groups",
                LoadBalancerArn=arn,
                SecurityGroups=list(changes["security_group_ids"]),
            )
        if "subnet_ids" in changes:
            await self.call("set_subnets", LoadBalancerArn=arn, Subnets=list(changes["subnet_ids"]))
        if "idle_timeout" in changes:
            await self._idle_timeout(arn, int(changes["idle_timeout"]))
        if "tags" in changes:
            await self.retag(arn, changes["tags"])
        return await self.get_load_balancer(arn)

    async def delete_load_balancer(self, arn: str) -> None:
        await self.call("delete_load_balancer", LoadBalancerArn=arn)

    # -- listeners ------------------------------------------------------------------------------

    async def create_listener(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "LoadBalancerArn": body["load_balancer_arn"],
            "Port": body["port"],
            "Protocol": body.get("protocol") or "HTTP",
            "DefaultActions": [action_params(body["default_action"])],
        }
        if body.get("tags"):
            params["Tags"] = tag_list(body["tags"])
        created = (await self.call("create_listener", **params))["Listeners"][0]
        arn = str(created["ListenerArn"])
        return await self.settled(lambda: self.get_listener(arn))

    async def get_listener(self, arn: str) -> Doc:
        found = await self.call("describe_listeners", ListenerArns=[arn])
        listeners = found.get("Listeners") or []
        if not listeners:
            raise _aws_base.not_found(f"listener {arn} not found")
        listener = listeners[0]
        lb = await self._balancer(listener["LoadBalancerArn"])
        return await self._listener_doc(listener, str(lb.get("DNSName") or ""))

    async def list_listeners(self, load_balancer_arn: str) -> list[Doc]:
        lb = await self._balancer(load_balancer_arn)
        listeners = await self.pages(
            "describe_listeners", "Listeners", LoadBalancerArn=load_balancer_arn
        )
        dns = str(lb.get("DNSName") or "")
        return [await self._listener_doc(item, dns) for item in listeners]

    async def _listener_doc(self, listener: dict[str, Any], dns: str) -> Doc:
        port = int(listener.get("Port") or 0)
        actions = listener.get("DefaultActions") or [{}]
        return {
            "arn": listener["ListenerArn"],
            "load_balancer_arn": listener.get("LoadBalancerArn"),
            "port": port,
            "protocol": listener.get("Protocol"),
            "default_action": action_doc(actions[0]),
            "bound_address": f"{dns}:{port}",
            "url": f"http://{dns}" if port == 80 else f"http://{dns}:{port}",
            "tags": await self.tags_of(listener["ListenerArn"]),
        }

    async def update_listener(self, arn: str, changes: Doc) -> Doc:
        params: dict[str, Any] = {}
        if "port" in changes:
            params["Port"] = changes["port"]
        if "protocol" in changes:
            params["Protocol"] = changes["protocol"]
        if "default_action" in changes:
            params["DefaultActions"] = [action_params(changes["default_action"])]
        if params:
            await self.call("modify_listener", ListenerArn=arn, **params)
        if "tags" in changes:
            await self.retag(arn, changes["tags"])
        return await self.get_listener(arn)

    async def delete_listener(self, arn: str) -> None:
        await self.call("delete_listener", ListenerArn=arn)

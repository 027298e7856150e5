"""Target groups and their targets on AWS, as ``_target.Elbv2`` documents.

The health check is ``CreateTargetGroup``'s and ``ModifyTargetGroup``'s ``HealthCheck*``
parameters and ``Matcher``; draining, slow start and the algorithm are the group's attributes
(``deregistration_delay.timeout_seconds``, ``slow_start.duration_seconds``,
``load_balancing.algorithm.type``). AWS takes whole seconds (5 s at least between checks):
the fractions the local cloud allows are refused by botocore or AWS, and the error names the
target group.
"""

from __future__ import annotations

from typing import Any

from gitterra.providers.aws import _aws_base, _aws_call, _aws_elbv2, _client
from gitterra.providers.aws._aws_base import tag_list
from gitterra.providers.aws._target import Doc

_CHECK = (
    ("enabled", "HealthCheckEnabled"),
    ("path", "HealthCheckPath"),
    ("port", "HealthCheckPort"),
    ("protocol", "HealthCheckProtocol"),
    ("interval", "HealthCheckIntervalSeconds"),
    ("timeout", "HealthCheckTimeoutSeconds"),
    ("healthy_threshold", "HealthyThresholdCount"),
    ("unhealthy_threshold", "UnhealthyThresholdCount"),
)
_ATTRIBUTES = (
    ("deregistration_delay", "deregistration_delay.timeout_seconds"),
    ("slow_start", "slow_start.duration_seconds"),
    ("load_balancing_algorithm_type", "load_balancing.algorithm.type"),
)


def _whole(value: Any) -> Any:
    """A number AWS takes as an integer, when it is one (fractions are left to be refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _check_params(check: Doc) -> dict[str, Any]:
    params = {aws: _whole(check[k]) for k, aws in _CHECK if check.get(k) is not None}
    if check.get("matcher"):
        params["Matcher"] = {"HttpCode": check["matcher"]}
    return params


class TargetGroups(_aws_elbv2.Balancers):
    async def create_target_group(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "Name": body["name"],
            "Protocol": body.get("protocol") or "HTTP",
            "Port": body["port"],
            "TargetType": body.get("target_type") or "instance",
            **_check_params(body.get("health_check") or {}),
        }
        if body.get("vpc_id"):
            params["VpcId"] = body["vpc_id"]
        if body.get("tags"):
            params["Tags"] = tag_list(body["tags"])
        created = (await self.call("create_target_group", **params))["TargetGroups"][0]
        arn = str(created["TargetGroupArn"])
        await self._attributes(arn, body)
        return await self.settled(lambda: self.get_target_group(arn))

    async def _attributes(self, arn: str, body: Doc) -> None:
        attributes = [
            {"Key": aws, "Value": str(body[k])} for k, aws in _ATTRIBUTES if body.get(k) is not None
        ]
        if attributes:
            await self.call(
                "modify_target_group_attributes", TargetGroupArn=arn, Attributes=attributes
            )

    async def get_target_group(self, arn: str) -> Doc:
        found = await self.call("describe_target_groups", TargetGroupArns=[arn])
        groups = found.get("TargetGroups") or []
        if not groups:
            raise _aws_base.not_found(f"target group {arn} not found")
        g = groups[0]
        answer = await self.call("describe_target_group_attributes", TargetGroupArn=arn)
        attributes = {a["Key"]: a["Value"] for a in answer.get("Attributes") or []}
        return {
            "arn": g["TargetGroupArn"],
            "name": g["TargetGroupName"],
            "port": g.get("Port"),
            "protocol": g.get("Protocol"),
            "vpc_id": g.get("VpcId"),
            "target_type": g.get("TargetType"),
            "deregistration_delay": int(attributes.get(_ATTRIBUTES[0][1]) or 300),
            "slow_start": int(attributes.get(_ATTRIBUTES[1][1]) or 0),
            "load_balancing_algorithm_type": attributes.get(_ATTRIBUTES[2][1]) or "round_robin",
            "health_check": {
                **{k: g.get(aws) for k, aws in _CHECK},
                "matcher": (g.get("Matcher") or {}).get("HttpCode"),
            },
            "load_balancer_arns": list(g.get("LoadBalancerArns") or []),
            "tags": await self.tags_of(arn),
        }

    async def update_target_group(self, arn: str, changes: Doc) -> Doc:
        if changes.get("health_check"):
            await self.call(
                "modify_target_group", TargetGroupArn=arn, **_check_params(changes["health_check"])
            )
        await self._attributes(arn, changes)
        if "tags" in changes:
            await self.retag(arn, changes["tags"])
        return await self.get_target_group(arn)

    async def delete_target_group(self, arn: str) -> None:
        """Retried while AWS still counts a listener just deleted as a user (ResourceInUse),
        as the AWS provider does."""

        async def attempt() -> None:
            await self.call("delete_target_group", TargetGroupArn=arn)

        await _aws_call.eventually(
            attempt,
            lambda exc: isinstance(exc, _client.ConflictError),
            _aws_base.PROPAGATION,
            self.timing.poll,
        )

    async def register_targets(self, arn: str, targets: list[Doc]) -> None:
        await self.call("register_targets", TargetGroupArn=arn, Targets=_targets(targets))

    async def deregister_targets(self, arn: str, targets: list[Doc]) -> None:
        await self.call("deregister_targets", TargetGroupArn=arn, Targets=_targets(targets))

    async def target_health(self, arn: str) -> list[Doc]:
        found = await self.call("describe_target_health", TargetGroupArn=arn)
        return [
            {
                "id": d["Target"]["Id"],
                "port": d["Target"].get("Port"),
                "state": (d.get("TargetHealth") or {}).get("State"),
                "reason": (d.get("TargetHealth") or {}).get("Reason"),
                "description": (d.get("TargetHealth") or {}).get("Description"),
            }
            for d in found.get("TargetHealthDescriptions") or []
        ]


def _targets(targets: list[Doc]) -> list[dict[str, Any]]:
    out = []
    for t in targets:
        target: dict[str, Any] = {"Id": t["id"]}
        if t.get("port") is not None:
            target["Port"] = t["port"]
        out.append(target)
    return out

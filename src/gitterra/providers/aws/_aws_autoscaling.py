"""Auto Scaling on AWS, as ``_target.Autoscaling`` documents: launch configurations, groups,
their capacity, instance refreshes.

A group's target groups change through ``AttachLoadBalancerTargetGroups``/``Detach...`` and
its tags through ``CreateOrUpdateTags``/``DeleteTags`` (with each tag's
``propagate_at_launch``), as the AWS provider does; the rest through
``UpdateAutoScalingGroup``. Capacity counts instances ``InService`` and ``Healthy``, and of
those, the ones healthy in every target group of the group (``DescribeTargetHealth``).
Instance refreshes are ``StartInstanceRefresh``, ``DescribeInstanceRefreshes`` and
``CancelInstanceRefresh``. A launch configuration's ``user_data`` arrives base64-encoded and is
sent decoded (botocore encodes ``CreateLaunchConfiguration``'s ``UserData`` itself).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from gitterra.providers.aws import _aws_base, _aws_call, _client
from gitterra.providers.aws._aws_base import tag_dict
from gitterra.providers.aws._target import Doc

#: Group fields sent as they are: API field -> AWS parameter.
_SCALARS = {
    "min_size": "MinSize",
    "max_size": "MaxSize",
    "desired_capacity": "DesiredCapacity",
    "health_check_type": "HealthCheckType",
    "health_check_grace_period": "HealthCheckGracePeriod",
    "default_instance_warmup": "DefaultInstanceWarmup",
    "termination_policies": "TerminationPolicies",
}


class Autoscaling(_aws_base.Service):
    service = "autoscaling"

    # -- launch configurations ------------------------------------------------------------------

    async def create_launch_configuration(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "LaunchConfigurationName": body["name"],
            "ImageId": body["image_id"],
            "InstanceType": body["instance_type"],
        }
        if body.get("user_data"):
            params["UserData"] = base64.b64decode(body["user_data"])
        if body.get("security_group_ids"):
            params["SecurityGroups"] = list(body["security_group_ids"])
        if body.get("key_name"):
            params["KeyName"] = body["key_name"]
        await self.call("create_launch_configuration", **params)
        return await self.settled(lambda: self.get_launch_configuration(body["name"]))

    async def get_launch_configuration(self, name: str) -> Doc:
        found = await self.call("describe_launch_configurations", LaunchConfigurationNames=[name])
        configs = found.get("LaunchConfigurations") or []
        if not configs:
            raise _aws_base.not_found(f"launch configuration {name} not found")
        c = configs[0]
        return {
            "name": c["LaunchConfigurationName"],
            "arn": c.get("LaunchConfigurationARN"),
            "image_id": c.get("ImageId"),
            "instance_type": c.get("InstanceType"),
            "user_data": c.get("UserData") or "",
            "security_group_ids": list(c.get("SecurityGroups") or []),
            "key_name": c.get("KeyName") or None,
            "created_at": str(c.get("CreatedTime") or ""),
        }

    async def delete_launch_configuration(self, name: str) -> None:
        await self.call("delete_launch_configuration", LaunchConfigurationName=name)

    # -- groups ---------------------------------------------------------------------------------

    async def create_group(self, body: Doc, propagate: Mapping[str, bool]) -> None:
        name = body["name"]
        params = {"AutoScalingGroupName": name, **self._params(body)}
        if body.get("target_group_arns"):
            params["TargetGroupARNs"] = list(body["target_group_arns"])
        if body.get("tags"):
            params["Tags"] = self._tags(name, body["tags"], propagate)
        await self.call("create_auto_scaling_group", **params)
        await self.settled(lambda: self.get_group(name))

    @staticmethod
    def _params(body: Doc) -> dict[str, Any]:
        params = {aws: body[f] for f, aws in _SCALARS.items() if body.get(f) is not None}
        if body.get("vpc_zone_identifier") is not None:
            params["VPCZoneIdentifier"] = ",".join(body["vpc_zone_identifier"])
        template = body.get("launch_template")
        if template:
            spec = {"LaunchTemplateId": template["id"]}
            if template.get("version") is not None:
                spec["Version"] = str(template["version"])
            params["LaunchTemplate"] = spec
        if body.get("launch_configuration"):
            params["LaunchConfigurationName"] = body["launch_configuration"]
        return params

    @staticmethod
    def _tags(name: str, tags: Mapping[str, str], propagate: Mapping[str, bool]) -> list[Any]:
        return [
            {
                "Key": k,
                "Value": v,
                "PropagateAtLaunch": propagate.get(k, True),
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
            }
            for k, v in sorted(tags.items())
        ]

    async def _group(self, name: str) -> dict[str, Any]:
        found = await self.call("describe_auto_scaling_groups", AutoScalingGroupNames=[name])
        groups = found.get("AutoScalingGroups") or []
        if not groups:
            raise _aws_base.not_found(f"Auto Scaling group {name} not found")
        return dict(groups[0])

    async def get_group(self, name: str) -> Doc:
        g = await self._group(name)
        lt = g.get("LaunchTemplate")
        return {
            "name": g["AutoScalingGroupName"],
            "arn": g.get("AutoScalingGroupARN"),
            "min_size": g.get("MinSize"),
            "max_size": g.get("MaxSize"),
            "desired_capacity": g.get("DesiredCapacity"),
            "launch_template": (
                {
                    "id": lt.get("LaunchTemplateId"),
                    "name": lt.get("LaunchTemplateName"),
                    "version": lt.get("Version"),
                }
                if lt
                else None
            ),
            "launch_configuration": g.get("LaunchConfigurationName"),
            "target_group_arns": list(g.get("TargetGroupARNs") or []),
            "vpc_zone_identifier": [s for s in (g.get("VPCZoneIdentifier") or "").split(",") if s],
            "health_check_type": g.get("HealthCheckType"),
            "health_check_grace_period": g.get("HealthCheckGracePeriod"),
            "default_instance_warmup": g.get("DefaultInstanceWarmup"),
            "termination_policies": list(g.get("TerminationPolicies") or []),
            "instances": [
                {
                    "id": i["InstanceId"],
                    "lifecycle_state": i.get("LifecycleState"),
                    "health_status": i.get("HealthStatus"),
                }
                for i in g.get("Instances") or []
            ],
            "status": g.get("Status"),
            "tags": tag_dict(g.get("Tags")),
        }

    async def update_group(self, name: str, changes: Doc, propagate: Mapping[str, bool]) -> None:
        group = await self._group(name)
        params = self._params(changes)
        if params:
            await self.call("update_auto_scaling_group", AutoScalingGroupName=name, **params)
        if "target_group_arns" in changes:
            old, new = set(group.get("TargetGroupARNs") or []), set(changes["target_group_arns"])
            if new - old:
                await self.call(
                    "attach_load_balancer_target_groups",
                    AutoScalingGroupName=name,
                    TargetGroupARNs=sorted(new - old),
                )
            if old - new:
                await self.call(
                    "detach_load_balancer_target_groups",
                    AutoScalingGroupName=name,
                    TargetGroupARNs=sorted(old - new),
                )
        if "tags" in changes:
            await self._retag(name, group, changes["tags"], propagate)

    async def _retag(
        self,
        name: str,
        group: dict[str, Any],
        tags: Mapping[str, str],
        propagate: Mapping[str, bool],
    ) -> None:
        old = {t["Key"]: t for t in group.get("Tags") or [] if not t["Key"].startswith("aws:")}
        removed = [k for k in old if k not in tags]
        if removed:
            await self.call(
                "delete_tags", Tags=self._tags(name, {k: old[k]["Value"] for k in removed}, {})
            )
        changed = {
            k: v
            for k, v in tags.items()
            if k not in old
            or old[k].get("Value") != v
            or bool(old[k].get("PropagateAtLaunch")) != propagate.get(k, True)
        }
        if changed:
            await self.call("create_or_update_tags", Tags=self._tags(name, changed, propagate))

    async def delete_group(self, name: str, *, force: bool, timeout: float) -> None:
        async def attempt() -> None:
            await self.call(
                "delete_auto_scaling_group", AutoScalingGroupName=name, ForceDelete=force
            )

        def busy(exc: _client.CloudError) -> bool:  # scaling in progress: AWS asks to retry
            return isinstance(exc, _client.ConflictError) and "ScalingActivity" in getattr(
                exc, "code", ""
            )

        await _aws_call.eventually(attempt, busy, timeout, self.timing.poll)

    async def group_capacity(self, name: str) -> Doc:
        group = await self._group(name)
        in_service = {
            i["InstanceId"]
            for i in group.get("Instances") or []
            if i.get("LifecycleState") == "InService" and i.get("HealthStatus") == "Healthy"
        }
        healthy = set(in_service)
        for arn in group.get("TargetGroupARNs") or []:
            found = await self.conn.clients.call(
                "elbv2", "describe_target_health", TargetGroupArn=arn
            )
            healthy &= {
                d["Target"]["Id"]
                for d in found.get("TargetHealthDescriptions") or []
                if (d.get("TargetHealth") or {}).get("State") == "healthy"
            }
        return {
            "desired": group.get("DesiredCapacity"),
            "in_service": len(in_service),
            "healthy_in_target_groups": len(healthy),
        }

    # -- instance refreshes ---------------------------------------------------------------------

    async def start_instance_refresh(self, name: str, body: Doc) -> Doc:
        prefs = body.get("preferences") or {}
        preferences: dict[str, Any] = {
            "MinHealthyPercentage": prefs.get("min_healthy_percentage", 90),
            "MaxHealthyPercentage": prefs.get("max_healthy_percentage", 100),
            "SkipMatching": bool(prefs.get("skip_matching")),
        }
        if prefs.get("instance_warmup") is not None:
            preferences["InstanceWarmup"] = int(prefs["instance_warmup"])
        started = await self.call(
            "start_instance_refresh",
            AutoScalingGroupName=name,
            Strategy=body.get("strategy") or "Rolling",
            Preferences=preferences,
        )
        return {"id": started["InstanceRefreshId"]}

    async def instance_refreshes(self, name: str) -> list[Doc]:
        found = await self.call("describe_instance_refreshes", AutoScalingGroupName=name)
        return [
            {
                "id": r["InstanceRefreshId"],
                "status": r.get("Status"),
                "percentage_complete": r.get("PercentageComplete"),
                "status_reason": r.get("StatusReason"),
            }
            for r in found.get("InstanceRefreshes") or []
        ]

    async def cancel_instance_refresh(self, name: str) -> None:
        await self.call("cancel_instance_refresh", AutoScalingGroupName=name)

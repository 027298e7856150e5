"""EC2 launch templates, VPCs, subnets, images, availability zones and regions on AWS, as
``_target.Ec2`` documents.

A launch template's document carries its latest version (the one the resource shows). Lists
take the data sources' EC2 filters and pass them to AWS (``filters_on_server``). Image owners
that are neither account ids nor AWS's aliases (``self``, ``amazon``, ``aws-marketplace`` ...)
own no image on AWS, so they are left out of the request instead of failing it: the scaffold's
``owners = ["gitterra", "amazon"]`` finds the local cloud's image on one target and Amazon's
on the other.
"""

from __future__ import annotations

import re
from typing import Any

from gitterra.providers.aws import _aws_base, _aws_ec2, _aws_session, _client
from gitterra.providers.aws._aws_base import tag_dict, tag_list
from gitterra.providers.aws._target import Doc

_OWNER_ALIASES = ("self", "amazon", "aws-marketplace", "aws-backup-vault")
_ACCOUNT = re.compile(r"\d{12}")


def aws_filters(filters: list[Doc]) -> list[dict[str, Any]]:
    return [{"Name": f["name"], "Values": list(f.get("values") or [])} for f in filters]


def _template_data(version: Doc) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, name in (
        ("image_id", "ImageId"),
        ("instance_type", "InstanceType"),
        ("user_data", "UserData"),
        ("key_name", "KeyName"),
    ):
        if version.get(key):
            data[name] = version[key]
    if version.get("security_group_ids"):
        data["SecurityGroupIds"] = sorted(version["security_group_ids"])
    return data


class Network(_aws_ec2.SecurityGroups):
    """Launch templates and the read-only EC2 lists, beside the groups and key pairs."""

    # -- launch templates -----------------------------------------------------------------------

    async def create_launch_template(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "LaunchTemplateName": body["name"],
            "LaunchTemplateData": _template_data(body),
        }
        if body.get("tags"):
            params["TagSpecifications"] = [
                {"ResourceType": "launch-template", "Tags": tag_list(body["tags"])}
            ]
        created = (await self.call("create_launch_template", **params))["LaunchTemplate"]
        template_id = str(created["LaunchTemplateId"])
        return await self.settled(lambda: self.get_launch_template(template_id))

    async def _template(self, key: str) -> dict[str, Any]:
        by = (
            {"LaunchTemplateIds": [key]}
            if key.startswith("lt-")
            else {"LaunchTemplateNames": [key]}
        )
        try:
            found = await self.call("describe_launch_templates", **by)
        except _client.BadRequestError as exc:
            if "Malformed" in exc.code or "NotFound" in exc.code:
                raise _aws_base.not_found(f"launch template {key} not found") from exc
            raise
        templates = found.get("LaunchTemplates") or []
        if not templates:
            raise _aws_base.not_found(f"launch template {key} not found")
        return dict(templates[0])

    async def get_launch_template(self, template_id: str) -> Doc:
        template = await self._template(template_id)
        tid, latest = template["LaunchTemplateId"], template.get("LatestVersionNumber")
        found = await self.call(
            "describe_launch_template_versions", LaunchTemplateId=tid, Versions=[str(latest)]
        )
        versions = [self._version(v) for v in found.get("LaunchTemplateVersions") or []]
        return {
            "id": tid,
            "arn": self.arn("ec2", f"launch-template/{tid}"),
            "name": template["LaunchTemplateName"],
            "default_version": template.get("DefaultVersionNumber"),
            "latest_version": latest,
            "tags": tag_dict(template.get("Tags")),
            "versions": versions,
        }

    @staticmethod
    def _version(v: dict[str, Any]) -> Doc:
        data = v.get("LaunchTemplateData") or {}
        return {
            "version_number": v.get("VersionNumber"),
            "image_id": data.get("ImageId"),
            "instance_type": data.get("InstanceType"),
            "user_data": data.get("UserData"),
            "security_group_ids": sorted(data.get("SecurityGroupIds") or []),
            "key_name": data.get("KeyName"),
            "created_at": str(v.get("CreateTime") or ""),
        }

    async def find_launch_template(self, name: str) -> Doc | None:
        try:
            return await self.get_launch_template(name)
        except _client.NotFoundError:
            return None

    async def add_launch_template_version(self, template_id: str, version: Doc) -> Doc:
        await self.call(
            "create_launch_template_version",
            LaunchTemplateId=template_id,
            LaunchTemplateData=_template_data(version),
        )
        return await self.get_launch_template(template_id)

    async def update_launch_template(self, template_id: str, changes: Doc) -> Doc:
        if changes.get("default_version") is not None:
            await self.call(
                "modify_launch_template",
                LaunchTemplateId=template_id,
                DefaultVersion=str(changes["default_version"]),
            )
        if "tags" in changes:
            template = await self._template(template_id)
            await self.retag(template_id, tag_dict(template.get("Tags")), changes["tags"])
        return await self.get_launch_template(template_id)

    async def delete_launch_template(self, template_id: str) -> None:
        await self.call("delete_launch_template", LaunchTemplateId=template_id)

    # -- network and images ---------------------------------------------------------------------

    async def list_vpcs(self, filters: list[Doc]) -> list[Doc]:
        vpcs = await self.pages("describe_vpcs", "Vpcs", Filters=aws_filters(filters))
        return [
            {
                "id": v["VpcId"],
                "cidr_block": v.get("CidrBlock"),
                "is_default": bool(v.get("IsDefault")),
                "state": v.get("State"),
                "owner_id": v.get("OwnerId"),
                "instance_tenancy": v.get("InstanceTenancy"),
                "tags": tag_dict(v.get("Tags")),
            }
            for v in vpcs
        ]

    async def list_subnets(self, vpc_id: str | None, filters: list[Doc]) -> list[Doc]:
        wanted = aws_filters(filters)
        if vpc_id:
            wanted.append({"Name": "vpc-id", "Values": [vpc_id]})
        subnets = await self.pages("describe_subnets", "Subnets", Filters=wanted)
        return [
            {
                "id": s["SubnetId"],
                "vpc_id": s.get("VpcId"),
                "availability_zone": s.get("AvailabilityZone"),
                "cidr_block": s.get("CidrBlock"),
                "default_for_az": bool(s.get("DefaultForAz")),
                "tags": tag_dict(s.get("Tags")),
            }
            for s in subnets
        ]

    async def list_images(self, owners: list[str], filters: list[Doc]) -> list[Doc]:
        params: dict[str, Any] = {"Filters": aws_filters(filters)}
        if owners:
            known = [o for o in owners if o in _OWNER_ALIASES or _ACCOUNT.fullmatch(o)]
            if not known:
                return []
            params["Owners"] = known
        found = await self.call("describe_images", **params)
        return [self._image(i) for i in found.get("Images") or []]

    @staticmethod
    def _image(i: dict[str, Any]) -> Doc:
        owner_id = i.get("OwnerId")
        return {
            "id": i["ImageId"],
            "name": i.get("Name") or "",
            "owner": i.get("ImageOwnerAlias") or owner_id,
            "owner_id": owner_id,
            "owner_alias": i.get("ImageOwnerAlias") or "",
            "description": i.get("Description") or "",
            "architecture": i.get("Architecture"),
            "created_at": i.get("CreationDate") or "",
            "location": i.get("ImageLocation") or "",
            "image_type": i.get("ImageType"),
            "platform_details": i.get("PlatformDetails") or "Linux/UNIX",
            "root_device_type": i.get("RootDeviceType"),
            "state": i.get("State"),
            "virtualization_type": i.get("VirtualizationType"),
            "public": bool(i.get("Public")),
            "tags": tag_dict(i.get("Tags")),
        }

    async def availability_zones(self) -> list[Doc]:
        found = await self.call("describe_availability_zones")
        return [
            {"name": z["ZoneName"], "zone_id": z.get("ZoneId", ""), "state": z.get("State")}
            for z in found.get("AvailabilityZones") or []
        ]

    async def region_info(self, name: str | None) -> Doc:
        wanted = name or self.conn.region
        for partition in _aws_session.data_loader().load_data("endpoints")["partitions"]:
            region = partition["regions"].get(wanted)
            if region is not None:
                return {
                    "name": wanted,
                    "endpoint": f"ec2.{wanted}.{partition['dnsSuffix']}",
                    "description": region.get("description", ""),
                }
        raise _client.NotFoundError(404, "NotFound", f"{wanted!r} is not an AWS region", "name")

"""``aws_launch_template``: versioned boot settings (``/api/v1/launch-templates``).

Creating makes version 1. Changing what an instance boots with (image, type, user data, groups,
key, description) adds a version (``POST .../versions``): ``latest_version`` is unknown in the
plan, and so is ``default_version`` when ``update_default_version`` is true (the new version
becomes the default). ``user_data`` is base64, as in the AWS provider. Reads show the latest
version. The description is kept in state only (the local cloud's versions have none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostics
from gitterra.providers.aws import _client, _kit, _launch, _resource
from gitterra.providers.aws._kit import STRING_SET, a

_NAME = re.compile(r"^[a-zA-Z0-9().\-/_]+$")

#: The arguments a version holds: changing one adds a version.
VERSION_FIELDS = (
    "image_id",
    "instance_type",
    "user_data",
    "vpc_security_group_ids",
    "key_name",
    "description",
)

_UNSUPPORTED_ATTRS = (
    "security_group_names",
    "disable_api_stop",
    "disable_api_termination",
    "ebs_optimized",
    "instance_initiated_shutdown_behavior",
    "kernel_id",
    "ram_disk_id",
)


class LaunchTemplate(_resource.CloudResource):
    name = "aws_launch_template"
    label = "EC2 Launch Template"
    api_fields: ClassVar[Mapping[str, str]] = {"security_group_ids": "vpc_security_group_ids"}
    unsupported = (
        *_UNSUPPORTED_ATTRS,
        "block_device_mappings",
        "credit_specification",
        "iam_instance_profile",
        "metadata_options",
        "monitoring",
        "network_interfaces",
        "placement",
        "tag_specifications",
    )
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING),
                **_kit.name_attributes(128),
                "description": a("O", lang.STRING, description="Kept in state."),
                "default_version": a("OC", lang.NUMBER, description="The default version."),
                "update_default_version": a(
                    "O", lang.BOOL, description="Make each new version the default."
                ),
                "latest_version": a("C", lang.NUMBER, description="The newest version."),
                "image_id": a("O", lang.STRING, description="The image instances boot."),
                "instance_type": a("O", lang.STRING, description="Memory and CPU limits."),
                "user_data": a("O", lang.STRING, description="Boot script, base64-encoded."),
                "vpc_security_group_ids": a("O", STRING_SET, description="Security group ids."),
                "key_name": a("O", lang.STRING, description="A key pair name."),
                **_kit.tag_attributes(),
                **_kit.unsupported(*_UNSUPPORTED_ATTRS),
            },
            {
                "block_device_mappings": _kit.unsupported_block("device_name", "no_device"),
                "credit_specification": _kit.unsupported_block("cpu_credits"),
                "iam_instance_profile": _kit.unsupported_block("arn", "name"),
                "metadata_options": _kit.unsupported_block(
                    "http_endpoint", "http_tokens", "http_put_response_hop_limit"
                ),
                "monitoring": _kit.unsupported_block("enabled"),
                "network_interfaces": _kit.unsupported_block(
                    "associate_public_ip_address", "security_groups", "subnet_id"
                ),
                "placement": _kit.unsupported_block("availability_zone", "tenancy"),
                "tag_specifications": _kit.unsupported_block("resource_type", "tags"),
            },
            "Versioned boot settings for instances.",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        _resource.check_conflicts(cfg, "default_version", "update_default_version", diags)
        _resource.check_length(cfg, "name", 128, diags)
        _resource.check_length(cfg, "name_prefix", 99, diags)
        name = cfg.get("name")
        if isinstance(name, str) and (len(name) < 3 or not _NAME.match(name)):
            diags.add(
                _resource.invalid(
                    "name",
                    f'"{name}": a launch template name is 3 to 128 letters, digits and ().-/_',
                )
            )
        _launch.check_base64(cfg, "user_data", diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        planned = self.plan_tags(change.planned)
        updating = prior is not None and not prior.is_null and not change.requires_replace
        if updating and any(_kit.changed(prior, planned, f) for f in VERSION_FIELDS):
            changes = {"latest_version": lang.unknown_val(lang.NUMBER)}
            if _kit.py(planned.items()["update_default_version"]):
                changes["default_version"] = lang.unknown_val(lang.NUMBER)
            planned = _kit.with_values(self.block, planned, changes)
        return engine.PlannedChange(planned, change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "terraform-")
        body = {"name": name, **self.version_body(p), "tags": self.all_tags(p)}
        try:
            doc = await self.cloud.ec2.create_launch_template(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        return engine.ApplyResult(self.from_doc(p, doc))

    @staticmethod
    def version_body(p: dict[str, Any]) -> dict[str, Any]:
        return {
            "image_id": p["image_id"],
            "instance_type": p["instance_type"],
            "user_data": p["user_data"],
            "security_group_ids": sorted(p["vpc_security_group_ids"] or []),
            "key_name": p["key_name"],
        }

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        ec2 = self.cloud.ec2
        try:
            doc = None
            if any(_kit.changed(prior, planned, f) for f in VERSION_FIELDS):
                doc = await ec2.add_launch_template_version(p["id"], self.version_body(p))
            patch: dict[str, Any] = {}
            if p["update_default_version"] and doc is not None:
                patch["default_version"] = doc["latest_version"]
            elif p["default_version"] is not None and _kit.changed(
                prior, planned, "default_version"
            ):
                patch["default_version"] = p["default_version"]
            if _kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all"):
                patch["tags"] = self.all_tags(p)
            if patch:
                doc = await ec2.update_launch_template(p["id"], patch)
            if doc is None:
                doc = await ec2.get_launch_template(p["id"])
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", p["id"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.ec2.delete_launch_template(p["id"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.ec2.get_launch_template(p["id"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            doc = await self.cloud.ec2.get_launch_template(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.from_doc({}, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        latest = doc.get("latest_version")
        versions = doc.get("versions") or []
        version = next((v for v in versions if v.get("version_number") == latest), None)
        version = version or (versions[-1] if versions else {})
        return self.state(
            {
                **p,
                "arn": doc.get("arn"),
                "id": doc["id"],
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "default_version": doc.get("default_version"),
                "latest_version": latest,
                "image_id": version.get("image_id"),
                "instance_type": version.get("instance_type"),
                "user_data": version.get("user_data") or p.get("user_data"),
                "vpc_security_group_ids": version.get("security_group_ids")
                or p.get("vpc_security_group_ids"),
                "key_name": version.get("key_name"),
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
            }
        )

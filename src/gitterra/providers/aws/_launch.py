"""How instances boot: ``aws_launch_configuration`` (immutable, addressed by name) and
``aws_launch_template`` (versioned, addressed by ``lt-`` id).

A launch configuration's every argument forces replacement (AWS cannot change one); its
``user_data`` is plain text sent base64-encoded, and recorded in state as the SHA-1 of the script
as the AWS provider records it (``user_data_base64`` is kept as given). A launch template's
``user_data`` is base64 already; changing what an instance boots with (image, type, user data,
groups, key, description) adds a version: ``latest_version`` is unknown in the plan, and with
``update_default_version`` so is ``default_version``. Reads show the latest version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws._kit import STRING_SET, a

_IN_USE_RETRY = 120.0
_LT_NAME = re.compile(r"^[a-zA-Z0-9().\-/_]+$")

_BLOCK_DEVICE = (
    "device_name",
    "no_device",
    "snapshot_id",
    "volume_size",
    "volume_type",
    "iops",
    "throughput",
    "encrypted",
    "delete_on_termination",
)


def check_base64(cfg: dict[str, Any], name: str, diags: Diagnostics) -> None:
    value = cfg.get(name)
    if isinstance(value, str) and not _kit.is_base64(value):
        diags.add(
            _resource.invalid(
                name,
                f'"{name}" must be base64-encoded (use base64encode() or filebase64()), got a '
                "string that is not",
            )
        )


class LaunchConfiguration(_resource.CloudResource):
    name = "aws_launch_configuration"
    label = "Auto Scaling Launch Configuration"
    api_fields: ClassVar[Mapping[str, str]] = {"security_group_ids": "security_groups"}
    unsupported = (
        "associate_public_ip_address",
        "iam_instance_profile",
        "ebs_optimized",
        "placement_tenancy",
        "spot_price",
        "metadata_options",
        "root_block_device",
        "ebs_block_device",
        "ephemeral_block_device",
    )
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING, description="The launch configuration's name."),
                **_kit.name_attributes(),
                "image_id": a("R!", lang.STRING, description="The image instances boot."),
                "instance_type": a("R!", lang.STRING, description="Memory and CPU limits."),
                "user_data": a("O!", lang.STRING, description="Boot script (plain text)."),
                "user_data_base64": a("O!", lang.STRING, description="Boot script, base64."),
                "security_groups": a("O!", STRING_SET, description="Security group ids."),
                "key_name": a("OC!", lang.STRING, description="A key pair name."),
                "enable_monitoring": a(
                    "O!", lang.BOOL, default=True, description="Accepted; consoles are kept."
                ),
                **_kit.unsupported(
                    "associate_public_ip_address",
                    "iam_instance_profile",
                    "ebs_optimized",
                    "placement_tenancy",
                    "spot_price",
                ),
            },
            {
                "metadata_options": _kit.unsupported_block(
                    "http_endpoint", "http_tokens", "http_put_response_hop_limit"
                ),
                "root_block_device": _kit.unsupported_block(*_BLOCK_DEVICE),
                "ebs_block_device": _kit.unsupported_block(*_BLOCK_DEVICE),
                "ephemeral_block_device": _kit.unsupported_block(
                    "device_name", "no_device", "virtual_name"
                ),
            },
            "How instances of an auto-scaling group boot (immutable).",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        _resource.check_conflicts(cfg, "user_data", "user_data_base64", diags)
        _resource.check_length(cfg, "name", 255, diags)
        _resource.check_length(cfg, "name_prefix", 255 - 26, diags)
        check_base64(cfg, "user_data_base64", diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        user_data = config.items()["user_data"]
        if user_data.is_known and not user_data.is_null:
            hashed = lang.string_val(_kit.user_data_hash(user_data.as_str()))
            proposed = _kit.with_values(self.block, proposed, {"user_data": hashed})
        return engine.plan_by_schema(self.block, prior, proposed, config)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        cfg = _kit.py(config) if config is not None else {}
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "terraform-")
        script = cfg.get("user_data")
        body = {
            "name": name,
            "image_id": p["image_id"],
            "instance_type": p["instance_type"],
            "user_data": _kit.b64encode(script) if script is not None else p["user_data_base64"],
            "security_group_ids": sorted(p["security_groups"] or []),
            "key_name": p["key_name"],
        }
        try:
            doc = await self.cloud.autoscaling.create_launch_configuration(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)

        async def attempt() -> tuple[bool, str]:
            try:
                await self.cloud.autoscaling.delete_launch_configuration(p["id"])
            except _client.ConflictError as exc:  # a group still uses it: AWS's ResourceInUse
                return False, exc.message
            return True, "deleted"

        try:
            await _resource.wait_for(self.session, _IN_USE_RETRY, attempt)
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        except _resource.WaitTimeout as exc:
            return engine.ApplyResult(
                prior,
                Diagnostics(
                    [Diagnostic.error(f"deleting {self.label} ({p['id']}): in use", str(exc))]
                ),
            )
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.autoscaling.get_launch_configuration(p["id"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            doc = await self.cloud.autoscaling.get_launch_configuration(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.from_doc({"enable_monitoring": True}, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        encoded = doc.get("user_data") or ""
        user_data, user_data_base64 = None, None
        if p.get("user_data_base64") is not None:
            user_data_base64 = encoded
        elif encoded:
            user_data = _kit.user_data_hash(encoded)
        return self.state(
            {
                **p,
                "arn": doc.get("arn"),
                "id": doc["name"],
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "image_id": doc.get("image_id"),
                "instance_type": doc.get("instance_type"),
                "user_data": user_data,
                "user_data_base64": user_data_base64,
                # none given: null stays null (the cloud answers [])
                "security_groups": doc.get("security_group_ids") or p.get("security_groups"),
                "key_name": doc.get("key_name"),
            }
        )

"""What to launch (:class:`LaunchSpec`), its validation, and the instance document it becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gitterra.cloud import NotFound, ValidationError, meta

#: EC2 refuses user data over 16 KiB (before base64); so do we.
USER_DATA_MAX = 16 * 1024
STATES = ("pending", "running", "shutting-down", "terminated")
LIVE_STATES = frozenset(("pending", "running", "shutting-down"))
TAGS_MAX = 50


@dataclass(frozen=True, slots=True)
class LaunchSpec:
    """One instance to launch (what a launch template version or configuration says, plus the
    group launching it). ``user_data`` is the decoded boot script."""

    image_id: str
    instance_type: str
    user_data: bytes = b""
    security_group_ids: list[str] = field(default_factory=list)
    key_name: str | None = None
    group: str | None = None
    launch_template: dict[str, Any] | None = None
    launch_configuration: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def validate(spec: LaunchSpec) -> meta.Image:
    """The spec's image; a ``ValidationError`` naming the field for anything wrong."""
    try:
        image = meta.image(spec.image_id)
    except NotFound as exc:
        raise ValidationError(exc.message, "image_id") from exc
    if spec.instance_type not in meta.INSTANCE_TYPES:
        known = ", ".join(meta.INSTANCE_TYPES)
        raise ValidationError(
            f'The instance type "{spec.instance_type}" is not offered by the local cloud '
            f"(it offers {known}).",
            "instance_type",
        )
    if not isinstance(spec.user_data, bytes):
        raise ValidationError("user_data must be bytes (the decoded script)", "user_data")
    if len(spec.user_data) > USER_DATA_MAX:
        raise ValidationError(
            f"user_data is {len(spec.user_data)} bytes; the limit is {USER_DATA_MAX} bytes.",
            "user_data",
        )
    for i, sg in enumerate(spec.security_group_ids):
        if not isinstance(sg, str) or not sg.startswith("sg-"):
            raise ValidationError(f"{sg!r} is not a security group id", f"security_group_ids.{i}")
    if spec.launch_template is not None and not (
        isinstance(spec.launch_template.get("id"), str) and "version" in spec.launch_template
    ):
        raise ValidationError('launch_template needs "id" and "version"', "launch_template")
    _check_tags(spec.tags)
    return image


def _check_tags(tags: dict[str, str]) -> None:
    if len(tags) > TAGS_MAX:
        raise ValidationError(f"at most {TAGS_MAX} tags, got {len(tags)}", "tags")
    for key, value in tags.items():
        if not isinstance(key, str) or not key or len(key) > 128:
            raise ValidationError(f"tag key {key!r} must be 1 to 128 characters", "tags")
        if not isinstance(value, str) or len(value) > 256:
            raise ValidationError(f"tag {key!r} needs a string value of at most 256", f"tags.{key}")


def document(
    instance_id: str, spec: LaunchSpec, private_ip: str, port: int, now: str
) -> dict[str, Any]:
    """The instance document (docs/cloud-api.md "Instances") of a just-launched instance."""
    return {
        "id": instance_id,
        "state": "pending",
        "state_reason": None,
        "image_id": spec.image_id,
        "instance_type": spec.instance_type,
        "launch_template": dict(spec.launch_template) if spec.launch_template else None,
        "launch_configuration": spec.launch_configuration,
        "group": spec.group,
        "security_group_ids": list(spec.security_group_ids),
        "key_name": spec.key_name,
        "private_ip": private_ip,
        "port": port,
        "pid": None,
        "launched_at": now,
        "terminated_at": None,
        "health": "healthy",
        "tags": dict(spec.tags),
        "created_at": now,
    }

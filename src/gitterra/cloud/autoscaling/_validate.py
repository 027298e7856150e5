"""Checking launch configuration, group and instance refresh requests (field by field).

Each function returns clean fields or raises :class:`~gitterra.cloud.ValidationError` naming
the dotted path at fault. References (launch templates, target groups, security groups) are
resolved by the service, which knows its neighbours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gitterra.cloud import LimitExceeded, ValidationError, meta
from gitterra.cloud.autoscaling import _termination
from gitterra.cloud.ec2 import fields

#: The local cloud's limit on a group's size (instances are processes on one machine).
MAX_GROUP_SIZE = 100

LC_CREATE = (
    "name",
    "image_id",
    "instance_type",
    "user_data",
    "security_group_ids",
    "key_name",
)
GROUP_FIELDS = (
    "min_size",
    "max_size",
    "desired_capacity",
    "launch_template",
    "launch_configuration",
    "target_group_arns",
    "vpc_zone_identifier",
    "health_check_type",
    "health_check_grace_period",
    "default_instance_warmup",
    "termination_policies",
    "tags",
)
GROUP_CREATE = ("name", *GROUP_FIELDS)
REFRESH_FIELDS = ("strategy", "preferences")
PREFERENCE_FIELDS = (
    "min_healthy_percentage",
    "max_healthy_percentage",
    "instance_warmup",
    "skip_matching",
)

_NAME = re.compile(r"[^\x00-\x1f:]+")
_NAME_RULE = "1 to 255 characters, no colons or control characters"


def name(value: object, field: str = "name") -> str:
    return fields.string(value, field, max_len=255, pattern=_NAME, allowed=_NAME_RULE)


def launch_configuration(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A launch configuration's fields; the image and instance type must exist."""
    image_id = fields.string(spec.get("image_id"), "image_id", max_len=64)
    meta.image(image_id)  # NotFound naming image_id, as for launch templates
    instance_type = fields.string(spec.get("instance_type"), "instance_type", max_len=32)
    if instance_type not in meta.INSTANCE_TYPES:
        raise ValidationError(
            f"instance type {instance_type!r} is not offered by the local cloud (one of "
            f"{', '.join(meta.INSTANCE_TYPES)})",
            "instance_type",
        )
    key = spec.get("key_name")
    return {
        "name": name(spec.get("name")),
        "image_id": image_id,
        "instance_type": instance_type,
        "user_data": fields.user_data(spec.get("user_data")),
        "security_group_ids": fields.string_list(
            spec.get("security_group_ids"), "security_group_ids"
        ),
        "key_name": None if key is None else fields.string(key, "key_name", max_len=255),
    }


def sizes(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, int]:
    """min/max/desired after ``changes``: ``min_size <= desired_capacity <= max_size``.

    As AWS: a new ``max_size`` below the desired capacity, or ``min_size`` above it, moves the
    desired capacity along when the request does not set it."""
    out = {}
    for key in ("min_size", "max_size", "desired_capacity"):
        if changes.get(key) is not None:
            out[key] = fields.integer(changes[key], key, 0, 10**6)
    lo = out.get("min_size", current.get("min_size"))
    hi = out.get("max_size", current.get("max_size"))
    if lo is None:
        raise ValidationError("min_size is required", "min_size")
    if hi is None:
        raise ValidationError("max_size is required", "max_size")
    if hi > MAX_GROUP_SIZE:
        raise LimitExceeded(
            f"max_size {hi} is over the local cloud's limit of {MAX_GROUP_SIZE} instances a group",
            "max_size",
        )
    if lo > hi:
        blamed = "min_size" if "min_size" in out else "max_size"
        raise ValidationError(f"min_size ({lo}) must not be greater than max_size ({hi})", blamed)
    desired = out.get("desired_capacity")
    if desired is None:
        desired = min(max(current.get("desired_capacity", lo), lo), hi)
    elif not lo <= desired <= hi:
        raise ValidationError(
            f"desired_capacity ({desired}) must be between min_size ({lo}) and max_size ({hi})",
            "desired_capacity",
        )
    return {"min_size": lo, "max_size": hi, "desired_capacity": desired}


def template_ref(value: object, field: str = "launch_template") -> dict[str, str]:
    """``{"id" or "name", "version"}``: which template and version (default ``$Default``)."""
    ref = fields.body(value, field)
    fields.only(ref, ("id", "name", "version"), f"{field} has")
    given = ref.get("id") or ref.get("name")
    if given is None:
        raise ValidationError(f"{field} needs an id or a name", f"{field}.id")
    ident = fields.string(given, f"{field}.id" if ref.get("id") else f"{field}.name", max_len=128)
    version = ref.get("version")
    if version is None:
        version = "$Default"
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not re.fullmatch(r"\$Latest|\$Default|[1-9]\d*", version):
        raise ValidationError(
            f'{field}.version must be a version number, "$Latest" or "$Default", got {version!r}',
            f"{field}.version",
        )
    return {"id": ident, "version": version}


def group_settings(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The plain settings among ``changes`` (references and sizes are checked elsewhere)."""
    out: dict[str, Any] = {}
    if "health_check_type" in changes:
        kind = changes["health_check_type"] or "EC2"
        if kind not in ("EC2", "ELB"):
            raise ValidationError(
                f"health_check_type must be EC2 or ELB, got {kind!r}", "health_check_type"
            )
        out["health_check_type"] = kind
    if changes.get("health_check_grace_period") is not None:
        out["health_check_grace_period"] = fields.integer(
            changes["health_check_grace_period"], "health_check_grace_period", 0, 7200
        )
    if "default_instance_warmup" in changes:
        warm = changes["default_instance_warmup"]
        out["default_instance_warmup"] = (
            None if warm is None else fields.integer(warm, "default_instance_warmup", 0, 3600)
        )
    if "termination_policies" in changes:
        out["termination_policies"] = policies(changes["termination_policies"])
    if "tags" in changes:
        out["tags"] = fields.tags(changes["tags"])
    if "target_group_arns" in changes:
        out["target_group_arns"] = fields.string_list(
            changes["target_group_arns"], "target_group_arns"
        )
    if "vpc_zone_identifier" in changes:
        out["vpc_zone_identifier"] = subnets(changes["vpc_zone_identifier"])
    return out


def policies(value: object) -> list[str]:
    listed = fields.string_list(value, "termination_policies")
    for i, policy in enumerate(listed):
        if policy not in _termination.POLICIES:
            raise ValidationError(
                f"termination_policies.{i} {policy!r} is not a termination policy (one of "
                f"{', '.join(sorted(_termination.POLICIES))})",
                f"termination_policies.{i}",
            )
    return listed or ["Default"]


def subnets(value: object) -> list[str]:
    listed = fields.string_list(value, "vpc_zone_identifier")
    known = {s["id"] for s in meta.subnets()}
    for i, subnet in enumerate(listed):
        if subnet not in known:
            raise ValidationError(
                f"subnet {subnet} does not exist (the local cloud's subnets: "
                f"{', '.join(sorted(known))})",
                f"vpc_zone_identifier.{i}",
            )
    return listed or sorted(known)


def refresh(spec: Mapping[str, Any]) -> dict[str, Any]:
    """An instance refresh request: the strategy and its preferences with AWS's defaults."""
    fields.only(spec, REFRESH_FIELDS, "an instance refresh is started with")
    strategy = spec.get("strategy") or "Rolling"
    if strategy != "Rolling":
        raise ValidationError(f"strategy must be Rolling, got {strategy!r}", "strategy")
    prefs = fields.body(spec.get("preferences") or {}, "preferences")
    fields.only(prefs, PREFERENCE_FIELDS, "preferences has")
    low = prefs.get("min_healthy_percentage")
    high = prefs.get("max_healthy_percentage")
    low = 90 if low is None else fields.integer(low, "preferences.min_healthy_percentage", 0, 100)
    high = (
        100
        if high is None
        else fields.integer(high, "preferences.max_healthy_percentage", 100, 200)
    )
    if high - low > 100:
        raise ValidationError(
            f"max_healthy_percentage ({high}) may exceed min_healthy_percentage ({low}) by at "
            "most 100",
            "preferences.max_healthy_percentage",
        )
    warmup = prefs.get("instance_warmup")
    if warmup is not None:
        warmup = fields.integer(warmup, "preferences.instance_warmup", 0, 3600)
    skip = prefs.get("skip_matching", False)
    if not isinstance(skip, bool):
        raise ValidationError(
            f"preferences.skip_matching must be true or false, got {skip!r}",
            "preferences.skip_matching",
        )
    return {
        "strategy": strategy,
        "preferences": {
            "min_healthy_percentage": low,
            "max_healthy_percentage": high,
            "instance_warmup": warmup,
            "skip_matching": skip,
        },
    }

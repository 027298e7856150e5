"""Checking request fields: each helper takes a JSON value and the dotted path it came from, and
returns the clean value or raises :class:`~gitterra.cloud.ValidationError` naming that path.

Services validate here (not only in the HTTP layer's models) so that every caller, the API or
another service, gets the same rules and the same messages.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import re
from collections.abc import Collection, Mapping
from typing import Any

from gitterra.cloud._errors import ValidationError

#: AWS's tag limits (EC2, Auto Scaling and CloudWatch Logs share them).
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256

#: User data is limited to 16 KiB before base64 encoding, as EC2.
MAX_USER_DATA = 16 * 1024


def now() -> str:
    """The current time as RFC 3339 UTC (``2026-11-26T15:16:17Z``)."""
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def body(value: object, what: str) -> Mapping[str, Any]:
    """The request body must be a JSON object."""
    if not isinstance(value, Mapping):
        raise ValidationError(f"{what} must be a JSON object, got {_kind(value)}")
    return value


def only(given: Mapping[str, Any], allowed: Collection[str], what: str) -> None:
    """Refuse fields not in ``allowed`` (``what``: "a security group is created with")."""
    for key in given:
        if key not in allowed:
            listed = ", ".join(sorted(allowed))
            raise ValidationError(f'unknown or unchangeable field "{key}": {what} {listed}', key)


def string(
    value: object,
    field: str,
    *,
    max_len: int,
    min_len: int = 1,
    pattern: re.Pattern[str] | None = None,
    allowed: str = "",
) -> str:
    """A string of ``min_len``..``max_len`` characters matching ``pattern`` (``allowed`` says in
    words what the pattern allows, for the message)."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string, got {_kind(value)}", field)
    if len(value) < min_len:
        raise ValidationError(
            f"{field} must not be empty"
            if min_len == 1
            else f"{field} must be at least {min_len} characters",
            field,
        )
    if len(value) > max_len:
        raise ValidationError(f"{field} is longer than {max_len} characters", field)
    if pattern is not None and not pattern.fullmatch(value):
        raise ValidationError(f"{field} {value!r} is invalid: {allowed}", field)
    return value


def optional_string(value: object, field: str, *, max_len: int) -> str:
    """A free-text string (None or absent: empty)."""
    if value is None:
        return ""
    return string(value, field, max_len=max_len, min_len=0)


def integer(value: object, field: str, low: int, high: int) -> int:
    """An integer in ``low..high`` (booleans are not integers here)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"{field} must be an integer, got {_kind(value)}", field)
    if not low <= value <= high:
        raise ValidationError(f"{field} must be between {low} and {high}, got {value}", field)
    return value


def string_list(value: object, field: str, *, unique: bool = True) -> list[str]:
    """A list of strings (None: empty); duplicates refused when ``unique``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{field} must be a list of strings, got {_kind(value)}", field)
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ValidationError(
                f"{field}.{i} must be a string, got {_kind(item)}", f"{field}.{i}"
            )
        if unique and item in out:
            raise ValidationError(f"{field}.{i} repeats {item!r}", f"{field}.{i}")
        out.append(item)
    return out


def cidr(value: object, field: str) -> str:
    """An IPv4 network in CIDR notation with no host bits set (``10.0.0.0/8``), as the AWS
    provider's ``cidr_blocks`` validation requires."""
    text = string(value, field, max_len=18)
    try:
        network = ipaddress.IPv4Network(text, strict=True)
    except ValueError as exc:
        raise ValidationError(
            f"{field} {text!r} is not an IPv4 network in CIDR notation (like 10.0.0.0/8): {exc}",
            field,
        ) from exc
    if "/" not in text:
        raise ValidationError(f"{field} {text!r} needs a prefix length (like {text}/32)", field)
    return str(network)


def tags(value: object, field: str = "tags") -> dict[str, str]:
    """Tags: an object of strings within AWS's limits (None: no tags)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field} must be an object of strings, got {_kind(value)}", field)
    if len(value) > MAX_TAGS:
        raise ValidationError(
            f"{field} has {len(value)} tags; at most {MAX_TAGS} are allowed", field
        )
    out: dict[str, str] = {}
    for key, tag in value.items():
        where = f"{field}.{key}"
        if not isinstance(key, str) or not key or len(key) > MAX_TAG_KEY:
            raise ValidationError(f"tag keys must be 1 to {MAX_TAG_KEY} characters", where)
        if key.lower().startswith("aws:"):
            raise ValidationError(f'tag key {key!r}: the prefix "aws:" is reserved', where)
        if not isinstance(tag, str):
            raise ValidationError(f"{where} must be a string, got {_kind(tag)}", where)
        if len(tag) > MAX_TAG_VALUE:
            raise ValidationError(f"{where} is longer than {MAX_TAG_VALUE} characters", where)
        out[key] = tag
    return out


def user_data(value: object, field: str = "user_data") -> str:
    """Base64 text whose decoded bytes fit EC2's 16 KiB limit (None: empty)."""
    if value is None or value == "":
        return ""
    text = string(value, field, max_len=4 * MAX_USER_DATA)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(
            f"{field} must be base64-encoded (Terraform: filebase64() or base64encode()): {exc}",
            field,
        ) from exc
    if len(raw) > MAX_USER_DATA:
        raise ValidationError(
            f"{field} is {len(raw)} bytes once decoded; EC2 allows at most {MAX_USER_DATA}", field
        )
    return text


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__

"""Field checks the build service adds to :mod:`gitterra.cloud.ec2.fields`: nested objects,
booleans and enumerations, each error naming the dotted path of the field at fault."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from gitterra.cloud import ValidationError
from gitterra.cloud.ec2 import fields

string = fields.string
integer = fields.integer
tags = fields.tags
now = fields.now


def obj(
    value: object, field: str, allowed: Collection[str], *, root: bool = False
) -> Mapping[str, Any]:
    """A JSON object with only the ``allowed`` keys (None: empty). ``root``: ``field`` names a
    request body ("the project"), so a key's path is the key alone."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field} must be an object, got {kind(value)}", field)
    for key in value:
        if key not in allowed:
            listed = ", ".join(sorted(allowed))
            raise ValidationError(
                f'unknown field "{key}" in {field}: it has {listed}',
                key if root else f"{field}.{key}",
            )
    return value


def boolean(value: object, field: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false, got {kind(value)}", field)
    return value


def choice(value: object, field: str, options: Collection[str], default: str | None) -> str:
    """One of ``options`` (None: ``default``, required when that is None)."""
    if value is None:
        if default is None:
            raise ValidationError(f"{field} is required: one of {', '.join(options)}", field)
        return default
    if not isinstance(value, str) or value not in options:
        shown = repr(value) if isinstance(value, str) else kind(value)
        raise ValidationError(f"{field} must be one of {', '.join(options)}, got {shown}", field)
    return value


def optional_int(value: object, field: str, low: int, high: int, default: int) -> int:
    return default if value is None else integer(value, field, low, high)


def optional_str(value: object, field: str, max_len: int) -> str:
    return fields.optional_string(value, field, max_len=max_len)


def items(value: object, field: str) -> list[object]:
    """A JSON list (None: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{field} must be a list, got {kind(value)}", field)
    return value


def kind(value: object) -> str:
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

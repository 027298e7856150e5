"""Checking a token request (``POST /api/v1/tokens``): each field named when it is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gitterra.cloud import ValidationError

FIELDS = ("project", "read_only", "expires_in", "description")
#: A project name as the state endpoint and CodeBuild spell them.
PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_]{0,254}")
DEFAULT_EXPIRES = "30d"
MAX_SECONDS = 10 * 365 * 86400
MAX_DESCRIPTION = 256
_DURATION = re.compile(r"(?:\d{1,9}[smhd])+")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class Request:
    project: str | None
    read_only: bool
    expires_in: float | None  # seconds; None: never
    description: str


def request(spec: Mapping[str, Any]) -> Request:
    if not isinstance(spec, Mapping):
        raise ValidationError("a token request is a JSON object")
    for key in spec:
        if key not in FIELDS:
            raise ValidationError(
                f"unknown field {key!r}: a token is created with {', '.join(FIELDS)}", key
            )
    return Request(
        project=project(spec.get("project")),
        read_only=_bool(spec.get("read_only", False), "read_only"),
        expires_in=duration(spec.get("expires_in", DEFAULT_EXPIRES), "expires_in"),
        description=_description(spec.get("description", "")),
    )


def project(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not PROJECT.fullmatch(value):
        raise ValidationError(
            f"project {value!r} is not a project name (letters, digits, - and _, starting "
            "with a letter or digit, at most 255)",
            "project",
        )
    return value


def duration(value: object, field: str) -> float | None:
    """``90s``, ``30m``, ``24h``, ``7d``, ``1h30m`` in seconds; ``never`` is None."""
    if value is None or value == "never":
        return None
    if not isinstance(value, str) or not _DURATION.fullmatch(value):
        raise ValidationError(
            f"{field} {value!r} is not a duration: use a number and a unit, s m h or d "
            "(90s, 30m, 24h, 7d, 1h30m), or never",
            field,
        )
    seconds = sum(int(n) * _UNITS[u] for n, u in re.findall(r"(\d+)([smhd])", value))
    if seconds <= 0 or seconds > MAX_SECONDS:
        raise ValidationError(f"{field} {value!r} must be between 1s and 3650d", field)
    return float(seconds)


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{field} must be true or false, got {value!r}", field)
    return value


def _description(value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError("description must be text", "description")
    if len(value) > MAX_DESCRIPTION or not value.isprintable():
        raise ValidationError(
            f"description must be at most {MAX_DESCRIPTION} printable characters on one line",
            "description",
        )
    return value

"""Readers for the s3 backend's structured settings: lists, objects, URLs and Go durations.

:class:`_settings.Settings` reads scalars; the s3 backend also has sets of strings
(``shared_credentials_files``) and objects (``assume_role = { ... }``, ``endpoints = { ... }``),
as Terraform's schema declares them. Each reader names the setting, and for an object the
attribute inside it (``assume_role.role_arn``), in the :class:`BackendConfigError` it raises.
Strings from ``-backend-config=key=value`` are converted where Terraform converts them (bools
and numbers); objects and lists arrive already parsed (the command line parses them as HCL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from gitterra.backends import _settings

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


class Reader:
    """Typed access to settings (top-level, or the attributes of one object setting)."""

    def __init__(
        self, settings: _settings.Settings, values: Mapping[str, Any], prefix: str = ""
    ) -> None:
        self.settings = settings
        self.values = values
        self.prefix = prefix

    def name(self, attr: str) -> str:
        return f"{self.prefix}{attr}"

    def fail(
        self, attr: str, problem: str, where: str | None = None
    ) -> _settings.BackendConfigError:
        name = self.name(attr)
        return self.settings.fail(name, where or name, problem)

    def raw(self, attr: str) -> Any:
        return self.values.get(attr)

    def string(self, attr: str, default: str = "") -> str:
        value = self.raw(attr)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(attr, f"must be a string, not {_kind(value)}")
        return value

    def boolean(self, attr: str, default: bool = False) -> bool:
        value = self.raw(attr)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        raise self.fail(attr, f"must be true or false, not {value!r}")

    def strings(self, attr: str) -> tuple[str, ...]:
        """A list (or set) of strings, in the order given, without repeats."""
        value = self.raw(attr)
        if value is None:
            return ()
        if not isinstance(value, list | tuple | set | frozenset):
            raise self.fail(attr, f'must be a list of strings such as ["a", "b"], not {value!r}')
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise self.fail(attr, f"must hold only strings, not {_kind(item)} ({item!r})")
            if item not in out:
                out.append(item)
        return tuple(out)

    def string_map(self, attr: str) -> tuple[tuple[str, str], ...]:
        value = self.raw(attr)
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            raise self.fail(attr, f"must be a map of strings, not {_kind(value)}")
        out = []
        for key, item in value.items():
            if not isinstance(item, str):
                raise self.fail(attr, f"{key}: must be a string, not {_kind(item)}")
            out.append((str(key), item))
        return tuple(out)

    def obj(self, attr: str, known: tuple[str, ...]) -> Reader | None:
        """The object setting ``attr`` as a reader of its attributes (None when unset);
        attributes outside ``known`` are refused."""
        value = self.raw(attr)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.fail(
                attr,
                f"must be an object such as {{ {known[0]} = ... }}, not {_kind(value)}",
            )
        for key in value:
            if key not in known:
                raise self.fail(
                    f"{attr}.{key}",
                    f"unknown attribute; the attributes of {self.name(attr)} are: "
                    + ", ".join(sorted(known)),
                )
        return Reader(self.settings, value, f"{self.name(attr)}.")

    def url(self, attr: str, where: str | None = None, value: str | None = None) -> str:
        """An http(s) URL with a host (``value`` when given, else the setting)."""
        text = self.string(attr) if value is None else value
        if not text:
            return ""
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 -- parsing the port is what validates it
        except ValueError as exc:
            raise self.fail(attr, f"{text!r} is not a URL: {exc}", where) from exc
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(attr, f"{text!r} must be an http:// or https:// URL with a host", where)
        if any(c.isspace() for c in text):
            raise self.fail(attr, f"{text!r} contains whitespace", where)
        return text


def go_duration_seconds(text: str) -> float | None:
    """Seconds in a Go duration such as ``"1h30m"`` or ``"900s"`` (no sign), or None."""
    if not text:
        return None
    pos, total = 0, 0.0
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        if m is None:
            return None
        total += float(Decimal(m.group(1))) * _DURATION_UNITS[m.group(2)]
        pos = m.end()
    return total


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__

"""Typed access to a decoded webhook payload, with errors that name the field and the header.

Forge payloads are large and mostly irrelevant; the parsers read the few fields they need through
:class:`Doc`, which checks each value's JSON type on the way and turns every surprise into a
:class:`PayloadError` such as ``X-GitHub-Event: push: field 'head_commit.message' must be a
string, got a number``.
"""

from __future__ import annotations

import re
from typing import Any

from gitterra.triggers._errors import PayloadError

_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def json_type(value: object) -> str:
    """The JSON name of a decoded value's type, with its article, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Doc:
    """A JSON object of a payload, found at ``prefix`` (``""`` for the top level)."""

    def __init__(self, data: dict[str, Any], header: str, prefix: str = "") -> None:
        self._data = data
        self.header = header
        self._prefix = prefix

    def _path(self, path: str) -> str:
        return f"{self._prefix}.{path}" if self._prefix else path

    def error(self, path: str, problem: str) -> PayloadError:
        full = self._path(path)
        return PayloadError(
            f"{self.header}: field '{full}' {problem}", field=full, header=self.header
        )

    def lookup(self, path: str) -> tuple[bool, object]:
        """``(True, value)`` for a present field (null included), ``(False, None)`` if absent."""
        current: object = self._data
        walked: list[str] = []
        for part in path.split("."):
            if not isinstance(current, dict):
                where = ".".join(walked)
                raise self.error(where, f"must be an object, got {json_type(current)}")
            if part not in current:
                return False, None
            current = current[part]
            walked.append(part)
        return True, current

    def _typed(self, path: str, kind: type, name: str, *, optional: bool) -> Any:
        found, value = self.lookup(path)
        if not found or value is None:
            if optional:
                return None
            raise self.error(path, "is missing" if not found else f"must be {name}, got null")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(path, f"must be {name}, got {json_type(value)}")
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.error(path, "is not valid Unicode (it has a lone surrogate)") from None
        return value

    def text(self, path: str) -> str:
        return str(self._typed(path, str, "a string", optional=False))

    def opt_text(self, path: str) -> str | None:
        value = self._typed(path, str, "a string", optional=True)
        return None if value is None else str(value)

    def opt_boolean(self, path: str) -> bool | None:
        value = self._typed(path, bool, "a boolean", optional=True)
        return None if value is None else bool(value)

    def number(self, path: str) -> int:
        """A positive integer (pull request numbers)."""
        value = int(self._typed(path, int, "an integer", optional=False))
        if value < 1:
            raise self.error(path, f"must be a positive integer, got {value}")
        return value

    def ident(self, path: str) -> str:
        """An account id: forges send numbers, the git host strings; either becomes a string."""
        found, value = self.lookup(path)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if found and isinstance(value, str):
            return self.text(path)
        return str(self._typed(path, int, "an integer or a string", optional=False))

    def commit(self, path: str) -> str:
        """A commit id: 40 (SHA-1) or 64 (SHA-256) lower-case hexadecimal digits."""
        value = self.text(path)
        if not _COMMIT.fullmatch(value):
            raise self.error(path, f"must be a commit id (40 or 64 hex digits), got {value!r}")
        return value

    def ref(self, path: str) -> str:
        """A ref or branch name: any text git allows, so no control characters and not empty.
        (Shell metacharacters are fine: names are data, never shell.)"""
        value = self.text(path)
        if not value or _CONTROL.search(value):
            raise self.error(path, f"must be a git ref name, got {value!r}")
        return value

    def obj(self, path: str) -> Doc:
        value = self._typed(path, dict, "an object", optional=False)
        return Doc(value, self.header, self._path(path))

    def opt_obj(self, path: str) -> Doc | None:
        value = self._typed(path, dict, "an object", optional=True)
        return None if value is None else Doc(value, self.header, self._path(path))

    def objects(self, path: str) -> list[Doc]:
        """An optional array of objects (absent or null is empty)."""
        items = self._typed(path, list, "an array", optional=True) or []
        docs = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.error(f"{path}[{i}]", f"must be an object, got {json_type(item)}")
            docs.append(Doc(item, self.header, self._path(f"{path}[{i}]")))
        return docs

    def strings(self, path: str) -> list[str]:
        """An optional array of strings (absent or null is empty)."""
        items = self._typed(path, list, "an array", optional=True) or []
        out = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            if not isinstance(item, str):
                raise self.error(where, f"must be a string, got {json_type(item)}")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise self.error(where, "is not valid Unicode (it has a lone surrogate)") from None
            out.append(item)
        return out

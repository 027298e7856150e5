"""HTTP header lookup by case-insensitive name, as HTTP defines header names."""

from __future__ import annotations

from collections.abc import Mapping

from gitterra.triggers._errors import TriggerError


class Headers:
    """A delivery's headers keyed by lower-cased name, values stripped of surrounding space.

    A mapping that spells one name twice (``X-GitHub-Event`` and ``x-github-event``) with
    different values is refused with ``on_conflict``: which one the forge meant is unknowable.
    """

    def __init__(self, headers: Mapping[str, str], *, on_conflict: type[TriggerError]) -> None:
        self._values: dict[str, str] = {}
        for name, value in headers.items():
            key = name.lower()
            stripped = value.strip()
            if key in self._values and self._values[key] != stripped:
                raise on_conflict(f"header {name} is given twice with different values")
            self._values[key] = stripped

    def get(self, name: str) -> str | None:
        return self._values.get(name.lower())

    def first(self, *names: str) -> tuple[str, str] | None:
        """The first of ``names`` that is present and not empty, as ``(name, value)``."""
        for name in names:
            value = self._values.get(name.lower())
            if value:
                return name, value
        return None

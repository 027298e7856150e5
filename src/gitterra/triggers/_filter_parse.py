"""Validation of filter groups as a project declares them (CodeBuild's ``filterGroups``).

Each filter is ``{"type": …, "pattern": …, "exclude_matched_pattern": bool}`` (the API's
``excludeMatchedPattern`` spelling is accepted too). Every problem of every group is collected
and reported together, each at its ``filter_group[i].filter[j]`` address, so a user fixes them
in one round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gitterra.triggers._errors import FilterProblem, ValidationError
from gitterra.triggers._event import EVENT_KINDS
from gitterra.triggers._filters import FILTER_TYPES, Filter, FilterGroup
from gitterra.triggers._payload import json_type
from gitterra.triggers._regex import Pattern

_EXCLUDE_KEYS = ("exclude_matched_pattern", "excludeMatchedPattern")
_KEYS = ("type", "pattern", *_EXCLUDE_KEYS)

# CodeBuild knows these, but they need what gitterra does not have (GitHub global and
# organization webhooks, GitHub Actions workflow jobs).
_UNSUPPORTED_TYPES = {
    "ORGANIZATION_NAME": "it needs GitHub organization webhooks",
    "WORKFLOW_NAME": "it needs GitHub Actions workflow jobs",
}
_UNSUPPORTED_EVENTS = {"WORKFLOW_JOB_QUEUED": "it needs GitHub Actions workflow jobs"}


class _Problems:
    def __init__(self) -> None:
        self.found: list[FilterProblem] = []

    def add(self, group: int, flt: int | None, field: str | None, message: str) -> None:
        self.found.append(FilterProblem(group, flt, field, message))


def parse_groups(groups: object) -> tuple[FilterGroup, ...]:
    """The validated groups; :class:`ValidationError` with every problem otherwise. Typed
    ``object``: the groups come from configuration and every level is checked here."""
    if isinstance(groups, str | bytes) or not isinstance(groups, Sequence):
        raise TypeError("filter groups must be a list of lists of filters")
    problems = _Problems()
    parsed = []
    for g, group in enumerate(groups):
        if isinstance(group, str | bytes) or not isinstance(group, Sequence):
            problems.add(g, None, None, "a filter group must be a list of filters")
            continue
        group = list(group)
        filters = [_parse_filter(problems, g, f, raw) for f, raw in enumerate(group)]
        events = [i for i, raw in enumerate(group) if isinstance(raw, Mapping) and _is_event(raw)]
        if not events:
            problems.add(g, None, None, "a filter group needs an EVENT filter")
        elif len(events) > 1:
            where = " and ".join(f"filter[{i}]" for i in events)
            problems.add(g, None, None, f"a filter group has one EVENT filter, but {where} are")
        parsed.append(FilterGroup(tuple(f for f in filters if f is not None)))
    if problems.found:
        raise ValidationError(problems.found)
    return tuple(parsed)


def _is_event(raw: Mapping[str, object]) -> bool:
    return raw.get("type") == "EVENT"


def _parse_filter(problems: _Problems, g: int, f: int, raw: object) -> Filter | None:
    if not isinstance(raw, Mapping):
        problems.add(g, f, None, "a filter must be an object with a type and a pattern")
        return None
    before = len(problems.found)
    for key in raw:
        if key not in _KEYS:
            problems.add(g, f, str(key), f"unknown key; a filter has {', '.join(_KEYS[:3])}")
    exclude = _parse_exclude(problems, g, f, raw)
    kind = _parse_type(problems, g, f, raw.get("type"))
    pattern = raw.get("pattern")
    if not isinstance(pattern, str):
        got = "is missing" if pattern is None else f"must be a string, got {json_type(pattern)}"
        problems.add(g, f, "pattern", f"the pattern {got}")
        return None
    if kind is None or len(problems.found) > before:
        return None
    if kind == "EVENT":
        events = _parse_events(problems, g, f, pattern)
        return None if events is None else Filter(kind, pattern, exclude, events=events)
    try:
        return Filter(kind, pattern, exclude, regex=Pattern(pattern))
    except ValueError as exc:
        problems.add(g, f, "pattern", f"{exc}: {pattern!r}")
        return None


def _parse_exclude(problems: _Problems, g: int, f: int, raw: Mapping[str, object]) -> bool:
    given = [k for k in _EXCLUDE_KEYS if k in raw]
    if len(given) > 1:
        problems.add(g, f, given[1], f"give {given[0]} or {given[1]}, not both")
    value = raw[given[0]] if given else None
    if value is None:
        return False
    if not isinstance(value, bool):
        problems.add(g, f, given[0], f"must be true or false, got {value!r}")
        return False
    return value


def _parse_type(problems: _Problems, g: int, f: int, kind: object) -> str | None:
    if kind is None:
        problems.add(g, f, "type", f"the filter type is missing; one of {', '.join(FILTER_TYPES)}")
        return None
    if not isinstance(kind, str) or kind not in FILTER_TYPES:
        text = str(kind)
        if text in _UNSUPPORTED_TYPES:
            problems.add(g, f, "type", f"{text} is not supported: {_UNSUPPORTED_TYPES[text]}")
        elif text.upper() in FILTER_TYPES:
            problems.add(
                g, f, "type", f"unknown filter type {kind!r}; did you mean {text.upper()}?"
            )
        else:
            known = ", ".join(FILTER_TYPES)
            problems.add(g, f, "type", f"unknown filter type {kind!r}; expected one of {known}")
        return None
    return kind


def _parse_events(problems: _Problems, g: int, f: int, pattern: str) -> frozenset[str] | None:
    """An EVENT pattern: event kinds separated by commas, spaces allowed around them."""
    names = [name.strip() for name in pattern.split(",")]
    ok = True
    for name in names:
        if name in EVENT_KINDS:
            continue
        ok = False
        if not name:
            problems.add(g, f, "pattern", f"an empty event name in {pattern!r}")
        elif name in _UNSUPPORTED_EVENTS:
            problems.add(g, f, "pattern", f"{name} is not supported: {_UNSUPPORTED_EVENTS[name]}")
        else:
            known = ", ".join(EVENT_KINDS)
            problems.add(g, f, "pattern", f"unknown event {name!r}; expected one of {known}")
    return frozenset(names) if ok else None

"""A webhook's filter groups: OR between groups, AND within (the filters are in ``_filters``).

Without any filter group, pushes and pull requests created, updated or reopened start a build,
as a CodeBuild webhook without filter groups does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gitterra.triggers._event import Event
from gitterra.triggers._filter_parse import parse_groups
from gitterra.triggers._filters import FilterGroup

#: What starts a build when a webhook has no filter groups.
DEFAULT_EVENTS = frozenset(
    {"PUSH", "PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED", "PULL_REQUEST_REOPENED"}
)


@dataclass(frozen=True, slots=True)
class FilterGroups:
    """A webhook's filter groups, validated and compiled once (:meth:`parse`)."""

    groups: tuple[FilterGroup, ...]

    @classmethod
    def parse(cls, groups: Sequence[Sequence[Mapping[str, object]]]) -> FilterGroups:
        """Validate CodeBuild-shaped groups (``[[{"type": "EVENT", "pattern": "PUSH"}, …], …]``).

        Raises :class:`ValidationError` listing every problem, each naming its group and filter.
        """
        return cls(parse_groups(groups))

    def matching_group(self, event: Event) -> int | None:
        """The index of the first group ``event`` matches, None when none does (and -1 when
        there are no groups and ``event`` is of a kind that builds by default)."""
        if not self.groups:
            return -1 if event.kind in DEFAULT_EVENTS else None
        for index, group in enumerate(self.groups):
            if group.check(event)[0]:
                return index
        return None

    def matches(self, event: Event) -> bool:
        """Whether ``event`` starts a build."""
        return self.matching_group(event) is not None

    def explain(self, event: Event) -> str:
        """Why ``event`` starts a build or not: the group that matched and what each of its
        filters saw, or for every group the filter that failed. For the delivery log."""
        if not self.groups:
            verb = "starts" if event.kind in DEFAULT_EVENTS else "does not start"
            return (
                "no filter groups: pushes and pull requests created, updated or reopened start "
                f"a build; {event.kind} {verb} one"
            )
        lines = []
        for index, group in enumerate(self.groups):
            ok, reasons = group.check(event)
            if ok:
                return f"filter_group[{index}] matched: " + "; ".join(reasons)
            lines.append(f"  filter_group[{index}]: {reasons[0]}")
        return "no filter group matched:\n" + "\n".join(lines)

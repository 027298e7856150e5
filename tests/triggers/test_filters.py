"""Filter groups, one JSON case per behaviour: testdata/filters (groups, events, whether each
starts a build and the delivery-log explanation) and testdata/filter_errors (invalid groups and
every problem reported, each at its filter_group[i].filter[j] address)."""

from __future__ import annotations

from typing import Any

import pytest

from gitterra import triggers
from tests.triggers.cases import load, make_event

MATCHING = load("filters")
ERRORS = load("filter_errors")


@pytest.mark.parametrize(("name", "case"), MATCHING, ids=[name for name, _ in MATCHING])
def test_filter_groups(name: str, case: dict[str, Any]) -> None:
    groups = triggers.FilterGroups.parse(case["filter_groups"])
    for example in case["cases"]:
        event = make_event(**example["event"])
        assert groups.explain(event) == example["explain"]
        assert groups.matches(event) is example["matches"], example["explain"]


@pytest.mark.parametrize(("name", "case"), ERRORS, ids=[name for name, _ in ERRORS])
def test_invalid_filter_groups(name: str, case: dict[str, Any]) -> None:
    with pytest.raises(triggers.ValidationError) as info:
        triggers.FilterGroups.parse(case["filter_groups"])
    assert [str(p) for p in info.value.problems] == case["problems"]
    assert str(info.value) == "\n".join(case["problems"])


def test_problems_carry_their_address() -> None:
    with pytest.raises(triggers.ValidationError) as info:
        triggers.FilterGroups.parse([[{"type": "EVENT", "pattern": "PUSH"}], [{"type": "EVENT"}]])
    (problem,) = info.value.problems
    assert (problem.group, problem.filter, problem.field) == (1, 0, "pattern")
    assert problem.path == "filter_group[1].filter[0].pattern"
    (diagnostic,) = info.value.diagnostics()
    assert diagnostic.is_error
    assert diagnostic.summary == "Invalid webhook filter group"
    assert diagnostic.detail == "filter_group[1].filter[0].pattern: the pattern is missing"
    assert diagnostic.attribute == ("filter_group", 1, "filter", 0, "pattern")


def test_matching_group_names_the_first_group_that_matches() -> None:
    groups = triggers.FilterGroups.parse(
        [
            [{"type": "EVENT", "pattern": "PULL_REQUEST_CREATED"}],
            [{"type": "EVENT", "pattern": "PUSH"}, {"type": "HEAD_REF", "pattern": "main"}],
            [{"type": "EVENT", "pattern": "PUSH"}],
        ]
    )
    assert groups.matching_group(make_event()) == 1
    assert groups.matching_group(make_event(head_ref="refs/heads/topic")) == 2
    assert groups.matching_group(make_event(kind="PULL_REQUEST_MERGED")) is None
    assert triggers.FilterGroups.parse([]).matching_group(make_event()) == -1


def test_a_ref_that_is_not_utf8_is_matched_not_fatal() -> None:
    """The git host may decode a ref's bytes with surrogateescape; matching must not crash."""
    groups = triggers.FilterGroups.parse(
        [[{"type": "EVENT", "pattern": "PUSH"}, {"type": "HEAD_REF", "pattern": "caf"}]]
    )
    assert groups.matches(make_event(head_ref="refs/heads/caf\udce9"))


def test_the_container_must_be_a_list() -> None:
    with pytest.raises(TypeError, match="must be a list of lists"):
        triggers.FilterGroups.parse("PUSH")  # type: ignore[arg-type]  # the mistake under test

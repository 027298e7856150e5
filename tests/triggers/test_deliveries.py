"""Forge deliveries, one JSON case per behaviour (testdata/deliveries): the headers and payload a
forge sends, signed with the webhook's secret, and the events (or the error) they give."""

from __future__ import annotations

from typing import Any

import pytest

from gitterra import triggers
from tests.triggers.cases import SECRET, body_of, event_fields, load, signed_headers

CASES = load("deliveries")


@pytest.mark.parametrize(("name", "case"), CASES, ids=[name for name, _ in CASES])
def test_delivery(name: str, case: dict[str, Any]) -> None:
    body = body_of(case)
    headers = signed_headers(case, body)
    triggers.verify_delivery(case["forge"], SECRET, headers, body)
    if "error" in case:
        expected = case["error"]
        with pytest.raises(triggers.PayloadError) as info:
            triggers.parse_delivery(case["forge"], headers, body)
        assert type(info.value).__name__ == expected["type"]
        assert str(info.value) == expected["message"]
        assert (info.value.field, info.value.header) == (expected["field"], expected["header"])
        return
    events = triggers.parse_delivery(case["forge"], headers, body)
    expected_events = [dict(e) for e in case["events"]]
    variables = [e.pop("codebuild_variables", None) for e in expected_events]
    assert [event_fields(e) for e in events] == expected_events
    for event, wanted in zip(events, variables, strict=True):
        if wanted is not None:
            assert event.codebuild_variables() == wanted


def test_every_forge_and_kind_has_a_case() -> None:
    """The table covers each forge, every event kind, and both outcomes (events, none, error)."""
    kinds = {e["kind"] for _, c in CASES for e in c.get("events", [])}
    assert kinds == set(triggers.EVENT_KINDS)
    for forge in triggers.FORGES:
        forge_cases = [c for _, c in CASES if c["forge"] == forge]
        assert any(c.get("events") for c in forge_cases)
        assert any(c.get("events") == [] for c in forge_cases)
        assert any("error" in c for c in forge_cases)


def test_oversized_body_is_refused_unread() -> None:
    body = b" " * (triggers.MAX_PAYLOAD_BYTES + 1)
    with pytest.raises(triggers.PayloadTooLargeError, match="over the 26214400 bytes"):
        triggers.parse_delivery("github", {"X-GitHub-Event": "push"}, body)


def test_deeply_nested_json_is_a_payload_error() -> None:
    body = b"[" * 100_000
    with pytest.raises(triggers.PayloadError, match="nested too deeply"):
        triggers.parse_delivery("github", {"X-GitHub-Event": "push"}, body)


def test_conflicting_spellings_of_one_header_are_refused() -> None:
    headers = {"X-GitHub-Event": "push", "x-github-event": "ping"}
    with pytest.raises(triggers.PayloadError, match="given twice with different values"):
        triggers.parse_delivery("github", headers, b"{}")


def test_unknown_forge_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown forge 'bitbucket'"):
        triggers.parse_delivery("bitbucket", {}, b"{}")

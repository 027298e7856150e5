"""Whatever arrives, the answer is events or the package's own error: random bodies and headers
to parse_delivery (and valid payloads with one field broken), random filter patterns to
FilterGroups.parse, and random events through the groups that parse."""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitterra import triggers
from tests.triggers.cases import load, make_event

# GITTERRA_FUZZ_EXAMPLES=20000 for a longer hunt.
FUZZ = settings(
    max_examples=int(os.environ.get("GITTERRA_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

HEADER_NAMES = [
    "X-GitHub-Event",
    "X-GitHub-Delivery",
    "X-Gitea-Event",
    "X-Forgejo-Event",
    "X-Gitea-Delivery",
    "X-Gitlab-Event",
    "X-Gitlab-Event-UUID",
    "Idempotency-Key",
    "Content-Type",
]
EVENT_VALUES = ["push", "pull_request", "release", "ping", "delete", "Push Hook", "Tag Push Hook"]
EVENT_VALUES += ["Merge Request Hook", "application/x-www-form-urlencoded", "application/json"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["0" * 40, "a" * 40, "refs/heads/main", "closed", "update", "synchronize"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
headers = st.dictionaries(
    st.sampled_from(HEADER_NAMES).flatmap(lambda n: st.sampled_from([n, n.lower(), n.upper()])),
    st.sampled_from(EVENT_VALUES) | st.text(max_size=20),
    max_size=5,
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.text(max_size=100).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
VALID = [case for _, case in load("deliveries") if "payload" in case and "events" in case]


def _parse(forge: str, hdrs: dict[str, str], body: bytes) -> None:
    try:
        events = triggers.parse_delivery(forge, hdrs, body)
    except triggers.PayloadError:
        return
    assert isinstance(events, list)
    for event in events:
        assert isinstance(event, triggers.Event)
        assert isinstance(event.codebuild_variables(), dict)


@FUZZ
@given(st.sampled_from(triggers.FORGES), headers, bodies)
def test_random_deliveries(forge: str, hdrs: dict[str, str], body: bytes) -> None:
    _parse(forge, hdrs, body)


def _mutate(payload: Any, data: st.DataObject) -> Any:
    """``payload`` with one value somewhere replaced by random JSON, or one key deleted."""
    root = copy.deepcopy(payload)
    node = root
    while True:
        keys: list[Any] = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return root
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.booleans()):
            node = child
            continue
        if isinstance(node, dict) and data.draw(st.booleans()):
            del node[key]
        else:
            node[key] = data.draw(json_values)
        return root


@FUZZ
@given(st.sampled_from(VALID), st.data())
def test_valid_payloads_with_one_field_broken(case: dict[str, Any], data: st.DataObject) -> None:
    body = json.dumps(_mutate(case["payload"], data)).encode()
    _parse(case["forge"], case["headers"], body)


FILTER_TYPES = [*triggers.FILTER_TYPES, "ORGANIZATION_NAME", "head_ref", "", "X"]
patterns = st.text(alphabet=st.sampled_from("ab^$.*+?()[]{}|\\-,:=!<>PpLdwz0123456789 \udc80é"))
filters = st.fixed_dictionaries(
    {
        "type": st.sampled_from(FILTER_TYPES),
        "pattern": patterns | st.sampled_from(["PUSH", "PUSH, PULL_REQUEST_CREATED"]),
    },
    optional={"exclude_matched_pattern": st.booleans() | st.none() | st.integers()},
)
events = st.builds(
    make_event,
    kind=st.sampled_from(triggers.EVENT_KINDS),
    head_ref=st.text(max_size=30),
    commit_message=st.text(max_size=30),
    changed_files=st.lists(st.text(max_size=10), max_size=3).map(tuple),
    repository=st.text(max_size=15),
)


@FUZZ
@given(st.lists(st.lists(filters, max_size=4), max_size=3), st.lists(events, max_size=3))
def test_random_filter_groups(
    groups: list[list[dict[str, Any]]], samples: list[triggers.Event]
) -> None:
    try:
        parsed = triggers.FilterGroups.parse(groups)
    except triggers.ValidationError as exc:
        problems = exc.problems
        assert problems, "a ValidationError lists at least one problem"
        return
    for event in samples:
        assert parsed.matches(event) is (parsed.matching_group(event) is not None)
        assert isinstance(parsed.explain(event), str)

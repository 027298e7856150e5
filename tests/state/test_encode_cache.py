"""Encoding with a fragment cache is byte-identical to encoding from scratch, for states edited
copy-on-write (as the engine's apply edits them)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from gitterra import state
from gitterra.state import _encode

PROVIDER = 'provider["terraform.io/builtin/terraform"]'


def _resource(name: str, value: str) -> state.ResourceState:
    rs = state.ResourceState("", "managed", "terraform_data", name, PROVIDER)
    rs.instances[None] = state.InstanceState(None, state.ObjectState({"id": value, "input": value}))
    return rs


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.text(max_size=8)), min_size=1, max_size=30))
def test_cached_encoding_matches(edits: list[tuple[int, str]]) -> None:
    s = state.State.new()
    cache: _encode.FragmentCache = {}
    for slot, value in edits:
        name = f"r{slot}"
        if value == "":
            s.resources.pop(name, None)  # copy-on-write: entries are replaced or dropped
        else:
            s.resources[name] = _resource(name, value)
        snapshot = dataclasses.replace(s, resources=dict(s.resources))
        assert _encode.encode(snapshot, cache) == state.encode(snapshot)
        assert set(cache) == {id(rs) for rs in snapshot.resources.values()}

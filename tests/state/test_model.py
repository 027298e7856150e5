"""The state model: addresses, emptiness, copies."""

from __future__ import annotations

import re
import uuid

import pytest

from gitterra import state
from tests.state.samples import AWS, sample_state


@pytest.mark.parametrize(
    ("module", "mode", "address"),
    [
        ("", "managed", "aws_lb.web"),
        ("", "data", "data.aws_lb.web"),
        ("module.site[0]", "managed", "module.site[0].aws_lb.web"),
        ('module.a["x"].module.b', "data", 'module.a["x"].module.b.data.aws_lb.web'),
    ],
)
def test_addresses(module: str, mode: str, address: str) -> None:
    rs = state.ResourceState(module, "data" if mode == "data" else "managed", "aws_lb", "web", AWS)
    assert rs.address == address
    assert rs.instance_address(None) == address
    assert rs.instance_address(2) == address + "[2]"
    assert rs.instance_address('a"b') == address + '["a\\"b"]'


def test_new_state_and_emptiness() -> None:
    s = state.State.new()
    assert s.serial == 0
    assert uuid.UUID(s.lineage).version == 4
    assert s.is_empty
    rs = state.ResourceState("", "managed", "t", "n", AWS)
    rs.instances[0] = state.InstanceState(0)
    s.set_resource(rs)
    assert s.is_empty  # an instance without objects records nothing
    rs.instances[0].deposed[state.new_deposed_key()] = state.ObjectState({})
    assert not s.is_empty
    s.remove_resource("t.n")
    s.outputs["o"] = state.OutputState(None, "string", False)
    assert not s.is_empty


def test_copy_is_deep() -> None:
    s = sample_state()
    c = s.copy()
    obj = c.resources["aws_instance.web"].instances[0].current
    assert obj is not None
    obj.attributes["tags"]["Name"] = "changed"
    original = s.resources["aws_instance.web"].instances[0].current
    assert original is not None
    assert original.attributes["tags"]["Name"] == "web-0"
    assert state.encode(s) != state.encode(c)


def test_deposed_keys() -> None:
    keys = {state.new_deposed_key() for _ in range(50)}
    assert all(re.fullmatch(r"[0-9a-f]{8}", k) for k in keys)
    assert len(keys) > 45


def test_object_status_is_checked() -> None:
    assert state.ObjectState({}, status="tainted").tainted
    with pytest.raises(ValueError, match="tainted"):
        state.ObjectState({}, status="ready")


def test_resource_lookup() -> None:
    s = sample_state()
    found = s.resource('module.site["blue"].aws_lb.front')
    assert found is not None
    assert found.provider == AWS + ".west"
    assert s.resource("aws_lb.missing") is None
    assert found.instance(None) is not None
    assert found.instance(0) is None

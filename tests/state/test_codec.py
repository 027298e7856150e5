"""The state codec: Terraform's bytes in, the same bytes out; order and spelling as Go writes."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitterra import state
from tests.state.samples import AWS, sample_state

TESTDATA = Path(__file__).parent / "testdata"


def test_terraforms_file_round_trips_byte_for_byte() -> None:
    data = (TESTDATA / "terraform.tfstate").read_bytes()
    decoded = state.decode(data, "terraform.tfstate")
    assert state.encode(decoded) == data
    asg = decoded.resources["aws_autoscaling_group.web"].instances[None]
    assert asg.current is not None
    assert asg.current.create_before_destroy
    assert asg.current.attributes["weight"] == 12345678901234567890123
    assert asg.current.attributes["ratio"] == Decimal("0.25")
    assert asg.deposed["0a1b2c3d"].tainted
    assert list(decoded.resources["random_pet.names"].instances) == [0, 2, 10]
    lb = decoded.resources['module.site["blue"].aws_lb.front']
    assert (lb.module, lb.provider) == ('module.site["blue"]', AWS + ".west")
    assert decoded.outputs["token"] == state.OutputState("s3cr&t", "string", True)


def test_any_json_layout_is_written_in_terraforms_order() -> None:
    canonical = (TESTDATA / "terraform.tfstate").read_bytes()
    doc = json.loads(canonical)
    doc["resources"].reverse()
    for resource in doc["resources"]:
        resource["instances"].reverse()
        for inst in resource["instances"]:
            inst["attributes"] = dict(reversed(inst["attributes"].items()))
    doc["outputs"] = dict(reversed(doc["outputs"].items()))
    doc["check_results"] = [{"object_kind": "resource"}]  # skipped: recomputed on every run
    doc["some_future_field"] = True  # ignored, as Terraform ignores unknown fields
    reshuffled = json.dumps(doc, ensure_ascii=True).encode()
    assert state.encode(state.decode(reshuffled, "x")) == canonical


def test_go_spelling_of_strings_and_numbers() -> None:
    s = state.State(serial=1, lineage="l", terraform_version="1.0.0")
    attrs: dict[str, Any] = {
        "html": "<a href='x'>&</a>",
        "separators": "\u2028\u2029",
        "control": "\x00\x1f\t\n\b\f",
        "unicode": "ü☃𝄞",
        "lone_surrogate": "\udc80",
        "float": 1e20,
        "small": 1e-7,
        "decimal": Decimal("1.500"),
        "exp": Decimal("1.5E+3"),
        "negative_zero": -0.0,
        "huge": 10**5000,
    }
    rs = state.ResourceState("", "managed", "t", "n", AWS)
    rs.instances[None] = state.InstanceState(None, state.ObjectState(attrs))
    s.set_resource(rs)
    text = state.encode(s).decode("utf-8")
    assert '"html": "\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e"' in text
    assert '"separators": "\\u2028\\u2029"' in text
    assert '"control": "\\u0000\\u001f\\t\\n\\b\\f"' in text
    assert '"unicode": "ü☃𝄞"' in text
    assert '"lone_surrogate": "\\udc80"' in text
    assert '"float": 100000000000000000000,' in text
    assert '"small": 0.0000001,' in text
    assert '"decimal": 1.5,' in text
    assert '"exp": 1500,' in text
    assert '"negative_zero": -0,' in text
    assert '"huge": 1' + "0" * 5000 + "," in text
    back = state.decode(text.encode(), "x").resources["t.n"].instances[None].current
    assert back is not None
    assert back.attributes["lone_surrogate"] == "\udc80"
    assert back.attributes["huge"] == 10**5000
    assert back.attributes["small"] == Decimal("1e-7")


def test_instances_sort_like_terraform() -> None:
    rs = state.ResourceState("", "managed", "t", "n", AWS)
    for key in ["b", 10, "a", 2]:
        inst = state.InstanceState(key, state.ObjectState({}))
        inst.deposed["ffffffff"] = state.ObjectState({})
        inst.deposed["00000001"] = state.ObjectState({})
        rs.instances[key] = inst
    s = state.State(lineage="l")
    s.set_resource(rs)
    entries = json.loads(state.encode(s))["resources"][0]["instances"]
    order = [(e["index_key"], e.get("deposed", "")) for e in entries]
    assert order == [(key, dk) for key in [2, 10, "a", "b"] for dk in ["", "00000001", "ffffffff"]]


def test_empty_state_layout() -> None:
    s = state.State(serial=3, lineage="c0ffee", terraform_version="1.9.4")
    assert state.encode(s) == (
        b'{\n  "version": 4,\n  "terraform_version": "1.9.4",\n  "serial": 3,\n'
        b'  "lineage": "c0ffee",\n  "outputs": {},\n  "resources": [],\n'
        b'  "check_results": null\n}\n'
    )


def test_dependencies_are_written_sorted_and_unique() -> None:
    s = sample_state()
    obj = s.resources["aws_security_group.sg"].instances[None].current
    assert obj is not None
    obj.dependencies = ["b.x", "a.y", "b.x"]
    written = json.loads(state.encode(s))
    sg = next(r for r in written["resources"] if r["type"] == "aws_security_group")
    assert sg["instances"][0]["dependencies"] == ["a.y", "b.x"]


# -- properties ---------------------------------------------------------------------------------

keys = st.text(st.characters(codec="utf-8"), max_size=6)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
scalars |= st.decimals(allow_nan=False, allow_infinity=False, places=4)
json_data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=12,
)
names = st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True)
instance_keys = st.none() | st.integers(0, 50) | st.text(max_size=5)
objects = st.builds(
    state.ObjectState,
    attributes=st.dictionaries(keys, json_data, max_size=4),
    schema_version=st.integers(0, 5),
    dependencies=st.lists(names.map(lambda n: f"t.{n}"), max_size=2),
    create_before_destroy=st.booleans(),
    status=st.sampled_from([None, "tainted"]),
)


@st.composite
def states(draw: st.DrawFn) -> state.State:
    s = state.State(serial=draw(st.integers(0, 2**64 - 1)), lineage=draw(st.uuids()).hex)
    for _ in range(draw(st.integers(0, 4))):
        module = draw(st.sampled_from(["", "module.a", 'module.b["x"]', "module.c[1].module.d"]))
        rs = state.ResourceState(
            module, draw(st.sampled_from(["managed", "data"])), draw(names), draw(names), AWS
        )
        for key in draw(st.lists(instance_keys, max_size=3, unique=True)):
            inst = state.InstanceState(key, draw(st.none() | objects))
            for dk in draw(st.lists(st.from_regex(r"[0-9a-f]{8}", fullmatch=True), max_size=2)):
                inst.deposed[dk] = draw(objects)
            rs.instances[key] = inst
        s.set_resource(rs)
    for name in draw(st.lists(names, max_size=3, unique=True)):
        s.outputs[name] = state.OutputState(draw(json_data), "dynamic", draw(st.booleans()))
    return s


@settings(max_examples=150, deadline=None)
@given(states())
def test_encoding_is_stable_through_decode(s: state.State) -> None:
    data = state.encode(s)
    json.loads(data)  # always valid JSON
    again = state.encode(state.decode(data, "generated"))
    assert again == data


@settings(max_examples=50, deadline=None)
@given(states(), st.randoms(use_true_random=False))
def test_encoding_ignores_insertion_order(s: state.State, rnd: Any) -> None:
    shuffled = s.copy()
    items = list(shuffled.resources.items())
    rnd.shuffle(items)
    shuffled.resources = dict(items)
    for rs in shuffled.resources.values():
        inst_items = list(rs.instances.items())
        rnd.shuffle(inst_items)
        rs.instances = dict(inst_items)
    assert state.encode(shuffled) == state.encode(s)

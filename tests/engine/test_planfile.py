"""Saved plan files: exact round trips, and refusals that name the file and the place."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitterra import lang
from gitterra.engine._addrs import ROOT, Resource, ResourceInstance
from gitterra.engine._plan import Action, OutputChange, Plan, Reason, ResourceChange
from gitterra.engine._planfile import (
    CONFIG_PREFIX,
    PLAN_MEMBER,
    STATE_MEMBER,
    PlanFileError,
    read_plan,
    write_plan,
)
from tests.engine.sample_plans import full_plan

SOURCES = {"main.tf": 'resource "random_pet" "x" {}\n', "modules/app/main.tf": "# é\n"}
META = {"backend": {"type": "local", "config": {"path": "terraform.tfstate"}}, "workspace": "dev"}


def roundtrip(plan: Plan) -> Plan:
    back, sources, meta = read_plan(write_plan(plan, SOURCES, META), "plan.tfplan")
    assert sources == SOURCES
    assert meta == META
    return back


def test_full_plan_round_trips_exactly() -> None:
    plan = full_plan()
    back = roundtrip(plan)
    assert back == plan
    # Field by field, so a failure says which one.
    for c, d in zip(plan.changes, back.changes, strict=True):
        assert c == d
    assert back.prior_state == plan.prior_state
    assert back.drift == plan.drift
    assert back.outputs == plan.outputs


def test_every_plan_field_survives() -> None:
    plan = Plan(
        changes=(),
        variables={"v": lang.string_val("x").mark_sensitive()},
        prior_lineage="lin",
        prior_serial=42,
        destroy=True,
        refresh_only=False,
        targets=("aws_instance.web", 'module.a["x"]'),
        prior_state=None,
        errored=True,
        destinations={"aws": "local cloud at http://127.0.0.1:7070", "aws.west": "elsewhere"},
    )
    back = roundtrip(plan)
    assert back == plan
    assert back.prior_state is None


def test_same_plan_same_bytes() -> None:
    assert write_plan(full_plan(), SOURCES, META) == write_plan(full_plan(), SOURCES, META)


def test_archive_layout() -> None:
    data = write_plan(full_plan(), SOURCES, META)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        header = json.loads(zf.read(PLAN_MEMBER))
    assert names == [
        PLAN_MEMBER,
        STATE_MEMBER,
        CONFIG_PREFIX + "main.tf",
        CONFIG_PREFIX + "modules/app/main.tf",
    ]
    assert set(header["members"]) == set(names[1:])
    assert header["format"] == "gitterra-plan"
    assert header["version"] == 1
    assert header["meta"] == META


# ---- hypothesis: values with unknowns and marks -----------------------------------------------

PRIMS = st.sampled_from([lang.STRING, lang.NUMBER, lang.BOOL])


def types() -> st.SearchStrategy[lang.Type]:
    return st.recursive(
        PRIMS,
        lambda inner: st.one_of(
            inner.map(lang.ListType),
            inner.map(lang.SetType),
            inner.map(lang.MapType),
            st.dictionaries(st.text("abc_", min_size=1, max_size=4), inner, max_size=3).map(
                lang.ObjectType
            ),
            st.lists(inner, max_size=3).map(lambda ts: lang.TupleType(tuple(ts))),
        ),
        max_leaves=6,
    )


@st.composite
def values(draw: st.DrawFn, ty: lang.Type) -> lang.Value:
    sensitive = draw(st.booleans().filter(lambda _: True)) and draw(st.integers(0, 3)) == 0
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return lang.unknown_val(ty).mark_sensitive(sensitive)
    if kind == 1:
        return lang.null_val(ty).mark_sensitive(sensitive)
    if ty is lang.STRING:
        value = lang.string_val(draw(st.text(max_size=8)))
    elif ty is lang.NUMBER:
        n = draw(
            st.one_of(
                st.integers(-(2**70), 2**70),
                st.decimals(allow_nan=False, allow_infinity=False, places=4),
            )
        )
        value = lang.number_val(n)
    elif ty is lang.BOOL:
        value = lang.bool_val(draw(st.booleans()))
    elif isinstance(ty, lang.ListType | lang.SetType):
        elems = draw(st.lists(values(ty.element), max_size=3))
        maker = lang.list_val if isinstance(ty, lang.ListType) else lang.set_val
        value = maker(elems, ty.element)
    elif isinstance(ty, lang.MapType):
        keys = draw(st.lists(st.text(max_size=3), max_size=3, unique=True))
        value = lang.map_val({k: draw(values(ty.element)) for k in keys}, ty.element)
    elif isinstance(ty, lang.ObjectType):
        value = lang.Value(ty, {k: draw(values(t)) for k, t in ty.attrs.items()})
    else:
        assert isinstance(ty, lang.TupleType)
        value = lang.Value(ty, tuple(draw(values(t)) for t in ty.elements))
    return value.mark_sensitive(sensitive)


any_value = types().flatmap(values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=any_value, after=any_value, var=any_value, out=any_value)
def test_values_round_trip(
    before: lang.Value, after: lang.Value, var: lang.Value, out: lang.Value
) -> None:
    change = ResourceChange(
        ResourceInstance(ROOT.child("m", "k"), Resource("managed", "t_x", "y"), 3),
        Action.UPDATE,
        'provider["registry.terraform.io/x/t"]',
        before,
        after,
        Reason.CANNOT_UPDATE,
        (("a", 0, "b"), ("c",)),
        "0badcafe",
        True,
        ("t_x.z",),
    )
    plan = Plan(
        (change,),
        outputs=(OutputChange("o", Action.CREATE, None, out, True),),
        variables={"v": var},
        drift=(change,),
    )
    assert roundtrip(plan) == plan


# ---- refusals ---------------------------------------------------------------------------------


def refused(data: bytes, *words: str) -> PlanFileError:
    with pytest.raises(PlanFileError) as info:
        read_plan(data, "out.tfplan")
    message = str(info.value)
    assert message.startswith("out.tfplan: "), message
    for word in words:
        assert word in message, message
    return info.value


def archive(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def edited(
    edit: Any, rehash: bool = False, replace: dict[str, bytes | None] | None = None
) -> bytes:
    """A valid plan file whose header went through ``edit`` and whose other members are
    replaced (None: removed); ``rehash`` updates the header's checksums to match."""
    members = members_of(write_plan(full_plan(), SOURCES, META))
    for name, data in (replace or {}).items():
        if data is None:
            del members[name]
        else:
            members[name] = data
    doc = json.loads(members[PLAN_MEMBER])
    edit(doc)
    if rehash:
        doc["members"] = {
            n: hashlib.sha256(d).hexdigest() for n, d in members.items() if n != PLAN_MEMBER
        }
    members[PLAN_MEMBER] = json.dumps(doc).encode()
    return archive(members)


def test_refuses_what_is_not_a_zip(tmp_path: Path) -> None:
    refused(b"", "not a gitterra plan file")
    refused(b'{"version": 4}', "not a gitterra plan file")
    state_file = tmp_path / "terraform.tfstate"
    state_file.write_text("{}")
    refused(state_file.read_bytes(), "not a zip archive")


def test_refuses_truncated_files() -> None:
    data = write_plan(full_plan(), SOURCES, META)
    for size in (10, len(data) // 2, len(data) - 10):
        refused(data[:size])


def test_refuses_a_zip_that_is_not_a_plan() -> None:
    refused(archive({"hello.txt": b"hi"}), PLAN_MEMBER, "missing")
    refused(archive({PLAN_MEMBER: b"{not json"}), PLAN_MEMBER, "not valid JSON")
    refused(archive({PLAN_MEMBER: b"[]"}), "expected a JSON object")


def test_refuses_other_formats_and_versions() -> None:
    refused(edited(lambda d: d.update(format="terraform")), "format", "'terraform'")
    refused(edited(lambda d: d.update(version=2)), "version 2 is not supported")
    refused(edited(lambda d: d.update(version=True)), "version True is not supported")
    refused(edited(lambda d: d.pop("version")), "version None is not supported")


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda d: d["plan"]["changes"][1].update(action="explode"),
            ["plan.changes[1].action", "'explode'"],
        ),
        (lambda d: d["plan"]["changes"][0].update(reason="because"), ["plan.changes[0].reason"]),
        (lambda d: d["plan"]["changes"][0].update(mode="other"), ["plan.changes[0].mode"]),
        (lambda d: d["plan"]["changes"][0].update(key=1.5), ["plan.changes[0].key"]),
        (lambda d: d["plan"]["changes"][0].update(module=[["a"]]), ["plan.changes[0].module[0]"]),
        (lambda d: d["plan"]["changes"][0].update(replace_paths=[[True]]), ["replace_paths[0]"]),
        (lambda d: d["plan"]["changes"][0].update(dependencies=[1]), ["dependencies"]),
        (
            lambda d: d["plan"]["changes"][0].update(after={"type": "string"}),
            ["plan.changes[0].after"],
        ),
        (
            lambda d: d["plan"]["changes"][0].update(after={"type": "x", "value": {"u": "nope"}}),
            ["plan.changes[0].after", "not a saved value"],
        ),
        (
            lambda d: d["plan"]["changes"][0].update(after={"value": {"p": [1], "s": True}}),
            ["plan.changes[0].after.value"],
        ),
        (
            lambda d: d["plan"]["changes"][0].update(after={"value": {"l": [{"x": 1}], "t": "s"}}),
            ["plan.changes[0].after.value[0]"],
        ),
        (lambda d: d["plan"].update(prior_serial=-1), ["plan.prior_serial"]),
        (lambda d: d["plan"].update(destroy="yes"), ["plan.destroy", "true or false"]),
        (lambda d: d["plan"].update(targets=[1]), ["plan.targets"]),
        (lambda d: d["plan"].update(changes={}), ["plan.changes", "JSON array"]),
        (lambda d: d["plan"]["variables"].update(region=None), ["plan.variables.region"]),
        (lambda d: d["plan"]["outputs"][0].update(name=3), ["plan.outputs[0].name"]),
        (lambda d: d.update(meta=[]), ["meta"]),
        (lambda d: d.update(plan=None), ["plan", "JSON object"]),
    ],
)
def test_refuses_bad_fields_naming_them(edit: Any, words: list[str]) -> None:
    refused(edited(edit), *words)


def test_refuses_a_broken_prior_state() -> None:
    bad = b'{"version": 4, "serial": "x"}'
    refused(
        edited(lambda _: None, rehash=True, replace={STATE_MEMBER: bad}), STATE_MEMBER, "serial"
    )
    refused(
        edited(lambda _: None, rehash=True, replace={STATE_MEMBER: None}), STATE_MEMBER, "missing"
    )


def test_refuses_members_that_do_not_match_their_checksum() -> None:
    refused(edited(lambda _: None, replace={STATE_MEMBER: b"{}"}), STATE_MEMBER, "checksum")
    refused(
        edited(lambda _: None, replace={"tfconfig/main.tf": None}), "tfconfig/main.tf", "missing"
    )
    refused(edited(lambda d: d.update(members=[])), "members", "JSON object")


def test_refuses_config_that_is_not_text() -> None:
    data = edited(lambda _: None, rehash=True, replace={"tfconfig/main.tf": b"\xff\xfe"})
    refused(data, "tfconfig/main.tf", "UTF-8")


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_bytes_are_refused_or_harmless(data: st.DataObject) -> None:
    """Flipping or cutting bytes anywhere gives a PlanFileError, never another exception; a
    change the archive cannot notice (a timestamp, padding) reads back the same plan."""
    original = write_plan(full_plan(), SOURCES, META)
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(damaged) - 1))
        damaged[i] ^= data.draw(st.integers(1, 255))
    if data.draw(st.booleans()):
        damaged = damaged[: data.draw(st.integers(0, len(damaged)))]
    try:
        plan, sources, meta = read_plan(bytes(damaged), "out.tfplan")
    except PlanFileError as exc:
        message = str(exc)
    else:
        message = "out.tfplan: read back"
        assert plan == full_plan()
        assert sources == SOURCES
        assert meta == META
    assert message.startswith("out.tfplan: ")


def test_error_keeps_its_cause() -> None:
    err = refused(b"garbage", "not a zip archive")
    assert isinstance(err.__cause__, zipfile.BadZipFile)
    assert err.source == "out.tfplan"


def test_decimal_values_survive() -> None:
    value = lang.number_val(Decimal("0.1000000000000000000000000000001"))
    plan = Plan((), variables={"x": value})
    assert roundtrip(plan).variables["x"] == value

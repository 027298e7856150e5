"""The human plan output, compared as full text with the golden files in
``testdata/render_plan`` (``GITTERRA_UPDATE_GOLDEN=1`` rewrites them; review the diff)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from gitterra import lang
from gitterra.cli._render_plan import render_plan
from gitterra.engine._addrs import ROOT, Resource, ResourceInstance
from gitterra.engine._plan import Action, OutputChange, Plan, Reason, ResourceChange
from gitterra.engine._schema import BlockSchema, NestedBlock
from tests.engine.sample_plans import (
    AWS,
    INSTANCE,
    PET,
    RANDOM,
    S,
    U,
    change,
    comp,
    full_plan,
    obj,
    opt,
    req,
    schema_of,
    secret,
)
from tests.golden import check_text

TESTDATA = Path(__file__).parent / "testdata" / "render_plan"

PET_VALUE = obj(PET, id="happy-cat", length=2)


def no_changes() -> Plan:
    return Plan(())


def no_changes_destroy() -> Plan:
    return Plan((), destroy=True)


def no_changes_refresh_only() -> Plan:
    return Plan((), refresh_only=True)


def refresh_only_drift() -> Plan:
    drift = change("random_pet", "p", Action.UPDATE, PET_VALUE, obj(PET, id="happy-cat", length=3))
    return Plan((), refresh_only=True, drift=(drift,))


def errored() -> Plan:
    return Plan((), errored=True)


def errored_with_changes() -> Plan:
    create = change("random_pet", "p", Action.CREATE, None, obj(PET, id=U(S), length=2))
    return Plan((create,), errored=True)


def drift_without_changes() -> Plan:
    """Terraform shows drift only when the plan changes something (or is refresh-only)."""
    drift = change("random_pet", "p", Action.UPDATE, PET_VALUE, obj(PET, id="happy-cat", length=3))
    return Plan((), drift=(drift,))


def outputs_only() -> Plan:
    obj_before = lang.object_val(
        {"name": lang.string_val("web"), "ports": lang.from_python([80, 443]), "on": lang.TRUE}
    )
    obj_after = lang.object_val(
        {
            "name": lang.string_val("web"),
            "ports": lang.from_python([80, 8443]),
            "on": lang.FALSE,
            "new key": lang.string_val("x"),
        }
    )
    outputs = (
        OutputChange("address", Action.UPDATE, lang.string_val("10.0.0.1"), U(S)),
        OutputChange("config", Action.UPDATE, obj_before, obj_after),
        OutputChange("kind", Action.UPDATE, lang.string_val("one"), lang.from_python(["one"])),
        OutputChange("unchanged", Action.NOOP, lang.TRUE, lang.TRUE),
        OutputChange("count", Action.CREATE, None, lang.number_val(3)),
        OutputChange("token", Action.UPDATE, secret("a"), secret("b"), sensitive=True),
    )
    return Plan((), outputs=outputs)


def sensitive() -> tuple[Plan, dict[str, BlockSchema]]:
    before = obj(INSTANCE, id="i-1", ami="a", instance_type="t", password="old", tags={"k": "v"})
    after = obj(
        INSTANCE,
        id="i-1",
        ami="a",
        instance_type="t",
        password="new",
        tags=lang.map_val({"k": lang.string_val("v")}).mark_sensitive(),
        port=secret(80),
    )
    became = change("aws_instance", "a", Action.UPDATE, before, after)
    nested = BlockSchema(
        {"id": comp(S)},
        {"credentials": NestedBlock(BlockSchema({"user": req(S), "key": req(S)}), "list")},
    )
    creds_before = lang.Value(
        nested.implied_type(),
        {
            "id": lang.string_val("c"),
            "credentials": lang.Value(
                nested.implied_type().attrs["credentials"],
                (lang.object_val({"user": lang.string_val("u"), "key": lang.string_val("k")}),),
            ).mark_sensitive(),
        },
    )
    creds_after = lang.Value(
        nested.implied_type(),
        {
            "id": lang.string_val("c"),
            "credentials": lang.Value(
                nested.implied_type().attrs["credentials"],
                (lang.object_val({"user": lang.string_val("u"), "key": lang.string_val("k2")}),),
            ).mark_sensitive(),
        },
    )
    creds = ResourceChange(
        ResourceInstance(ROOT, Resource("managed", "vault_creds", "c")),
        Action.UPDATE,
        AWS,
        creds_before,
        creds_after,
    )
    return Plan((became, creds)), {"aws_instance": INSTANCE, "vault_creds": nested}


def collections() -> tuple[Plan, dict[str, BlockSchema]]:
    schema = BlockSchema(
        {
            "id": comp(S),
            "names": opt(lang.ListType(S)),
            "script": opt(S),
            "labels": opt(lang.MapType(S)),
            "settings": opt(lang.ObjectType({"a": S, "b": lang.NUMBER})),
            "empty": opt(S),
            "dropped": opt(S),
            "weird-name": opt(S),
            "meta": opt(lang.DYNAMIC),
        }
    )
    letters = [chr(ord("a") + i) for i in range(10)]
    before = lang.object_val(
        {
            "id": lang.string_val("x"),
            "names": lang.list_val([lang.string_val(c) for c in letters], S),
            "script": lang.string_val("line one\nline two\nline three\n"),
            "labels": lang.map_val({"keep": lang.string_val("1"), "drop me": lang.string_val("2")}),
            "settings": lang.Value(
                schema.implied_type().attrs["settings"],
                {"a": lang.string_val("x"), "b": lang.number_val(1)},
            ),
            "empty": lang.string_val(""),
            "dropped": lang.string_val("gone soon"),
            "weird-name": lang.null_val(S),
            "meta": lang.from_python({"k": [1, 2]}),
        }
    )
    changed = [*letters[:4], "E", *letters[5:]]
    after = lang.object_val(
        {
            "id": lang.string_val("x"),
            "names": lang.list_val([lang.string_val(c) for c in changed], S),
            "script": lang.string_val("line one\nline 2\nline three\nline four\n"),
            "labels": lang.map_val({"keep": lang.string_val("1"), "new": lang.string_val("3")}),
            "settings": lang.Value(
                schema.implied_type().attrs["settings"],
                {"a": lang.string_val("y"), "b": lang.number_val(1)},
            ),
            "empty": lang.string_val(""),
            "dropped": lang.null_val(S),
            "weird-name": lang.string_val("set"),
            "meta": lang.from_python({"k": [1, 3]}),
        }
    )
    c = ResourceChange(
        ResourceInstance(ROOT, Resource("managed", "thing", "t")), Action.UPDATE, AWS, before, after
    )
    return Plan((c,)), {"thing": schema}


def unknown_blocks() -> tuple[Plan, dict[str, BlockSchema]]:
    disk = BlockSchema({"size": req(lang.NUMBER), "kind": opt(S, force_new=True)})
    schema = BlockSchema(
        {"id": comp(S), "name": req(S)},
        {
            "disk": NestedBlock(disk, "set", force_new=True),
            "nic": NestedBlock(BlockSchema({"ip": comp(S)}), "list"),
            "opts": NestedBlock(BlockSchema({"v": opt(S)}), "single"),
        },
    )
    ty = schema.implied_type()
    disk_set = ty.attrs["disk"]
    nic_list = ty.attrs["nic"]

    def value(disks: list[tuple[int, str]], nic: lang.Value, opts: lang.Value) -> lang.Value:
        return lang.Value(
            ty,
            {
                "id": lang.string_val("vm-1"),
                "name": lang.string_val("vm"),
                "disk": lang.Value(
                    disk_set,
                    lang.canonical_set(
                        lang.object_val({"size": lang.number_val(s), "kind": lang.string_val(k)})
                        for s, k in disks
                    ),
                ),
                "nic": nic,
                "opts": opts,
            },
        )

    one_nic = lang.Value(nic_list, (lang.object_val({"ip": lang.string_val("10.0.0.5")}),))
    before = value(
        [(10, "ssd"), (20, "hdd")], one_nic, lang.object_val({"v": lang.string_val("a")})
    )
    after = value(
        [(10, "ssd"), (20, "nvme")],
        lang.unknown_val(nic_list),
        lang.null_val(ty.attrs["opts"]),
    )
    after = lang.Value(ty, {**after.items(), "id": U(S)})
    c = ResourceChange(
        ResourceInstance(ROOT, Resource("managed", "vm", "v")),
        Action.DELETE_THEN_CREATE,
        AWS,
        before,
        after,
        Reason.CANNOT_UPDATE,
        (("disk",),),
    )
    created = ResourceChange(
        ResourceInstance(ROOT, Resource("managed", "vm", "w")),
        Action.CREATE,
        AWS,
        None,
        lang.Value(
            ty,
            {
                "id": U(S),
                "name": lang.string_val("w"),
                "disk": lang.unknown_val(disk_set),
                "nic": lang.Value(nic_list, (lang.object_val({"ip": U(S)}),)),
                "opts": lang.unknown_val(ty.attrs["opts"]),
            },
        ),
    )
    return Plan((c, created)), {"vm": schema}


def reasons() -> Plan:
    mod = ROOT.child("old", 0)
    return Plan(
        (
            ResourceChange(
                ResourceInstance(mod, Resource("managed", "random_pet", "p")),
                Action.DELETE,
                RANDOM,
                PET_VALUE,
                None,
                Reason.NO_MODULE,
            ),
            change(
                "random_pet", "a", Action.DELETE, PET_VALUE, None, reason=Reason.WRONG_REPETITION
            ),
            change(
                "random_pet", "b", Action.DELETE, PET_VALUE, None, 0, reason=Reason.WRONG_REPETITION
            ),
            change(
                "random_pet",
                "c",
                Action.DELETE,
                PET_VALUE,
                None,
                "k",
                reason=Reason.WRONG_REPETITION,
            ),
            change(
                "random_pet",
                "t",
                Action.CREATE_THEN_DELETE,
                PET_VALUE,
                obj(PET, id=U(S), length=2),
                reason=Reason.BY_TRIGGERS,
            ),
            change(
                "aws_ami",
                "pending",
                Action.READ,
                None,
                obj(BlockSchema({"id": comp(S), "name": req(S)}), id=U(S), name="x"),
                reason=Reason.READ_DEPENDENCY_PENDING,
            ),
            change("aws_ami", "dropped", Action.DELETE, obj(PET, id="x"), None),
        )
    )


def no_schema() -> tuple[Plan, dict[str, BlockSchema]]:
    c = change("random_pet", "p", Action.UPDATE, PET_VALUE, obj(PET, id="happy-cat", length=5))
    return Plan((c,)), {}


def nested_updates() -> tuple[Plan, dict[str, BlockSchema]]:
    """Blocks and attributes changing inside an update: map blocks, a block list losing an
    element, a single block appearing, sets and lists of objects, scalars of every kind."""
    schema = BlockSchema(
        {
            "id": comp(S),
            "ports": opt(lang.SetType(lang.NUMBER)),
            "rules": opt(lang.ListType(lang.ObjectType({"from": lang.NUMBER, "to": lang.NUMBER}))),
            "big": opt(lang.NUMBER),
            "flag": opt(lang.BOOL),
            "quote": opt(S),
            "note": opt(S),
            "policy": opt(S),
        },
        {
            "setting": NestedBlock(BlockSchema({"value": req(S)}), "map"),
            "route": NestedBlock(BlockSchema({"cidr": req(S)}), "list"),
            "logging": NestedBlock(BlockSchema({"bucket": req(S)}), "single"),
        },
    )
    ty = schema.implied_type()

    def value(**kw: object) -> lang.Value:
        base: dict[str, object] = {
            "id": "n-1",
            "ports": [80, 443],
            "rules": [{"from": 1, "to": 2}, {"from": 3, "to": 4}],
            "big": 2**70,
            "flag": None,
            "quote": 'say "hi"',
            "note": "first\nsecond\n",
            "policy": '{"Version":"2012-10-17"}',
            "setting": {"a": {"value": "1"}, "b": {"value": "2"}},
            "route": [{"cidr": "10.0.0.0/8"}, {"cidr": "10.1.0.0/16"}],
            "logging": None,
        }
        base.update(kw)
        return _typed(base, ty)

    before = value()
    after = value(
        ports=[80, 8080],
        rules=[{"from": 1, "to": 2}, {"from": 3, "to": 5}],
        big=2**70 + 1,
        flag=True,
        quote="say 'hi' \t",
        note=None,
        setting={"a": {"value": "1"}, "c": {"value": "3"}},
        route=[{"cidr": "10.0.0.0/8"}],
        logging={"bucket": "logs"},
    )
    c = ResourceChange(
        ResourceInstance(ROOT, Resource("managed", "net", "n")), Action.UPDATE, AWS, before, after
    )
    return Plan((c,)), {"net": schema}


def _typed(data: object, ty: lang.Type) -> lang.Value:
    if data is None:
        return lang.null_val(ty)
    if isinstance(ty, lang.ObjectType):
        assert isinstance(data, dict)
        return lang.Value(ty, {k: _typed(data.get(k), t) for k, t in ty.attrs.items()})
    if isinstance(ty, lang.MapType):
        assert isinstance(data, dict)
        return lang.Value(ty, {k: _typed(v, ty.element) for k, v in data.items()})
    if isinstance(ty, lang.ListType | lang.SetType):
        assert isinstance(data, list)
        elems = tuple(_typed(v, ty.element) for v in data)
        return lang.Value(ty, lang.canonical_set(elems) if isinstance(ty, lang.SetType) else elems)
    return lang.convert(lang.from_python(data), ty)


Case = Callable[[], Plan | tuple[Plan, dict[str, BlockSchema]]]

CASES: dict[str, Case] = {
    "full": full_plan,
    "no_changes": no_changes,
    "no_changes_destroy": no_changes_destroy,
    "no_changes_refresh_only": no_changes_refresh_only,
    "refresh_only_drift": refresh_only_drift,
    "drift_without_changes": drift_without_changes,
    "errored": errored,
    "errored_with_changes": errored_with_changes,
    "outputs_only": outputs_only,
    "sensitive": sensitive,
    "collections": collections,
    "unknown_blocks": unknown_blocks,
    "reasons": reasons,
    "no_schema": no_schema,
    "nested_updates": nested_updates,
}


def build(name: str) -> tuple[Plan, Callable[[ResourceChange], BlockSchema | None]]:
    made = CASES[name]()
    if isinstance(made, tuple):
        plan, schemas = made
        return plan, lambda c: schemas.get(c.addr.resource.type)
    return made, schema_of


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    plan, schemas = build(name)
    check_text(TESTDATA / f"{name}.txt", render_plan(plan, schemas, color=False))


def test_golden_colour() -> None:
    text = render_plan(full_plan(), schema_of, color=True)
    check_text(TESTDATA / "full_color.txt", text)


def test_colour_only_when_asked() -> None:
    plain = render_plan(full_plan(), schema_of, color=False)
    coloured = render_plan(full_plan(), schema_of, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32m+\x1b[0m create" in coloured
    assert "\x1b[33m~\x1b[0m update in-place" in coloured
    assert "\x1b[31m-\x1b[0m destroy" in coloured
    # Without the escapes the coloured text is the plain text.
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_legend_lists_only_the_symbols_used() -> None:
    create = change("random_pet", "p", Action.CREATE, None, obj(PET, id=U(S), length=2))
    text = render_plan(Plan((create,)), schema_of, color=False)
    assert "  + create\n" in text
    assert "update in-place" not in text
    assert "destroy" not in text.split("Plan:")[0]
    assert text.rstrip().endswith("Plan: 1 to add, 0 to change, 0 to destroy.")


def test_narrow_terminal_wraps_prose() -> None:
    create = change("random_pet", "p", Action.CREATE, None, obj(PET, id=U(S), length=2))
    text = render_plan(Plan((create,)), schema_of, color=False, width=40)
    assert "\ngitterra used the selected providers to\n" in text


def test_noop_changes_and_data_source_deletions_are_not_shown() -> None:
    same = change("random_pet", "p", Action.NOOP, PET_VALUE, PET_VALUE)
    gone = change("aws_ami", "d", Action.DELETE, obj(PET, id="x"), None)
    text = render_plan(Plan((same, gone)), schema_of, color=False)
    assert "No changes." in text
    assert "random_pet.p" not in text


def test_the_plan_names_where_changes_go() -> None:
    plan = full_plan()
    where = {"aws": "local cloud at http://127.0.0.1:7070"}
    text = render_plan(replace(plan, destinations=where), schema_of, color=False)
    plain = render_plan(plan, schema_of, color=False)
    summary = next(line for line in plain.splitlines() if line.startswith("Plan: "))
    line = "Changes for provider aws go to the local cloud at http://127.0.0.1:7070."
    assert text == plain.replace(summary, f"{summary}\n{line}")

"""Plan JSON: the layout of ``terraform show -json PLANFILE`` for hand-built plans."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from gitterra import lang
from gitterra.engine._plan import Action, OutputChange, Plan, Reason
from gitterra.engine._plan_json import (
    dumps,
    omit_unknowns,
    plan_json,
    provider_name,
    sensitive_as_bool,
    unknown_as_bool,
)
from tests.engine.sample_plans import (
    INSTANCE,
    PET,
    S,
    U,
    change,
    full_plan,
    obj,
    schema_of,
    secret,
)


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return plan_json(full_plan(), schema_of, "0.1.0")


def rc(doc: dict[str, Any], address: str, key: str = "resource_changes") -> dict[str, Any]:
    found = [c for c in doc[key] if c["address"] == address]
    assert len(found) == 1, address
    return found[0]


def test_top_level_keys(doc: dict[str, Any]) -> None:
    assert list(doc) == [
        "format_version",
        "terraform_version",
        "variables",
        "planned_values",
        "resource_drift",
        "resource_changes",
        "output_changes",
        "applyable",
        "complete",
        "errored",
    ]
    assert doc["format_version"] == "1.2"
    assert doc["terraform_version"] == "0.1.0"
    assert doc["variables"] == {"count": {"value": 3}, "region": {"value": "eu-west-1"}}
    assert (doc["applyable"], doc["complete"], doc["errored"]) == (True, True, False)


def test_changes_in_address_order_with_identity_fields(doc: dict[str, Any]) -> None:
    addresses = [c["address"] for c in doc["resource_changes"]]
    assert addresses == [
        "data.aws_ami.latest",
        "aws_instance.api",
        "aws_instance.cache",
        "aws_instance.db",
        "aws_instance.web",
        'random_pet.each["a"]',
        "random_pet.gone",
        "random_pet.name[2]",
        "random_pet.old",
        "random_pet.req",
        "random_pet.same",
        'module.app["blue"].random_pet.child[0]',
    ]
    child = rc(doc, 'module.app["blue"].random_pet.child[0]')
    assert {k: v for k, v in child.items() if k != "change"} == {
        "address": 'module.app["blue"].random_pet.child[0]',
        "module_address": 'module.app["blue"]',
        "mode": "managed",
        "type": "random_pet",
        "name": "child",
        "index": 0,
        "provider_name": "registry.terraform.io/hashicorp/random",
    }
    assert rc(doc, 'random_pet.each["a"]')["index"] == "a"
    assert "index" not in rc(doc, "random_pet.gone")
    assert "module_address" not in rc(doc, "random_pet.gone")
    assert rc(doc, "random_pet.old")["deposed"] == "abcd1234"
    assert "deposed" not in rc(doc, "random_pet.gone")
    assert rc(doc, "data.aws_ami.latest")["mode"] == "data"


def test_actions_and_reasons(doc: dict[str, Any]) -> None:
    expected = {
        "data.aws_ami.latest": (["read"], "read_because_config_unknown"),
        "aws_instance.api": (["create"], None),
        "aws_instance.cache": (["create", "delete"], "replace_because_tainted"),
        "aws_instance.db": (["delete", "create"], "replace_because_cannot_update"),
        "aws_instance.web": (["update"], None),
        'random_pet.each["a"]': (["delete"], "delete_because_each_key"),
        "random_pet.gone": (["delete"], "delete_because_no_resource_config"),
        "random_pet.name[2]": (["delete"], "delete_because_count_index"),
        "random_pet.old": (["delete"], None),
        "random_pet.req": (["delete", "create"], "replace_by_request"),
        "random_pet.same": (["no-op"], None),
    }
    for address, (actions, reason) in expected.items():
        c = rc(doc, address)
        assert c["change"]["actions"] == actions, address
        assert c.get("action_reason") == reason, address


def test_create_with_unknowns_and_sensitive(doc: dict[str, Any]) -> None:
    ch = rc(doc, "aws_instance.api")["change"]
    assert ch["before"] is None
    assert ch["before_sensitive"] is False
    after = ch["after"]
    assert "id" not in after  # unknowns are left out
    assert "security_groups" not in after
    assert after["password"] == "hunter2"  # the value is there; after_sensitive flags it
    assert after["port"] == Decimal("8080.5")
    assert after["monitoring"] is None
    assert after["rule"] == [{"port": 22}]
    assert after["setting"] == {"a": {"value": "x"}, "b": {"value": "y"}}
    # Like Terraform, known collections keep their (empty) shape in after_unknown.
    assert ch["after_unknown"] == {
        "id": True,
        "ingress": [],
        "rule": [{}],
        "security_groups": True,
        "setting": {"a": {}, "b": {}},
        "tags": {},
    }
    assert ch["after_sensitive"] == {
        "ingress": [],
        "password": True,
        "rule": [{}],
        "security_groups": [],
        "setting": {"a": {}, "b": {}},
        "tags": {},
    }
    assert "replace_paths" not in ch


def test_update_is_wholly_known(doc: dict[str, Any]) -> None:
    ch = rc(doc, "aws_instance.web")["change"]
    assert ch["after_unknown"] == {}
    assert ch["before"]["instance_type"] == "t3.micro"
    assert ch["after"]["instance_type"] == "t3.small"
    assert ch["before_sensitive"]["password"] is True  # the schema marks it, even when null
    assert ch["after_sensitive"]["security_groups"] == [False, False, False]


def test_delete_has_null_after(doc: dict[str, Any]) -> None:
    ch = rc(doc, "random_pet.gone")["change"]
    assert ch["after"] is None
    assert ch["after_unknown"] == {}
    assert ch["after_sensitive"] is False
    assert ch["before"] == {"id": "happy-cat", "length": 2, "prefix": None}
    assert ch["before_sensitive"] == {}


def test_replace_paths_only_when_present(doc: dict[str, Any]) -> None:
    assert rc(doc, "aws_instance.db")["change"]["replace_paths"] == [["ami"]]
    assert "replace_paths" not in rc(doc, "aws_instance.cache")["change"]


def test_read_with_unknown_list(doc: dict[str, Any]) -> None:
    ch = rc(doc, "data.aws_ami.latest")["change"]
    assert ch["after"] == {"name": "ubuntu"}
    assert ch["after_unknown"] == {"id": True, "owners": True}
    assert ch["after_sensitive"] == {"owners": []}


def test_output_changes(doc: dict[str, Any]) -> None:
    out = doc["output_changes"]
    assert list(out) == ["db_password", "ids", "old", "same", "url"]
    assert out["url"] == {
        "actions": ["create"],
        "before": None,
        "after_unknown": True,
        "before_sensitive": False,
        "after_sensitive": False,
    }
    assert out["ids"]["before"] == ["a", "b"]
    assert out["ids"]["after"] == ["a", None]
    assert out["ids"]["after_unknown"] == [False, True]
    assert out["db_password"]["after"] == "s3cr3t"
    assert out["db_password"]["before_sensitive"] is True
    assert out["db_password"]["after_sensitive"] is True
    assert out["old"] == {
        "actions": ["delete"],
        "before": "bye",
        "after": None,
        "after_unknown": False,
        "before_sensitive": False,
        "after_sensitive": False,
    }
    assert out["same"]["actions"] == ["no-op"]


def test_planned_values(doc: dict[str, Any]) -> None:
    pv = doc["planned_values"]
    assert pv["outputs"] == {
        "db_password": {"sensitive": True, "type": "string", "value": "s3cr3t"},
        "ids": {"sensitive": False},
        "same": {"sensitive": False, "type": "number", "value": 1},
        "url": {"sensitive": False},
    }
    root = pv["root_module"]
    # Deletions and deposed objects are not planned values; addresses sort as text.
    assert [r["address"] for r in root["resources"]] == [
        "aws_instance.api",
        "aws_instance.cache",
        "aws_instance.db",
        "aws_instance.web",
        "data.aws_ami.latest",
        "random_pet.req",
        "random_pet.same",
    ]
    assert root["child_modules"] == [
        {
            "resources": [
                {
                    "address": 'module.app["blue"].random_pet.child[0]',
                    "mode": "managed",
                    "type": "random_pet",
                    "name": "child",
                    "index": 0,
                    "provider_name": "registry.terraform.io/hashicorp/random",
                    "schema_version": 0,
                    "values": {"length": 3, "prefix": "app"},
                    "sensitive_values": {},
                }
            ],
            "address": 'module.app["blue"]',
        }
    ]
    api = root["resources"][0]
    assert "id" not in api["values"]
    assert api["sensitive_values"]["password"] is True


def test_nested_child_modules_without_resources_of_their_own() -> None:
    from gitterra.engine._addrs import ROOT, Resource, ResourceInstance
    from gitterra.engine._plan import ResourceChange

    inner = ROOT.child("a").child("b", 1)
    c = ResourceChange(
        ResourceInstance(inner, Resource("managed", "random_pet", "x")),
        Action.CREATE,
        'module.a.provider["registry.terraform.io/hashicorp/random"]',
        None,
        obj(PET, id="p"),
    )
    doc = plan_json(Plan((c,)), schema_of, "0.1.0")
    assert doc["planned_values"]["root_module"] == {
        "child_modules": [
            {
                "address": "module.a",
                "child_modules": [
                    {
                        "resources": [
                            {
                                "address": "module.a.module.b[1].random_pet.x",
                                "mode": "managed",
                                "type": "random_pet",
                                "name": "x",
                                "provider_name": "registry.terraform.io/hashicorp/random",
                                "schema_version": 0,
                                "values": {"id": "p", "length": None, "prefix": None},
                                "sensitive_values": {},
                            }
                        ],
                        "address": "module.a.module.b[1]",
                    }
                ],
            }
        ]
    }


def test_drift(doc: dict[str, Any]) -> None:
    drift = doc["resource_drift"]
    assert [d["address"] for d in drift] == ["aws_instance.web", "random_pet.vanished"]
    assert drift[0]["change"]["before"]["tags"] == {"Env": "hacked", "Name": "web"}
    assert drift[1]["change"]["actions"] == ["delete"]


def test_empty_plan() -> None:
    doc = plan_json(Plan(()), schema_of, "0.1.0")
    assert doc == {
        "format_version": "1.2",
        "terraform_version": "0.1.0",
        "planned_values": {"root_module": {}},
        "applyable": False,
        "complete": True,
        "errored": False,
    }


def test_errored_and_targeted_plans_are_neither_applyable_nor_complete() -> None:
    doc = plan_json(Plan((), errored=True), schema_of, "0.1.0")
    assert (doc["applyable"], doc["complete"], doc["errored"]) == (False, False, True)
    assert plan_json(Plan((), targets=("a.b",)), schema_of, "0.1.0")["complete"] is False


def test_data_source_deletion_is_not_shown() -> None:
    from gitterra.engine._schema import Attribute, BlockSchema

    schema = BlockSchema({"id": Attribute(S, computed=True)})
    c = change("aws_ami", "old", Action.DELETE, obj(schema, id="x"), None)
    assert "resource_changes" not in plan_json(Plan((c,)), lambda _: schema, "0.1.0")


def test_unknown_schema_still_encodes_values() -> None:
    c = change("aws_instance", "x", Action.CREATE, None, obj(INSTANCE, id=U(S), ami="a"))
    doc = plan_json(Plan((c,)), lambda _: None, "0.1.0")
    ch = doc["resource_changes"][0]["change"]
    assert ch["after_unknown"] == {"id": True, "ingress": [], "rule": [], "setting": {}}
    assert ch["after"]["ami"] == "a"
    # Without the schema only the value's own marks count.
    assert ch["after_sensitive"].get("password") is None


def test_sensitive_marks_from_configuration_anywhere() -> None:
    tags = lang.map_val({"a": lang.string_val("x"), "b": secret("y")})
    after = obj(INSTANCE, tags=tags, security_groups=secret(["a"]))
    c = change("aws_instance", "x", Action.CREATE, None, after)
    ch = plan_json(Plan((c,)), schema_of, "0.1.0")["resource_changes"][0]["change"]
    assert ch["after_sensitive"]["tags"] == {"b": True}
    assert ch["after_sensitive"]["security_groups"] is True


@pytest.mark.parametrize(
    ("value", "known", "unknown", "sensitive"),
    [
        (U(S), "OMIT", True, False),
        (lang.null_val(S), None, False, False),
        (lang.list_val([lang.string_val("a"), U(S)]), ["a", None], [False, True], [False, False]),
        (lang.unknown_val(lang.ListType(S)), "OMIT", True, []),
        (lang.unknown_val(lang.MapType(S)), "OMIT", True, {}),
        (
            lang.object_val({"a": U(S), "b": lang.number_val(1), "c": secret("s")}),
            {"b": 1, "c": "s"},
            {"a": True},
            {"c": True},
        ),
        (lang.object_val({}), {}, {}, {}),
        (lang.list_val([], S), [], [], []),
        (secret(["x", "y"]), ["x", "y"], [False, False], True),
    ],
)
def test_value_helpers(value: lang.Value, known: Any, unknown: Any, sensitive: Any) -> None:
    got = omit_unknowns(value)
    if known == "OMIT":
        assert not isinstance(got, dict | list | str | int | type(None))
    else:
        assert got == known
    assert unknown_as_bool(value) == unknown
    assert sensitive_as_bool(value) == sensitive


def test_provider_name() -> None:
    assert provider_name('provider["registry.terraform.io/hashicorp/aws"]') == (
        "registry.terraform.io/hashicorp/aws"
    )
    assert provider_name('module.a.provider["example.com/x/y"].alias') == "example.com/x/y"
    assert provider_name("weird") == "weird"


def test_dumps_is_exact_and_parses_back() -> None:
    doc = {
        "small": Decimal("0.1"),
        "long": Decimal("3.14159265358979323846264338327950288419716939937510"),
        "trailing": Decimal("2.500"),
        "big": 2**80,
        "text": "é <>&",
        "list": [True, None, {}],
        "empty": [],
    }
    text = dumps(doc)
    assert text == (
        '{"small":0.1,"long":3.1415926535897932384626433832795028841971693993751,'
        '"trailing":2.5,"big":1208925819614629174706176,"text":"é <>&",'
        '"list":[true,null,{}],"empty":[]}'
    )
    assert json.loads(text, parse_float=Decimal) == doc
    assert json.loads(dumps(doc, indent=2), parse_float=Decimal) == doc
    assert dumps(doc, indent=2).startswith('{\n  "small": 0.1,\n')


def test_full_document_is_json(doc: dict[str, Any]) -> None:
    parsed = json.loads(dumps(doc), parse_float=Decimal)
    assert parsed == doc


def test_outputs_with_no_changes_are_still_listed() -> None:
    out = OutputChange("x", Action.NOOP, lang.string_val("a"), lang.string_val("a"))
    doc = plan_json(Plan((), outputs=(out,)), schema_of, "0.1.0")
    assert doc["output_changes"]["x"]["actions"] == ["no-op"]
    assert doc["output_changes"]["x"]["after_unknown"] is False


def test_deposed_replace_reason_and_paths_from_nested_blocks() -> None:
    before = obj(INSTANCE, ami="a", ingress=[{"from_port": 1, "to_port": 2}])
    after = obj(INSTANCE, ami="a", ingress=[{"from_port": 1, "to_port": 3}])
    c = change(
        "aws_instance",
        "x",
        Action.DELETE_THEN_CREATE,
        before,
        after,
        reason=Reason.CANNOT_UPDATE,
        replace_paths=(("ingress", 0, "to_port"),),
    )
    ch = plan_json(Plan((c,)), schema_of, "0.1.0")["resource_changes"][0]["change"]
    assert ch["replace_paths"] == [["ingress", 0, "to_port"]]

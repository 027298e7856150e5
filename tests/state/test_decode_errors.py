"""Every way a state file can be wrong, and the message that names the place. One case per
line: how to break a valid document, and the full expected message."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from gitterra import state

SOURCE = "states/prod.tfstate"
PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]'

VALID: dict[str, Any] = {
    "version": 4,
    "terraform_version": "1.9.4",
    "serial": 2,
    "lineage": "l-1",
    "outputs": {"url": {"value": "x", "type": "string"}},
    "resources": [
        {
            "mode": "managed",
            "type": "aws_lb",
            "name": "web",
            "provider": PROVIDER,
            "instances": [
                {"index_key": 0, "schema_version": 0, "attributes": {"id": "a"}},
            ],
        }
    ],
    "check_results": None,
}

Edit = Callable[[dict[str, Any]], Any]


def res(doc: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = doc["resources"][0]
    return resource


def inst(doc: dict[str, Any]) -> dict[str, Any]:
    instance: dict[str, Any] = res(doc)["instances"][0]
    return instance


def dup_instance(doc: dict[str, Any], **changes: Any) -> None:
    res(doc)["instances"].append(dict(inst(doc), **changes))


I = "resources[0].instances[0]"  # noqa: E741 -- a short prefix for the table

CASES: list[tuple[str, Edit, str]] = [
    ("not an object", lambda d: d.clear() or d.update(x=1) or [], "expected a JSON object (a Terraform state), found an array"),
    ("no version", lambda d: d.pop("version"), 'version: missing: a Terraform state has a "version" field; is this a state?'),
    ("version string", lambda d: d.update(version="4"), "version: expected a number, found a string"),
    ("version 3", lambda d: d.update(version=3), "version: state format version 3 (Terraform 0.11 and earlier) is not supported; gitterra reads version 4. Upgrade the state by running Terraform 0.12 or later on it (terraform refresh), then try again"),
    ("version 5", lambda d: d.update(version=5), "version: state format version 5 is not supported: it was written by a newer program; gitterra reads version 4"),
    ("serial negative", lambda d: d.update(serial=-1), "serial: expected a whole number from 0 to 18446744073709551615, found -1"),
    ("serial fraction", lambda d: d.update(serial=1.5), "serial: expected a whole number from 0 to 18446744073709551615, found 1.5"),
    ("lineage number", lambda d: d.update(lineage=7), "lineage: expected a string, found a number"),
    ("terraform_version", lambda d: d.update(terraform_version="latest"), "terraform_version: 'latest' is not a version number"),
    ("outputs array", lambda d: d.update(outputs=[]), "outputs: expected an object, found an array"),
    ("output not object", lambda d: d["outputs"].update(url="x"), "outputs.url: expected an object, found a string"),
    ("output no type", lambda d: d["outputs"]["url"].pop("type"), "outputs.url.type: missing"),
    ("output bad type", lambda d: d["outputs"]["url"].update(type=["list"]), 'outputs.url.type: not a type: ["list"]'),
    ("output bad nested type", lambda d: d["outputs"]["url"].update(type=["object", {"a": "text"}]), 'outputs.url.type[1].a: not a type: "text"'),
    ("output sensitive", lambda d: d["outputs"]["url"].update(sensitive="yes"), "outputs.url.sensitive: expected true or false, found a string"),
    ("resources object", lambda d: d.update(resources={}), "resources: expected an array, found an object"),
    ("resource string", lambda d: d.update(resources=["aws_lb.web"]), "resources[0]: expected an object, found a string"),
    ("mode", lambda d: res(d).update(mode="magic"), "resources[0].mode: expected \"managed\" or \"data\", found 'magic'"),
    ("no type", lambda d: res(d).pop("type"), "resources[0].type: missing"),
    ("bad name", lambda d: res(d).update(name="9 lives"), "resources[0].name: '9 lives' is not a valid name"),
    ("bad module", lambda d: res(d).update(module="web"), "resources[0].module: 'web' is not a module instance address"),
    ("each", lambda d: res(d).update(each="set"), "resources[0].each: expected \"list\" or \"map\", found 'set'"),
    ("no provider", lambda d: res(d).pop("provider"), "resources[0].provider: missing"),
    ("legacy provider", lambda d: res(d).update(provider="provider.aws"), "resources[0].provider: 'provider.aws' is a Terraform 0.12 provider address; upgrade the state with Terraform 0.13 or later first"),
    ("bad provider", lambda d: res(d).update(provider="aws"), "resources[0].provider: 'aws' is not a provider address like provider[\"registry.terraform.io/a/b\"]"),
    ("duplicate resource", lambda d: d["resources"].append(copy.deepcopy(res(d))), "resources[1]: resource aws_lb.web appears more than once"),
    ("instances object", lambda d: res(d).update(instances={}), "resources[0].instances: expected an array, found an object"),
    ("instance string", lambda d: res(d).update(instances=["x"]), f"{I}: expected an object, found a string"),
    ("index_key bool", lambda d: inst(d).update(index_key=True), f"{I}.index_key: expected a whole number or a string, found a boolean True"),
    ("index_key fraction", lambda d: inst(d).update(index_key=1.5), f"{I}.index_key: expected a whole number or a string, found a number Decimal('1.5')"),
    ("status", lambda d: inst(d).update(status="broken"), f"{I}.status: aws_lb.web[0]: expected \"tainted\", found 'broken'"),
    ("schema_version", lambda d: inst(d).update(schema_version=-2), f"{I}.schema_version: expected a whole number from 0 to 18446744073709551615, found -2"),
    ("attributes array", lambda d: inst(d).update(attributes=[]), f"{I}.attributes: expected an object, found an array"),
    ("attributes_flat", lambda d: inst(d).pop("attributes") and inst(d).update(attributes_flat={"id": "a"}), f"{I}.attributes_flat: flat attributes come from Terraform 0.11; upgrade the state by running Terraform 0.12 or later on it (terraform refresh), then try again"),
    ("sensitive_attributes", lambda d: inst(d).update(sensitive_attributes={}), f"{I}.sensitive_attributes: expected an array, found an object"),
    ("dependencies", lambda d: inst(d).update(dependencies=["a.b", 3]), f"{I}.dependencies[1]: expected a string, found a number"),
    ("create_before_destroy", lambda d: inst(d).update(create_before_destroy=1), f"{I}.create_before_destroy: expected true or false, found a number"),
    ("private", lambda d: inst(d).update(private="not base64!"), f"{I}.private: not valid base64"),
    ("deposed length", lambda d: inst(d).update(deposed="abc"), f"{I}.deposed: aws_lb.web[0]: deposed key 'abc' is not 8 characters"),
    ("duplicate current", lambda d: dup_instance(d), "resources[0].instances[1]: instance aws_lb.web[0] appears more than once"),
    ("duplicate deposed", lambda d: inst(d).update(deposed="0000beef") or dup_instance(d), "resources[0].instances[1]: deposed object 0000beef of aws_lb.web[0] appears more than once"),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_field(edit: Edit, message: str) -> None:
    doc = copy.deepcopy(VALID)
    replacement = edit(doc)
    data = json.dumps(replacement if isinstance(replacement, list) else doc).encode()
    with pytest.raises(state.CorruptStateError) as caught:
        state.decode(data, SOURCE)
    assert str(caught.value) == f"{SOURCE}: {message}"
    assert caught.value.source == SOURCE


RAW_CASES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "the state is empty"),
    ("blank", b"  \n", "the state is empty"),
    ("not utf-8", b'{"version": 4, "lineage": "\xff"}', "byte 27: not valid UTF-8 text"),
    ("syntax", b'{\n  "version": 4,\n  "serial": 1\n  "lineage": "x"\n}', "line 4 column 3: not valid JSON: Expecting ',' delimiter"),
    ("trailing", b'{"version": 4} {}', "line 1 column 16: not valid JSON: Extra data"),
    ("NaN", b'{"version": 4, "serial": NaN}', "not valid JSON: NaN is not a JSON number"),
    ("bom", b'\xef\xbb\xbf{"version": 4}', "line 1 column 1: not valid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"), [c[1:] for c in RAW_CASES], ids=[c[0] for c in RAW_CASES]
)
def test_bad_bytes(data: bytes, message: str) -> None:
    with pytest.raises(state.CorruptStateError) as caught:
        state.decode(data, SOURCE)
    assert str(caught.value) == f"{SOURCE}: {message}"


def test_the_valid_document_decodes() -> None:
    s = state.decode(json.dumps(VALID).encode(), SOURCE)
    assert s.resources["aws_lb.web"].instances[0].current is not None


def test_zero_values_for_missing_optional_fields() -> None:
    s = state.decode(b'{"version": 4}', SOURCE)
    assert (s.serial, s.lineage, s.terraform_version, s.outputs, s.resources) == (0, "", "", {}, {})
    minimal = {
        "version": 4,
        "resources": [{"mode": "data", "type": "a", "name": "b", "provider": PROVIDER}],
    }
    rs = state.decode(json.dumps(minimal).encode(), SOURCE).resources["data.a.b"]
    assert rs.instances == {}


def test_integral_index_keys_written_as_decimals_are_ints() -> None:
    doc = copy.deepcopy(VALID)
    inst(doc)["index_key"] = 3
    text = json.dumps(doc).replace('"index_key": 3', '"index_key": 3.0')
    s = state.decode(text.encode(), SOURCE)
    assert list(s.resources["aws_lb.web"].instances) == [3]


def test_too_deep_nesting_is_refused() -> None:
    with pytest.raises(state.CorruptStateError) as caught:
        state.decode(b"[" * 100_000 + b"]" * 100_000, SOURCE)
    assert str(caught.value).startswith(f"{SOURCE}: not valid JSON: maximum recursion depth")

"""The registry and every schema against the real providers' (flags written as in their docs:
R required, O optional, C computed, ! forces replacement, S sensitive, =X default)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gitterra import engine, lang
from gitterra.providers import UnknownTypeError, builtin_registry

from .support import LOCAL, NULL, RANDOM, TERRAFORM, config, provider

AWS = "registry.terraform.io/hashicorp/aws"

STRING_FLAGS = {
    "keepers": "O!",
    "length": "R!",
    "special": "OC!=True",
    "upper": "OC!=True",
    "lower": "OC!=True",
    "number": "OC!",
    "numeric": "OC!",
    "min_numeric": "OC!=0",
    "min_upper": "OC!=0",
    "min_lower": "OC!=0",
    "min_special": "OC!=0",
    "override_special": "O!",
    "result": "C",
    "id": "C",
}
HASHES = {
    "id": "C",
    "content_md5": "C",
    "content_sha1": "C",
    "content_sha256": "C",
    "content_base64sha256": "C",
    "content_sha512": "C",
    "content_base64sha512": "C",
}
FILE_FLAGS = {
    "filename": "R!",
    "content": "O!",
    "content_base64": "O!",
    "source": "O!",
    "file_permission": "OC!=0777",
    "directory_permission": "OC!=0777",
    **HASHES,
}

RESOURCES = {
    (TERRAFORM, "terraform_data"): {
        "input": "O",
        "output": "C",
        "triggers_replace": "O",
        "id": "C",
    },
    (NULL, "null_resource"): {"triggers": "O!", "id": "C"},
    (LOCAL, "local_file"): {**FILE_FLAGS, "sensitive_content": "O!S"},
    (LOCAL, "local_sensitive_file"): {
        **FILE_FLAGS,
        "content": "O!S",
        "content_base64": "O!S",
        "file_permission": "OC!=0700",
        "directory_permission": "OC!=0700",
    },
    (RANDOM, "random_id"): {
        "keepers": "O!",
        "byte_length": "R!",
        "prefix": "O!",
        "b64_url": "C",
        "b64_std": "C",
        "hex": "C",
        "dec": "C",
        "id": "C",
    },
    (RANDOM, "random_string"): STRING_FLAGS,
    (RANDOM, "random_password"): {**STRING_FLAGS, "result": "CS"},
    (RANDOM, "random_pet"): {
        "keepers": "O!",
        "length": "OC!=2",
        "prefix": "O!",
        "separator": "OC!=-",
        "id": "C",
    },
    (RANDOM, "random_integer"): {
        "keepers": "O!",
        "min": "R!",
        "max": "R!",
        "seed": "O!",
        "result": "C",
        "id": "C",
    },
    (RANDOM, "random_shuffle"): {
        "keepers": "O!",
        "seed": "O!",
        "input": "R!",
        "result_count": "O!",
        "result": "C",
        "id": "C",
    },
}
DATA_SOURCES = {
    (LOCAL, "local_file"): {"filename": "R", "content": "C", "content_base64": "C", **HASHES},
    (LOCAL, "local_sensitive_file"): {
        "filename": "R",
        "content": "CS",
        "content_base64": "CS",
        **HASHES,
    },
    (NULL, "null_data_source"): {
        "inputs": "O",
        "outputs": "C",
        "random": "C",
        "has_computed_default": "OC",
        "id": "C",
    },
}


def flags(a: engine.Attribute) -> str:
    out = ("R" if a.required else "") + ("O" if a.optional else "") + ("C" if a.computed else "")
    out += ("!" if a.force_new else "") + ("S" if a.sensitive else "")
    if a.default is not None:
        out += f"={a.default.to_python()}"
    return out


def test_registry_has_the_builtin_sources_and_the_aws_target() -> None:
    registry = builtin_registry()
    assert set(registry.factories) == {TERRAFORM, NULL, LOCAL, RANDOM, AWS}
    assert registry.factory("registry.terraform.io/hashicorp/google") is None
    for factory in registry.factories.values():
        assert isinstance(factory(), engine.Provider)


def test_every_type_is_listed() -> None:
    for source in (TERRAFORM, NULL, LOCAL, RANDOM):
        schema = provider(source).schema()
        assert {(source, n) for n in schema.resources} == {k for k in RESOURCES if k[0] == source}
        assert {(source, n) for n in schema.data_sources} == {
            k for k in DATA_SOURCES if k[0] == source
        }


CASES = [(k, v, False) for k, v in RESOURCES.items()] + [
    (k, v, True) for k, v in DATA_SOURCES.items()
]


@pytest.mark.parametrize(
    ("key", "expected", "data"), CASES, ids=[f"{k[1]}{'-data' * d}" for k, _, d in CASES]
)
def test_schema_matches_the_real_provider(
    key: tuple[str, str], expected: dict[str, str], data: bool
) -> None:
    source, type_ = key
    schema = provider(source).schema()
    block = (schema.data_sources if data else schema.resources)[type_].block
    assert {n: flags(a) for n, a in block.attributes.items()} == expected
    assert set(block.implied_type().attrs) == set(expected)
    assert block.blocks == {}
    for name, a in block.attributes.items():
        assert a.description, f"{type_}.{name} has no description"


def test_data_source_and_resource_schemas_of_local_file_differ() -> None:
    schema = provider(LOCAL).schema()
    assert flags(schema.data_sources["local_file"].block.attributes["content"]) == "C"
    assert flags(schema.resources["local_file"].block.attributes["content"]) == "O!"


def test_sensitive_paths() -> None:
    random = provider(RANDOM).schema().resources
    assert random["random_password"].block.sensitive_paths() == [("result",)]
    assert random["random_string"].block.sensitive_paths() == []


def test_unknown_type_is_a_bug_not_a_diagnostic() -> None:
    p = provider(RANDOM)
    with pytest.raises(UnknownTypeError, match="random_nope"):
        p.validate_resource("random_nope", lang.EMPTY_OBJECT)
    with pytest.raises(UnknownTypeError, match="random_nope"):
        asyncio.run(p.read_data_source("random_nope", lang.EMPTY_OBJECT))


def test_providers_take_no_configuration_and_close_cleanly() -> None:
    for source in (TERRAFORM, NULL, LOCAL, RANDOM):
        p = provider(source)
        assert p.schema().provider.attributes == {}
        assert asyncio.run(p.close()) is None
    assert provider(LOCAL).describe_target() is not None
    assert provider(RANDOM).describe_target() is None


def test_destroy_plan_is_null() -> None:
    p = provider(NULL)
    cfg = config(p, "null_resource")
    null = lang.null_val(cfg.type)
    assert p.plan_resource("null_resource", None, null, null).planned.is_null


@pytest.mark.parametrize(
    ("key", "_expected", "data"), CASES, ids=[f"{k[1]}{'-data' * d}" for k, _, d in CASES]
)
def test_wholly_unknown_configuration_is_left_for_later(
    key: tuple[str, str], _expected: Any, data: bool
) -> None:
    source, type_ = key
    p = provider(source)
    schema = p.schema()
    block = (schema.data_sources if data else schema.resources)[type_].block
    unknown = lang.unknown_val(block.implied_type())
    validate = p.validate_data_source if data else p.validate_resource
    assert not validate(type_, unknown)
    if not data:
        assert p.plan_resource(type_, None, unknown, unknown).planned == unknown

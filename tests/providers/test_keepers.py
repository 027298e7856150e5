"""keepers (random_*) and triggers (null_resource): only a change of non-null entries replaces
(hashicorp's RequiresReplaceIfValuesNotNull); anything else is an in-place update."""

from __future__ import annotations

from typing import Any

import pytest

from gitterra import lang

from .support import NULL, RANDOM, attr, change, config, create, plan, provider

UNKNOWN_MAP = lang.unknown_val(lang.MapType(lang.STRING))
UNKNOWN_STR = lang.unknown_val(lang.STRING)

#: source, type, the replacing map, a base configuration, and an attribute a new object
#: regenerates (chosen so that a new random value equals the old one with negligible odds).
TYPES = [
    (NULL, "null_resource", "triggers", {}, "id"),
    (RANDOM, "random_id", "keepers", {"byte_length": 8}, "id"),
    (RANDOM, "random_integer", "keepers", {"min": 1, "max": 10**15}, "result"),
    (RANDOM, "random_password", "keepers", {"length": 16}, "result"),
    (RANDOM, "random_pet", "keepers", {"length": 4}, "id"),
    (RANDOM, "random_shuffle", "keepers", {"input": [str(i) for i in range(30)]}, "result"),
    (RANDOM, "random_string", "keepers", {"length": 16}, "result"),
]

#: prior map, new map, whether the change replaces the object
CASES = [
    ({"a": "1"}, {"a": "1"}, False),
    ({"a": "1"}, {"a": "2"}, True),
    ({"a": "1"}, {}, True),
    ({"a": "1"}, None, True),
    ({"a": "1"}, {"a": "1", "b": "2"}, True),
    (None, {"a": "x"}, True),
    (None, {}, False),
    (None, {"a": None}, False),
    ({}, None, False),
    ({"a": "1"}, {"a": "1", "b": None}, False),
    ({"a": "1"}, UNKNOWN_MAP, True),
    ({"a": "1"}, {"a": UNKNOWN_STR}, True),
]


def string_map(v: Any) -> Any:
    if not isinstance(v, dict):
        return v
    elements = {
        k: x
        if isinstance(x, lang.Value)
        else lang.null_val(lang.STRING)
        if x is None
        else lang.string_val(x)
        for k, x in v.items()
    }
    return lang.map_val(elements, lang.STRING)


@pytest.mark.parametrize(
    ("source", "type_", "name", "base", "fresh"), TYPES, ids=[t[1] for t in TYPES]
)
@pytest.mark.parametrize(("old", "new", "replaces"), CASES)
def test_keepers_change(
    source: str,
    type_: str,
    name: str,
    base: dict[str, Any],
    fresh: str,
    old: Any,
    new: Any,
    replaces: bool,
) -> None:
    p = provider(source)
    prior = create(p, type_, **base, **{name: string_map(old)})
    new_attrs = {**base, name: string_map(new)}
    planned = plan(p, type_, prior, config(p, type_, **new_attrs))
    assert planned.requires_replace == (((name,),) if replaces else ())
    assert planned.planned.items()[fresh].is_known is not replaces
    if not replaces:
        assert planned.planned.items()[fresh] == prior.items()[fresh]
    if not planned.planned.items()[name].is_wholly_known():
        return  # the engine would apply this only once the map is known
    _, state = change(p, type_, prior, **new_attrs)
    assert (state.items()[fresh] == prior.items()[fresh]) is not replaces
    assert state.items()[name] == planned.planned.items()[name]


def test_null_resource_id_is_a_random_number() -> None:
    p = provider(NULL)
    ids = {attr(create(p, "null_resource"), "id") for _ in range(20)}
    assert len(ids) == 20
    assert all(i.isdigit() and 0 <= int(i) < 2**63 for i in ids)

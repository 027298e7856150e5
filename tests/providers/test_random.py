"""hashicorp/random: random_id, random_integer, random_shuffle, random_pet, and the seeded
generator behind seed."""

from __future__ import annotations

import asyncio
import base64
import collections
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitterra import engine, lang
from gitterra.providers import _petnames, _rng

from .support import RANDOM, attr, change, config, create, errors, import_, plan, provider

UNKNOWN_STR = lang.unknown_val(lang.STRING)


@pytest.fixture
def p() -> engine.Provider:
    return provider(RANDOM)


# ---- the common lifecycle, table-driven --------------------------------------------------------

#: type, a configuration, the computed attributes a plan leaves unknown, and force-new changes
LIFECYCLE = [
    (
        "random_id",
        {"byte_length": 8},
        ["id", "b64_url", "b64_std", "hex", "dec"],
        [{"byte_length": 9}, {"prefix": "p-"}],
    ),
    (
        "random_integer",
        {"min": 1, "max": 10**12},
        ["id", "result"],
        [{"min": 2}, {"max": 10**12 + 1}, {"seed": "s"}],
    ),
    (
        "random_shuffle",
        {"input": [str(i) for i in range(25)]},
        ["id", "result"],
        [{"input": ["a"]}, {"result_count": 3}, {"seed": "s"}],
    ),
    (
        "random_pet",
        {"length": 4},
        ["id"],
        [{"length": 5}, {"prefix": "x"}, {"separator": "_"}],
    ),
    (
        "random_string",
        {"length": 20},
        ["id", "result"],
        [{"length": 21}, {"special": False}, {"min_upper": 2}, {"override_special": "#"}],
    ),
    (
        "random_password",
        {"length": 20},
        ["id", "result"],
        [{"upper": False}, {"numeric": False}, {"number": False}, {"min_special": 1}],
    ),
]


@pytest.mark.parametrize(("type_", "base", "computed", "_changes"), LIFECYCLE)
def test_plan_create_leaves_values_unknown(
    p: engine.Provider, type_: str, base: dict[str, Any], computed: list[str], _changes: Any
) -> None:
    planned = plan(p, type_, None, config(p, type_, **base))
    assert planned.requires_replace == ()
    for name, value in planned.planned.items().items():
        assert value.is_known is (name not in computed), name


@pytest.mark.parametrize(("type_", "base", "_computed", "_changes"), LIFECYCLE)
def test_plan_without_change_is_the_prior_state(
    p: engine.Provider, type_: str, base: dict[str, Any], _computed: Any, _changes: Any
) -> None:
    prior = create(p, type_, **base)
    planned = plan(p, type_, prior, config(p, type_, **base))
    assert planned.planned == prior
    assert planned.requires_replace == ()


@pytest.mark.parametrize(("type_", "base", "computed", "changes"), LIFECYCLE)
def test_every_argument_change_replaces(
    p: engine.Provider,
    type_: str,
    base: dict[str, Any],
    computed: list[str],
    changes: list[dict[str, Any]],
) -> None:
    prior = create(p, type_, **base)
    for changed in changes:
        planned, state = change(p, type_, prior, **{**base, **changed})
        name = next(iter(changed))
        assert (name,) in planned.requires_replace, changed
        for c in computed:
            assert not planned.planned.items()[c].is_known
        assert attr(state, name) == changed[name]


# ---- random_id ---------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", [None, "", "web-"])
def test_random_id_encodings_agree(p: engine.Provider, prefix: str | None) -> None:
    state = create(p, "random_id", byte_length=16, prefix=prefix)
    pre = prefix or ""
    raw = bytes.fromhex(attr(state, "hex").removeprefix(pre))
    assert len(raw) == 16
    assert attr(state, "id") == base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    assert attr(state, "b64_url") == pre + attr(state, "id")
    assert attr(state, "b64_std") == pre + base64.b64encode(raw).decode()
    assert attr(state, "dec") == pre + str(int.from_bytes(raw, "big"))


@pytest.mark.parametrize(
    ("id_", "prefix", "data"),
    [
        ("AQID", None, b"\x01\x02\x03"),
        ("pre-fix,_-8", "pre-fix", b"\xff\xef"),
        ("a,b,AA", "a,b", b"\x00"),
    ],
)
def test_random_id_import(p: engine.Provider, id_: str, prefix: str | None, data: bytes) -> None:
    result = import_(p, "random_id", id_)
    assert not result.diagnostics
    (state,) = result.states
    pre = prefix or ""
    assert attr(state, "prefix") == prefix
    assert attr(state, "byte_length") == len(data)
    assert attr(state, "hex") == pre + data.hex()
    assert attr(state, "dec") == pre + str(int.from_bytes(data, "big"))
    # the imported object needs no change when configured the same way
    cfg = config(p, "random_id", byte_length=len(data), prefix=prefix)
    assert plan(p, "random_id", state, cfg).planned == state


@pytest.mark.parametrize("id_", ["not base64!", "", "p,", "AQI=", "AR"])
def test_random_id_import_errors(p: engine.Provider, id_: str) -> None:
    result = import_(p, "random_id", id_)
    assert result.states == ()
    assert errors(result.diagnostics)[0].startswith("Import Random ID Error: ")


# ---- random_integer ----------------------------------------------------------------------------


def test_random_integer_stays_in_range(p: engine.Provider) -> None:
    seen = {attr(create(p, "random_integer", min=-3, max=3), "result") for _ in range(200)}
    assert seen == set(range(-3, 4))
    state = create(p, "random_integer", min=7, max=7)
    assert attr(state, "result") == 7
    assert attr(state, "id") == "7"


def test_random_integer_seed_is_deterministic(p: engine.Provider) -> None:
    def roll(seed: str) -> int:
        value: int = attr(create(p, "random_integer", min=1, max=10**9, seed=seed), "result")
        return value

    assert roll("alpha") == roll("alpha")
    assert len({roll(f"seed-{i}") for i in range(10)}) > 1
    # an empty seed is no seed
    assert len({roll("") for _ in range(5)}) > 1


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"min": 5, "max": 1}, "Create Random Integer Error: The minimum (min) value needs"),
        ({"min": 1.5, "max": 3}, "Attribute min value must be a whole number"),
        ({"min": 1, "max": 2**63}, "Attribute max value must be a whole number between"),
    ],
)
def test_random_integer_validation(
    p: engine.Provider, attrs: dict[str, Any], expected: str
) -> None:
    (problem,) = errors(p.validate_resource("random_integer", config(p, "random_integer", **attrs)))
    assert problem.startswith(expected) or expected in problem


def test_random_integer_min_above_max_fails_at_apply_too(p: engine.Provider) -> None:
    cfg = config(p, "random_integer", min=5, max=1)
    planned = plan(p, "random_integer", None, cfg).planned
    result = asyncio.run(p.apply_resource("random_integer", None, planned, cfg))
    assert result.state is None
    assert errors(result.diagnostics)[0].startswith("Create Random Integer Error")


@pytest.mark.parametrize(
    ("id_", "expected"),
    [
        ("15,1,20", {"result": 15, "min": 1, "max": 20, "seed": None, "id": "15"}),
        ("-2,-5,0,abc", {"result": -2, "min": -5, "max": 0, "seed": "abc", "id": "-2"}),
    ],
)
def test_random_integer_import(p: engine.Provider, id_: str, expected: dict[str, Any]) -> None:
    (state,) = import_(p, "random_integer", id_).states
    assert {k: attr(state, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("id_", "expected"),
    [
        ("1,2", "Invalid import usage: expecting {result},{min},{max}"),
        ("1,2,3,4,5", "Invalid import usage"),
        ("x,1,2", "The value supplied could not be parsed as an integer"),
        ("1,y,2", "The min value supplied"),
        ("1,2,z", "The max value supplied"),
    ],
)
def test_random_integer_import_errors(p: engine.Provider, id_: str, expected: str) -> None:
    result = import_(p, "random_integer", id_)
    assert result.states == ()
    (problem,) = errors(result.diagnostics)
    assert problem.startswith("Import Random Integer Error: ")
    assert expected in problem


# ---- random_shuffle ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "count"),
    [
        (["a", "b", "c", "d"], None),
        (["a", "b", "c", "d"], 2),
        (["a", "b", "c"], 8),
        ([], 3),
        (["x"], 0),
    ],
)
def test_random_shuffle_result(p: engine.Provider, items: list[str], count: int | None) -> None:
    state = create(p, "random_shuffle", input=items, result_count=count)
    result: list[str] = attr(state, "result")
    want = count or len(items)
    assert len(result) == (want if items else 0)
    counts = collections.Counter(result)
    rounds = -(-want // len(items)) if items else 0
    assert all(counts[i] <= rounds for i in items)
    assert set(result) <= set(items)
    for start in range(0, len(result) - len(items) + 1, max(len(items), 1)):
        assert sorted(result[start : start + len(items)]) == sorted(items)  # whole permutations
    assert attr(state, "id") == "-"


def test_random_shuffle_seed_is_deterministic(p: engine.Provider) -> None:
    items = [str(i) for i in range(30)]

    def shuffled(seed: str | None) -> list[str]:
        result: list[str] = attr(create(p, "random_shuffle", input=items, seed=seed), "result")
        return result

    assert shuffled("s1") == shuffled("s1")
    assert shuffled("s1") != shuffled("s2")
    assert shuffled(None) != shuffled(None)


def test_random_shuffle_validation_and_no_import(p: engine.Provider) -> None:
    cfg = config(p, "random_shuffle", input=["a"], result_count=-1)
    assert errors(p.validate_resource("random_shuffle", cfg)) == [
        "Invalid Attribute Value: Attribute result_count value must be at least 0, got: -1"
    ]
    assert errors(import_(p, "random_shuffle", "a,b").diagnostics)[0].startswith(
        "Resource Import Not Implemented"
    )


# ---- random_pet --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attrs", "shape"),
    [
        ({}, ["ADJ", "ANIMAL"]),
        ({"length": 1}, ["ANIMAL"]),
        ({"length": 4}, ["ADV", "ADV", "ADJ", "ANIMAL"]),
        ({"prefix": "Dev", "separator": "_"}, ["Dev", "ADJ", "ANIMAL"]),
        ({"length": 3, "separator": ""}, None),
    ],
)
def test_random_pet_shape(
    p: engine.Provider, attrs: dict[str, Any], shape: list[str] | None
) -> None:
    state = create(p, "random_pet", **attrs)
    name: str = attr(state, "id")
    if shape is None:
        assert name.isalpha()
        assert name.islower()
        return
    words = name.split(attrs.get("separator", "-"))
    lists = {"ADV": _petnames.ADVERBS, "ADJ": _petnames.ADJECTIVES, "ANIMAL": _petnames.ANIMALS}
    assert len(words) == len(shape)
    for word, kind in zip(words, shape, strict=True):
        assert word in lists[kind] if kind in lists else word == kind


def test_random_pet_validation(p: engine.Provider) -> None:
    cfg = config(p, "random_pet", length=0)
    assert errors(p.validate_resource("random_pet", cfg)) == [
        "Invalid Attribute Value: Attribute length value must be at least 1, got: 0"
    ]


def test_word_lists() -> None:
    for words in (_petnames.ADVERBS, _petnames.ADJECTIVES, _petnames.ANIMALS):
        assert len(words) >= 150
        assert len(set(words)) == len(words)
        assert all(w.isascii() and w.isalpha() and w.islower() for w in words)


# ---- the seeded generator ----------------------------------------------------------------------


@settings(deadline=None)
@given(st.text(min_size=1), st.integers(min_value=1, max_value=2**70))
def test_seeded_source_is_deterministic_and_in_range(seed: str, n: int) -> None:
    a, b = _rng.SeededSource(seed), _rng.SeededSource(seed)
    draws = [a.below(n) for _ in range(5)]
    assert draws == [b.below(n) for _ in range(5)]
    assert all(0 <= d < n for d in draws)


def test_seeded_source_is_stable_across_versions() -> None:
    """The stream is part of the contract: a seed's results never change."""
    src = _rng.SeededSource("gitterra")
    assert [src.below(1000) for _ in range(5)] == [682, 227, 157, 847, 733]


@settings(deadline=None)
@given(st.lists(st.integers(), max_size=20), st.text())
def test_shuffle_is_a_permutation(items: list[int], seed: str) -> None:
    assert sorted(_rng.shuffle(_rng.source(seed), items)) == sorted(items)


def test_seeded_source_is_roughly_uniform() -> None:
    src = _rng.SeededSource("uniform")
    counts = collections.Counter(src.below(6) for _ in range(6000))
    assert set(counts) == set(range(6))
    assert all(800 < c < 1200 for c in counts.values())

"""random_string and random_password: generated strings meet their options (hypothesis),
number/numeric follow each other, override_special's one lenient change, validation, import."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitterra import engine, lang
from gitterra.providers import _random_string, _rng

from .support import RANDOM, attr, change, config, create, errors, import_, plan, provider

TYPES = ["random_string", "random_password"]
DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"


@pytest.fixture(scope="module")
def p() -> engine.Provider:
    return provider(RANDOM)


@st.composite
def options(draw: st.DrawFn) -> dict[str, Any]:
    """Any option set, valid or not (length may fall short of the minimums)."""
    opts: dict[str, Any] = {"length": draw(st.integers(min_value=1, max_value=60))}
    for flag in ("upper", "lower", "numeric", "special"):
        opts[flag] = draw(st.sampled_from([None, True, False]))
    for name in ("min_upper", "min_lower", "min_numeric", "min_special"):
        opts[name] = draw(st.sampled_from([None, 0, 1, 3, 7]))
    opts["override_special"] = draw(
        st.sampled_from([None, "", "#", "_-.", "€§"])  # multi-byte characters too
    )
    return opts


def is_valid(opts: dict[str, Any]) -> bool:
    mins = sum(opts[n] or 0 for n in _random_string.MIN_ATTRS)
    any_class = any(opts[f] is not False for f in ("upper", "lower", "numeric", "special"))
    return opts["length"] == mins or (opts["length"] > mins and any_class)


def check_result(result: str, opts: dict[str, Any]) -> None:
    specials = opts["override_special"] or DEFAULT_SPECIAL
    classes = {
        "upper": string.ascii_uppercase,
        "lower": string.ascii_lowercase,
        "numeric": string.digits,
        "special": specials,
    }
    assert len(result) == opts["length"]
    allowed = "".join(
        chars
        for flag, chars in classes.items()
        if opts[flag] is not False or (opts[f"min_{flag}"] or 0) > 0
    )
    assert set(result) <= set(allowed)
    for flag, chars in classes.items():
        assert sum(c in chars for c in result) >= (opts[f"min_{flag}"] or 0), flag


@settings(max_examples=150, deadline=None)
@given(options(), st.sampled_from(TYPES))
def test_result_meets_the_options(p: engine.Provider, opts: dict[str, Any], type_: str) -> None:
    cfg = config(p, type_, **opts)
    problems = errors(p.validate_resource(type_, cfg))
    assert (not problems) is is_valid(opts), problems
    if problems:
        return
    state = create(p, type_, **opts)
    check_result(attr(state, "result"), opts)
    assert attr(state, "id") == (attr(state, "result") if type_ == "random_string" else "none")


@settings(deadline=None)
@given(options(), st.text(min_size=1))
def test_generate_directly(opts: dict[str, Any], seed: str) -> None:
    if not is_valid(opts):
        return
    params = _random_string.StringParams(
        length=opts["length"],
        **{f: opts[f] is not False for f in ("upper", "lower", "numeric", "special")},
        **{n: opts[n] or 0 for n in _random_string.MIN_ATTRS},
        override_special=opts["override_special"] or "",
    )
    check_result(_random_string.generate(_rng.SeededSource(seed), params), opts)


def test_results_differ(p: engine.Provider) -> None:
    results = {attr(create(p, "random_password", length=24), "result") for _ in range(10)}
    assert len(results) == 10


# ---- number and numeric ------------------------------------------------------------------------


@pytest.mark.parametrize("type_", TYPES)
@pytest.mark.parametrize(
    ("number", "numeric", "planned"),
    [(None, None, True), (False, None, False), (None, False, False), (True, True, True)],
)
def test_number_and_numeric_follow_each_other(
    p: engine.Provider, type_: str, number: Any, numeric: Any, planned: bool
) -> None:
    cfg = config(p, type_, length=10, number=number, numeric=numeric)
    value = plan(p, type_, None, cfg).planned
    assert attr(value, "number") is planned
    assert attr(value, "numeric") is planned
    state = create(p, type_, length=10, number=number, numeric=numeric)
    assert (set(attr(state, "result")) & set(string.digits) == set()) or planned


def test_number_is_deprecated_and_must_agree(p: engine.Provider) -> None:
    diags = p.validate_resource("random_string", config(p, "random_string", length=5, number=True))
    assert [d.summary for d in diags.warnings] == ["Attribute Deprecated"]
    assert not diags.has_errors
    cfg = config(p, "random_string", length=5, number=True, numeric=False)
    assert errors(p.validate_resource("random_string", cfg)) == [
        "Number and numeric are both configured with different values: "
        "Number is deprecated, use numeric instead"
    ]


def test_dropping_numeric_returns_to_true_and_replaces(p: engine.Provider) -> None:
    prior = create(p, "random_string", length=10, numeric=False)
    planned = plan(p, "random_string", prior, config(p, "random_string", length=10))
    assert set(planned.requires_replace) == {("number",), ("numeric",)}
    assert attr(planned.planned, "numeric") is True


# ---- override_special --------------------------------------------------------------------------


@pytest.mark.parametrize("type_", TYPES)
@pytest.mark.parametrize(
    ("old", "new", "replaces"),
    [("", None, False), (None, "", True), ("", "#", True), ("#", None, True), ("#", "#", False)],
)
def test_override_special_changes(
    p: engine.Provider, type_: str, old: Any, new: Any, replaces: bool
) -> None:
    prior = create(p, type_, length=12, override_special=old)
    planned, state = change(p, type_, prior, length=12, override_special=new)
    assert planned.requires_replace == ((("override_special",),) if replaces else ())
    assert (attr(state, "result") == attr(prior, "result")) is not replaces
    assert attr(state, "override_special") == new


# ---- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", TYPES)
@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"length": 0}, ["Attribute length value must be at least 1, got: 0"]),
        ({"length": 2.5}, ["Attribute length value must be a whole number"]),
        (
            {"length": 3, "min_upper": 2, "min_special": 2},
            [
                "Attribute length value must be at least sum of min_upper + min_lower + "
                "min_numeric + min_special, got: 3"
            ],
        ),
        ({"length": 3, "min_lower": -1}, ["Attribute min_lower value must be at least 0, got: -1"]),
        (
            {"length": 3, "upper": False, "lower": False, "numeric": False, "special": False},
            ["upper, lower, numeric and special are all false"],
        ),
        (
            {"length": 3, "upper": False, "lower": False, "number": False, "special": False},
            ["all false"],
        ),
        (
            {
                "length": 2,
                "upper": False,
                "lower": False,
                "numeric": False,
                "special": False,
                "min_upper": 2,
            },
            [],
        ),
        (
            {
                "length": 3,
                "upper": lang.unknown_val(lang.BOOL),
                "lower": False,
                "numeric": False,
                "special": False,
            },
            [],
        ),
        ({"length": lang.unknown_val(lang.NUMBER), "min_upper": 3}, []),
    ],
)
def test_validation(
    p: engine.Provider, type_: str, attrs: dict[str, Any], expected: list[str]
) -> None:
    problems = errors(p.validate_resource(type_, config(p, type_, **attrs)))
    assert len(problems) == len(expected), problems
    for problem, want in zip(problems, expected, strict=True):
        assert problem.startswith("Invalid Attribute Value: ")
        assert want in problem


# ---- import ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "id_"), [("random_string", "abc-DEF!"), ("random_password", "s3cret")]
)
def test_import(p: engine.Provider, type_: str, id_: str) -> None:
    result = import_(p, type_, id_)
    assert not result.diagnostics
    (state,) = result.states
    assert attr(state, "result") == id_
    assert attr(state, "id") == (id_ if type_ == "random_string" else "none")
    assert attr(state, "length") == len(id_)
    # configured with the same length, the imported object needs no change
    planned = plan(p, type_, state, config(p, type_, length=len(id_)))
    assert planned.planned == state
    assert planned.requires_replace == ()

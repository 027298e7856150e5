"""The type conversion functions and ``sensitive``/``nonsensitive``: documented examples, result
types, Terraform's error messages, and unknown and sensitive propagation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from gitterra.lang import BOOL, DYNAMIC, NUMBER, STRING, ListType, MapType, SetType, Value

from .conftest import Call, call_function

S, N = lang.string_val, lang.number_val


def py(x: Any) -> Value:
    return lang.from_python(x)


def unk(ty: lang.Type = DYNAMIC) -> Value:
    return lang.unknown_val(ty)


def lst(*items: Value) -> Value:
    return lang.list_val(items, items[0].type)


EXAMPLES: list[tuple[str, Any, Value]] = [
    # documented
    ("tonumber", 1, N(1)),
    ("tonumber", "1", N(1)),
    ("tonumber", None, lang.null_val(NUMBER)),
    ("tobool", True, lang.TRUE),
    ("tobool", "true", lang.TRUE),
    ("tobool", None, lang.null_val(BOOL)),
    ("tostring", "hello", S("hello")),
    ("tostring", 1, S("1")),
    ("tostring", True, S("true")),
    ("tostring", None, lang.null_val(STRING)),
    ("tolist", ["a", "b", "c"], lst(S("a"), S("b"), S("c"))),
    ("tolist", ["a", "b", 3], lst(S("a"), S("b"), S("3"))),
    ("toset", ["a", "b", "c"], lang.set_val([S("a"), S("b"), S("c")])),
    ("toset", ["a", "b", 3], lang.set_val([S("a"), S("b"), S("3")])),
    ("toset", ["c", "b", "b"], lang.set_val([S("b"), S("c")])),
    ("tomap", {"a": 1, "b": 2}, lang.map_val({"a": N(1), "b": N(2)})),
    ("tomap", {"a": "foo", "b": True}, lang.map_val({"a": S("foo"), "b": S("true")})),
    # edge cases
    ("tonumber", "1.5", N(1.5)),
    ("tonumber", "-2e3", N(-2000)),
    ("tobool", "false", lang.FALSE),
    ("tobool", False, lang.FALSE),
    ("tostring", 0.5, S("0.5")),
    ("tolist", [], lang.list_val([], DYNAMIC)),
    ("tolist", lang.set_val([S("b"), S("a")]), lst(S("a"), S("b"))),
    ("tolist", lst(S("x")), lst(S("x"))),
    ("tolist", None, lang.null_val(ListType(DYNAMIC))),
    ("tolist", [[1], ["a"]], lang.list_val([py(["1"]), py(["a"])])),
    ("toset", lst(S("x"), S("x")), lang.set_val([S("x")])),
    ("tomap", {}, lang.map_val({}, DYNAMIC)),
    ("tomap", lang.map_val({"a": N(1)}), lang.map_val({"a": N(1)})),
    ("tolist", [1, None], lang.list_val([N(1), lang.null_val(NUMBER)], NUMBER)),
]


@pytest.mark.parametrize(("name", "arg", "expected"), EXAMPLES)
def test_examples(call: Call, name: str, arg: Any, expected: Value) -> None:
    got = call(name, arg)
    assert got == expected, f"{name}({arg!r}): {got!r} != {expected!r}"


ERRORS: list[tuple[str, Any, str]] = [
    (
        "tonumber",
        "no",
        'Invalid value for "v" parameter: cannot convert "no" to number; '
        "given string must be a decimal representation of a number.",
    ),
    (
        "tobool",
        "no",
        'Invalid value for "v" parameter: cannot convert "no" to bool; '
        'only the strings "true" or "false" are allowed.',
    ),
    ("tobool", 1, 'Invalid value for "v" parameter: cannot convert number to bool.'),
    ("tonumber", True, 'Invalid value for "v" parameter: cannot convert bool to number.'),
    ("tostring", [], 'Invalid value for "v" parameter: cannot convert tuple to string.'),
    ("tostring", {"a": 1}, "cannot convert object to string."),
    (
        "tolist",
        ["a", {}],
        'Invalid value for "v" parameter: cannot convert tuple to list of any single type.',
    ),
    ("toset", [[1], {"a": 1}], "cannot convert tuple to set of any single type."),
    ("tomap", {"a": [1], "b": {}}, "cannot convert object to map of any single type."),
    ("tolist", "abc", "cannot convert string to list of any single type."),
    ("tolist", {"a": 1}, "cannot convert object to list of any single type."),
    ("tomap", ["a"], "cannot convert tuple to map of any single type."),
    ("tomap", lang.list_val([S("a")]), "cannot convert list of string to map of any single type."),
    ("tonumber", "1 2", 'cannot convert "1 2" to number'),
    ("tobool", "True", 'cannot convert "True" to bool'),
    ("tonumber", lang.string_val("x").mark_sensitive(), "cannot convert this sensitive string"),
]


@pytest.mark.parametrize(("name", "arg", "message"), ERRORS)
def test_errors(call: Call, name: str, arg: Any, message: str) -> None:
    with pytest.raises(lang.ArgumentError) as info:
        call(name, arg)
    assert message in info.value.message
    assert info.value.arg_index == 0


def test_sensitive_value_is_not_revealed_in_errors(call: Call) -> None:
    with pytest.raises(lang.ArgumentError) as info:
        call("tobool", lang.string_val("hunter2").mark_sensitive())
    assert "hunter2" not in info.value.message
    assert info.value.message == (
        'Invalid value for "v" parameter: cannot convert this sensitive string to bool.'
    )


@pytest.mark.parametrize(
    ("name", "arg", "expected"),
    [
        ("tostring", unk(), unk(STRING)),
        ("tonumber", unk(STRING), unk(NUMBER)),
        ("tobool", unk(STRING), unk(BOOL)),
        ("tolist", unk(lang.TupleType((STRING, NUMBER))), unk(ListType(STRING))),
        pytest.param(
            "toset",
            unk(ListType(NUMBER)),
            unk(SetType(NUMBER)),
        ),
        ("tomap", unk(lang.ObjectType({"a": BOOL})), unk(MapType(BOOL))),
        ("tolist", unk(), unk(ListType(DYNAMIC))),
        ("tolist", py([unk(STRING), 1]), lang.list_val([unk(STRING), S("1")])),
        ("tomap", py({"a": unk(NUMBER)}), lang.map_val({"a": unk(NUMBER)})),
        ("sensitive", unk(STRING), unk(STRING).mark_sensitive()),
        ("nonsensitive", unk(STRING).mark_sensitive(), unk(STRING)),
    ],
)
def test_unknowns(call: Call, name: str, arg: Value, expected: Value) -> None:
    assert call(name, arg) == expected


def test_unknown_of_impossible_type_is_still_an_error(call: Call) -> None:
    with pytest.raises(lang.ArgumentError, match="cannot convert list of string to bool"):
        call("tobool", unk(ListType(STRING)))


@pytest.mark.parametrize(
    ("name", "arg", "expected"),
    [
        ("tostring", py(1).mark_sensitive(), S("1").mark_sensitive()),
        ("tonumber", S("2").mark_sensitive(), N(2).mark_sensitive()),
        ("tobool", S("true").mark_sensitive(), lang.TRUE.mark_sensitive()),
        (
            "tolist",
            py(["a", 1]).mark_sensitive(),
            lang.list_val([S("a"), S("1")]).mark_sensitive(),
        ),
        # a mark inside stays inside
        (
            "tolist",
            lang.tuple_val([S("a").mark_sensitive(), S("b")]),
            lang.list_val([S("a").mark_sensitive(), S("b")], STRING),
        ),
        (
            "tostring",
            lang.null_val(STRING).mark_sensitive(),
            lang.null_val(STRING).mark_sensitive(),
        ),
    ],
)
def test_sensitive_values_stay_sensitive(
    call: Call, name: str, arg: Value, expected: Value
) -> None:
    assert call(name, arg) == expected


# ---- sensitive / nonsensitive --------------------------------------------------------------


@pytest.mark.parametrize("arg", [1, "hello", [], None, {"a": [1]}])
def test_sensitive_marks_any_value(call: Call, arg: Any) -> None:
    got = call("sensitive", arg)
    assert got.sensitive
    assert got.unmark() == py(arg)
    assert call("sensitive", got) == got


def test_nonsensitive_removes_the_mark(call: Call) -> None:
    secret = py({"username": "zqb", "password": "p4ssw0rd"}).mark_sensitive()
    assert call("nonsensitive", secret) == py({"username": "zqb", "password": "p4ssw0rd"})
    assert call("nonsensitive", call("sensitive", "x")) == S("x")
    assert call("nonsensitive", lang.null_val(STRING).mark_sensitive()) == lang.null_val(STRING)


def test_nonsensitive_of_a_value_that_is_not_sensitive_is_that_value(call: Call) -> None:
    # Terraform v1.7+ and OpenTofu 1.6+: no longer an error ("this call is redundant").
    assert call("nonsensitive", "clear") == S("clear")


def test_issensitive_says_whether_the_value_itself_is_marked(call: Call) -> None:
    assert call("issensitive", call("sensitive", 1)) == lang.bool_val(True)
    assert call("issensitive", "clear") == lang.bool_val(False)
    assert call("issensitive", call("nonsensitive", call("sensitive", "x"))) == lang.bool_val(False)
    assert call("issensitive", unk(STRING).mark_sensitive()) == lang.bool_val(True)
    assert call("issensitive", unk(STRING)) == unk(BOOL), "it may become sensitive once known"
    inner = lang.object_val({"password": S("p").mark_sensitive()})
    assert call("issensitive", inner) == lang.bool_val(False), "only the value's own mark"
    assert not call("issensitive", call("sensitive", 1)).sensitive, "the answer is not secret"


def test_nonsensitive_leaves_marks_inside(call: Call) -> None:
    inner = lang.object_val({"password": S("p").mark_sensitive(), "user": S("u")})
    got = call("nonsensitive", inner.mark_sensitive())
    assert not got.sensitive
    assert got.items()["password"].sensitive


@pytest.mark.parametrize("name", ["sensitive", "nonsensitive"])
def test_sensitivity_functions_keep_the_type(call: Call, name: str) -> None:
    assert call(name, lang.null_val(ListType(NUMBER))).type == ListType(NUMBER)
    assert call(name, unk(MapType(STRING))).type == MapType(STRING)


# ---- properties ----------------------------------------------------------------------------


# Decimals of at most 15 significant digits: the core prints fractions through float64 (see
# lang.format_number), where cty prints every digit.
@given(st.integers() | st.decimals(min_value=-(10**10), max_value=10**10, places=4))
def test_tostring_then_tonumber_round_trips(n: Any) -> None:
    num = N(n)
    assert call_function("tonumber", call_function("tostring", num)) == num


@given(
    st.lists(st.text(max_size=4) | st.integers() | st.booleans(), max_size=6).filter(
        lambda items: len({type(i) for i in items}) < 2 or any(isinstance(i, str) for i in items)
    )
)
def test_tolist_of_scalars_is_a_list_of_strings_or_one_scalar_type(items: list[Any]) -> None:
    got = call_function("tolist", items)
    assert isinstance(got.type, ListType)
    assert len(got.elements()) == len(items)
    if len({type(i) for i in items}) > 1:
        assert got.type.element == STRING


@given(st.lists(st.integers() | st.booleans(), min_size=1, max_size=6))
def test_numbers_and_bools_do_not_unify_without_a_string(items: list[Any]) -> None:
    if len({type(i) for i in items}) == 1:
        assert call_function("tolist", items).type in (ListType(NUMBER), ListType(BOOL))
        return
    with pytest.raises(lang.ArgumentError, match="cannot convert tuple to list of any single"):
        call_function("tolist", items)

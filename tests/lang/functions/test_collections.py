"""The collection functions: documented examples, cty's result types, errors, and the precise
unknown and sensitive propagation of cty/Terraform."""

from __future__ import annotations

import functools
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from gitterra.lang import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    ListType,
    MapType,
    SetType,
    TupleType,
    Value,
)
from gitterra.lang._values import NUMBER_CONTEXT

from .conftest import Call, call_function

# ---- value builders ------------------------------------------------------------------------


def py(x: Any) -> Value:
    return lang.from_python(x)


def lst(*items: Any, of: lang.Type | None = None) -> Value:
    """A list; elements are converted to ``of`` (default: the first element's type)."""
    vals = [py(i) for i in items]
    ety = of or (vals[0].type if vals else DYNAMIC)
    return lang.list_val([lang.convert(x, ety) for x in vals], ety)


def st_(*items: Any, of: lang.Type | None = None) -> Value:
    vals = [py(i) for i in items]
    ety = of or (vals[0].type if vals else DYNAMIC)
    return lang.set_val([lang.convert(x, ety) for x in vals], ety)


def mp(of: lang.Type | None = None, **items: Any) -> Value:
    vals = {k: py(x) for k, x in items.items()}
    ety = of or (next(iter(vals.values())).type if vals else DYNAMIC)
    return lang.map_val({k: lang.convert(x, ety) for k, x in vals.items()}, ety)


def tup(*items: Any) -> Value:
    return lang.tuple_val(py(i) for i in items)


def obj(**items: Any) -> Value:
    return lang.object_val({k: py(x) for k, x in items.items()})


def unk(ty: lang.Type = DYNAMIC) -> Value:
    return lang.unknown_val(ty)


def sens(x: Any) -> Value:
    return py(x).mark_sensitive()


S, N, B = lang.string_val, lang.number_val, lang.bool_val
LS, LN = ListType(STRING), ListType(NUMBER)


# ---- documented examples and cty's result types --------------------------------------------

EXAMPLES: list[Any] = [
    # alltrue / anytrue
    ("alltrue", (["true", True],), lang.TRUE),
    ("alltrue", ([True, False],), lang.FALSE),
    ("alltrue", ([],), lang.TRUE),
    ("anytrue", (["true"],), lang.TRUE),
    ("anytrue", ([True],), lang.TRUE),
    ("anytrue", ([True, False],), lang.TRUE),
    ("anytrue", ([],), lang.FALSE),
    # chunklist
    (
        "chunklist",
        (["a", "b", "c", "d", "e"], 2),
        lang.list_val([lst("a", "b"), lst("c", "d"), lst("e")], LS),
    ),
    (
        "chunklist",
        (["a", "b", "c", "d", "e"], 1),
        lang.list_val([lst(x) for x in "abcde"], LS),
    ),
    ("chunklist", (["a", "b"], 0), lang.list_val([lst("a", "b")], LS)),
    pytest.param(
        "chunklist",
        (lst(of=STRING), 3),
        lang.list_val([], LS),
    ),
    # coalesce
    ("coalesce", ("a", "b"), S("a")),
    ("coalesce", ("", "b"), S("b")),
    ("coalesce", (1, 2), N(1)),
    ("coalesce", (1, "hello"), S("1")),
    ("coalesce", (True, "hello"), S("true")),
    ("coalesce", (None, "x"), S("x")),
    ("coalesce", (lang.null_val(STRING), "", "z"), S("z")),
    # coalescelist
    ("coalescelist", (["a", "b"], ["c", "d"]), tup("a", "b")),
    ("coalescelist", ([], ["c", "d"]), tup("c", "d")),
    ("coalescelist", (lang.null_val(LS), lst("c")), lst("c")),
    # compact
    ("compact", (["a", "", "b", None, "c"],), lst("a", "b", "c")),
    ("compact", ([""],), lang.list_val([], STRING)),
    # concat
    ("concat", (["a", ""], ["b", "c"]), tup("a", "", "b", "c")),
    ("concat", ([], [1, "a"], [[3], "c"]), tup(1, "a", [3], "c")),
    ("concat", (lst("a"), lst("b", "c")), lst("a", "b", "c")),
    ("concat", (lst("a"), lst(1, 2)), lst("a", "1", "2")),
    ("concat", (lst("a"), tup(1)), tup("a", 1)),
    ("concat", (lst("a"),), lst("a")),
    # contains
    ("contains", (["a", "b", "c"], "a"), lang.TRUE),
    ("contains", (["a", "b", "c"], "d"), lang.FALSE),
    ("contains", (st_("a", "b"), "b"), lang.TRUE),
    ("contains", ([1, 2], "1"), lang.FALSE),
    ("contains", ([], "a"), lang.FALSE),
    ("contains", ([{"a": 1}], {"a": 1}), lang.TRUE),
    # distinct
    ("distinct", (["a", "b", "a", "c", "d", "b"],), lst("a", "b", "c", "d")),
    ("distinct", (lst(1, 2, 1.0),), lst(1, 2)),
    # element
    ("element", (["a", "b", "c"], 1), S("b")),
    ("element", (["a", "b", "c"], 3), S("a")),
    ("element", (["a", "b", "c"], -1), S("c")),
    ("element", (["a", "b", "c"], -4), S("c")),
    ("element", (tup("a", 1), 1), N(1)),
    ("element", (lst("a", "b"), 5), S("b")),
    # flatten
    ("flatten", ([["a", "b"], [], ["c"]],), tup("a", "b", "c")),
    ("flatten", ([[["a", "b"], []], ["c"]],), tup("a", "b", "c")),
    ("flatten", ([],), tup()),
    ("flatten", ([st_("b", "a"), lst(1)],), tup("a", "b", 1)),
    ("flatten", ([{"a": [1]}],), tup({"a": [1]})),
    ("flatten", ([lang.null_val(LS), "x"],), lang.tuple_val([lang.null_val(LS), S("x")])),
    # index
    ("index", (["a", "b", "c"], "b"), N(1)),
    ("index", (["one", "two", "two"], "two"), N(1)),
    ("index", (lst(1, 2, 3), 3), N(2)),
    # keys
    ("keys", ({"a": 1, "c": 2, "d": 3},), tup("a", "c", "d")),
    ("keys", (mp(b=1, a=2),), lst("a", "b")),
    ("keys", ({},), tup()),
    ("keys", (mp(of=STRING),), lang.list_val([], STRING)),
    # length
    ("length", ([],), N(0)),
    ("length", (["a", "b"],), N(2)),
    ("length", ({"a": "b"},), N(1)),
    ("length", ("hello",), N(5)),
    ("length", ("👾🕹️",), N(2)),
    ("length", ("e\u0301",), N(1)),
    ("length", (lst(1, 2, 3),), N(3)),
    ("length", (st_("a", "a", "b"),), N(2)),
    ("length", (mp(a=1, b=2),), N(2)),
    ("length", ("",), N(0)),
    # lookup
    ("lookup", ({"a": "ay", "b": "bee"}, "a", "what?"), S("ay")),
    ("lookup", ({"a": "ay", "b": "bee"}, "c", "what?"), S("what?")),
    ("lookup", ({"a": "ay"}, "c", 1), N(1)),
    ("lookup", (mp(a="ay"), "c", 1), S("1")),
    ("lookup", (mp(a="ay"), "a"), S("ay")),
    ("lookup", ({"a": [1]}, "a"), tup(1)),
    ("lookup", (mp(a=1), "b", None), lang.null_val(NUMBER)),
    # matchkeys
    (
        "matchkeys",
        (["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"]),
        lst("i-abc", "i-def"),
    ),
    ("matchkeys", (["a", "b"], [1, 2], ["2"]), lst("b")),
    ("matchkeys", (["a"], ["x"], []), lang.list_val([], STRING)),
    ("matchkeys", ([{"id": 1}], ["x"], ["x"]), lst({"id": 1})),
    # merge
    ("merge", ({"a": "b", "c": "d"}, {"e": "f", "c": "z"}), obj(a="b", c="z", e="f")),
    ("merge", ({"a": "b"}, {"a": [1, 2], "c": "z"}, {"d": 3}), obj(a=[1, 2], c="z", d=3)),
    ("merge", (), obj()),
    ("merge", (mp(a="x"), mp(b="y")), mp(a="x", b="y")),
    ("merge", (mp(a="x"), mp(of=STRING)), mp(a="x")),
    ("merge", (mp(a="x"), mp(b=1)), obj(a="x", b=1)),
    ("merge", (mp(a="x"), {"b": True}), obj(a="x", b=True)),
    ("merge", (None, {"a": 1}), obj(a=1)),
    ("merge", (lang.null_val(MapType(STRING)), mp(a="x")), mp(a="x")),
    ("merge", (lang.null_val(MapType(STRING)),), lang.map_val({}, STRING)),
    # one
    ("one", ([],), lang.NULL),
    ("one", (["hello"],), S("hello")),
    ("one", (st_(of=STRING),), lang.null_val(STRING)),
    ("one", (st_("hello"),), S("hello")),
    ("one", (st_("hello", "hello"),), S("hello")),
    ("one", (lst(of=NUMBER),), lang.null_val(NUMBER)),
    # range
    ("range", (3,), lst(0, 1, 2)),
    ("range", (1, 4), lst(1, 2, 3)),
    ("range", (1, 8, 2), lst(1, 3, 5, 7)),
    ("range", (1, 4, 0.5), lst(1, 1.5, 2, 2.5, 3, 3.5)),
    ("range", (4, 1), lst(4, 3, 2)),
    ("range", (10, 5, -2), lst(10, 8, 6)),
    ("range", (-3,), lst(0, -1, -2)),
    ("range", (0,), lang.list_val([], NUMBER)),
    ("range", (0, 1, 0.1), lst(*(Decimal(i) / 10 for i in range(10)), of=NUMBER)),
    ("range", (2, 2), lang.list_val([], NUMBER)),
    # reverse
    ("reverse", ([1, 2, 3],), tup(3, 2, 1)),
    ("reverse", (lst(1, 2, 3),), lst(3, 2, 1)),
    ("reverse", (st_("b", "a", "c"),), lst("c", "b", "a")),
    ("reverse", ([],), tup()),
    # setintersection / setsubtract / setunion
    ("setintersection", (["a", "b"], ["b", "c"], ["b", "d"]), st_("b")),
    ("setintersection", (["a"],), st_("a")),
    ("setintersection", (["a", 1], [1]), st_("1")),
    ("setsubtract", (["a", "b", "c"], ["a", "c"]), st_("b")),
    ("setsubtract", ([], ["a"]), st_(of=STRING)),
    ("setunion", (["a", "b"], ["b", "c"], ["d"]), st_("d", "b", "c", "a")),
    ("setunion", ([], []), st_(of=DYNAMIC)),
    ("setunion", ([1], ["a"]), st_("1", "a")),
    # setproduct
    (
        "setproduct",
        (["development", "staging", "production"], ["app1", "app2"]),
        lang.list_val(
            [
                tup(env, app)
                for env in ("development", "staging", "production")
                for app in ("app1", "app2")
            ],
            TupleType((STRING, STRING)),
        ),
    ),
    (
        "setproduct",
        (["development", "staging", "production"], []),
        lang.list_val([], TupleType((STRING, DYNAMIC))),
    ),
    ("setproduct", (["a"], ["b"]), lang.list_val([tup("a", "b")], TupleType((STRING, STRING)))),
    (
        "setproduct",
        (["staging", "production"], ["a", 2]),
        lang.list_val(
            [tup(e, x) for e in ("staging", "production") for x in ("a", "2")],
            TupleType((STRING, STRING)),
        ),
    ),
    (
        "setproduct",
        (st_("b", "a"), lst(1)),
        lang.set_val([tup("a", 1), tup("b", 1)], TupleType((STRING, NUMBER))),
    ),
    # slice
    ("slice", (["a", "b", "c", "d"], 1, 3), tup("b", "c")),
    ("slice", (lst("a", "b", "c", "d"), 1, 3), lst("b", "c")),
    ("slice", (lst("a", "b"), 1, 1), lang.list_val([], STRING)),
    ("slice", (["a", "b"], 0, 2), tup("a", "b")),
    # sort
    ("sort", (["e", "d", "a", "x"],), lst("a", "d", "e", "x")),
    ("sort", ([3, 11, 2],), lst("11", "2", "3")),
    ("sort", (["b", "B", "a", "é", "z"],), lst("B", "a", "b", "z", "é")),
    ("sort", ([],), lang.list_val([], STRING)),
    # sum
    ("sum", ([10, 13, 6, 4.5],), N(Decimal("33.5"))),
    ("sum", ([0.1, 0.2],), N(Decimal("0.3"))),
    ("sum", (st_(1, 2, 3),), N(6)),
    ("sum", (["1", 2],), N(3)),
    ("sum", ([2**70, 1],), N(2**70 + 1)),
    # transpose
    (
        "transpose",
        ({"a": ["1", "2"], "b": ["2", "3"]},),
        lang.map_val({"1": lst("a"), "2": lst("a", "b"), "3": lst("b")}, LS),
    ),
    ("transpose", ({},), lang.map_val({}, LS)),
    ("transpose", ({"a": ["1", "1"]},), lang.map_val({"1": lst("a", "a")}, LS)),
    # values
    ("values", ({"a": 3, "c": 2, "d": 1},), tup(3, 2, 1)),
    ("values", (mp(b="x", a="y"),), lst("y", "x")),
    ("values", ({},), tup()),
    # zipmap
    ("zipmap", (["a", "b"], [1, 2]), obj(a=1, b=2)),
    ("zipmap", (["a", "b"], lst(1, 2)), mp(a=1, b=2)),
    ("zipmap", (["a", "a"], [1, "x"]), obj(a="x")),
    ("zipmap", (lst(of=STRING), lst(of=NUMBER)), lang.map_val({}, NUMBER)),
]


@pytest.mark.parametrize(("name", "args", "expected"), EXAMPLES)
def test_examples(call: Call, name: str, args: tuple[Any, ...], expected: Value) -> None:
    got = call(name, *args)
    assert got == expected, f"{name}{args}: {got!r} != {expected!r}"
    assert got.type == expected.type


# ---- errors --------------------------------------------------------------------------------

ERRORS: list[tuple[str, tuple[Any, ...], str]] = [
    ("alltrue", ([1],), "bool required"),
    ("chunklist", (["a"], -1), "the size argument must be positive"),
    ("chunklist", (["a"], 1.5), "invalid size: value must be a whole number"),
    ("coalesce", ({}, "hello"), "all arguments must have the same type"),
    ("coalesce", (None, ""), "no non-null, non-empty-string arguments"),
    ("coalesce", (), "all arguments must have the same type"),
    ("coalescelist", ("a",), "coalescelist arguments must be lists or tuples"),
    ("coalescelist", ([], []), "no non-null arguments"),
    ("coalescelist", (), "at least one argument is required"),
    ("compact", ([["a"]],), "string required"),
    ("concat", (), "at least one argument is required"),
    ("concat", (["a"], "b"), "all arguments must be lists or tuples; got string"),
    ("concat", (mp(a=1),), "all arguments must be lists or tuples; got map of number"),
    ("contains", ("abc", "a"), "argument must be list, tuple, or set"),
    ("distinct", ("a",), 'Invalid value for "list" parameter'),
    ("element", ([], 0), "cannot use element function with an empty list"),
    ("element", (lst(of=STRING), 0), "cannot use element function with an empty list"),
    ("element", (["a"], 0.5), "invalid index: value must be a whole number, between"),
    ("element", (st_("a"), 0), "cannot read elements from set of string"),
    ("element", ("abc", 0), "cannot read elements from string"),
    ("flatten", ("a",), "can only flatten lists, sets and tuples"),
    ("flatten", ({"a": ["b"]},), "can only flatten lists, sets and tuples"),
    ("index", ([], "a"), "cannot search an empty list"),
    ("index", (["a"], "b"), "item not found"),
    ("index", (st_("a"), "a"), "argument must be a list or tuple"),
    ("keys", (["a"],), 'Invalid value for "inputMap" parameter: must have map or object type.'),
    ("length", (1,), "argument must be a string, a collection type, or a structural type"),
    ("length", (None,), "argument must not be null"),
    ("lookup", ({"a": 1}, "b"), 'the given object has no attribute "b"'),
    ("lookup", (mp(a=1), "b"), 'lookup failed to find key "b"'),
    ("lookup", (mp(a=1), "b", "x"), "the default value must have the same type as the map"),
    ("lookup", (mp(a=1), "a", "x"), "the default value must have the same type as the map"),
    ("lookup", (["a"], "0"), "lookup() requires a map as the first argument"),
    ("lookup", ({"a": 1}, "a", 1, 2), "lookup() takes two or three arguments, got 4"),
    ("lookup", ({"a": 1}, 'q"\n'), 'the given object has no attribute "q\\"\\n"'),
    ("matchkeys", (["a"], ["x", "y"], ["x"]), "length of keys and values should be equal"),
    ("matchkeys", (["a"], ["x"], [["x"]]), "keys and searchset must be of the same type"),
    ("merge", ({"a": 1}, ["b"]), 'arguments must be maps or objects, got "tuple"'),
    ("merge", ("x",), 'arguments must be maps or objects, got "string"'),
    ("one", (["hello", "goodbye"],), "must be a list, set, or tuple value with either zero or one"),
    ("one", (st_("hello", "goodbye"),), "with either zero or one elements"),
    ("one", (lst("a", "b"),), 'Invalid value for "list" parameter: must be a list'),
    ("one", ("a",), "with either zero or one elements"),
    ("range", (), "must have one, two, or three arguments"),
    ("range", (1, 2, 3, 4), "must have one, two, or three arguments"),
    ("range", (1, 4, 0), "step must not be zero"),
    ("range", (1, 4, -1), "end must be less than start when step is negative"),
    ("range", (4, 1, 1), "end must be greater than start when step is positive"),
    ("range", (1025,), "more than 1024 values were generated; either decrease the difference"),
    ("range", (0, 1, 0.0001), "more than 1024 values were generated"),
    ("reverse", ("abc",), "can only reverse list or tuple values, not string"),
    ("reverse", ({"a": 1},), "can only reverse list or tuple values, not object"),
    ("setintersection", (["a"], [["b"]]), "given sets must all have compatible element types"),
    ("setproduct", (["a"],), "at least two arguments are required"),
    ("setproduct", (["a"], "b"), 'Invalid value for "sets" parameter: a set or a list is required'),
    ("setproduct", (["a"], ["b", ["c"]]), "all elements must be of the same type"),
    ("setsubtract", ("a", ["b"]), 'Invalid value for "a" parameter'),
    ("setunion", (["a"], {"a": 1}), 'Invalid value for "other_sets" parameter'),
    ("slice", (st_("a"), 0, 1), "cannot slice a set, because its elements do not have indices"),
    ("slice", ("abc", 0, 1), "must be a list or tuple value"),
    ("slice", (["a"], -1, 1), "start index must not be less than zero"),
    ("slice", (["a"], 0, -1), "end index must not be less than zero"),
    ("slice", (["a"], 2, 2), "start index must not be greater than the length of the list"),
    ("slice", (["a"], 0, 2), "end index must not be greater than the length of the list"),
    ("slice", (["a", "b"], 2, 1), "start index must not be greater than end index"),
    ("slice", (["a"], 0.5, 1), 'Invalid value for "start_index" parameter: invalid start index'),
    ("sort", (["a", None],), "given list element 1 is null; a null string cannot be sorted"),
    ("sort", ([["a"]],), "string required"),
    ("sum", ([],), 'Invalid value for "list" parameter: cannot sum an empty list.'),
    ("sum", ("abc",), "cannot sum noniterable"),
    ("sum", ({"a": 1},), "argument must be list, set, or tuple. Received object"),
    ("sum", (["a"],), "argument must be list, set, or tuple of number values"),
    ("sum", ([1, None],), "argument must be list, set, or tuple of number values"),
    (
        "sum",
        ([N(Decimal("Infinity")), N(Decimal("-Infinity"))],),
        "can't compute sum of opposing infinities",
    ),
    ("transpose", ({"a": [None]},), "input must be a map of lists of strings"),
    ("transpose", ({"a": "b"},), "list of string required"),
    ("values", (["a"],), "values() requires a map as the first argument"),
    ("zipmap", (["a"], [1, 2]), "number of keys (1) does not match number of values (2)"),
    ("zipmap", (["a"], lst(1, 2)), "number of keys (1) does not match number of values (2)"),
    ("zipmap", ([None], [1]), "keys list has null value at index 0"),
    ("zipmap", ([None], lst(1)), "keys list has null value at index 0"),
    ("zipmap", (["a"], "b"), "values argument must be a list or tuple value"),
]


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_errors(call: Call, name: str, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call(name, *args)
    assert message in info.value.message


def test_argument_errors_name_the_argument(call: Call) -> None:
    with pytest.raises(lang.ArgumentError) as info:
        call("slice", ["a", "b"], 0, 3)
    assert info.value.message == (
        'Invalid value for "end_index" parameter: '
        "end index must not be greater than the length of the list."
    )
    assert info.value.arg_index == 2
    with pytest.raises(lang.ArgumentError) as info:
        call("lookup", mp(a=1), "a", "x")
    assert info.value.arg_index == 2


def test_lookup_error_hides_a_sensitive_key(call: Call) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call("lookup", mp(a=1), sens("secret"))
    assert info.value.message == "lookup failed to find key (sensitive value)"


# ---- unknown values: only as unknown as cty makes them --------------------------------------

UL, US = unk(LS), unk(STRING)
KNOWN_LIST_OF_UNKNOWNS = lang.list_val([unk(STRING), S("b")], STRING)

UNKNOWNS: list[Any] = [
    # whole-argument unknowns give an unknown of cty's result type
    ("alltrue", (unk(ListType(BOOL)),), unk(BOOL)),
    ("anytrue", (unk(),), unk(BOOL)),
    ("chunklist", (UL, 2), unk(ListType(LS))),
    ("chunklist", (["a"], unk(NUMBER)), unk(ListType(LS))),
    ("coalesce", (US, "a"), unk(STRING)),
    ("coalesce", ("", US, "a"), unk(STRING)),
    ("coalescelist", (UL, ["a"]), unk(DYNAMIC)),
    ("coalescelist", (lst("a"), UL), lst("a")),
    ("compact", (UL,), unk(LS)),
    ("concat", (UL, lst("a")), unk(LS)),
    ("concat", (UL, ["a"]), unk(DYNAMIC)),
    ("contains", (UL, "a"), unk(BOOL)),
    ("contains", (["a"], US), unk(BOOL)),
    ("distinct", (UL,), unk(LS)),
    ("element", (UL, 0), unk(STRING)),
    ("element", (["a", 1], unk(NUMBER)), unk(DYNAMIC)),
    ("element", (lst("a"), unk(NUMBER)), unk(STRING)),
    ("element", (unk(TupleType((STRING, NUMBER))), 1), unk(NUMBER)),
    ("flatten", (UL,), unk(DYNAMIC)),
    ("index", (UL, "a"), unk(NUMBER)),
    ("keys", (unk(MapType(NUMBER)),), unk(LS)),
    ("keys", (unk(),), unk(DYNAMIC)),
    ("length", (UL,), unk(NUMBER)),
    ("length", (US,), unk(NUMBER)),
    ("length", (unk(),), unk(NUMBER)),
    ("lookup", (unk(MapType(NUMBER)), "a"), unk(NUMBER)),
    ("lookup", ({"a": 1}, US), unk(DYNAMIC)),
    ("matchkeys", (UL, ["a"], ["a"]), unk(LS)),
    ("merge", (unk(MapType(STRING)), mp(a="x")), unk(MapType(STRING))),
    ("merge", (unk(MapType(STRING)), {"a": 1}), unk(DYNAMIC)),
    ("one", (UL,), unk(STRING)),
    ("range", (unk(NUMBER),), unk(LN)),
    ("reverse", (UL,), unk(LS)),
    ("setintersection", (unk(SetType(STRING)), ["a"]), unk(SetType(STRING))),
    ("setproduct", (UL, ["a"]), unk(ListType(TupleType((STRING, STRING))))),
    ("setsubtract", (["a"], unk(SetType(STRING))), unk(SetType(STRING))),
    ("setunion", (unk(SetType(STRING)), ["a"]), unk(SetType(STRING))),
    ("slice", (UL, 0, 1), unk(LS)),
    ("slice", (["a", 1], unk(NUMBER), 1), unk(DYNAMIC)),
    ("slice", (["a", 1], 0, 1), tup("a")),
    ("sort", (UL,), unk(LS)),
    ("sum", (unk(LN),), unk(NUMBER)),
    ("transpose", (unk(MapType(LS)),), unk(MapType(LS))),
    ("values", (unk(MapType(NUMBER)),), unk(LN)),
    ("zipmap", (UL, [1]), unk(DYNAMIC)),
    ("zipmap", (UL, lst(1)), unk(MapType(NUMBER))),
    # a known collection with unknown elements is still known where cty knows it
    ("alltrue", ([False, unk(BOOL)],), lang.FALSE),
    ("alltrue", ([unk(BOOL), False],), unk(BOOL)),
    ("alltrue", ([True, unk(BOOL)],), unk(BOOL)),
    ("anytrue", ([unk(BOOL), True],), lang.TRUE),
    ("anytrue", ([unk(BOOL), False],), unk(BOOL)),
    ("chunklist", (KNOWN_LIST_OF_UNKNOWNS, 1), lang.list_val([lst(US), lst("b")], LS)),
    ("coalesce", ("a", US), S("a")),
    ("compact", (KNOWN_LIST_OF_UNKNOWNS,), unk(LS)),
    ("concat", (KNOWN_LIST_OF_UNKNOWNS, lst("c")), lst(US, "b", "c")),
    ("contains", (KNOWN_LIST_OF_UNKNOWNS, "b"), lang.TRUE),
    ("contains", (KNOWN_LIST_OF_UNKNOWNS, "c"), unk(BOOL)),
    pytest.param(
        "contains",
        ([unk(NUMBER)], "c"),
        lang.FALSE,
    ),
    ("distinct", (KNOWN_LIST_OF_UNKNOWNS,), unk(LS)),
    ("element", (KNOWN_LIST_OF_UNKNOWNS, 1), S("b")),
    ("element", (KNOWN_LIST_OF_UNKNOWNS, 0), US),
    ("flatten", ([UL, ["a"]],), unk(DYNAMIC)),
    ("flatten", ([[US], ["a"]],), tup(US, "a")),
    ("flatten", ([unk(), "a"],), unk(DYNAMIC)),
    ("index", (KNOWN_LIST_OF_UNKNOWNS, "b"), unk(NUMBER)),
    ("index", (["b", US], "b"), N(0)),
    ("keys", ({"a": US, "b": 1},), tup("a", "b")),
    ("keys", (unk(lang.ObjectType({"b": STRING, "a": NUMBER})),), tup("a", "b")),
    ("keys", (lang.map_val({"a": US}, STRING),), lst("a")),
    ("length", (KNOWN_LIST_OF_UNKNOWNS,), N(2)),
    ("length", (unk(TupleType((STRING, STRING))),), N(2)),
    ("length", (unk(lang.ObjectType({"a": STRING})),), N(1)),
    ("length", (lang.set_val([US, S("a")], STRING),), unk(NUMBER)),
    ("length", (lang.set_val([US], STRING),), N(1)),
    ("length", (lang.map_val({"a": US}, STRING),), N(1)),
    ("lookup", ({"a": US, "b": 1}, "b"), N(1)),
    ("lookup", (mp(a="x"), "b", US), US),
    ("matchkeys", (["a", "b"], [US, "y"], ["y"]), unk(LS)),
    ("merge", (lang.map_val({"a": US}, STRING), mp(b="x")), lang.map_val({"a": US, "b": S("x")})),
    ("one", (KNOWN_LIST_OF_UNKNOWNS,), "error"),
    ("one", (lst(US),), US),
    ("one", (lang.set_val([US, S("a")], STRING),), unk(STRING)),
    ("one", (unk(TupleType((STRING,))),), unk(STRING)),
    ("reverse", (KNOWN_LIST_OF_UNKNOWNS,), lst("b", US)),
    ("setintersection", (lang.set_val([US], STRING), ["a"]), unk(SetType(STRING))),
    ("setsubtract", (["a"], lang.set_val([US], STRING)), unk(SetType(STRING))),
    ("setunion", (lang.set_val([US], STRING), ["a"]), lang.set_val([S("a"), US], STRING)),
    (
        "setproduct",
        (KNOWN_LIST_OF_UNKNOWNS, ["c"]),
        lang.list_val([tup(US, "c"), tup("b", "c")], TupleType((STRING, STRING))),
    ),
    ("setproduct", (lang.set_val([US, S("a")], STRING), ["c"]), "unknown"),
    ("slice", (KNOWN_LIST_OF_UNKNOWNS, 0, 1), lst(US)),
    ("sort", (KNOWN_LIST_OF_UNKNOWNS,), unk(LS)),
    ("sum", ([1, unk(NUMBER)],), unk(NUMBER)),
    ("values", (lang.map_val({"a": US}, STRING),), lst(US)),
    ("values", ({"a": US, "b": 1},), tup(US, 1)),
    ("zipmap", (["a"], [US]), obj(a=US)),
    ("zipmap", ([US], [1]), unk(DYNAMIC)),
    ("zipmap", ([US], lst(1)), unk(MapType(NUMBER))),
]


@pytest.mark.parametrize(("name", "args", "expected"), UNKNOWNS)
def test_unknowns(call: Call, name: str, args: tuple[Any, ...], expected: Value | str) -> None:
    if expected == "error":
        with pytest.raises(lang.FunctionError):
            call(name, *args)
        return
    got = call(name, *args)
    if expected == "unknown":
        assert not got.is_known
        return
    assert isinstance(expected, Value)
    assert got == expected, f"{name}{args}: {got!r} != {expected!r}"


# ---- sensitive values ----------------------------------------------------------------------

SECRET_LIST = lst("a", "b").mark_sensitive()
LIST_WITH_SECRET = lang.list_val([S("a"), S("b").mark_sensitive()], STRING)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("alltrue", ([sens(True)],)),
        ("anytrue", (lst(True).mark_sensitive(),)),
        ("chunklist", (SECRET_LIST, 1)),
        ("chunklist", (["a"], sens(1))),
        ("coalesce", (sens("a"), "b")),
        ("coalesce", ("a", sens("b"))),
        ("coalescelist", (SECRET_LIST,)),
        ("compact", (LIST_WITH_SECRET,)),
        ("concat", (SECRET_LIST, ["c"])),
        ("contains", (SECRET_LIST, "a")),
        ("contains", (["a"], sens("a"))),
        ("distinct", (LIST_WITH_SECRET,)),
        ("element", (SECRET_LIST, 0)),
        ("element", (["a"], sens(0))),
        ("flatten", ([SECRET_LIST],)),
        ("index", (["a"], sens("a"))),
        ("keys", (mp(a=1).mark_sensitive(),)),
        ("keys", (obj(a=1).mark_sensitive(),)),
        ("length", (SECRET_LIST,)),
        ("length", (sens("abc"),)),
        ("length", (unk(LS).mark_sensitive(),)),
        ("lookup", (mp(a=1).mark_sensitive(), "a")),
        ("lookup", (mp(a=1), sens("a"))),
        ("lookup", (mp(a=1).mark_sensitive(), "b", 2)),
        ("matchkeys", (["a"], ["x"], [sens("x")])),
        ("merge", (mp(a=1).mark_sensitive(), mp(b=2))),
        ("one", (lst("x").mark_sensitive(),)),
        ("range", (sens(2),)),
        ("reverse", (SECRET_LIST,)),
        ("setintersection", (st_("a").mark_sensitive(), ["a"])),
        ("setproduct", (SECRET_LIST, ["c"])),
        ("setsubtract", (["a", "b"], st_("a").mark_sensitive())),
        ("setunion", (["a"], st_("b").mark_sensitive())),
        ("slice", (SECRET_LIST, 0, 1)),
        ("slice", (["a"], sens(0), 1)),
        ("sort", (LIST_WITH_SECRET,)),
        ("sum", ([1, sens(2)],)),
        ("transpose", ({"a": SECRET_LIST},)),
        ("values", (mp(a=1).mark_sensitive(),)),
        ("zipmap", (SECRET_LIST, [1, 2])),
        ("zipmap", (lang.list_val([S("k").mark_sensitive()], STRING), lst(1))),
        ("zipmap", (["a"], lst(1).mark_sensitive())),
    ],
)
def test_sensitive_arguments_give_sensitive_results(
    call: Call, name: str, args: tuple[Any, ...]
) -> None:
    assert call(name, *args).sensitive


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        # only the collection's own mark moves to the result; element marks stay on elements
        ("length", (LIST_WITH_SECRET,), N(2)),
        ("keys", (lang.map_val({"a": S("x").mark_sensitive()}, STRING),), lst("a")),
        (
            "values",
            (lang.map_val({"a": S("x").mark_sensitive()}, STRING),),
            lst(S("x").mark_sensitive()),
        ),
        ("element", (LIST_WITH_SECRET, 0), S("a")),
        ("element", (LIST_WITH_SECRET, 1), S("b").mark_sensitive()),
        ("concat", (LIST_WITH_SECRET, lst("c")), lst("a", S("b").mark_sensitive(), "c")),
        ("reverse", (LIST_WITH_SECRET,), lst(S("b").mark_sensitive(), "a")),
        ("flatten", ([LIST_WITH_SECRET],), tup("a", S("b").mark_sensitive())),
        ("lookup", ({"a": sens(1), "b": 2}, "b"), N(2)),
        ("merge", ({"a": sens(1)}, {"b": 2}), lang.object_val({"a": sens(1), "b": N(2)})),
        ("slice", (LIST_WITH_SECRET, 0, 1), lst("a")),
        (
            "keys",
            (unk(lang.ObjectType({"a": STRING})).mark_sensitive(),),
            tup("a").mark_sensitive(),
        ),
    ],
)
def test_element_marks_stay_on_elements(
    call: Call, name: str, args: tuple[Any, ...], expected: Value
) -> None:
    got = call(name, *args)
    assert got == expected, f"{name}{args}: {got!r} != {expected!r}"


def test_unknown_results_of_sensitive_arguments_are_sensitive(call: Call) -> None:
    got = call("concat", unk(LS).mark_sensitive(), lst("a"))
    assert not got.is_known
    assert got.sensitive
    got = call("sort", lang.list_val([US, S("a").mark_sensitive()], STRING))
    assert not got.is_known
    assert got.sensitive


# ---- properties ----------------------------------------------------------------------------

strings = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)
string_lists = st.lists(strings, max_size=8)


def nfc(items: list[str]) -> list[str]:
    """Strings as the language holds them (NFC-normalised)."""
    return [unicodedata.normalize("NFC", s) for s in items]


def as_list(items: list[str]) -> Value:
    return lang.list_val([S(s) for s in items], STRING)


@given(string_lists, st.integers(min_value=1, max_value=5))
def test_chunklist_then_flatten_gives_the_list_back(items: list[str], size: int) -> None:
    items = nfc(items)
    chunks = call_function("chunklist", as_list(items), size)
    assert call_function("flatten", chunks).to_python() == items
    assert all(len(c.elements()) <= size for c in chunks.elements())


@given(string_lists)
def test_sort_reverse_distinct_and_length(items: list[str]) -> None:
    items = nfc(items)
    lst_ = as_list(items)
    assert call_function("sort", lst_).to_python() == sorted(items, key=lambda s: s.encode())
    assert call_function("reverse", call_function("reverse", lst_)) == lst_
    assert call_function("distinct", lst_).to_python() == list(dict.fromkeys(items))
    assert call_function("length", lst_) == N(len(items))


@given(string_lists, string_lists)
def test_set_algebra_matches_python_sets(a: list[str], b: list[str]) -> None:
    a, b = nfc(a), nfc(b)
    union = call_function("setunion", as_list(a), as_list(b)).to_python()
    inter = call_function("setintersection", as_list(a), as_list(b)).to_python()
    diff = call_function("setsubtract", as_list(a), as_list(b)).to_python()
    assert set(union) == set(a) | set(b)
    assert set(inter) == set(a) & set(b)
    assert set(diff) == set(a) - set(b)
    assert len(union) == len(set(union))


@given(st.dictionaries(strings, st.integers(), max_size=6))
def test_keys_values_zipmap_round_trip(d: dict[str, int]) -> None:
    d = dict(zip(nfc(list(d)), d.values(), strict=True))
    m = lang.map_val({k: N(x) for k, x in d.items()}, NUMBER)
    keys, values = call_function("keys", m), call_function("values", m)
    assert keys.to_python() == sorted(d)
    assert call_function("zipmap", keys, values) == m


@given(
    st.integers(min_value=-50, max_value=50),
    st.integers(min_value=-50, max_value=50),
    st.integers(min_value=-7, max_value=7).filter(bool),
)
def test_range_matches_python_range(start: int, end: int, step: int) -> None:
    if (step > 0 and end < start) or (step < 0 and end > start):
        with pytest.raises(lang.FunctionError):
            call_function("range", start, end, step)
        return
    assert call_function("range", start, end, step).to_python() == list(range(start, end, step))


@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=3), min_size=1))
def test_sum_is_exact(nums: list[Decimal]) -> None:
    got = call_function("sum", lang.list_val([N(n) for n in nums], NUMBER))
    assert got.as_number() == functools.reduce(NUMBER_CONTEXT.add, nums, Decimal(0))

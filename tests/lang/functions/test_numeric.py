"""Numeric functions: abs, ceil, floor, log, max, min, parseint, pow, signum."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from tests.lang.conftest import error_of, show
from tests.lang.functions.conftest import Call, call_function

N = lang.number_val
INF = Decimal("Infinity")


@pytest.mark.parametrize(
    ("name", "args", "want"),
    [
        # The documented examples.
        ("abs", (23,), N(23)),
        ("abs", (0,), N(0)),
        ("abs", (-12.4,), N(Decimal("12.4"))),
        ("ceil", (5,), N(5)),
        ("ceil", (5.1,), N(6)),
        ("floor", (5,), N(5)),
        ("floor", (4.9,), N(4)),
        ("log", (50, 10), N(Decimal("1.6989700043360185"))),
        ("log", (16, 2), N(4)),
        ("max", (12, 54, 3), N(54)),
        ("min", (12, 54, 3), N(3)),
        ("parseint", ("100", 10), N(100)),
        ("parseint", ("FF", 16), N(255)),
        ("parseint", ("-10", 16), N(-16)),
        ("parseint", ("1011111011101111", 2), N(48879)),
        ("parseint", ("aA", 62), N(656)),
        ("pow", (3, 2), N(9)),
        ("pow", (4, 0), N(1)),
        ("signum", (-13,), N(-1)),
        ("signum", (0,), N(0)),
        ("signum", (344,), N(1)),
        # Exactness and edges.
        ("abs", (Decimal("-1e-40"),), N(Decimal("1e-40"))),
        ("abs", (-(10**40),), N(10**40)),
        ("abs", (N(-INF),), N(INF)),
        ("ceil", (-5.1,), N(-5)),
        ("ceil", (Decimal("1.000000000000000000001"),), N(2)),
        ("ceil", (N(INF),), N(INF)),
        ("floor", (-4.1,), N(-5)),
        ("floor", (10**30 + Decimal("0.5"),), N(10**30)),
        ("floor", (N(-INF),), N(-INF)),
        ("ceil", ("2.5",), N(3)),  # a string argument converts to a number
        ("max", (3,), N(3)),
        ("max", (-1, Decimal("-0.5"), -2), N(Decimal("-0.5"))),
        ("min", (10**30, 10**31), N(10**30)),
        ("max", (N(INF), 10**100), N(INF)),
        # log and pow use float64 maths, with Go's rules for zeros and infinities.
        ("log", (1, 10), N(0)),
        ("log", (10, 10), N(1)),
        ("log", (0, 10), N(-INF)),
        ("log", (10, 0), N(0)),  # 2.30/-Inf is -0, which is 0
        ("log", (10, 1), N(INF)),
        ("log", (15, 2), N(Decimal("3.9068905956085187"))),
        ("log", (10**400, 10), N(INF)),  # float64 overflow, as Go's conversion gives
        ("pow", (-3, 2), N(9)),
        ("pow", (2, -2), N(Decimal("0.25"))),
        ("pow", (0, 2), N(0)),
        ("pow", (0, -1), N(INF)),
        ("pow", (2, 0.5), N(Decimal("1.4142135623730951"))),
        ("pow", (10, 400), N(INF)),
        ("pow", (-10, 401), N(-INF)),
        ("pow", (2, 10), N(1024)),
        ("signum", (-(10**18),), N(-1)),
        # parseint: any size, bases 2 to 62, signs and leading zeros.
        ("parseint", ("999999999999999999999999999999999999999999999999999999999999", 10),
         N(999999999999999999999999999999999999999999999999999999999999)),
        ("parseint", ("00128", 10), N(128)),
        ("parseint", ("-00FF00", 16), N(-65280)),
        ("parseint", ("+7", 8), N(7)),
        ("parseint", ("Aa", 62), N(2242)),
        ("parseint", ("zZ", 36), N(35 * 36 + 35)),
        ("parseint", ("Z", 62), N(61)),
    ],
)  # fmt: skip
def test_values(call: Call, name: str, args: tuple[Any, ...], want: lang.Value) -> None:
    assert call(name, *args) == want


@pytest.mark.parametrize(
    ("name", "args", "message", "arg_index"),
    [
        ("max", (), "must pass at least one number.", None),
        ("min", (), "must pass at least one number.", None),
        ("abs", ("x",), 'Invalid value for "num" parameter: a number is required.', 0),
        ("max", (1, True), 'Invalid value for "numbers" parameter: number required.', 1),
        ("ceil", (None,), 'Invalid value for "num" parameter: argument must not be null.', 0),
        ("log", (-1, 10), "the result of log is not a number (NaN).", None),
        ("log", (1, 1), "the result of log is not a number (NaN).", None),
        ("pow", (-2, 0.5), "the result of pow is not a number (NaN).", None),
        ("signum", (1.5,), "value must be a whole number, between", 0),
        ("signum", (2**63,), "value must be a whole number, between", 0),
        ("parseint", ("12", 2), 'cannot parse "12" as a base 2 integer.', 0),
        ("parseint", ("FF", 10), 'cannot parse "FF" as a base 10 integer.', 0),
        ("parseint", ("00FF", 10), 'cannot parse "00FF" as a base 10 integer.', 0),
        ("parseint", ("1.2", 10), 'cannot parse "1.2" as a base 10 integer.', 0),
        ("parseint", ("", 10), 'cannot parse "" as a base 10 integer.', 0),
        ("parseint", ("-", 10), 'cannot parse "-" as a base 10 integer.', 0),
        ("parseint", ("0x1F", 16), 'cannot parse "0x1F" as a base 16 integer.', 0),
        ("parseint", ("1_000", 10), 'cannot parse "1_000" as a base 10 integer.', 0),
        ("parseint", ("a\n", 16), 'cannot parse "a\\n" as a base 16 integer.', 0),
        ("parseint", (2, 10), "first argument must be a string, not number.", 0),
        ("parseint", ("1", 63), "base must be a whole number between 2 and 62 inclusive.", 1),
        ("parseint", ("1", 1), "base must be a whole number between 2 and 62 inclusive.", 1),
        ("parseint", ("1", -1), "base must be a whole number between 2 and 62 inclusive.", 1),
        ("parseint", ("1", 2.5), "value must be a whole number", 1),
    ],
)
def test_errors(
    call: Call, name: str, args: tuple[Any, ...], message: str, arg_index: int | None
) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call(name, *args)
    assert info.value.message.startswith(message)
    assert info.value.arg_index == arg_index


def test_parseint_keeps_sensitive_values_out_of_messages(call: Call) -> None:
    secret = lang.string_val("FF").mark_sensitive()
    with pytest.raises(lang.FunctionError) as info:
        call("parseint", secret, 10)
    assert info.value.message == "cannot parse (sensitive value) as a base 10 integer."
    with pytest.raises(lang.FunctionError) as info:
        call("parseint", secret, N(10).mark_sensitive())
    assert info.value.message == (
        "cannot parse (sensitive value) as a base (sensitive value) integer."
    )


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("abs", (N(-1),)),
        ("ceil", (N(1),)),
        ("floor", (N(1),)),
        ("log", (N(8), N(2))),
        ("max", (N(1), N(2))),
        ("min", (N(1), N(2))),
        ("parseint", (lang.string_val("1"), N(10))),
        ("pow", (N(2), N(3))),
        ("signum", (N(-4),)),
    ],
)
def test_unknown_and_sensitive_propagate(
    call: Call, name: str, args: tuple[lang.Value, ...]
) -> None:
    for i, arg in enumerate(args):
        others = list(args)
        others[i] = lang.unknown_val(arg.type)
        assert call(name, *others) == lang.unknown_val(lang.NUMBER)
        others[i] = lang.DYNAMIC_UNKNOWN
        assert call(name, *others) == lang.unknown_val(lang.NUMBER)
        others[i] = arg.mark_sensitive()
        result = call(name, *others)
        assert result.sensitive
        assert result.unmark() == call(name, *args)
    assert not call(name, *args).sensitive


def test_parseint_unknown_keeps_sensitive_mark(call: Call) -> None:
    result = call("parseint", lang.string_val("1").mark_sensitive(), lang.unknown_val(lang.NUMBER))
    assert result == lang.unknown_val(lang.NUMBER).mark_sensitive()


def test_max_with_an_unknown_among_many(call: Call) -> None:
    assert call("max", 1, lang.unknown_val(lang.NUMBER), 3) == lang.unknown_val(lang.NUMBER)


@pytest.mark.parametrize(
    ("expr", "shown"),
    [
        ("log(50, 10)", "1.6989700043360185"),
        ("ceil(log(15, 2))", "4"),
        ("ceil(log(16, 2))", "4"),
        ("ceil(log(17, 2))", "5"),
        ("max([12, 54, 3]...)", "54"),
        ("abs(-12.4)", "12.4"),
        ('parseint("-10", 16)', "-16"),
    ],
)
def test_documented_examples_in_the_language(expr: str, shown: str) -> None:
    assert show(expr) == shown


def test_parseint_error_as_terraform_shows_it() -> None:
    assert error_of('parseint("12", 2)').detail == (
        'Invalid value for "number" parameter: cannot parse "12" as a base 2 integer.'
    )


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _in_base(n: int, base: int) -> str:
    digits = ""
    m = abs(n)
    while True:
        m, d = divmod(m, base)
        digits = _DIGITS[d] + digits
        if m == 0:
            return ("-" if n < 0 else "") + digits


@given(st.integers(min_value=-(10**80), max_value=10**80), st.integers(min_value=2, max_value=62))
def test_parseint_reads_back_any_integer_in_any_base(n: int, base: int) -> None:
    text = _in_base(n, base)
    assert call_function("parseint", text, base) == N(n)
    if base <= 36:
        assert call_function("parseint", text.upper(), base) == N(n)


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=6, min_value=-(10**12), max_value=10**12
    )
)
def test_floor_and_ceil_bracket_the_number(d: Decimal) -> None:
    floor = call_function("floor", d).as_number()
    ceil = call_function("ceil", d).as_number()
    assert isinstance(floor, int)
    assert isinstance(ceil, int)
    assert floor <= d <= ceil
    assert ceil - floor == (0 if d == d.to_integral_value() else 1)

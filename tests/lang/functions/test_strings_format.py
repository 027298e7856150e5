"""format and formatlist: cty's printf-style verbs, flags, widths, precisions and errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from tests.lang.conftest import error_of, show
from tests.lang.functions.conftest import Call, call_function

S = lang.string_val
STRINGS = lang.ListType(lang.STRING)


def strings(*items: str) -> lang.Value:
    return lang.list_val([S(i) for i in items], lang.STRING)


@pytest.mark.parametrize(
    ("spec", "args", "want"),
    [
        # The documented examples.
        ("Hello, %s!", ("Ander",), "Hello, Ander!"),
        ("There are %d lights", (4,), "There are 4 lights"),
        ("%#v", ("hello",), '"hello"'),
        ("%#v", (True,), "true"),
        ("%#v", (1,), "1"),
        ("%#v", ({"a": 1},), '{"a":1}'),
        ("%#v", ([True],), "[true]"),
        ("%#v", (None,), "null"),
        # No verbs, and %%.
        ("", (), ""),
        ("100%% successful", (), "100% successful"),
        ("%%%v", (False,), "%false"),
        # %v by type; explicit argument indexes.
        ("string %v", ("hello",), "string hello"),
        ("string %[2]v", (True, "hello"), "string hello"),
        ("%[2]s %s %[1]s", ("a", "b", "c"), "b c a"),
        ("%v", (None,), "null"),
        ("%v", (lang.null_val(lang.ListType(lang.STRING)),), "null"),
        ("%v %v", ({}, []), "{} []"),
        ("%v", ({"b": [1, "x"], "a": None},), '{"a":null,"b":[1,"x"]}'),
        ("%v", (lang.set_val([S("b"), S("a")]),), '["a","b"]'),
        ("%v|%v|%v|%v", (1000, 1000000, 0.0001, 0.00001), "1000|1e+06|0.0001|1e-05"),
        ("%v %v", (123456.7, -2.5), "123456.7 -2.5"),
        ("%v", (12345678,), "1.2345678e+07"),
        ("%6v|%-6v|%06v", (12, "ab", True), "    12|ab    |00true"),
        # Strings: width and precision count grapheme clusters.
        ("Hello, %q... if that _is_ your real name!", ("Ermintrude",), 'Hello, "Ermintrude"... if that _is_ your real name!'),
        ("This statement is %s", (False,), "This statement is false"),
        ("This statement is %q", (False,), 'This statement is "false"'),
        ("%s", (12.5,), "12.5"),
        ("%10s|%-10s|", ("hello", "hello"), "     hello|hello     |"),
        ("%4s|%-4s", ("💃🏿", "💃🏿"), "   💃🏿|💃🏿   "),
        ("%6q", ("💃🏿",), '   "💃🏿"'),
        ("%.2s|%.2q|%.10s|%4.2s|%-4.2s", ("hello",) * 5, 'he|"he"|hello|  he|he  '),
        ("%.5s|%.1q", ("日本語日本語", "日本語日本語"), '日本語日本|"日"'),
        ("%.0s", ("hello",), "hello"),  # a zero precision is no precision
        ("%q", ("Hello\nWorld",), '"Hello\\nWorld"'),
        ("%q", ("<a href=\"x\">&</a>\u2028",), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028"'),
        ("%q", ("\x00\x1f\b\f\t\x7f",), '"\\u0000\\u001f\\b\\f\\t\x7f"'),
        # Booleans.
        ("This statement is %t", (False,), "This statement is false"),
        ("This statement is %[2]t", (True, False), "This statement is false"),
        ("%t", ("true",), "true"),
        # Integers: Go's big.Int formatting.
        ("%d green bottles", (10,), "10 green bottles"),
        ("%+d|% d|%5d|%-5d|%05d", (10,) * 5, "+10| 10|   10|10   |00010"),
        ("%b|%o|%x|%X", (5, 9, 254, 254), "101|11|fe|FE"),
        ("%#b|%#o|%#x|%#X", (5, 9, 254, 254), "0b101|011|0xfe|0XFE"),
        ("%d|%x", (-42, -255), "-42|-ff"),
        ("%.5d|%8.3d|%08.3d|%-08d|", (42, 7, 7, 7), "00042|     007|     007|7       |"),
        ("[%.0d][%.d][%5.0d]", (0, 0, 0), "[][][]"),
        ("%d", ("12",), "12"),
        ("%d", (10**40,), str(10**40)),
        ("%x", (2**100,), format(2**100, "x")),
        # Floats: Go's big.Float formatting of cty's 512-bit numbers.
        ("%f things", (10,), "10.000000 things"),
        ("%+f|% f|%+f|% f", (10, 10, -10, -10), "+10.000000| 10.000000|-10.000000|-10.000000"),
        ("%f", ("100000000000000000000000000000000000001",), "100000000000000000000000000000000000001.000000"),
        ("%f", (Decimal("1.00000000000000000000000000000000000001"),), "1.000000"),
        ("%.4f|%.1f", (Decimal("1.00000000000000000000000000000000000001"), 1.06), "1.0000|1.1"),
        ("%e|%E|%g|%G", (1000,) * 4, "1.000000e+03|1.000000E+03|1000|1000"),
        ("%g|%G", (Decimal("0.00000000000000000000001"),) * 2, "1e-23|1E-23"),
        ("%.2f|%.0f|%.0f|%.0f", (0.125, 0.5, 1.5, 2.5), "0.12|0|2|2"),  # exact ties: half to even
        ("%.1f|%.2f", (0.35, 1.005), "0.3|1.00"),  # the binary value is just below the tie
        ("%.3g|%.3g|%.10g|%.1g", (1.0, 1234.5678, 0.1, 0.000012345), "1|1.23e+03|0.1|1e-05"),
        ("%8.3f|%-8.2f|%08.3f|%+.1e", (3.14159, 2.5, -3.14159, 12345), "   3.142|2.50    |-003.142|+1.2e+04"),
        ("%.f|%5.1f", (2.5, 99.99), "2|100.0"),
        ("%e|%g|%f", (0, 0, 0), "0.000000e+00|0|0.000000"),
        ("%.3e|%.0e", (9.9996, 5), "1.000e+01|5e+00"),
        ("%f|%e|%g|%5f|%+f", (lang.number_val(Decimal("Infinity")),) * 4 + (lang.number_val(Decimal("-Infinity")),), "+Inf|+Inf|+Inf| +Inf|-Inf"),
        ("%v", (lang.number_val(Decimal("-Infinity")),), "-Inf"),
    ],
)  # fmt: skip
def test_format(call: Call, spec: str, args: tuple[Any, ...], want: str) -> None:
    assert call("format", spec, *args) == S(want)


@pytest.mark.parametrize(
    ("spec", "args", "message", "arg_index"),
    [
        ("%s", (None,), 'unsupported value for "%s" at 0: null value cannot be formatted.', None),
        ("%d green bottles", (True,), 'unsupported value for "%d" at 0: number required.', None),
        ("%d", (1.5,), 'unsupported value for "%d" at 0: an integer is required.', None),
        ("%d", (lang.number_val(Decimal("Infinity")),), 'unsupported value for "%d" at 0: an integer is required.', None),
        ("%f", ("x",), 'unsupported value for "%f" at 0: a number is required.', None),
        ("%t", (1,), 'unsupported value for "%t" at 0: bool required.', None),
        ("%t", ("yes",), 'unsupported value for "%t" at 0: a bool is required.', None),
        ("ok %s", ({},), 'unsupported value for "%s" at 3: string required.', None),
        ("%s is not in the args list", (), 'not enough arguments for "%s" at 0: need index 1 but have 0 total.', None),
        ("%[3]s is not in the args list", (True, True), 'not enough arguments for "%[3]s" at 0: need index 3 but have 2 total.', None),
        ("%v %v %v", (True, True), 'not enough arguments for "%v" at 6: need index 3 but have 2 total.', None),
        ("%[0]s is not valid because args are 1-based", (True, True), "unrecognized format character '0' at offset 2.", None),
        ("%z is not a valid sequence", (10,), "unsupported format verb 'z' in \"%z\" at offset 0.", None),
        ("%#z is not a valid sequence", (10,), "unsupported format verb 'z' in \"%#z\" at offset 0.", None),
        ("%012z is not a valid sequence", (10,), "unsupported format verb 'z' in \"%012z\" at offset 0.", None),
        ("%☠ is not a valid sequence", (10,), "unrecognized format character '☠' at offset 1.", None),
        ("%💃🏿 is not a valid sequence", (10,), "unrecognized format character '💃' at offset 1.", None),
        ("é%!", (10,), "unrecognized format character '!' at offset 3.", None),
        ("%[1x]d", (10,), "unrecognized format character 'x' at offset 3.", None),
        ("%[2]5d", (10, 11), "unrecognized format character '5' at offset 4.", None),
        ("%\n", (10,), "unrecognized format character '\\n' at offset 1.", None),
        ("100%", (), "invalid format string starting at offset 4.", None),
        ("%5.", (1,), "invalid format string starting at offset 3.", None),
        ("no format verbs at all", (10,), "too many arguments; no verbs in format string.", 1),
        ("only one verb %d", (10, 11), "too many arguments; only 1 used by format string.", 2),
        ("%[2]d", (10, 11, 12), "too many arguments; only 2 used by format string.", 3),
        ("%s", (lang.null_val(lang.STRING).mark_sensitive(),), "null value cannot be formatted.", None),
        ("%v", ([lang.number_val(Decimal("Infinity"))],), 'unsupported value for "%v" at 0: JSON cannot represent an infinite number.', None),
        ("%1234567d", (1,), "number too large in format string at offset 1.", None),
        ("%.1234567f", (1,), "number too large in format string at offset 2.", None),
    ],
)  # fmt: skip
def test_format_errors(
    call: Call, spec: str, args: tuple[Any, ...], message: str, arg_index: int | None
) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call("format", spec, *args)
    assert info.value.message.endswith(message), info.value.message
    assert info.value.arg_index == arg_index


def test_integers_longer_than_python_prints_by_default(call: Call) -> None:
    big = 10**5000  # str() refuses integers of more than 4300 digits
    digits = "1" + "0" * 5000
    assert call("format", "%d|%s|%v", big, big, big) == S(f"{digits}|{digits}|1e+5000")
    assert call("format", "%#v", [big]) == S(f"[{digits}]")
    assert call("format", "%.2e|%x", big, big) == S("1.00e+5000|" + format(big, "x"))
    assert call("format", "%f", Decimal("1e-5000")) == S("0.000000")


def test_format_null_spec_is_refused(call: Call) -> None:
    with pytest.raises(lang.FunctionError, match="argument must not be null"):
        call("format", None, 1)


def test_format_unknowns(call: Call) -> None:
    unknown = lang.unknown_val(lang.STRING)
    assert call("format", unknown, True) == unknown
    assert call("format", "Hello, %s!", unknown) == unknown
    assert call("format", "Hello, %[2]s!", unknown, "Ermintrude") == unknown
    partly = lang.tuple_val([unknown])
    assert call("format", "tuple with unknown %v", partly) == unknown
    assert call("format", "%v", lang.DYNAMIC_UNKNOWN) == unknown


def test_format_sensitive(call: Call) -> None:
    secret = S("hunter2").mark_sensitive()
    assert call("format", "pw=%s", secret) == S("pw=hunter2").mark_sensitive()
    nested = lang.tuple_val([secret])
    assert call("format", "%v", nested) == S('["hunter2"]').mark_sensitive()
    assert call("format", S("%s").mark_sensitive(), "x") == S("x").mark_sensitive()
    assert not call("format", "%s", "x").sensitive


@pytest.mark.parametrize(
    ("spec", "args", "want"),
    [
        # The documented examples.
        ("Hello, %s!", (["Valentina", "Ander", "Olivia", "Sam"],), strings("Hello, Valentina!", "Hello, Ander!", "Hello, Olivia!", "Hello, Sam!")),
        ("%s, %s!", ("Salutations", ["Valentina", "Ander", "Olivia", "Sam"]), strings("Salutations, Valentina!", "Salutations, Ander!", "Salutations, Olivia!", "Salutations, Sam!")),
        # No arguments, single values, lists in lockstep.
        ("", (), strings("")),
        ("100%%", (), strings("100%")),
        ("%s", ("hello",), strings("hello")),
        ("%s", (["hello", "world"],), strings("hello", "world")),
        ("%s %s", (["hello", "goodbye"], ["world", "universe"]), strings("hello world", "goodbye universe")),
        ("%s %s", (["hello", "goodbye"], "world"), strings("hello world", "goodbye world")),
        ("%s=%d", (lang.set_val([S("b"), S("a")]), [1, 2]), strings("a=1", "b=2")),
        ("%v", ([],), lang.list_val([], lang.STRING)),
        ("%v %v", ([], "x"), lang.list_val([], lang.STRING)),
        ("%v", (lang.null_val(lang.ListType(lang.STRING)),), strings("null")),
        ("%v", (None,), strings("null")),
        ("%v", ({"a": [1]},), strings('{"a":[1]}')),
        ("%v", ([[1, 2], ["x"]],), strings("[1,2]", '["x"]')),
    ],
)  # fmt: skip
def test_formatlist(call: Call, spec: str, args: tuple[Any, ...], want: lang.Value) -> None:
    assert call("formatlist", spec, *args) == want


@pytest.mark.parametrize(
    ("args", "message", "arg_index"),
    [
        ((["hello", "goodbye"], ["world"]), "argument 2 has length 1, which is inconsistent with argument 1 of length 2.", 2),
        (("x", [1], [1, 2]), "argument 3 has length 2, which is inconsistent with argument 2 of length 1.", 3),
        (({},), 'error on format iteration 0: unsupported value for "%s" at 0: string required.', None),
        ((["a", None],), 'error on format iteration 1: unsupported value for "%s" at 0: null value cannot be formatted.', None),
        ((["a"], "b"), "error on format iteration 0: too many arguments; only 1 used by format string.", None),
    ],
)  # fmt: skip
def test_formatlist_errors(
    call: Call, args: tuple[Any, ...], message: str, arg_index: int | None
) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call("formatlist", "%s", *args)
    assert info.value.message == message
    assert info.value.arg_index == arg_index


def test_formatlist_errors_without_arguments_are_formats(call: Call) -> None:
    with pytest.raises(lang.FunctionError, match=r'not enough arguments for "%s" at 0'):
        call("formatlist", "%s")


def test_formatlist_unknowns(call: Call) -> None:
    unknown_str = lang.unknown_val(lang.STRING)
    unknown_list = lang.unknown_val(STRINGS)
    assert call("formatlist", unknown_str, True) == unknown_list
    assert call("formatlist", "%v", unknown_str) == lang.list_val([unknown_str], lang.STRING)
    assert call("formatlist", "%v", lang.DYNAMIC_UNKNOWN) == lang.list_val([unknown_str])
    assert call("formatlist", "%v", unknown_list) == unknown_list
    partly = lang.list_val(
        [lang.tuple_val([S("hello")]), lang.tuple_val([unknown_str]), lang.tuple_val([S("world")])]
    )
    assert call("formatlist", "%v", partly) == lang.list_val(
        [S('["hello"]'), unknown_str, S('["world"]')], lang.STRING
    )
    unknown_tuple = lang.unknown_val(lang.TupleType((lang.STRING,)))
    assert call("formatlist", "%v", unknown_tuple) == unknown_list
    # An unknown tuple's length is known, so a mismatch is still an error.
    unknown_pair = lang.unknown_val(lang.TupleType((lang.STRING, lang.STRING)))
    with pytest.raises(lang.FunctionError, match="argument 2 has length 2"):
        call("formatlist", "%s %s", ["hi"], unknown_pair)
    with pytest.raises(lang.FunctionError, match="argument 2 has length 2"):
        call("formatlist", "%s %s", unknown_tuple, unknown_pair)


def test_formatlist_sensitive(call: Call) -> None:
    secret_list = lang.list_val([S("a"), S("b").mark_sensitive()])
    result = call("formatlist", "<%s>", secret_list)
    assert result == strings("<a>", "<b>").mark_sensitive()
    assert not call("formatlist", "<%s>", ["a"]).sensitive


@pytest.mark.parametrize(
    ("expr", "shown"),
    [
        ('format("Hello, %s!", "Ander")', '"Hello, Ander!"'),
        ('format("%#v", {a = 1})', '"{\\"a\\":1}"'),
        ('format("%#v", null)', '"null"'),
        ('formatlist("%s, %s!", "Salutations", ["Ander", "Sam"])', None),
    ],
)
def test_documented_examples_in_the_language(expr: str, shown: str | None) -> None:
    if shown is not None:
        assert show(expr) == shown
    else:
        assert show(expr) == 'tolist([\n  "Salutations, Ander!",\n  "Salutations, Sam!",\n])'


def test_format_errors_as_terraform_shows_them() -> None:
    assert error_of('format("%d %d", 1, 2, 3)').detail == (
        'Invalid value for "args" parameter: too many arguments; only 2 used by format string.'
    )
    assert error_of('format("%z", 1)').detail == (
        'Call to function "format" failed: unsupported format verb \'z\' in "%z" at offset 0.'
    )


@given(st.integers(min_value=-(10**50), max_value=10**50))
def test_integer_verbs_match_python(n: int) -> None:
    got = call_function("format", "%d|%x|%X|%o|%b|%+d|%30d", *([n] * 7)).as_str()
    sign = "-" if n < 0 else ""
    a = abs(n)
    parts = [str(n), sign + format(a, "x"), sign + format(a, "X"), sign + format(a, "o")]
    parts += [sign + format(a, "b"), format(n, "+d"), format(n, "30d")]
    assert got == "|".join(parts)


@given(st.text(max_size=20), st.integers(min_value=0, max_value=30))
def test_string_width_pads_to_at_least_the_width(s: str, width: int) -> None:
    got = call_function("format", f"%{width}s" if width else "%s", s).as_str()
    assert got.endswith(lang.string_val(s).as_str())
    assert got[: len(got) - len(lang.string_val(s).as_str())].strip(" ") == ""


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**9), max_value=10**9
    )
)
def test_fixed_precision_is_close_to_the_number(d: Decimal) -> None:
    got = Decimal(call_function("format", "%.3f", d).as_str())
    assert abs(got - d) <= Decimal("0.0005")
    assert got == d.quantize(Decimal("0.001")) or abs(got - d) == Decimal("0.0005")


spec_chars = st.sampled_from(list("%%%-+ #0123456789.[]vtbdoxXeEfgGsqzé💃\n"))
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**6), max_value=10**6
    ),
    st.text(max_size=5),
    st.lists(st.integers(min_value=0, max_value=9), max_size=3),
)


def outcome(name: str, *args: Any) -> lang.Value | lang.FunctionError:
    """The result of a call, or the FunctionError it raised (anything else propagates)."""
    try:
        return call_function(name, *args)
    except lang.FunctionError as exc:
        return exc


@given(st.text(alphabet=spec_chars, max_size=12), st.lists(values, max_size=3))
def test_any_specification_gives_a_string_or_a_function_error(spec: str, args: list[Any]) -> None:
    result = outcome("format", spec, *args)
    if isinstance(result, lang.FunctionError):
        assert result.message.endswith(".")
    else:
        assert result.type == lang.STRING

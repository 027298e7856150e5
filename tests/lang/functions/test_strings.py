"""String functions: chomp endswith indent join lower split startswith strcontains strrev substr
title trim trimprefix trimsuffix trimspace upper (format/regex have their own test modules)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from gitterra.lang.functions import _strings
from tests.lang.conftest import evaluate, show
from tests.lang.functions.conftest import Call, call_function

S = lang.string_val
B = lang.bool_val


def strings(*items: str) -> lang.Value:
    return lang.list_val([S(i) for i in items], lang.STRING)


@pytest.mark.parametrize(
    ("name", "args", "want"),
    [
        # The documented examples.
        ("chomp", ("hello\n",), S("hello")),
        ("chomp", ("hello\r\n",), S("hello")),
        ("chomp", ("hello\n\n",), S("hello")),
        ("endswith", ("hello world", "world"), B(True)),
        ("endswith", ("hello world", "hello"), B(False)),
        ("indent", (2, "[\n  foo,\n  bar,\n]\n"), S("[\n    foo,\n    bar,\n  ]\n  ")),
        ("join", (", ", ["foo", "bar", "baz"]), S("foo, bar, baz")),
        ("join", (", ", ["foo"]), S("foo")),
        ("lower", ("HELLO",), S("hello")),
        ("lower", ("АЛЛО!",), S("алло!")),
        ("split", (",", "foo,bar,baz"), strings("foo", "bar", "baz")),
        ("split", (",", "foo"), strings("foo")),
        ("split", (",", ""), strings("")),
        ("startswith", ("hello world", "hello"), B(True)),
        ("startswith", ("hello world", "world"), B(False)),
        ("strcontains", ("hello world", "wor"), B(True)),
        ("strcontains", ("hello world", "wod"), B(False)),
        ("strrev", ("hello",), S("olleh")),
        ("strrev", ("a ☃",), S("☃ a")),
        ("substr", ("hello world", 1, 4), S("ello")),
        ("substr", ("🤔🤷", 0, 1), S("🤔")),
        ("substr", ("hello world", -5, -1), S("world")),
        ("title", ("hello world",), S("Hello World")),
        ("trim", ("?!hello?!", "!?"), S("hello")),
        ("trim", ("foobar", "far"), S("oob")),
        ("trim", ("   hello! world.!  ", "! "), S("hello! world.")),
        ("trimprefix", ("helloworld", "hello"), S("world")),
        ("trimprefix", ("helloworld", "cat"), S("helloworld")),
        ("trimsuffix", ("helloworld", "world"), S("hello")),
        ("trimsuffix", ("helloworld", "cat"), S("helloworld")),
        ("trimspace", ("  hello\n\n",), S("hello")),
        ("upper", ("hello",), S("HELLO")),
        ("upper", ("алло!",), S("АЛЛО!")),
        # chomp removes any trailing run of CR and LF, nothing else.
        ("chomp", ("hello\n\r\n\r",), S("hello")),
        ("chomp", ("a\nb\n",), S("a\nb")),
        ("chomp", ("hello \n",), S("hello ")),
        ("chomp", ("",), S("")),
        # Prefix and suffix tests are plain, case-sensitive byte comparisons.
        ("startswith", ("HELLO", "h"), B(False)),
        ("startswith", ("", ""), B(True)),
        ("startswith", ("short", "short1extra"), B(False)),
        ("endswith", ("abc", ""), B(True)),
        ("strcontains", ("abc", ""), B(True)),
        # indent: only the lines after the first.
        ("indent", (4, "one line"), S("one line")),
        ("indent", (0, "a\nb"), S("a\nb")),
        ("indent", ("3", "a\nb"), S("a\n   b")),
        # join: several lists, sets (in set order), numbers converted to strings.
        ("join", ("-", ["a"], ["b", "c"], []), S("a-b-c")),
        ("join", ("", [1, True, "x"]), S("1truex")),
        ("join", (",", lang.set_val([S("b"), S("a")])), S("a,b")),
        ("join", (",", []), S("")),
        # Go's case mapping: one character to one character.
        ("upper", ("noël",), S("NOËL")),
        ("upper", ("baﬄe",), S("BAﬄE")),
        ("upper", ("straße",), S("STRAßE")),
        ("upper", ("ᾳ",), S("ᾼ")),
        ("upper", ("😸😾",), S("😸😾")),
        ("lower", ("İ",), S("i")),
        ("lower", ("ΣΑΣ",), S("σασ")),
        # split: Go's strings.Split.
        ("split", ("", "abc"), strings("a", "b", "c")),
        ("split", ("", ""), lang.list_val([], lang.STRING)),
        ("split", (",", ",a,,b,"), strings("", "a", "", "b", "")),
        ("split", ("ab", "xabyabz"), strings("x", "y", "z")),
        # strrev and substr count grapheme clusters.
        ("strrev", ("",), S("")),
        ("strrev", ("Живой Журнал",), S("ланруЖ йовиЖ")),
        ("strrev", ("noe\u0308l",), S("le\u0308on")),
        ("strrev", ("we\u0301\u0301\u0301x!",), S("!xe\u0301\u0301\u0301w")),
        ("strrev", ("😸😾",), S("😾😸")),
        ("strrev", ("a💃🏿b",), S("b💃🏿a")),
        ("strrev", ("🇫🇷🇩🇪",), S("🇩🇪🇫🇷")),
        ("strrev", ("👩\u200d👩\u200d👧x",), S("x👩\u200d👩\u200d👧")),
        ("strrev", ("a\r\nb",), S("b\r\na")),
        ("strrev", ("\u1100\u1161\u11a8z",), S("z\u1100\u1161\u11a8")),
        ("substr", ("hello", 0, 2), S("he")),
        ("substr", ("hello", 1, -10), S("ello")),
        ("substr", ("hello", 1, 10), S("ello")),
        ("substr", ("hello", -3, 2), S("ll")),
        ("substr", ("hello", 10, 10), S("")),
        ("substr", ("hello", 5, -1), S("")),
        ("substr", ("hello", 0, 0), S("")),
        ("substr", ("hello", -10, 2), S("he")),
        ("substr", ("hello", -2, 0), S("lo")),  # cty quirk: zero length after a negative offset
        ("substr", ("noe\u0308l", 0, 3), S("noe\u0308")),
        ("substr", ("noe\u0308l", -2, -1), S("e\u0308l")),
        ("substr", ("we\u0301\u0301\u0301e\u0301\u0301\u0301!", 1, 1), S("e\u0301\u0301\u0301")),
        ("substr", ("😸😾", 1, 1), S("😾")),
        # title: Go's strings.Title word separators.
        ("title", ("hello_world foo-bar", ), S("Hello_world Foo-Bar")),
        ("title", ("élan vital", ), S("Élan Vital")),
        ("title", ("hello—world", ), S("Hello—world")),  # a non-ASCII dash is not a separator
        ("title", ("a\u00a0b\u3000c", ), S("A\u00a0B\u3000C")),
        ("title", ("ǆemal", ), S("ǅemal")),
        ("title", ("123abc 4x", ), S("123abc 4x")),
        ("title", ("ﬁne", ), S("ﬁne")),
        # trim family.
        ("trim", ("xxhixx", ""), S("xxhixx")),
        ("trim", ("ééaéé", "é"), S("a")),
        ("trimprefix", ("aaab", "a"), S("aab")),
        ("trimsuffix", ("abbb", "b"), S("abb")),
        ("trimspace", ("\u00a0\u2003 x y \t\v\f\r\n\u3000",), S("x y")),
        ("trimspace", ("\x1cx\x1c",), S("\x1cx\x1c")),  # not white space to Go
        ("trimspace", ("\u200bx",), S("\u200bx")),
    ],
)  # fmt: skip
def test_values(call: Call, name: str, args: tuple[Any, ...], want: lang.Value) -> None:
    assert call(name, *args) == want


@pytest.mark.parametrize(
    ("name", "args", "message", "arg_index"),
    [
        ("join", (",",), "at least one list is required.", None),
        ("join", (",", ["a", None]), "element 1 is null; cannot concatenate null values.", 1),
        (
            "join",
            (",", ["a"], ["b", None]),
            "element 1 of list 2 is null; cannot concatenate null values.",
            2,
        ),
        ("join", (",", "a"), 'Invalid value for "lists" parameter: list of string required.', 1),
        ("join", (",", [["a"]]), 'Invalid value for "lists" parameter: element 0:', 1),
        ("indent", (1.5, "a"), "value must be a whole number, between", 0),
        ("indent", (-1, "a"), "the number of spaces must not be negative.", 0),
        ("substr", ("a", 0.5, 1), "value must be a whole number, between", 1),
        ("substr", ("a", 0, 2**64), "value must be a whole number, between", 2),
        ("upper", (None,), 'Invalid value for "str" parameter: argument must not be null.', 0),
        ("upper", ([],), 'Invalid value for "str" parameter: string required.', 0),
        ("split", (",",), 'Function "split" expects 2 argument(s). Missing value for "str".', None),
        ("trim", ("a", "b", "c"), 'Function "trim" expects only 2 argument(s).', None),
    ],
)
def test_errors(
    call: Call, name: str, args: tuple[Any, ...], message: str, arg_index: int | None
) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call(name, *args)
    assert info.value.message.startswith(message), info.value.message
    assert info.value.arg_index == arg_index


SAMPLES: list[tuple[str, tuple[lang.Value, ...], lang.Type]] = [
    ("chomp", (S("a\n"),), lang.STRING),
    ("endswith", (S("ab"), S("b")), lang.BOOL),
    ("startswith", (S("ab"), S("a")), lang.BOOL),
    ("strcontains", (S("ab"), S("b")), lang.BOOL),
    ("indent", (lang.number_val(2), S("a\nb")), lang.STRING),
    ("join", (S(","), strings("a", "b")), lang.STRING),
    ("lower", (S("A"),), lang.STRING),
    ("upper", (S("a"),), lang.STRING),
    ("split", (S(","), S("a,b")), lang.ListType(lang.STRING)),
    ("strrev", (S("ab"),), lang.STRING),
    ("substr", (S("hello"), lang.number_val(1), lang.number_val(2)), lang.STRING),
    ("title", (S("a b"),), lang.STRING),
    ("trim", (S("xax"), S("x")), lang.STRING),
    ("trimprefix", (S("xa"), S("x")), lang.STRING),
    ("trimsuffix", (S("ax"), S("x")), lang.STRING),
    ("trimspace", (S(" a "),), lang.STRING),
]


@pytest.mark.parametrize(("name", "args", "result_type"), SAMPLES)
def test_unknown_and_sensitive_propagate(
    call: Call, name: str, args: tuple[lang.Value, ...], result_type: lang.Type
) -> None:
    plain = call(name, *args)
    assert plain.type == result_type
    assert not plain.sensitive
    for i, arg in enumerate(args):
        changed = list(args)
        changed[i] = lang.unknown_val(arg.type)
        assert call(name, *changed) == lang.unknown_val(result_type)
        changed[i] = lang.DYNAMIC_UNKNOWN
        assert call(name, *changed) == lang.unknown_val(result_type)
        changed[i] = arg.mark_sensitive()
        assert call(name, *changed) == plain.mark_sensitive()


def test_join_with_a_partly_unknown_list_is_unknown(call: Call) -> None:
    partly = lang.list_val([S("a"), lang.unknown_val(lang.STRING)], lang.STRING)
    assert call("join", ",", partly) == lang.unknown_val(lang.STRING)


def test_join_with_a_sensitive_element_is_sensitive(call: Call) -> None:
    mixed = lang.list_val([S("a"), S("b").mark_sensitive()], lang.STRING)
    assert call("join", ",", mixed) == S("a,b").mark_sensitive()


@pytest.mark.parametrize(
    ("expr", "shown"),
    [
        ('substr("hello world", -5, -1)', '"world"'),
        ('title("hello world")', '"Hello World"'),
        ('join(", ", ["foo", "bar", "baz"])', '"foo, bar, baz"'),
        ('strrev("a ☃")', '"☃ a"'),
    ],
)
def test_documented_examples_in_the_language(expr: str, shown: str) -> None:
    assert show(expr) == shown


def test_documented_indent_example() -> None:
    rendered = evaluate('"  items: ${indent(2, "[\\n  foo,\\n  bar,\\n]\\n")}"')
    assert rendered == S("  items: [\n    foo,\n    bar,\n  ]\n  ")


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@given(text, st.text(min_size=1, max_size=3))
def test_split_then_join_is_identity(s: str, sep: str) -> None:
    parts = call_function("split", sep, s)
    assert call_function("join", sep, parts) == S(s)


@given(text)
def test_graphemes_partition_the_text(s: str) -> None:
    clusters = list(_strings.graphemes(s))
    assert "".join(clusters) == s
    assert all(clusters)
    assert call_function("substr", s, 0, -1) == S(s)
    assert call_function("strrev", s).as_str() == S("".join(reversed(clusters))).as_str()


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=30))
def test_ascii_case_mapping_matches_python(s: str) -> None:
    assert call_function("upper", s) == S(s.upper())
    assert call_function("lower", s) == S(s.lower())


@given(text, st.integers(min_value=-40, max_value=40), st.integers(min_value=-1, max_value=40))
def test_substr_is_a_slice_of_clusters(s: str, offset: int, length: int) -> None:
    clusters = list(_strings.graphemes(s))
    start = max(offset + len(clusters), 0) if offset < 0 else offset
    end = None if length < 0 or (offset < 0 and length == 0) else start + length
    want = "" if offset >= 0 and length == 0 else "".join(clusters[start:end])
    assert call_function("substr", s, offset, length) == S(want)

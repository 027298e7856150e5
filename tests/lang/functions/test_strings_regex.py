"""regex, regexall and replace: RE2 semantics on Python's re, Go's match iteration and expansion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from tests.lang.conftest import error_of, show
from tests.lang.functions.conftest import Call, call_function

S = lang.string_val
NULL_STR = lang.null_val(lang.STRING)


def strings(*items: str) -> lang.Value:
    return lang.list_val([S(i) for i in items], lang.STRING)


def tup(*items: str | None) -> lang.Value:
    return lang.tuple_val([NULL_STR if i is None else S(i) for i in items])


def obj(**items: str | None) -> lang.Value:
    return lang.object_val({k: NULL_STR if i is None else S(i) for k, i in items.items()})


@pytest.mark.parametrize(
    ("pattern", "string", "want"),
    [
        # The documented examples.
        ("[a-z]+", "53453453.345345aaabbbccc23454", S("aaabbbccc")),
        (r"(\d\d\d\d)-(\d\d)-(\d\d)", "2019-02-01", tup("2019", "02", "01")),
        (
            "^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?",
            "https://terraform.io/docs/",
            obj(authority="terraform.io", scheme="https"),
        ),
        # Groups that take no part in the match are null.
        ("(a)|(b)", "b", tup(None, "b")),
        ("(?P<x>a)|(?P<y>b)", "a", obj(x="a", y=None)),
        ("(?<n>x+)", "axxb", obj(n="xx")),  # Go's other named-group spelling
        ("(?P<1st>a)", "a", obj(**{"1st": "a"})),  # names Python would refuse
        ("(?P<d>a)(?P<d>b)?", "a", obj(d=None)),  # duplicate names: the last one wins
        ("()", "abc", tup("")),
        # RE2's classes are ASCII; its anchors and flags are its own.
        (r"\d+", "٣٤5", S("5")),
        (r"\w+", "héllo", S("h")),
        (r"\s+", "a\v \tb", S(" \t")),
        (r"\bfoo\b", "éfoo foo", S("foo")),
        (r"x\B.", "xé xy", S("xy")),
        ("[[:alpha:]]+", "12abc", S("abc")),
        ("[[:^digit:][:space:]]+", "12a b3", S("a b")),
        ("[[:punct:]]+", "ab!-/@c", S("!-/@")),
        (r"\pL+", "123héllo", S("héllo")),
        (r"\p{Lu}\p{Ll}+", "abcDef", S("Def")),
        (r"\PL+", "ab12!c", S("12!")),
        (r"\p{^N}+", "12ab3", S("ab")),
        (r"[\p{Nd}x]+", "ab1x2c", S("1x2")),
        (r"\p{Any}", "\n", S("\n")),
        ("a$", "xa", S("a")),
        ("(?m)a$", "a\nb", S("a")),
        ("(?s)a.b", "a\nb", S("a\nb")),
        ("(?i)hello|WORLD", "say World", S("World")),
        ("a(?i)b|c", "C", S("C")),
        ("(?i:A)a", "aa", S("aa")),
        ("(?i)[k-m]+", "KLM", S("KLM")),
        ("(?U)a+", "aaa", S("a")),
        ("(?U)a+?", "aaa", S("aaa")),
        ("a{2,3}?", "aaaa", S("aa")),
        ("a{2,}", "aaaaa", S("aaaaa")),
        ("a{,2}", "a{,2}", S("a{,2}")),  # not a repetition: literal braces
        (r"\Qa.b*\E+", "xa.b**", S("a.b**")),
        (r"\x41\x{1F600}\101\n", "A😀A\n", S("A😀A\n")),
        (r"[\]\-a]+", "x]-a", S("]-a")),
        ("[]a]+", "x]a", S("]a")),
        ("[^]a]+", "]ab", S("b")),
        (".", "\n.", S(".")),
        (r"\A\z", "", S("")),
    ],
)
def test_regex(call: Call, pattern: str, string: str, want: lang.Value) -> None:
    assert call("regex", pattern, string) == want


@pytest.mark.parametrize(
    ("pattern", "string", "want"),
    [
        # The documented examples.
        ("[a-z]+", "1234abcd5678efgh9", strings("abcd", "efgh")),
        ("[a-z]+", "123456789", lang.list_val([], lang.STRING)),
        # Go's iteration: an empty match right after a match is skipped.
        ("a*", "baaac", strings("", "aaa", "")),
        ("", "abc", strings("", "", "", "")),
        ("x*", "", strings("")),
        # Element types follow the capture groups.
        (r"(\w)(\d)?", "a1b", lang.list_val([tup("a", "1"), tup("b", None)])),
        ("(?P<k>[a-z])=(?P<v>\\d)", "a=1,b=2", lang.list_val([obj(k="a", v="1"), obj(k="b", v="2")])),
        ("(a)", "b", lang.list_val([], lang.TupleType((lang.STRING,)))),
        ("(?m)^\\w+$", "ab\ncd", strings("ab", "cd")),
    ],
)  # fmt: skip
def test_regexall(call: Call, pattern: str, string: str, want: lang.Value) -> None:
    assert call("regexall", pattern, string) == want


@pytest.mark.parametrize(
    ("string", "substr", "replacement", "want"),
    [
        # The documented examples.
        ("1 + 2 + 3", "+", "-", "1 - 2 - 3"),
        ("hello world", "/w.*d/", "everybody", "hello everybody"),
        # Plain replacement: every non-overlapping occurrence.
        ("aaa", "aa", "b", "ba"),
        ("abc", "", "-", "-a-b-c-"),
        ("a/b", "/", "|", "a|b"),  # a lone slash is not a pattern
        ("abc", "/x", "$1", "abc"),
        # Patterns: Go's ReplaceAllString.
        ("baaac", "/a*/", "-", "-b-c-"),
        ("abc", "//", "-", "-a-b-c-"),
        ("hello world", r"/(\w+) (\w+)/", "$2 $1", "world hello"),
        ("hello world", r"/(?P<first>\w+) (?P<second>\w+)/", "${second}, ${first}", "world, hello"),
        ("hello world", r"/(?P<first>\w+) (\w+)/", "$first", "hello"),
        ("ab", "/(a)(b)/", "$1x|${1}x|$$1|$9|$0|$", "|ax|$1||ab|$"),
        ("ab", "/(a)(b)/", "${1|$01|$ 2", "${1||$ 2"),
        ("a-b", "/(?P<x>a)|(?P<x>b)/", "[$x]", "[a]-[b]"),  # first participating group of a name
        ("Hello", "/(?i)h/", "J", "Jello"),
        ("x\ny", "/(?m)$/", ";", "x;\ny;"),
        ("café", "/\\w+/", "X", "Xé"),
    ],
)  # fmt: skip
def test_replace(call: Call, string: str, substr: str, replacement: str, want: str) -> None:
    assert call("replace", string, substr, replacement) == S(want)


@pytest.mark.parametrize(
    ("pattern", "detail"),
    [
        ("(", "missing closing ) in ("),
        ("a)", "unexpected ) in a)"),
        ("[a", "missing closing ] in [a"),
        ("[z-a]", "invalid character class range in z-a"),
        ("[[:foo:]]", "invalid character class range in [:foo:]"),
        ("*a", "missing argument to repetition operator in *"),
        ("a|+", "missing argument to repetition operator in +"),
        ("a**", "invalid nested repetition operator in **"),
        ("a++", "invalid nested repetition operator in ++"),  # no possessive quantifiers
        ("x{2}{3}", "invalid nested repetition operator in {2}{3}"),
        ("a{1001}", "invalid repeat count in {1001}"),
        ("a{3,2}", "invalid repeat count in {3,2}"),
        ("a{99999999999999999999}", "invalid repeat count in {99999999999999999999}"),
        ("(?=a)", "invalid or unsupported Perl syntax in (?="),
        ("(?<!a)b", "invalid named capture in (?<!a)b"),  # Go 1.22+ reads (?< as a name
        ("(?P=n)", "invalid or unsupported Perl syntax in (?P"),
        ("(?x)a", "invalid or unsupported Perl syntax in (?x"),
        ("(?i-)a", "invalid or unsupported Perl syntax in (?i-)"),
        ("(?P<a-b>x)", "invalid named capture in (?P<a-b>"),
        ("(?P<>x)", "invalid named capture in (?P<>"),
        (r"(a)\1", r"invalid escape sequence in \1"),
        (r"\Z", r"invalid escape sequence in \Z"),
        (r"\C", r"invalid escape sequence in \C"),
        (r"\u0041", r"invalid escape sequence in \u"),
        (r"[\b]", r"invalid escape sequence in \b"),
        (r"\x{110000}", r"invalid escape sequence in \x"),
        ("\\", "trailing backslash at end of expression in "),
        (r"\p{Foo}", r"the Unicode script class \p{Foo} is not supported"),
        (r"\p{Greek}", r"the Unicode script class \p{Greek} is not supported"),
        (r"\pX", r"invalid character class range in \pX"),
        ("(a)(?P<b>c)", "cannot mix both named and unnamed capture groups"),
    ],
)
def test_invalid_patterns(call: Call, pattern: str, detail: str) -> None:
    for name in ("regex", "regexall"):
        with pytest.raises(lang.FunctionError) as info:
            call(name, pattern, "abc")
        assert info.value.arg_index == 0
        assert info.value.message.startswith(detail) or detail in info.value.message, (
            info.value.message
        )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(", "error parsing regexp: missing closing ): `(`."),
        ("a**", "error parsing regexp: invalid nested repetition operator: `**`."),
        (r"\8", "error parsing regexp: invalid escape sequence: `\\8`."),
    ],
)
def test_replace_reports_go_compile_errors(call: Call, pattern: str, message: str) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call("replace", "x", f"/{pattern}/", "y")
    assert info.value.message == message
    assert info.value.arg_index is None


def test_regex_without_a_match_is_an_error(call: Call) -> None:
    with pytest.raises(lang.FunctionError) as info:
        call("regex", "[a-z]+", "53453453.34534523454")
    assert info.value.message == "pattern did not match any part of the given string."
    assert error_of('regex("[a-z]+", "123")').detail == (
        'Call to function "regex" failed: pattern did not match any part of the given string.'
    )


def test_unknowns(call: Call) -> None:
    unknown = lang.unknown_val(lang.STRING)
    assert call("regex", unknown, "x") == lang.DYNAMIC_UNKNOWN
    assert call("regexall", unknown, "x") == lang.unknown_val(lang.ListType(lang.DYNAMIC))
    assert call("regex", "[a-z]+", unknown) == unknown
    assert call("regex", "(a)(b)", unknown) == lang.unknown_val(tup("a", "b").type)
    assert call("regex", "(?P<k>a)", unknown) == lang.unknown_val(obj(k="a").type)
    assert call("regexall", "(a)", unknown) == lang.unknown_val(
        lang.ListType(lang.TupleType((lang.STRING,)))
    )
    for args in ((unknown, "a", "b"), ("a", unknown, "b"), ("a", "b", unknown)):
        assert call("replace", *args) == unknown
    with pytest.raises(lang.FunctionError, match="missing closing"):
        call("regex", "(", unknown)  # a bad pattern is reported even before the string is known


def test_sensitive(call: Call) -> None:
    secret = S("abc123").mark_sensitive()
    assert call("regex", r"\d+", secret) == S("123").mark_sensitive()
    assert call("regexall", "[a-z]", secret) == strings("a", "b", "c").mark_sensitive()
    assert call("regex", S("(b)").mark_sensitive(), "abc") == tup("b").mark_sensitive()
    assert call("replace", secret, "/[0-9]/", "#") == S("abc###").mark_sensitive()
    assert call("replace", "abc", "b", S("B").mark_sensitive()) == S("aBc").mark_sensitive()
    assert not call("regex", "b", "abc").sensitive


@pytest.mark.parametrize(
    ("expr", "shown"),
    [
        ('regex("[a-z]+", "53453453.345345aaabbbccc23454")', '"aaabbbccc"'),
        ('length(regexall("[a-z]+", "1234abcd5678efgh9"))', "2"),
        ('length(regexall("[a-z]+", "123456789")) > 0', "false"),
        ('replace("hello world", "/w.*d/", "everybody")', '"hello everybody"'),
    ],
)
def test_documented_examples_in_the_language(expr: str, shown: str) -> None:
    assert show(expr) == shown


_META = set("\\.+*?()|[]{}^$")


def _re2_escape(s: str) -> str:
    return "".join("\\" + c if c in _META else c for c in s)


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@given(words, st.text(min_size=1, max_size=4), st.text(alphabet="xy-", max_size=3))
def test_a_literal_pattern_replaces_like_plain_text(s: str, sub: str, rep: str) -> None:
    s, sub = lang.string_val(s).as_str(), lang.string_val(sub).as_str()
    want = call_function("replace", s, sub, rep)
    assert call_function("replace", s, "/" + _re2_escape(sub) + "/", rep) == want
    assert call_function("replace", s, "/\\Q" + sub.replace("\\E", "") + "\\E/", rep) == (
        call_function("replace", s, sub.replace("\\E", ""), rep)
    )


@given(words, st.text(min_size=1, max_size=3))
def test_regexall_of_a_literal_counts_occurrences(s: str, sub: str) -> None:
    s, sub = lang.string_val(s).as_str(), lang.string_val(sub).as_str()
    found = call_function("regexall", _re2_escape(sub), s)
    assert len(found.elements()) == s.count(sub)


def outcome(name: str, *args: object) -> lang.Value | lang.FunctionError:
    """The result of a call, or the FunctionError it raised (anything else propagates)."""
    try:
        return call_function(name, *args)
    except lang.FunctionError as exc:
        return exc


pattern_chars = st.sampled_from([*"ab.*+?|()[]{}^$\\-,:=<>!PpLdswbBQEizmsU0123x^", "[:alpha:]"])


@given(st.lists(pattern_chars, max_size=12).map("".join), st.text(alphabet="ab\n1 ", max_size=8))
def test_any_pattern_matches_or_gives_a_function_error(pattern: str, s: str) -> None:
    for name in ("regex", "regexall"):
        result = outcome(name, pattern, s)
        assert not isinstance(result, lang.FunctionError) or result.message.endswith(".")
    replaced = outcome("replace", s, f"/{pattern}/", "[$1]")
    if isinstance(replaced, lang.FunctionError):
        assert replaced.message.startswith("error parsing regexp") or "not supported" in (
            replaced.message
        )

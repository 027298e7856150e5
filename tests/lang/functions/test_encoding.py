"""Encoding functions: base64*, text*base64, urlencode, csvdecode, json*, yaml*.

Expected values come from Terraform's documentation and from the test tables of the Go code
Terraform runs (cty's stdlib, go-cty-yaml, Go's encoding/base64 and encoding/csv).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import unicodedata
import urllib.parse
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from gitterra.lang.functions import _encoding_text
from tests.lang.functions.conftest import Call, call_function

S = lang.string_val
SECRET = "(sensitive value)"


def secret(s: str) -> lang.Value:
    return S(s).mark_sensitive()


def error_of(call: Call, name: str, *args: Any) -> lang.FunctionError:
    with pytest.raises(lang.FunctionError) as info:
        call(name, *args)
    return info.value


# ---- base64encode / base64decode -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("Hello World", "SGVsbG8gV29ybGQ="),  # the documented example
        ("", ""),
        ("a", "YQ=="),
        ("ab", "YWI="),
        ("abc", "YWJj"),
        ("☃", "4piD"),
        ("e\u0301", "w6k="),  # strings are NFC-normalised before encoding
    ],
)
def test_base64_round_trip(call: Call, text: str, encoded: str) -> None:
    assert call("base64encode", text) == S(encoded)
    assert call("base64decode", encoded) == S(text)


def test_base64decode_skips_newlines_like_go(call: Call) -> None:
    assert call("base64decode", "SGVs\nbG8g\r\nV29y\nbGQ=\n") == S("Hello World")


@pytest.mark.parametrize(
    "encoded",
    ["SGVsbG8gV29ybGQ", "YQ=", "Y===", "YQ==YQ==", "YQ== x", "a b", "!!!!", "YQ==\n=", "☃"],
)
def test_base64decode_refuses_invalid_input(call: Call, encoded: str) -> None:
    err = error_of(call, "base64decode", encoded)
    assert err.message == f"failed to decode base64 data {lang.go_quote(encoded)}"


def test_base64decode_refuses_bytes_that_are_not_utf8(call: Call) -> None:
    err = error_of(call, "base64decode", "/w==")
    assert err.message == "the result of decoding the provided string is not valid UTF-8"


def test_base64decode_redacts_a_sensitive_argument_and_marks_the_result(call: Call) -> None:
    assert call("base64decode", secret("SGk=")) == secret("Hi")
    err = error_of(call, "base64decode", secret("not base64"))
    assert err.message == f"failed to decode base64 data {SECRET}"


@pytest.mark.parametrize("name", ["base64encode", "base64decode", "urlencode"])
def test_unknown_and_sensitive_string_functions(call: Call, name: str) -> None:
    assert call(name, lang.unknown_val(lang.STRING)) == lang.unknown_val(lang.STRING)
    unknown_secret = lang.unknown_val(lang.STRING).mark_sensitive()
    assert call(name, unknown_secret) == unknown_secret
    assert call(name, secret("YQ==")).sensitive


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_base64_round_trips_any_text(text: str) -> None:
    encoded = call_function("base64encode", text)
    assert call_function("base64decode", encoded) == S(text)


@given(st.binary())
def test_go_base64_decoder_agrees_with_python_on_valid_input(data: bytes) -> None:
    encoded = base64.b64encode(data).decode()
    assert _encoding_text.go_base64_decode(encoded) == data


@given(st.text(alphabet="ABCab01+/=\n -", max_size=12))
def test_go_base64_decoder_is_at_least_as_strict_as_python(text: str) -> None:
    # Python also tolerates surplus padding ("0000="), which Go refuses.
    try:
        expected: bytes | None = base64.b64decode(text.replace("\n", ""), validate=True)
    except ValueError:
        expected = None
    try:
        got: bytes | None = _encoding_text.go_base64_decode(text)
    except _encoding_text.Base64Error:
        got = None
    assert got is None or got == expected


# ---- textencodebase64 / textdecodebase64 -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "encoded"),
    [
        ("Hello World", "UTF-16LE", "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),  # documented
        ("Hello World", "UTF-8", "SGVsbG8gV29ybGQ="),  # same as base64encode
        ("Hello World", "utf-16le", "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),  # names ignore case
        ("Hello World", "csUTF16LE", "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),  # IANA alias
        ("Hi", "UTF-16BE", "AEgAaQ=="),
        ("Hi", "UTF-16", "/v8ASABp"),  # a byte order mark, then big-endian
        ("café", "ISO-8859-1", "Y2Fm6Q=="),
        ("café", "latin1", "Y2Fm6Q=="),
        ("€", "windows-1252", "gA=="),
        ("日本", "Shift_JIS", "k/qWew=="),
        ("abc", "US-ASCII", "YWJj"),
    ],
)
def test_text_encodings_round_trip(call: Call, text: str, encoding: str, encoded: str) -> None:
    assert call("textencodebase64", text, encoding) == S(encoded)
    assert call("textdecodebase64", encoded, encoding) == S(text)


def test_textdecodebase64_documented_example(call: Call) -> None:
    got = call("textdecodebase64", "SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")
    assert got == S("Hello World")


def test_utf16_decoding_honours_a_little_endian_byte_order_mark(call: Call) -> None:
    assert call(
        "textdecodebase64", base64.b64encode(b"\xff\xfeH\x00i\x00").decode(), "UTF-16"
    ) == S("Hi")


@pytest.mark.parametrize("name", ["textencodebase64", "textdecodebase64"])
def test_unsupported_encoding_name(call: Call, name: str) -> None:
    err = error_of(call, name, "abc", "EBCDIC-nonsense")
    assert err.message == '"EBCDIC-nonsense" is not a supported IANA encoding name or alias'
    assert err.arg_index == 1


def test_characters_the_encoding_cannot_represent(call: Call) -> None:
    err = error_of(call, "textencodebase64", "☃", "ISO-8859-1")
    assert err.message == (
        "the given string contains characters that cannot be represented in ISO-8859-1"
    )
    assert err.arg_index == 0


@pytest.mark.parametrize(
    ("source", "encoding"),
    [
        ("/w==", "UTF-8"),  # 0xff is not UTF-8
        ("gQ==", "windows-1252"),  # 0x81 is unassigned in windows-1252
        ("SABp", "UTF-16LE"),  # three bytes: a dangling half code unit
        ("77+9", "UTF-8"),  # a literal U+FFFD is refused too, as Terraform does
    ],
)
def test_symbols_not_defined_for_the_encoding(call: Call, source: str, encoding: str) -> None:
    err = error_of(call, "textdecodebase64", source, encoding)
    assert err.message == f"the given string contains symbols that are not defined for {encoding}"
    assert err.arg_index == 0


@pytest.mark.parametrize(
    ("source", "offset"),
    [("SGVsbG8", 4), ("SGVsbG8g!", 8), ("YQ=", 3), ("Y===", 1), ("YQ==YQ==", 4)],
)
def test_textdecodebase64_names_the_offset_of_bad_base64(
    call: Call, source: str, offset: int
) -> None:
    err = error_of(call, "textdecodebase64", source, "UTF-8")
    assert err.message == f"the given value is has an invalid base64 symbol at offset {offset}"
    assert err.arg_index == 0


@pytest.mark.parametrize("name", ["textencodebase64", "textdecodebase64"])
def test_text_functions_unknown_and_sensitive(call: Call, name: str) -> None:
    unknown = lang.unknown_val(lang.STRING)
    assert call(name, unknown, "UTF-8") == unknown
    assert call(name, "SGk=", unknown) == unknown
    assert call(name, secret("SGk="), "UTF-8").sensitive
    assert call(name, "SGk=", secret("UTF-8")).sensitive


# ---- urlencode -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("Hello World!", "Hello+World%21"),  # documented
        ("☃", "%E2%98%83"),  # documented
        ("terraform urlencode", "terraform+urlencode"),  # documented
        ("a-b_c.d~e", "a-b_c.d~e"),  # unreserved characters stay
        ("a/b?c=d&e#f", "a%2Fb%3Fc%3Dd%26e%23f"),
        ("100% +", "100%25+%2B"),
        ("", ""),
    ],
)
def test_urlencode(call: Call, text: str, encoded: str) -> None:
    assert call("urlencode", text) == S(encoded)


@given(st.text())
def test_urlencode_output_is_query_safe_and_reversible(text: str) -> None:
    got = call_function("urlencode", text).as_str()
    assert all(c.isascii() and (c.isalnum() or c in "-_.~+%") for c in got)
    assert urllib.parse.unquote_plus(got) == S(text).as_str()


# ---- csvdecode -------------------------------------------------------------------------------


def rows(*records: dict[str, str]) -> list[dict[str, str]]:
    return list(records)


@pytest.mark.parametrize(
    ("source", "header", "want"),
    [
        (  # documented
            "a,b,c\n1,2,3\n4,5,6",
            ["a", "b", "c"],
            rows({"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}),
        ),
        (  # cty's table
            '"name","size","type"\n"foo","100","tiny"\n"bar","","huge"\n"baz","50","weedy"\n',
            ["name", "size", "type"],
            rows(
                {"name": "foo", "size": "100", "type": "tiny"},
                {"name": "bar", "size": "", "type": "huge"},
                {"name": "baz", "size": "50", "type": "weedy"},
            ),
        ),
        ('"just","header","line"', ["just", "header", "line"], rows()),
        ("not csv at all", ["not csv at all"], rows()),
        ("a,b\r\n1,2\r\n", ["a", "b"], rows({"a": "1", "b": "2"})),
        ("a,b\n\n1,2\n\n", ["a", "b"], rows({"a": "1", "b": "2"})),  # blank lines skipped
        ('a,b\n"x\ny","say ""hi"""\n', ["a", "b"], rows({"a": "x\ny", "b": 'say "hi"'})),
        ('a,b\n"x\r\ny",2', ["a", "b"], rows({"a": "x\ny", "b": "2"})),
        ("a,b\n ,\t", ["a", "b"], rows({"a": " ", "b": "\t"})),  # spaces are data
        ("a,b\n1,2\r", ["a", "b"], rows({"a": "1", "b": "2"})),
    ],
)
def test_csvdecode(call: Call, source: str, header: list[str], want: list[dict[str, str]]) -> None:
    row_type = lang.ObjectType(dict.fromkeys(header, lang.STRING))
    expected = lang.list_val([lang.from_python(r) for r in want], row_type)
    got = call("csvdecode", source)
    assert got == expected
    assert got.type == lang.ListType(row_type)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "missing header line"),
        ("\n\n", "missing header line"),
        ('invalid"thing"', 'CSV parse error on line 1: bare " in non-quoted-field'),
        ("a,b\n1,2\n3", "CSV parse error on line 3: wrong number of fields"),
        ("a,b\n1,2,3", "CSV parse error on line 2: wrong number of fields"),
        ('a\n"x"y', 'CSV parse error on line 2: extraneous or missing " in quoted-field'),
        ('a\n"x\ny', 'CSV parse error on line 3: extraneous or missing " in quoted-field'),
        ("a,a\n1,2", 'duplicate column name "a"'),
    ],
)
def test_csvdecode_errors(call: Call, source: str, message: str) -> None:
    assert error_of(call, "csvdecode", source).message == message


def test_csvdecode_unknown_and_sensitive(call: Call) -> None:
    assert call("csvdecode", lang.unknown_val(lang.STRING)) == lang.DYNAMIC_UNKNOWN
    assert call("csvdecode", secret("a\n1")).sensitive


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r")),
        min_size=1,
        max_size=4,
        unique_by=lambda h: unicodedata.normalize("NFC", h),
    ).flatmap(
        lambda header: st.tuples(
            st.just(header),
            st.lists(
                st.lists(st.text(max_size=5), min_size=len(header), max_size=len(header)),
                max_size=4,
            ),
        )
    )
)
def test_csvdecode_reads_what_python_csv_writes(table: tuple[list[str], list[list[str]]]) -> None:
    header, records = table
    records = [[c.replace("\r", "") for c in r] for r in records]
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    got = call_function("csvdecode", buf.getvalue())
    want = [{S(h).as_str(): S(c).as_str() for h, c in zip(header, r, strict=True)} for r in records]
    assert got.to_python() == want


# ---- jsonencode ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ({"hello": "world"}, '{"hello":"world"}'),  # documented
        ("<a href='x'>&amp;</a>", "\"\\u003ca href='x'\\u003e\\u0026amp;\\u003c/a\\u003e\""),
        ("line\u2028para\u2029", '"line\\u2028para\\u2029"'),
        ('quote " back \\ slash', '"quote \\" back \\\\ slash"'),
        ("\n\r\t\b\f\x00\x1f\x7f", '"\\n\\r\\t\\b\\f\\u0000\\u001f\x7f"'),
        ("日本 ☃", '"日本 ☃"'),
        ({"b": 1, "a": [True, None, 1.5], "c": {}}, '{"a":[true,null,1.5],"b":1,"c":{}}'),
        ([], "[]"),
        (None, "null"),
        (12345678901234567890, "12345678901234567890"),
        (Decimal("0.1"), "0.1"),
        (Decimal("-2.5e-7"), "-0.00000025"),
        (1e21, "1000000000000000000000"),
    ],
)
def test_jsonencode(call: Call, value: Any, encoded: str) -> None:
    assert call("jsonencode", value) == S(encoded)


def test_jsonencode_collections_and_typed_nulls(call: Call) -> None:
    strings = lang.set_val([S("b"), S("a")])
    assert call("jsonencode", strings) == S('["a","b"]')
    listed = lang.list_val([lang.number_val(1), lang.number_val(2)])
    assert call("jsonencode", listed) == S("[1,2]")
    mapped = lang.map_val({"z": S("1"), "y": S("2")})
    assert call("jsonencode", mapped) == S('{"y":"2","z":"1"}')
    assert call("jsonencode", lang.null_val(lang.STRING)) == S("null")
    assert call("jsonencode", lang.from_python({"a": lang.null_val(lang.NUMBER)})) == S(
        '{"a":null}'
    )


def test_jsonencode_of_a_huge_integer(call: Call) -> None:
    huge = 7 * 10**5000 + 3
    assert call("jsonencode", huge).as_str() == "7" + "0" * 4999 + "3"


def test_jsonencode_unknown_and_sensitive(call: Call) -> None:
    assert call("jsonencode", lang.DYNAMIC_UNKNOWN) == lang.unknown_val(lang.STRING)
    partly = lang.tuple_val([S("a"), lang.unknown_val(lang.STRING)])
    assert call("jsonencode", partly) == lang.unknown_val(lang.STRING)
    nested = lang.from_python({"password": secret("hunter2")})
    assert call("jsonencode", nested) == secret('{"password":"hunter2"}')


def test_jsonencode_refuses_infinity(call: Call) -> None:
    inf = lang.number_val(Decimal("Infinity"))
    assert error_of(call, "jsonencode", inf).message == "JSON cannot represent an infinite number"


# ---- jsondecode ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "want"),
    [
        ('{"hello": "world"}', {"hello": "world"}),  # documented
        ("true", True),  # documented
        ("null", None),
        ('""', ""),
        ("[]", []),
        ("{}", {}),
        ("[true, 1.2, null]", [True, Decimal("1.2"), None]),
        (
            '[{"true": true}, {"name": "x"}, {"null": null}]',
            [{"true": True}, {"name": "x"}, {"null": None}],
        ),
        ("999999999999999999999999999999999999999999999999999999999999", 10**60 - 1),
        ("1.2222222222222222222222222222222222", Decimal("1.2222222222222222222222222222222222")),
        ("1e2", 100),
        ("-0", 0),
        ("1E-3", Decimal("0.001")),
        ('"\\u00e9\\ud83d\\ude00"', "é😀"),
        ('"\\ud800"', "\ufffd"),  # a lone surrogate escape becomes U+FFFD, as in Go
        ('{"a": "hello", "a": "world"}', {"a": "world"}),  # same type repeated: last wins
        (' \n\t{"a" : [ 1 , 2 ] }\r\n', {"a": [1, 2]}),
    ],
)
def test_jsondecode(call: Call, source: str, want: Any) -> None:
    assert call("jsondecode", source) == lang.from_python(want)


def test_jsondecode_result_types(call: Call) -> None:
    got = call("jsondecode", '{"a": [1, "x", null], "b": {"c": false}}')
    assert got.type == lang.ObjectType(
        {
            "a": lang.TupleType((lang.NUMBER, lang.STRING, lang.DYNAMIC)),
            "b": lang.ObjectType({"c": lang.BOOL}),
        }
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "unexpected end of JSON input"),
        ("[", "unexpected end of JSON input"),
        ('"abc', "unexpected end of JSON input"),
        ("{}boop", "extraneous data after JSON object (at line 1, column 3)"),
        ("[!]", "invalid character '!' looking for beginning of value (at line 1, column 2)"),
        ("[}", "invalid character '}' looking for beginning of value (at line 1, column 2)"),
        (
            "{true: null}",
            "invalid character 't' looking for beginning of object key string (at line 1, column 2)",
        ),
        ('{"a" 1}', "invalid character '1' after object key (at line 1, column 6)"),
        (
            "[1\n 2]",
            "invalid character '2' after a value, expecting ',' or a closing bracket"
            " (at line 2, column 2)",
        ),
        ('"a\\x"', "invalid character 'x' in string escape code (at line 1, column 3)"),
        ('"a\tb"', "invalid character '\\t' in string literal (at line 1, column 3)"),
        ("NaN", "invalid character 'N' looking for beginning of value (at line 1, column 1)"),
        (
            "[1, -Infinity]",
            "invalid character '-' looking for beginning of value (at line 1, column 5)",
        ),
        ('{"a": "hello", "a": true}', 'duplicate "a" property in JSON object'),
        ("1e9999999999", "the number 1E+9999999999 is too large"),
        ("[" * 100_000, "the JSON document is nested too deeply"),
    ],
)
def test_jsondecode_errors(call: Call, source: str, message: str) -> None:
    assert error_of(call, "jsondecode", source).message == message


def test_jsondecode_unknown_and_sensitive(call: Call) -> None:
    assert call("jsondecode", lang.unknown_val(lang.STRING)) == lang.DYNAMIC_UNKNOWN
    got = call("jsondecode", secret('{"a": 1}'))
    assert got == lang.from_python({"a": 1}).mark_sensitive()


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
# Object keys that NFC normalisation leaves alone (from_python does not normalise keys).
KEYS = st.text(max_size=4).filter(lambda k: unicodedata.normalize("NFC", k) == k)

json_data = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)


@given(json_data)
def test_jsonencode_is_valid_json_and_jsondecode_reverses_it(data: Any) -> None:
    value = lang.from_python(data)
    encoded = call_function("jsonencode", value)
    assert json.loads(encoded.as_str()) == json.loads(json.dumps(value.to_python()))
    assert call_function("jsondecode", encoded) == value


# ---- yamldecode ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "want"),
    [
        # documented
        ("hello: world", {"hello": "world"}),
        ("true", True),
        ("{a: &foo [1, 2, 3], b: *foo}", {"a": [1, 2, 3], "b": [1, 2, 3]}),
        # go-cty-yaml's tables
        ('"hello"', "hello"),
        ("'hello'", "hello"),
        ("|\n  hello\n  world", "hello\nworld"),
        (">\n  hello\n  world", "hello world"),
        ("hello", "hello"),
        ("!!str true", "true"),
        ("!<tag:yaml.org,2002:str> true", "true"),
        ("!!bool true", True),
        ("false", False),
        ("yes", True),  # YAML 1.1 words are still booleans, as in Terraform
        ("Off", False),
        ("'yes'", "yes"),  # ... unless quoted
        (".5", Decimal("0.5")),
        ("1.5", Decimal("1.5")),
        ("!!float 1.5", Decimal("1.5")),
        ("12", 12),
        ("-12", -12),
        ("!!int 1", 1),
        ("1_000", 1000),
        ("0x1F", 31),
        ("0o17", 15),
        ("-0x1F", -31),
        ("!!int 0b101", 5),
        ("1e3", 1000),
        ("007", 7),
        ("+", "+"),
        ("<<", "<<"),
        ("2006-1-2", "2006-01-02T00:00:00Z"),
        ("!!timestamp 2006-1-2", "2006-01-02T00:00:00Z"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43-05:00"),
        ("2001-12-14T21:59:43.10+00:00", "2001-12-14T21:59:43Z"),
        ("2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z"),
        ("2001-13-14", "2001-13-14"),  # not a date, so a string
        ("!!binary 'aGVsbG8='", "aGVsbG8="),
        ("!!binary |\n  aGVs\n  bG8=\n", "aGVs\nbG8=\n"),
        ("null", None),
        ("~", None),
        ("", None),
        ("---", None),
        ("# only a comment\n", None),
        ("!!null whatever", None),
        ("{}", {}),
        ("[]", []),
        ("{a: 1, b: true}", {"a": 1, "b": True}),
        ("a: 1\nb:\n  - foo\n  - bar\n", {"a": 1, "b": ["foo", "bar"]}),
        ("[a, b, true]", ["a", "b", True]),
        ("- a\n- <<\n- true\n", ["a", "<<", True]),
        ("foo: &bar\n  - x\nbar: *bar\n", {"foo": ["x"], "bar": ["x"]}),
        ("- &foo a\n- b\n- *foo\n", ["a", "b", "a"]),
        ("1: a\ntrue: b\n2.50: c\n", {"1": "a", "true": "b", "2.5": "c"}),
        ("a: 1\na: x\n", {"a": "x"}),  # a repeated key: the last one wins
        ("a:\nb: |\n", {"a": None, "b": None}),
        ("a: |-\n  true\n", {"a": True}),  # block scalars are resolved like plain ones
        ("!!int '12'", "12"),  # quoted scalars stay strings even when tagged
    ],
)
def test_yamldecode(call: Call, source: str, want: Any) -> None:
    assert call("yamldecode", source) == lang.from_python(want)


def test_yamldecode_infinities(call: Call) -> None:
    assert call("yamldecode", ".inf") == lang.number_val(Decimal("Infinity"))
    assert call("yamldecode", "-.Inf") == lang.number_val(Decimal("-Infinity"))


@pytest.mark.parametrize(
    ("source", "want"),
    [
        ("a: aa\n<<:\n  b: bb\n  c: cc\nd: dd\n", {"a": "aa", "b": "bb", "c": "cc", "d": "dd"}),
        ("a: aa\n<<:\n  a: aaa\n<<:\n  b: bbb\nb: bb\n", {"a": "aaa", "b": "bb"}),
        ("a: aa\n<<:\n  - b: bb\n  - c: cc\nd: dd\n", {"a": "aa", "b": "bb", "c": "cc", "d": "dd"}),
        (
            "a: &foo\n  beep: boop\nb:\n  <<: *foo\n  bleep: bloop\n",
            {"a": {"beep": "boop"}, "b": {"beep": "boop", "bleep": "bloop"}},
        ),
        ("a: aa\n!!merge anything:\n  b: bb\n", {"a": "aa", "b": "bb"}),
        ("'<<': x\n", {"<<": "x"}),  # a quoted key is not a merge key
    ],
)
def test_yamldecode_merge_keys(call: Call, source: str, want: Any) -> None:
    assert call("yamldecode", source) == lang.from_python(want)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        # documented
        (
            "{a: &foo [1, *foo, 3]}",
            'on line 1, column 14: cannot refer to anchor "foo" from inside its own definition',
        ),
        ("{a: !not-supported foo}", 'on line 1, column 5: unsupported tag "!not-supported"'),
        # go-cty-yaml's tables
        ("!!bool bananas", 'on line 1, column 1: cannot parse "bananas" as tag:yaml.org,2002:bool'),
        (".NaN", "on line 1, column 1: floating point NaN is not supported"),
        (
            "!!binary '>>>>>>>>>'",
            'on line 1, column 1: cannot parse ">>>>>>>>>" as tag:yaml.org,2002:binary:'
            " not valid base64",
        ),
        ("!!nope foo", 'on line 1, column 1: unsupported tag "tag:yaml.org,2002:nope"'),
        (
            "a: aa\n<<:\n  - b: bb\n  - uh-oh\nd: dd\n",
            "on line 2, column 1: cannot merge string (from sequence) into mapping",
        ),
        (
            "a: aa\n<<:\n  - []\n",
            "on line 2, column 1: cannot merge tuple (from sequence) into mapping",
        ),
        ("<<: 1\n", "on line 1, column 1: cannot merge number into mapping"),
        ("<<: ~\n", "on line 1, column 1: cannot merge null into mapping"),
        # more
        ("a\n---\nb\n", "on line 2, column 1: only a single document is allowed"),
        ("*x", 'on line 1, column 1: reference to undefined anchor "x"'),
        ("? [a]\n: b\n", "on line 1, column 3: only strings are allowed as mapping keys"),
        ("~: a\n", "on line 1, column 1: mapping key cannot be null"),
        ("!!map [a]", "on line 1, column 1: can't interpret sequence as tag:yaml.org,2002:map"),
        ("!!seq {a: b}", "on line 1, column 1: can't interpret mapping as tag:yaml.org,2002:seq"),
        ("!!int abc", 'on line 1, column 1: cannot parse "abc" as tag:yaml.org,2002:int'),
        ("!!float .nan", 'on line 1, column 1: cannot parse ".nan" as tag:yaml.org,2002:float'),
        (
            "!!timestamp soon",
            'on line 1, column 1: cannot parse "soon" as tag:yaml.org,2002:timestamp',
        ),
        ("a: [1, 2", "on line 1, column 9: expected ',' or ']', but got '<stream end>'"),
        ("a: b: c", "on line 1, column 5: mapping values are not allowed here"),
        (
            "a: 1\n\x01",
            "on line 2, column 1: unacceptable character #x0001: special characters are not allowed",
        ),
        ("[" * 300 + "]" * 300, "on line 1, column 251: the document is nested too deeply"),
    ],
)
def test_yamldecode_errors(call: Call, source: str, message: str) -> None:
    assert error_of(call, "yamldecode", source).message == message


def test_yamldecode_refuses_alias_bombs(call: Call) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    message = error_of(call, "yamldecode", "\n".join(lines)).message
    assert message.endswith("document contains excessive aliasing")


def test_yamldecode_unknown_and_sensitive(call: Call) -> None:
    assert call("yamldecode", lang.unknown_val(lang.STRING)) == lang.DYNAMIC_UNKNOWN
    assert call("yamldecode", secret("a: 1")) == lang.from_python({"a": 1}).mark_sensitive()


# ---- yamlencode ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        # documented
        ({"a": "b", "c": "d"}, '"a": "b"\n"c": "d"\n'),
        ({"foo": [1, 2, 3], "bar": "baz"}, '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'),
        (
            {"foo": [1, {"a": "b", "c": "d"}, 3], "bar": "baz"},
            '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n',
        ),
        # go-cty-yaml's tables
        (True, "true\n...\n"),
        ("", '""\n'),
        ("hello", '"hello"\n'),
        ("true", '"true"\n'),
        (0, "0\n...\n"),
        ({}, "{}\n"),
        ({"a": "b"}, '"a": "b"\n'),
        ([], "[]\n"),
        (["b"], '- "b"\n'),
        (None, "null\n...\n"),
        # more
        (Decimal("1.5"), "1.5\n...\n"),
        ("a\nb", "|-\n  a\n  b\n"),
        ("a\nb\n", "|\n  a\n  b\n"),
        ({"k": "multi\nline\n"}, '"k": |\n  multi\n  line\n'),
        ("trailing \nspace", '"trailing \\nspace"\n'),  # no literal block: a space ends a line
        ("日本", '"日本"\n'),
        ("\x07bell", '"\\abell"\n'),
        ({"a": [], "b": {}}, '"a": []\n"b": {}\n'),
        ([[1, 2], [3]], "- - 1\n  - 2\n- - 3\n"),
        ("x" * 90 + " " + "y" * 10, '"' + "x" * 90 + "\\\n  \\ " + "y" * 10 + '"\n'),
    ],
)
def test_yamlencode(call: Call, value: Any, encoded: str) -> None:
    assert call("yamlencode", value) == S(encoded)


def test_yamlencode_collections_and_infinity(call: Call) -> None:
    assert call("yamlencode", lang.set_val([S("b"), S("a")])) == S('- "a"\n- "b"\n')
    assert call("yamlencode", lang.map_val({"z": S("1"), "y": S("2")})) == S('"y": "2"\n"z": "1"\n')
    assert call("yamlencode", lang.number_val(Decimal("-Infinity"))) == S("-.Inf\n...\n")


def test_yamlencode_unknown_and_sensitive(call: Call) -> None:
    assert call("yamlencode", lang.DYNAMIC_UNKNOWN) == lang.unknown_val(lang.STRING)
    nested = lang.from_python({"a": [secret("x")]})
    assert call("yamlencode", nested) == secret('"a":\n- "x"\n')


yaml_data = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)


@given(yaml_data)
def test_yamldecode_reverses_yamlencode(data: Any) -> None:
    value = lang.from_python(data)
    encoded = call_function("yamlencode", value)
    assert call_function("yamldecode", encoded) == value


# ---- robustness ------------------------------------------------------------------------------

YAMLISH = st.text(alphabet=st.sampled_from(list("ab01:-?[]{},&*!<>|'\"#%@`~. \n\t\r_+eE\x85")))
JSONISH = st.text(alphabet='[]{}",:0123456789.eE+-tfnul \\/u\n')


@given(YAMLISH | JSONISH | st.text())
def test_decoders_give_a_value_or_a_function_error(text: str) -> None:
    for name, args in [
        ("yamldecode", [text]),
        ("jsondecode", [text]),
        ("csvdecode", [text]),
        ("base64decode", [text]),
        ("textdecodebase64", [text, "UTF-16"]),
        ("textencodebase64", [text, "Shift_JIS"]),
    ]:
        with contextlib.suppress(lang.FunctionError):
            call_function(name, *args)

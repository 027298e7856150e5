"""Every expression form: value, type, and how unknown and sensitive values flow through it."""

from __future__ import annotations

import pytest

from gitterra import lang
from tests.lang.conftest import error_of, evaluate, show

# (expression, console rendering, type)
CASES = [
    # literals
    ("1", "1", "number"),
    ("1.5", "1.5", "number"),
    ("1e3", "1000", "number"),
    ("-2.5e-3", "-0.0025", "number"),
    ("true", "true", "bool"),
    ("null", "null", "any"),
    ('"hi"', '"hi"', "string"),
    ('"tab\\there \\"q\\" \\\\ \\u00e9 \\U0001F600"', '"tab\\there \\"q\\" \\\\ é 😀"', "string"),
    ('"$${literal} %%{literal}"', '"${literal} %{literal}"', "string"),
    ('"100% $5"', '"100% $5"', "string"),
    # arithmetic and precedence
    ("1 + 2 * 3", "7", "number"),
    ("(1 + 2) * 3", "9", "number"),
    ("10 - 4 - 3", "3", "number"),
    ("2 * 3 % 4", "2", "number"),
    ("7 / 2", "3.5", "number"),
    ("1 / 3", "0.3333333333333333", "number"),
    ("0.1 + 0.2", "0.3", "number"),
    ("-7 % 3", "-1", "number"),
    ("7 % -3", "1", "number"),
    ("5.5 % 2", "1.5", "number"),
    ("1 / 0", "+Inf", "number"),
    ("-var.num", "-42", "number"),
    ("- -1", None, None),  # not HCL syntax: unary minus needs a term
    ('"2" + 3', "5", "number"),
    ("12345678901234567890 * 10", "123456789012345678900", "number"),
    # comparison and equality
    ("1 < 2", "true", "bool"),
    ("2 <= 1", "false", "bool"),
    ('"10" > 9', "true", "bool"),
    ("1 == 1.0", "true", "bool"),
    ('1 == "1"', "false", "bool"),
    ("[1, 2] == [1, 2]", "true", "bool"),
    ("{a = 1} == {a = 1}", "true", "bool"),
    ("{a = 1} != {a = 2}", "true", "bool"),
    ('tolist(["a"]) == ["a"]', "false", "bool"),
    ("null == null", "true", "bool"),
    ("var.nothing == null", "true", "bool"),
    ("var.str != null", "true", "bool"),
    # logic, with short-circuit on a known left operand
    ("true && false", "false", "bool"),
    ("true || false", "true", "bool"),
    ("!true", "false", "bool"),
    ("1 < 2 && 3 > 2", "true", "bool"),
    ("false && var.unknown_bool", "false", "bool"),
    ("true || var.unknown_bool", "true", "bool"),
    ("var.unknown_bool || true", "true", "bool"),
    ('var.nothing != null && var.nothing == "x"', "false", "bool"),
    # conditionals
    ('true ? "a" : "b"', '"a"', "string"),
    ("false ? 1 : 2", "2", "number"),
    ('true ? 1 : "x"', '"1"', "string"),
    ('var.num > 40 ? var.str : "small"', '"hello"', "string"),
    ("false ? var.obj.nope : 1", "1", "number"),
    # tuples of different lengths unify as a list of their elements' type, as cty's do: the
    # idiom of optional blocks (for_each = var.on ? [1] : [])
    ("true ? [1] : []", "tolist([\n  1,\n])", "list(number)"),
    ("false ? [1] : []", "tolist([])", "list(number)"),
    ('true ? ["a"] : tolist([])', 'tolist([\n  "a",\n])', "list(string)"),
    ('false ? ["a"] : tolist([1])', 'tolist([\n  "1",\n])', "list(string)"),
    ('true ? [1, "a"] : []', 'tolist([\n  "1",\n  "a",\n])', "list(string)"),
    (
        "false ? [[1]] : [[2, 3], []]",
        "tolist([\n  tolist([\n    2,\n    3,\n  ]),\n  tolist([]),\n])",
        "list(list(number))",
    ),
    # collections
    ("[]", "[]", "tuple([])"),
    ('[1, "a", true]', '[\n  1,\n  "a",\n  true,\n]', "tuple([number, string, bool])"),
    ("[1, 2,]", "[\n  1,\n  2,\n]", "tuple([number, number])"),
    ("{}", "{}", "object({})"),
    ('{a = 1, "b c" = 2}', '{\n  "a" = 1\n  "b c" = 2\n}', "object({a=number, b c=number})"),
    ("{a: 1}", '{\n  "a" = 1\n}', "object({a=number})"),
    ("{(var.str) = 1}", '{\n  "hello" = 1\n}', "object({hello=number})"),
    ('{"${var.str}-x" = true}', '{\n  "hello-x" = true\n}', "object({hello-x=bool})"),
    (
        "{for = 1, in = 2, if = 3}",
        '{\n  "for" = 1\n  "if" = 3\n  "in" = 2\n}',
        "object({for=number, if=number, in=number})",
    ),
    (
        "{\n  a = 1\n  b = [\n    2,\n  ]\n}",
        '{\n  "a" = 1\n  "b" = [\n    2,\n  ]\n}',
        "object({a=number, b=tuple([number])})",
    ),
    # access
    ("var.list[1]", '"b"', "string"),
    ('var.list["2"]', '"c"', "string"),
    ("var.list.0", '"a"', "string"),
    ('var.map["k1"]', '"v1"', "string"),
    ("var.map.k2", '"v2"', "string"),
    ("var.obj.tags.env", '"prod"', "string"),
    ('var.obj["port"]', "80", "number"),
    ("var.objs[1].id", '"i-2"', "string"),
    ("local.x", "1", "number"),
    # splat
    ("var.objs[*].id", '[\n  "i-1",\n  "i-2",\n]', "tuple([string, string])"),
    ("var.objs.*.n", "[\n  1,\n  2,\n]", "tuple([number, number])"),
    ("var.obj[*].name", '[\n  "web",\n]', "tuple([string])"),
    ("var.nothing[*]", "[]", "tuple([])"),
    ("var.objs[*].id[0]", None, None),  # a full splat applies [0] to each id (a string)
    ("(var.objs[*].id)[0]", '"i-1"', "string"),
    ("var.objs.*.id[0]", '"i-1"', "string"),
    ("var.list[*]", 'tolist([\n  "a",\n  "b",\n  "c",\n])', "list(string)"),
    ("var.set[*]", 'tolist([\n  "x",\n  "y",\n])', "list(string)"),
    # for expressions
    (
        "[for s in var.list : upper(s)]",
        '[\n  "A",\n  "B",\n  "C",\n]',
        "tuple([string, string, string])",
    ),
    (
        '[for i, s in var.list : "${i}=${s}" if i != 1]',
        '[\n  "0=a",\n  "2=c",\n]',
        "tuple([string, string])",
    ),
    ("[for k, v in var.map : k]", '[\n  "k1",\n  "k2",\n]', "tuple([string, string])"),
    ("[for v in var.set : v]", '[\n  "x",\n  "y",\n]', "tuple([string, string])"),
    (
        "{for s in var.list : s => upper(s)}",
        '{\n  "a" = "A"\n  "b" = "B"\n  "c" = "C"\n}',
        "object({a=string, b=string, c=string})",
    ),
    (
        '{for s in ["a", "b", "a"] : s => 1...}',
        '{\n  "a" = [\n    1,\n    1,\n  ]\n  "b" = [\n    1,\n  ]\n}',
        "object({a=tuple([number, number]), b=tuple([number])})",
    ),
    ("[for o in var.objs : o.n * 10 if o.n > 1]", "[\n  20,\n]", "tuple([number])"),
    (
        "{for k, v in {b = 2, a = 1} : v => k}",
        '{\n  "1" = "a"\n  "2" = "b"\n}',
        "object({1=string, 2=string})",
    ),
    ("[for x in [] : x]", "[]", "tuple([])"),
    # templates
    ('"a${1 + 1}b"', '"a2b"', "string"),
    ('"${var.str}"', '"hello"', "string"),
    ('"${var.num}"', "42", "number"),
    ('"${var.yes} ${var.num}"', '"true 42"', "string"),
    ('"%{if var.yes}on%{else}off%{endif}"', '"on"', "string"),
    ('"%{if !var.yes}on%{endif}"', '""', "string"),
    ('"%{for s in var.list}<${s}>%{endfor}"', '"<a><b><c>"', "string"),
    ('"%{for i, s in var.list}${i}${s},%{endfor}"', '"0a,1b,2c,"', "string"),
    ('"a ${~ "x" ~} b"', '"axb"', "string"),
    ('"a  %{~ if true ~}  x  %{~ endif ~}  b"', '"axb"', "string"),
    ('"${ {a = "}"}["a"] }"', '"}"', "string"),
    ('"${"nested ${"quotes"}"}"', '"nested quotes"', "string"),
    ("<<EOT\nhello\nEOT", "<<EOT\nhello\n\nEOT", "string"),
    ("<<EOT\nline ${var.str}\n  indented\nEOT", "<<EOT\nline hello\n  indented\n\nEOT", "string"),
    ("<<-EOT\n    a\n      b\n    EOT", "<<EOT\na\n  b\n\nEOT", "string"),
    (
        "<<-EOT\n  %{ for s in var.list ~}\n  - ${s}\n  %{ endfor ~}\n  EOT",
        "<<EOT\n- a\n- b\n- c\n\nEOT",
        "string",
    ),
    ("<<EOT\n$${not} %%{not}\nEOT", "<<EOT\n${not} %{not}\n\nEOT", "string"),
    ("<<EOT\nEOT", '""', "string"),
    # functions, with expansion
    ('upper("abc")', '"ABC"', "string"),
    ("max(var.objs[*].n...)", "2", "number"),
    ('join("-", ["a", "b"])', '"a-b"', "string"),
    ("length(var.partly_unknown)", "2", "number"),
    ('try(var.obj.missing, "fallback")', '"fallback"', "string"),
    ("try(var.obj.name, 1)", '"web"', "string"),
    ("can(var.obj.missing)", "false", "bool"),
    ("can(var.obj.name)", "true", "bool"),
    ("can(var.unknown_str)", "(known after apply)", "bool"),
    ("try(var.unknown_str, 1)", "(known after apply)", "any"),
]


@pytest.mark.parametrize(("text", "shown", "type_"), CASES, ids=[c[0] for c in CASES])
def test_expression(text: str, shown: str | None, type_: str | None) -> None:
    if shown is None:
        error_of(text)
        return
    value = evaluate(text)
    assert lang.format_value(value) == shown
    assert str(value.type) == type_


# (expression, type of the unknown result)
UNKNOWN_CASES = [
    ("var.unknown_str", "string"),
    ('"x-${var.unknown_str}"', "string"),
    ("var.unknown_num + 1", "number"),
    ("var.unknown_num > 1", "bool"),
    ('var.unknown_str == "a"', "bool"),
    ("!var.unknown_bool", "bool"),
    ("-var.unknown_num", "number"),
    ("var.unknown_bool ? 1 : 2", "number"),
    ('var.unknown_bool ? "a" : 1', "string"),
    ("var.unknown_list[0]", "string"),
    ("var.unknown_any.foo.bar", "any"),
    ("upper(var.unknown_str)", "string"),
    ("[for s in var.unknown_list : s]", "any"),
    ('"%{if var.unknown_bool}a%{endif}"', "string"),
    ('"%{for s in var.unknown_list}${s}%{endfor}"', "string"),
    ("var.unknown_any[*].id", "any"),
    ("{(var.unknown_str) = 1}", "any"),
    ("var.partly_unknown[1]", "string"),
    ("upper(var.partly_unknown[1])", "string"),
    ('join(",", var.partly_unknown)', "string"),
]


@pytest.mark.parametrize(("text", "type_"), UNKNOWN_CASES, ids=[c[0] for c in UNKNOWN_CASES])
def test_unknown_propagates(text: str, type_: str) -> None:
    value = evaluate(text)
    assert not value.is_known
    assert str(value.type) == type_
    assert show(text) == "(known after apply)"


def test_partly_unknown_collection_stays_known() -> None:
    value = evaluate("[var.str, var.unknown_str]")
    assert value.is_known
    assert not value.is_wholly_known()
    assert show("[var.str, var.unknown_str]") == '[\n  "hello",\n  (known after apply),\n]'
    assert evaluate("var.partly_unknown[0]").to_python() == "a"


SENSITIVE_CASES = [
    "var.secret",
    '"pw=${var.secret}"',
    "upper(var.secret)",
    'var.secret == "x"',
    "length(var.secret)",
    "var.secret_list[0]",
    "sensitive(1) + 1",
    'var.yes ? var.secret : "x"',
    "[for s in [var.secret] : s][0]",
    '"%{if var.secret == "a"}a%{endif}"',
    "{(var.secret) = 1}",
]


@pytest.mark.parametrize("text", SENSITIVE_CASES)
def test_sensitive_propagates(text: str) -> None:
    value = evaluate(text)
    assert value.sensitive
    assert show(text) == "(sensitive value)"


def test_sensitive_element_does_not_mark_its_list() -> None:
    value = evaluate("var.secret_list")
    assert not value.sensitive
    assert value.contains_sensitive()
    assert show("var.secret_list") == 'tolist([\n  (sensitive value),\n  "open",\n])'
    assert not evaluate("var.secret_list[1]").sensitive


def test_nonsensitive_unmarks() -> None:
    value = evaluate("nonsensitive(var.secret)")
    assert not value.sensitive
    assert value.to_python() == "hunter2"


def test_number_precision_is_exact_for_integers() -> None:
    assert show("9007199254740993 + 0") == "9007199254740993"
    assert show("2 * 4611686018427387904 * 2") == "18446744073709551616"

"""Every kind of expression error, rendered as the user reads it, compared as full text with
tests/lang/testdata/errors.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra.diag import DiagnosticError, render_text
from tests.golden import UPDATE, read_cases, write_cases
from tests.lang.conftest import FILE, evaluate

GOLDEN = Path(__file__).parent / "testdata" / "errors.txt"

EXPRESSIONS = [
    # syntax
    "1 +",
    "(1 + 2",
    "[1, 2",
    '"unterminated',
    '"bad \\q escape"',
    '"bad \\u12 escape"',
    "a b",
    "{a = 1 b = 2}",
    '"%{if true}never closed"',
    '"%{endif}"',
    '"%{for x in [1]}a%{endif}"',
    "<<EOT\n${\nEOT",
    "<<EOT\n%{ bogus }\nEOT",
    # names and access
    "nope",
    "var.obj.missing",
    "var.map.missing",
    'var.map["missing"]',
    "var.list[3]",
    "var.list[-1]",
    "var.list[0.5]",
    'var.list["x"]',
    "var.set[0]",
    "var.str[0]",
    "var.str.length",
    "var.nothing.attr",
    "var.nothing[0]",
    "var.list.name",
    "var.num.x",
    "[][0]",
    # operators
    '1 + "a"',
    '"a" * 2',
    "true + 1",
    "null + 1",
    "-true",
    "!1",
    '"yes" && true',
    "1 < true",
    "0 / 0",
    "1 % 0",
    # conditionals
    "null ? 1 : 2",
    '"maybe" ? 1 : 2',
    "true ? {a = 1} : {b = [1]}",
    "true ? [1] : {a = 1}",
    # constructors and for
    "{a = 1, a = 2}",
    "{(null) = 1}",
    "{([1]) = 1}",
    "[for x in null : x]",
    "[for x in 5 : x]",
    '{for x in ["a", "a"] : x => 1}',
    "[for x in [1] : x if x]",
    "{for x in [1] : null => x}",
    # templates
    '"x${null}"',
    '"x${[1]}"',
    '"x${var.obj}"',
    '"%{if 1}x%{endif}"',
    '"%{if null}x%{endif}"',
    '"%{for x in 1}x%{endfor}"',
    # functions
    "nope()",
    "uper(1)",
    "upper()",
    "upper(1, 2)",
    "upper([1])",
    "upper(null)",
    "max([]...)",
    "max(1...)",
    'abs("x")',
    "try(var.obj.nope, var.map.nope)",
    "can()",
    'provider::aws::arn_parse("x")',
    'file("/does/not/exist")',
]


def render(text: str) -> str:
    try:
        value = evaluate(text)
    except DiagnosticError as exc:
        return render_text(exc.diagnostics, {FILE: text}).rstrip("\n")
    return f"(no error: {value!r})"


def test_errors_render_as_recorded() -> None:
    actual = {text: render(text) for text in EXPRESSIONS}
    if UPDATE:
        write_cases(GOLDEN, actual)
        return
    expected = read_cases(GOLDEN)
    assert list(expected) == EXPRESSIONS, "errors.txt lists other cases: regenerate it"
    for text in EXPRESSIONS:
        assert actual[text] == expected[text], f"rendering of {text!r} changed"


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_every_case_is_an_error_with_a_place(text: str) -> None:
    with pytest.raises(DiagnosticError) as info:
        evaluate(text)
    for diag in info.value.diagnostics:
        assert diag.is_error
        assert diag.summary
        assert diag.detail
        assert diag.subject is not None, f"{text!r}: {diag.summary} has no source range"
        assert diag.subject.filename == FILE
        assert 1 <= diag.subject.start.line <= text.count("\n") + 1

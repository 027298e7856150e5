"""A scope with a few variables of every kind, and helpers to evaluate expression text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gitterra import lang
from gitterra.diag import Diagnostic, DiagnosticError
from gitterra.lang import functions

FILE = "<test>"


def sample_scope() -> lang.Scope:
    secret = lang.string_val("hunter2").mark_sensitive()
    variables = {
        "str": lang.string_val("hello"),
        "num": lang.number_val(42),
        "yes": lang.TRUE,
        "list": lang.list_val([lang.string_val("a"), lang.string_val("b"), lang.string_val("c")]),
        "set": lang.set_val([lang.string_val("x"), lang.string_val("y")]),
        "map": lang.map_val({"k1": lang.string_val("v1"), "k2": lang.string_val("v2")}),
        "obj": lang.from_python({"name": "web", "port": 80, "tags": {"env": "prod"}}),
        "objs": lang.from_python([{"id": "i-1", "n": 1}, {"id": "i-2", "n": 2}]),
        "nothing": lang.null_val(lang.STRING),
        "secret": secret,
        "secret_list": lang.list_val([secret, lang.string_val("open")]),
        "unknown_str": lang.unknown_val(lang.STRING),
        "unknown_num": lang.unknown_val(lang.NUMBER),
        "unknown_bool": lang.unknown_val(lang.BOOL),
        "unknown_list": lang.unknown_val(lang.ListType(lang.STRING)),
        "unknown_any": lang.DYNAMIC_UNKNOWN,
        "partly_unknown": lang.list_val([lang.string_val("a"), lang.unknown_val(lang.STRING)]),
    }
    return lang.Scope(
        {"var": lang.Namespace(variables), "local": lang.Namespace({"x": lang.number_val(1)})},
        functions.builtins(),
    )


def evaluate(text: str, scope: lang.Scope | None = None) -> lang.Value:
    expr = lang.parse_expression(text, lang.Origin(FILE))
    return lang.evaluate(expr, scope or sample_scope())


def show(text: str) -> str:
    """The console rendering of ``text``'s value."""
    return lang.format_value(evaluate(text))


def error_of(text: str) -> Diagnostic:
    with pytest.raises(DiagnosticError) as info:
        evaluate(text)
    return info.value.diagnostic


@pytest.fixture
def ev() -> Callable[[str], lang.Value]:
    return evaluate

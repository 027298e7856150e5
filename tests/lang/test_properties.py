"""Properties over generated input: the only outcomes are a value or diagnostics.

Generated expressions mix every construct (operators, conditionals, for, splat, templates,
function calls, references to known, unknown, null and sensitive values); random text and bytes
go through the parser, ``validate`` and ``console -json``.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitterra import config, lang
from gitterra.diag import DiagnosticError
from gitterra.lang import functions
from tests.clirun import run_cli
from tests.lang.conftest import FILE, sample_scope

SCOPE = sample_scope()
VARS = [
    "var.str",
    "var.num",
    "var.yes",
    "var.list",
    "var.set",
    "var.map",
    "var.obj",
    "var.objs",
    "var.nothing",
    "var.secret",
    "var.unknown_str",
    "var.unknown_num",
    "var.unknown_list",
    "var.unknown_any",
    "var.partly_unknown",
    "local.x",
]
FUNCS = sorted(functions.builtins())
OPS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]

atoms = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.decimals(-100, 100, places=3, allow_nan=False).map(str),
    st.sampled_from(["true", "false", "null", '""', '"a"', '"10"', "[]", "{}"]),
    st.text(string.ascii_letters + ' -_${}%~\\"', max_size=8).map(lambda s: json.dumps(s)),
    st.sampled_from(VARS),
)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(OPS), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["-", "!"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from("abc"), inner), max_size=3).map(
            lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"
        ),
        st.tuples(inner, inner).map(lambda t: f"[for x in {t[0]} : {t[1]}]"),
        st.tuples(inner, inner).map(lambda t: f"{{for k, v in {t[0]} : tostring(k) => {t[1]}}}"),
        st.tuples(inner, inner).map(lambda t: f"[for x in {t[0]} : x if {t[1]}]"),
        inner.map(lambda e: f"{e}[*]"),
        st.tuples(inner, st.sampled_from(["name", "id", "0", "a"])).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, inner).map(lambda t: f'"pre-${{{t[0]}}}-%{{if {t[1]}}}y%{{endif}}"'),
        st.tuples(st.sampled_from(FUNCS), st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.tuples(inner, inner).map(lambda t: f"try({t[0]}, {t[1]})"),
        inner.map(lambda e: f"can({e})"),
    )


expressions = st.recursive(atoms, _extend, max_leaves=12)


def _outcome(text: str) -> lang.Value | None:
    try:
        expr = lang.parse_expression(text, lang.Origin(FILE))
        return lang.evaluate(expr, SCOPE)
    except DiagnosticError as exc:
        for diag in exc.diagnostics:
            assert diag.summary
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_generated_expressions_give_a_value_or_diagnostics(text: str) -> None:
    value = _outcome(text)
    if value is None:
        return
    rendered = lang.format_value(value)
    assert rendered
    if value.is_wholly_known():
        json.dumps(lang.to_json_data(value))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_random_text_gives_a_value_or_diagnostics(text: str) -> None:
    _outcome(text)


class _MemoryFS:
    """A one-file module in memory."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read_bytes(self, path: str) -> bytes:
        if path != "main.tf":
            raise FileNotFoundError(path)
        return self.data

    def kind(self, path: str) -> str | None:
        return "dir" if path in (".", "") else "file" if path == "main.tf" else None

    def glob(self, base: str, pattern: str) -> list[str]:
        return ["main.tf"] if pattern == "*.tf" else []

    def abspath(self, path: str) -> str:
        return "/" + path

    def home(self) -> str:
        return "/home"


module_text = st.one_of(
    st.binary(max_size=200),
    st.lists(
        st.sampled_from(
            [
                'variable "v" {',
                "type = list(string)",
                'default = ["a"]',
                "}",
                "locals {",
                "a = var.v[0]",
                "b = local.a",
                'c = "${local.b}x"',
                'resource "terraform_data" "r" {',
                "count = 2",
                "input = count.index",
                'output "o" {',
                "value = local.c",
                "{",
                "]",
                '"',
                "<<EOT",
                "EOT",
                "= =",
                "for_each = toset(var.v)",
                "each.key",
            ]
        ),
        max_size=20,
    ).map(lambda lines: "\n".join(lines).encode()),
)


@settings(max_examples=300, deadline=None)
@given(module_text)
def test_random_modules_give_only_diagnostics(data: bytes) -> None:
    fs = _MemoryFS(data)
    module, diags = config.load_module(fs, ".")
    if module.is_complete():
        fctx = lang.function_context(fs, functions.builtins())
        diags.extend(config.validate(module, fctx, config.ScopeOptions(cwd="/")))
    for diag in diags:
        assert diag.summary


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.text(alphabet=string.printable.replace("\n", "").replace("\r", ""), max_size=30),
        min_size=1,
        max_size=5,
    )
)
def test_console_json_answers_every_line(tmp_path: Path, lines: list[str]) -> None:
    (tmp_path / "main.tf").write_text("locals {\n  x = 1\n}\n")
    lines = [line for line in lines if line.strip() and line.strip() != "exit"]
    result = run_cli(["console", "-json"], tmp_path, "\n".join(lines) + "\n")
    answers = [json.loads(line) for line in result.out.splitlines()]
    assert len(answers) == len(lines)
    for answer in answers:
        assert set(answer) & {"value", "error", "unknown", "sensitive"}

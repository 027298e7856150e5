"""``templatefile`` through the real renderer: the template sees only its vars, cannot call
itself, and reports template errors with the template's file and position."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra import lang
from gitterra.diag import DiagnosticError
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions


def render(tmp_path: Path, text: str) -> lang.Value:
    fs = LocalFileSystem(tmp_path)
    scope = lang.Scope({}, functions.builtins(), lang.function_context(fs, functions.builtins()))
    return lang.evaluate(lang.parse_expression(text, lang.Origin("<test>")), scope)


def test_renders_directives_and_functions(tmp_path: Path) -> None:
    (tmp_path / "site.tpl").write_text(
        "%{ for name, port in ports ~}\nlisten ${port}; # ${upper(name)}\n%{ endfor ~}\n"
    )
    value = render(tmp_path, 'templatefile("site.tpl", { ports = { http = 80, https = 443 } })')
    assert value.to_python() == "listen 80; # HTTP\nlisten 443; # HTTPS\n"


def test_a_missing_var_names_the_template_place(tmp_path: Path) -> None:
    (tmp_path / "t.tpl").write_text("line one\nhello ${name} and ${other}\n")
    with pytest.raises(DiagnosticError) as info:
        render(tmp_path, 'templatefile("t.tpl", { name = "x" })')
    diag = info.value.diagnostic
    assert diag.summary == "Invalid function argument"
    assert 'vars map does not contain key "other", referenced at t.tpl:2:' in diag.detail


def test_recursion_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loop.tpl").write_text('${templatefile("loop.tpl", {})}')
    with pytest.raises(DiagnosticError) as info:
        render(tmp_path, 'templatefile("loop.tpl", {})')
    assert "cannot recursively call templatefile" in info.value.diagnostic.detail


def test_template_syntax_errors_point_into_the_template(tmp_path: Path) -> None:
    (tmp_path / "bad.tpl").write_text("ok\n%{ if x }unclosed\n")
    with pytest.raises(DiagnosticError) as info:
        render(tmp_path, 'templatefile("bad.tpl", { x = true })')
    assert "bad.tpl:2:1" in info.value.diagnostic.detail
    assert "endif" in info.value.diagnostic.detail


def test_unknown_vars_give_an_unknown_string(tmp_path: Path) -> None:
    (tmp_path / "t.tpl").write_text("v=${v}")
    fs = LocalFileSystem(tmp_path)
    scope = lang.Scope(
        {"u": lang.unknown_val(lang.STRING)},
        functions.builtins(),
        lang.function_context(fs, functions.builtins()),
    )
    expr = lang.parse_expression('templatefile("t.tpl", { v = u })', lang.Origin("<test>"))
    value = lang.evaluate(expr, scope)
    assert not value.is_known

"""``gitterra console``: evaluate expressions in the context of a module, like
``terraform console``.

Reads one expression per line (more lines while brackets or a heredoc are open) from standard
input, interactively with a ``> `` prompt when it is a terminal. Prints each result as Terraform
does; ``-json`` prints one JSON object per input instead and never stops at an error.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

from gitterra import config, lang
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.diag import Diagnostic, DiagnosticError, render_text
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions

FLAGS = (
    flags.Flag("json", help="Print each result as one line of JSON."),
    flags.Flag("no-color", help="Accepted for compatibility; output has no colour codes."),
    flags.Flag("input", default=True, help="Accepted for compatibility."),
)

HELP = """Usage: gitterra [global options] console [options]

  Starts an interactive console for experimenting with expressions in the context of the
  module in the current directory (variables with defaults, locals, path.*). Reads one
  expression per line; "exit" or end of input ends the session.

Options:
"""

_CONSOLE_FILE = "<console-input>"


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv)
    if opts.args:
        raise flags.UsageError(f"console takes no positional arguments, got {opts.args[0]!r}")
    as_json = opts.get_bool("json")
    fs = LocalFileSystem(".")
    module, diags = config.load_module(fs, ".")
    if diags.has_errors:
        ui.diagnostics(diags, module.all_sources())
        return 1
    fctx = lang.function_context(fs, functions.builtins())
    scope, _ = config.module_scope(module, fctx, config.ScopeOptions(cwd=os.getcwd()))
    interactive = ui.inp.isatty()
    failed = False
    # With -json every line is one input (one JSON answer per line, whatever the line holds);
    # in text mode an open bracket, quote or heredoc continues onto the next line.
    for text in _inputs(ui, interactive, continuation=not as_json):
        if text.strip() == "exit":
            break
        if not text.strip():
            continue
        if as_json:
            ui.print(json.dumps(evaluate_json(text, module, scope), ensure_ascii=False))
            continue
        result, diag = evaluate_text(text, module, scope)
        if diag is not None:
            failed = True
            ui.error(render_text([diag], {_CONSOLE_FILE: text}).rstrip("\n"))
        else:
            ui.print(result)
    return 1 if failed and not interactive else 0


def _inputs(ui: UI, interactive: bool, continuation: bool) -> Iterator[str]:
    buffered: list[str] = []
    while True:
        if interactive:
            ui.out.write("> " if not buffered else "  ")
            ui.out.flush()
        line = ui.inp.readline()
        if not line:
            if buffered:
                yield "\n".join(buffered)
            return
        buffered.append(line.rstrip("\n"))
        text = "\n".join(buffered)
        if not continuation or not needs_more(text):
            buffered = []
            yield text


_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9_-]*)\s*$")


def needs_more(text: str) -> bool:
    """Whether ``text`` has an open bracket, quote or heredoc (so the console reads on)."""
    depth = 0
    in_string = False
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        heredoc = None if in_string else _HEREDOC.search(line)
        j = 0
        while j < len(line):
            c = line[j]
            if in_string:
                if c == "\\":
                    j += 1
                elif c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif c == "#" or line.startswith("//", j):
                break
            j += 1
        if heredoc:
            marker = heredoc.group(1)
            closing = [k for k in range(i + 1, len(lines)) if lines[k].strip() == marker]
            if not closing:
                return True
            i = closing[0]
        i += 1
    return depth > 0 or in_string


def _parse_and_check(text: str, module: config.Module) -> lang.Expr:
    expr = lang.parse_expression(text, lang.Origin(_CONSOLE_FILE))
    if isinstance(expr, lang.ast.Call) and expr.name == "type" and len(expr.args) == 1:
        inner = expr.args[0]
    else:
        inner = expr
    problems = config.check_references(inner, module, config.RefContext())
    problems += config.check_functions(
        inner, frozenset(functions.builtins()) | lang.SPECIAL_FUNCTIONS
    )
    if problems:
        raise DiagnosticError(*problems)
    return expr


def _evaluate(text: str, module: config.Module, scope: lang.Scope) -> tuple[lang.Value, bool]:
    """The value of one console input, and whether it was a ``type(...)`` query."""
    expr = _parse_and_check(text, module)
    if isinstance(expr, lang.ast.Call) and expr.name == "type" and len(expr.args) == 1:
        return lang.evaluate(expr.args[0], scope), True
    return lang.evaluate(expr, scope), False


def evaluate_text(
    text: str, module: config.Module, scope: lang.Scope
) -> tuple[str, Diagnostic | None]:
    try:
        value, is_type = _evaluate(text, module, scope)
    except DiagnosticError as exc:
        return "", exc.diagnostic
    if is_type:
        return lang.type_string(value.type), None
    return lang.format_value(value), None


def evaluate_json(text: str, module: config.Module, scope: lang.Scope) -> dict[str, object]:
    try:
        value, is_type = _evaluate(text, module, scope)
    except DiagnosticError as exc:
        d = exc.diagnostic
        where = f"{d.subject}: " if d.subject else ""
        message = f"{where}{d.summary}" + (f": {d.detail}" if d.detail else "")
        return {"error": message}
    if is_type:
        return {"value": str(value.type), "type": "type"}
    if not value.is_wholly_known():
        return {"unknown": True, "type": str(value.type)}
    if value.contains_sensitive():
        return {"sensitive": True, "type": str(value.type)}
    return {"value": lang.to_json_data(value), "type": str(value.type)}

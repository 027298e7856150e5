"""Templates: quoted strings, heredocs and template files, with ``${}``, ``%{if}``, ``%{for}``.

Quoted strings come already split by python-hcl2 into text, interpolations and flat directive
markers; heredoc bodies and template files are split here. Both paths produce the same flat item
list, which :func:`_assemble` turns into nested :class:`~gitterra.lang._ast.Template` parts after
applying the ``~`` strip markers (which remove the whitespace, newlines included, on their side).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token, Tree

from gitterra.diag import Diagnostic, DiagnosticError, Pos, SourceRange
from gitterra.lang import _ast as ast
from gitterra.lang import _syntax as syntax
from gitterra.lang import _values as v

_WHITESPACE = " \t\r\n"


@dataclass(slots=True)
class _Text:
    text: str


@dataclass(slots=True)
class _Interp:
    expr: ast.Expr
    strip_left: bool
    strip_right: bool


@dataclass(slots=True)
class _Directive:
    kind: str  # if else endif for endfor
    strip_left: bool
    strip_right: bool
    rng: SourceRange
    expr: ast.Expr | None = None
    key_var: str | None = None
    value_var: str = ""


_Item = _Text | _Interp | _Directive


def _assemble(items: list[_Item], rng: SourceRange) -> tuple[ast.TemplatePart, ...]:
    for i, item in enumerate(items):
        if isinstance(item, _Text):
            continue
        if item.strip_left and i > 0 and isinstance(prev := items[i - 1], _Text):
            prev.text = prev.text.rstrip(_WHITESPACE)
        if item.strip_right and i + 1 < len(items) and isinstance(nxt := items[i + 1], _Text):
            nxt.text = nxt.text.lstrip(_WHITESPACE)
    parts, rest = _nest(items, 0, None)
    if rest < len(items):
        stray = items[rest]
        assert isinstance(stray, _Directive)
        raise DiagnosticError(
            Diagnostic.error(
                "Unexpected template directive",
                f'There is no matching opening directive for this "{stray.kind}".',
                stray.rng,
            )
        )
    del rng
    return parts


def _nest(
    items: list[_Item], i: int, opener: _Directive | None
) -> tuple[tuple[ast.TemplatePart, ...], int]:
    """Parts from ``items[i:]`` up to the directive closing ``opener``; returns the index of
    that closing directive (or of a stray one at top level)."""
    out: list[ast.TemplatePart] = []
    while i < len(items):
        item = items[i]
        if isinstance(item, _Text):
            if item.text:
                out.append(ast.TemplateText(item.text))
            i += 1
        elif isinstance(item, _Interp):
            out.append(ast.TemplateInterp(item.expr))
            i += 1
        elif item.kind == "if":
            then, j = _nest(items, i + 1, item)
            otherwise: tuple[ast.TemplatePart, ...] = ()
            closer = items[j] if j < len(items) else None
            if isinstance(closer, _Directive) and closer.kind == "else":
                otherwise, j = _nest(items, j + 1, item)
                closer = items[j] if j < len(items) else None
            if not (isinstance(closer, _Directive) and closer.kind == "endif"):
                raise _unclosed(item, "endif")
            assert item.expr is not None
            out.append(ast.TemplateIf(item.expr, then, otherwise, item.rng))
            i = j + 1
        elif item.kind == "for":
            body, j = _nest(items, i + 1, item)
            closer = items[j] if j < len(items) else None
            if not (isinstance(closer, _Directive) and closer.kind == "endfor"):
                raise _unclosed(item, "endfor")
            assert item.expr is not None
            out.append(ast.TemplateFor(item.key_var, item.value_var, item.expr, body, item.rng))
            i = j + 1
        else:
            # else / endif / endfor: ends the current level (checked by the caller)
            if opener is None:
                return tuple(out), i
            expected = {"if": ("else", "endif"), "for": ("endfor",)}[opener.kind]
            if item.kind not in expected:
                raise DiagnosticError(
                    Diagnostic.error(
                        "Unexpected template directive",
                        f'Expected "{expected[-1]}" to close the "{opener.kind}" directive '
                        f'begun at {opener.rng}, but found "{item.kind}".',
                        item.rng,
                    )
                )
            return tuple(out), i
    if opener is not None:
        raise _unclosed(opener, "endif" if opener.kind == "if" else "endfor")
    return tuple(out), i


def _unclosed(opener: _Directive, closer: str) -> DiagnosticError:
    return DiagnosticError(
        Diagnostic.error(
            "Unterminated template directive",
            f'This "{opener.kind}" directive has no matching %{{{closer}}}.',
            opener.rng,
        )
    )


# ---- quoted strings (split by python-hcl2) ---------------------------------------------------


def quoted(conv: syntax.Converter, node: Tree[Token]) -> ast.Template:
    items: list[_Item] = []
    for part in node.children:
        if isinstance(part, Token):
            continue  # the quotes
        inner = part.children[0]
        if isinstance(inner, Token):
            if inner.type == "STRING_CHARS":
                text = conv.unescape(str(inner), inner)
            else:  # ESCAPED_INTERPOLATION / ESCAPED_DIRECTIVE: $${ -> ${, %%{ -> %{
                text = str(inner)[1:]
            if items and isinstance(items[-1], _Text):
                items[-1].text += text
            else:
                items.append(_Text(text))
            continue
        items.append(_tree_item(conv, inner))
    rng = conv.rng(node)
    return ast.Template(rng, _assemble(items, rng))


def quoted_expr(conv: syntax.Converter, node: Tree[Token]) -> ast.Expr:
    """A quoted string: a plain :class:`~gitterra.lang._ast.Literal` when it has no template
    sequences (so ``tags["Name"]`` is a constant key), else a :class:`Template`."""
    tmpl = quoted(conv, node)
    if not tmpl.parts:
        return ast.Literal(tmpl.rng, v.EMPTY_STRING)
    if len(tmpl.parts) == 1 and isinstance(tmpl.parts[0], ast.TemplateText):
        return ast.Literal(tmpl.rng, v.string_val(tmpl.parts[0].text))
    return tmpl


def _tree_item(conv: syntax.Converter, node: Tree[Token]) -> _Item:
    toks = [c for c in node.children if isinstance(c, Token)]
    exprs = [c for c in node.children if isinstance(c, Tree) and c.data != "identifier"]
    if node.data == "interpolation":
        start, end = toks[0], toks[-1]
        return _Interp(
            conv.expr(exprs[0]),
            (start.start_pos or 0) in conv.strip_marks,
            (end.start_pos or 0) in conv.strip_marks,
        )
    keyword_at = next(i for i, tk in enumerate(toks) if tk.type in _KEYWORDS)
    strip_left = any(tk.type == "STRIP_MARKER" for tk in toks[:keyword_at])
    strip_right = any(tk.type == "STRIP_MARKER" for tk in toks[keyword_at:])
    kind = _KEYWORDS[toks[keyword_at].type]
    item = _Directive(kind, strip_left, strip_right, conv.rng(node))
    if kind in ("if", "for"):
        item.expr = conv.expr(exprs[0])
    if kind == "for":
        names = [
            conv.name_of(c) for c in node.children if isinstance(c, Tree) and c.data == "identifier"
        ]
        item.key_var = names[0] if len(names) == 2 else None
        item.value_var = names[-1]
    return item


_KEYWORDS = {"IF": "if", "ELSE": "else", "ENDIF": "endif", "FOR": "for", "ENDFOR": "endfor"}


# ---- heredocs and template files (split here) ---------------------------------------------


def heredoc(conv: syntax.Converter, node: Tree[Token], flush: bool) -> ast.Template:
    tok = node.children[0]
    assert isinstance(tok, Token)
    text = str(tok)
    header_end = text.index("\n") + 1
    closing = text.rstrip("\r\n")
    body_end = closing.rfind("\n") + 1
    body = text[header_end:body_end] if body_end > header_end else ""
    tok_pos = conv.origin.pos(tok.line or 1, tok.column or 1, tok.start_pos or 0)
    origin = syntax.Origin(conv.origin.filename, tok_pos.line + 1, 1, tok_pos.offset + header_end)
    rng = conv.rng(node)
    items = split_template(body, origin)
    if flush:
        _flush(items, body)
    return ast.Template(rng, _assemble(items, rng))


def parse_template(text: str, filename: str) -> ast.Template:
    """A whole file as a template (``templatefile``); raises :class:`DiagnosticError`."""
    origin = syntax.Origin(filename)
    end = origin.at(text, len(text))
    rng = SourceRange(filename, Pos(1, 1, 0), end)
    return ast.Template(rng, _assemble(split_template(text, origin), rng))


def _flush(items: list[_Item], body: str) -> None:
    """Remove the common leading whitespace of a ``<<-`` heredoc's lines from its text."""
    indents = [len(line) - len(line.lstrip(" \t")) for line in body.split("\n") if line.strip()]
    indent = min(indents, default=0)
    if not indent:
        return
    at_line_start = True
    for item in items:
        if not isinstance(item, _Text):
            at_line_start = False
            continue
        lines = item.text.split("\n")
        for i, line in enumerate(lines):
            if i > 0 or at_line_start:
                cut = 0
                while cut < indent and cut < len(line) and line[cut] in " \t":
                    cut += 1
                lines[i] = line[cut:]
        item.text = "\n".join(lines)
        at_line_start = item.text.endswith("\n")


_DIRECTIVE = re.compile(r"\s*(if|else|endif|for|endfor)\b", re.S)
_FOR_VARS = re.compile(
    r"\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(?:,\s*([A-Za-z_][A-Za-z0-9_-]*)\s*)?in\b", re.S
)


def split_template(text: str, origin: syntax.Origin) -> list[_Item]:
    """Split template source into text, interpolation and directive items."""
    items: list[_Item] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith(("$${", "%%{"), i):
            buf.append(text[i + 1 : i + 3])
            i += 3
            continue
        if not text.startswith(("${", "%{"), i):
            buf.append(text[i])
            i += 1
            continue
        close = _find_close(text, i + 2)
        if close < 0:
            p = origin.at(text, i)
            raise DiagnosticError(
                Diagnostic.error(
                    "Unterminated template sequence",
                    f'This "{text[i : i + 2]}" has no closing "}}".',
                    SourceRange(origin.filename, p, Pos(p.line, p.column + 2, p.offset + 2)),
                )
            )
        if buf:
            items.append(_Text("".join(buf)))
            buf = []
        items.append(_sequence(text, i, close, origin))
        i = close + 1
    if buf:
        items.append(_Text("".join(buf)))
    return items


def _sequence(text: str, start: int, close: int, origin: syntax.Origin) -> _Item:
    lo, hi = start + 2, close
    strip_left = text.startswith("~", lo)
    if strip_left:
        lo += 1
    inner_end = hi
    while inner_end > lo and text[inner_end - 1] in _WHITESPACE:
        inner_end -= 1
    strip_right = inner_end > lo and text[inner_end - 1] == "~"
    if strip_right:
        hi = inner_end - 1
    rng = SourceRange(origin.filename, origin.at(text, start), origin.at(text, close + 1))
    inner = text[lo:hi]
    if text[start] == "$":
        expr = syntax.parse_expression(inner, origin.sub(text, lo))
        return _Interp(expr, strip_left, strip_right)
    m = _DIRECTIVE.match(inner)
    if m is None:
        raise DiagnosticError(
            Diagnostic.error(
                "Invalid template directive",
                'A template directive keyword ("if", "else", "endif", "for" or "endfor") is '
                'expected after "%{".',
                rng,
            )
        )
    kind = m.group(1)
    item = _Directive(kind, strip_left, strip_right, rng)
    rest_at = lo + m.end()
    if kind == "if":
        item.expr = syntax.parse_expression(text[rest_at:hi], origin.sub(text, rest_at))
    elif kind == "for":
        fm = _FOR_VARS.match(text, rest_at, hi)
        if fm is None:
            raise DiagnosticError(
                Diagnostic.error(
                    "Invalid template directive",
                    'A "for" directive reads: %{ for name in collection } or '
                    "%{ for key, value in collection }.",
                    rng,
                )
            )
        item.key_var = fm.group(1) if fm.group(2) else None
        item.value_var = fm.group(2) or fm.group(1)
        item.expr = syntax.parse_expression(text[fm.end() : hi], origin.sub(text, fm.end()))
    elif text[rest_at:hi].strip():
        raise DiagnosticError(
            Diagnostic.error(
                "Invalid template directive",
                f'Nothing may follow "{kind}" inside its directive.',
                rng,
            )
        )
    return item


def _find_close(text: str, i: int) -> int:
    """Index of the ``}`` closing a sequence whose content starts at ``i``; -1 if none."""
    depth, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i = _skip_string(text, i + 1)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _skip_string(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        elif text.startswith(("${", "%{"), i):
            close = _find_close(text, i + 2)
            if close < 0:
                return n
            i = close + 1
        elif c == "\n":
            return i
        else:
            i += 1
    return n

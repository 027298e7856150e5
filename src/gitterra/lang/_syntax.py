"""From text to syntax trees: python-hcl2's Lark parse tree converted to ``_ast`` and ``_hcl``.

python-hcl2 (``parses_to_tree``) does the lexing and parsing; this module walks its raw tree once
and builds our own nodes with source ranges. Two things python-hcl2 leaves to us:

- heredoc bodies arrive as one token; :mod:`_template` parses them as templates;
- strip markers inside interpolations of quoted strings (``"${~ x ~}"``) are not in its grammar, so
  :func:`_lift_strip_markers` blanks them out before parsing (keeping every position) and
  remembers where they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from gitterra.diag import Diagnostic, DiagnosticError, Pos, SourceRange
from gitterra.lang import _ast as ast
from gitterra.lang import _hcl as hcl
from gitterra.lang import _values as v

# ---- positions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Origin:
    """Maps positions of a parsed text back to the file: the text's first character is at
    ``line``/``column``/``offset`` of ``filename``, after a synthetic prefix of ``prefix`` chars
    (used when an expression is parsed out of a template)."""

    filename: str
    line: int = 1
    column: int = 1
    offset: int = 0
    prefix: int = 0

    def pos(self, line: int, column: int, offset: int) -> Pos:
        if line == 1:
            return Pos(
                self.line,
                self.column + column - 1 - self.prefix,
                self.offset + offset - self.prefix,
            )
        return Pos(self.line + line - 1, column, self.offset + offset - self.prefix)

    def at(self, text: str, index: int) -> Pos:
        """The file position of ``text[index]`` where ``text`` starts at this origin (no prefix)."""
        line_breaks = text.count("\n", 0, index)
        if line_breaks == 0:
            return Pos(self.line, self.column + index, self.offset + index)
        col = index - text.rindex("\n", 0, index)
        return Pos(self.line + line_breaks, col, self.offset + index)

    def sub(self, text: str, index: int, prefix: int = 0) -> Origin:
        """The origin of ``text[index:]``."""
        p = self.at(text, index)
        return Origin(self.filename, p.line, p.column, p.offset, prefix)


def _rng(origin: Origin, node: Tree[Token] | Token) -> SourceRange:
    if isinstance(node, Token):
        start = origin.pos(node.line or 1, node.column or 1, node.start_pos or 0)
        end = origin.pos(node.end_line or 1, node.end_column or 1, node.end_pos or 0)
    else:
        m = node.meta
        if m.empty:
            p = origin.pos(1, 1, 0)
            return SourceRange(origin.filename, p, p)
        start = origin.pos(m.line, m.column, m.start_pos)
        end = origin.pos(m.end_line, m.end_column, m.end_pos)
    return SourceRange(origin.filename, start, end)


# ---- syntax errors ----------------------------------------------------------------------------

_FRIENDLY_TERMINALS = {
    "RBRACE": '"}"',
    "LBRACE": '"{"',
    "RSQB": '"]"',
    "LSQB": '"["',
    "RPAR": '")"',
    "LPAR": '"("',
    "EQ": '"="',
    "COLON": '":"',
    "COMMA": '","',
    "DBLQUOTE": "a quoted string",
    "NAME": "a name",
    "QMARK": '"?"',
    "FOR_OBJECT_ARROW": '"=>"',
    "NL_OR_COMMENT": "a new line",
    "INT_LITERAL": "a number",
    "FLOAT_LITERAL": "a number",
    "$END": "the end of the file",
    "INTERP_START": '"${"',
    "DIRECTIVE_START": '"%{"',
    "IN": '"in"',
    "IF": '"if"',
}


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of input"
    text = str(tok).strip()
    if tok.type == "NL_OR_COMMENT" or not text:
        return "new line" if "\n" in str(tok) else "end of input"
    return f'"{text[:20]}"'


def syntax_error(exc: LarkError, origin: Origin, text: str) -> Diagnostic:
    """A diagnostic for a Lark parse error, placed at the offending token."""
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    offset = getattr(exc, "pos_in_stream", None)
    if offset is None:
        offset = _offset_of(text, line, column)
    start = origin.pos(line, column, offset)
    end = Pos(start.line, start.column + 1, start.offset + 1)
    rng = SourceRange(origin.filename, start, end)
    if isinstance(exc, UnexpectedToken):
        what = _describe_token(exc.token)
        if "STRING_CHARS" in exc.expected and what in ("end of input", "new line"):
            return Diagnostic.error(
                "Unterminated template string",
                "No closing marker was found for the string; a quoted string ends on its own "
                "line (use a heredoc for text with newlines).",
                rng,
            )
        if {"INT_LITERAL", "DBLQUOTE", "LSQB", "NAME"} <= set(exc.expected):
            return Diagnostic.error(
                "Invalid expression",
                f"Expected the start of an expression, but found {what}.",
                rng,
            )
        known = all(e in _FRIENDLY_TERMINALS for e in exc.expected)
        expected = sorted({_FRIENDLY_TERMINALS.get(e, e.lower()) for e in exc.expected})
        hint = ""
        if known and expected and len(expected) <= 6:
            listed = ", ".join(expected[:-1]) + (" or " if len(expected) > 1 else "")
            hint = f" Expected {listed}{expected[-1]}."
        return Diagnostic.error("Syntax error", f"Unexpected {what}.{hint}", rng)
    if isinstance(exc, UnexpectedCharacters):
        ch = text[offset] if 0 <= offset < len(text) else ""
        return Diagnostic.error(
            "Invalid character", f"This character is not used within the language: {ch!r}.", rng
        )
    if isinstance(exc, UnexpectedEOF):
        return Diagnostic.error("Syntax error", "Unexpected end of input.", rng)
    return Diagnostic.error("Syntax error", str(exc).splitlines()[0], rng)


def _offset_of(text: str, line: int, column: int) -> int:
    idx = 0
    for _ in range(line - 1):
        nxt = text.find("\n", idx)
        if nxt < 0:
            break
        idx = nxt + 1
    return idx + column - 1


# ---- strip markers in quoted-string interpolations --------------------------------------------

_HEREDOC_START = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def _lift_strip_markers(text: str) -> tuple[str, frozenset[int]]:
    """Blank the ``~`` of ``${~`` and ``~}`` in quoted-string interpolations (same length, so
    positions hold) and return the offsets of the ``$`` / ``}`` that carried them."""
    if "~" not in text:
        return text, frozenset()
    chars = list(text)
    marks: set[int] = set()
    # Frames: "c" code, "i" code inside an interpolation, "d" inside a directive, "s" string.
    stack: list[list[object]] = [["c", 0]]
    i, n = 0, len(text)
    while i < n:
        frame = stack[-1]
        c = text[i]
        if frame[0] == "s":
            if c == "\\":
                i += 2
                continue
            if c == '"' or c == "\n":
                stack.pop()
            elif text.startswith(("$${", "%%{"), i):
                i += 3
                continue
            elif text.startswith(("${", "%{"), i):
                kind = "i" if c == "$" else "d"
                if kind == "i" and text.startswith("~", i + 2):
                    chars[i + 2] = " "
                    marks.add(i)
                stack.append([kind, 0])
                i += 2
                continue
            i += 1
            continue
        # code
        if c == "#" or text.startswith("//", i):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        if c == "<" and (m := _HEREDOC_START.match(text, i)):
            close = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"\r?$", re.M)
            end_m = close.search(text, m.end())
            i = n if end_m is None else end_m.end()
            continue
        if c == '"':
            stack.append(["s"])
        elif c == "{":
            frame[1] = int(str(frame[1])) + 1
        elif c == "}":
            depth = int(str(frame[1]))
            if depth == 0 and frame[0] in ("i", "d"):
                if frame[0] == "i":
                    j = i - 1
                    while j > 0 and text[j] in " \t\r\n":
                        j -= 1
                    if text[j] == "~":
                        chars[j] = " "
                        marks.add(i)
                stack.pop()
            elif depth > 0:
                frame[1] = depth - 1
        i += 1
    return "".join(chars), frozenset(marks)


# ---- parsing entry points ------------------------------------------------------------------


def parse_file(text: str, filename: str) -> hcl.Body:
    """Parse a whole ``.tf`` file; raises :class:`DiagnosticError` on a syntax error."""
    cleaned, marks = _lift_strip_markers(text)
    origin = Origin(filename)
    try:
        tree = hcl2.parses_to_tree(cleaned)
    except LarkError as exc:
        raise DiagnosticError(syntax_error(exc, origin, cleaned)) from None
    except RecursionError:
        raise DiagnosticError(
            Diagnostic.error("Syntax error", f"{filename} is nested too deeply to parse.")
        ) from None
    conv = Converter(origin, marks)
    body = tree.children[0]
    assert isinstance(body, Tree)
    return conv.body(body)


_EXPR_PREFIX = "__x = ("


def parse_expression(text: str, origin: Origin) -> ast.Expr:
    """Parse one expression whose text starts at ``origin``; raises :class:`DiagnosticError`."""
    if not text.strip():
        p = origin.pos(1, 1, 0)
        raise DiagnosticError(
            Diagnostic.error(
                "Invalid expression",
                "Expected the start of an expression, but found the end of the input.",
                SourceRange(origin.filename, p, p),
            )
        )
    cleaned, marks = _lift_strip_markers(text)
    source = _EXPR_PREFIX + cleaned + "\n)"
    sub = Origin(origin.filename, origin.line, origin.column, origin.offset, len(_EXPR_PREFIX))
    shifted = frozenset(m + len(_EXPR_PREFIX) for m in marks)
    try:
        tree = hcl2.parses_to_tree(source)
    except LarkError as exc:
        diag = syntax_error(exc, sub, source)
        if diag.subject is not None and diag.subject.start.offset >= origin.offset + len(text):
            end = origin.at(text, len(text))
            diag = Diagnostic.error(
                "Invalid expression",
                "The expression is incomplete or has unbalanced brackets.",
                SourceRange(origin.filename, end, end),
            )
        raise DiagnosticError(diag) from None
    except RecursionError:
        raise DiagnosticError(
            Diagnostic.error("Invalid expression", "The expression is nested too deeply.")
        ) from None
    body = tree.children[0]
    assert isinstance(body, Tree)
    attrs = [c for c in body.children if isinstance(c, Tree) and c.data == "attribute"]
    if len(attrs) != 1:
        p = origin.pos(1, 1, 0)
        raise DiagnosticError(
            Diagnostic.error(
                "Invalid expression",
                "Extra characters after the end of the expression.",
                SourceRange(origin.filename, p, p),
            )
        )
    conv = Converter(sub, shifted)
    expr = conv.expr(attrs[0].children[-1])
    # Unwrap the parentheses we added.
    return expr.inner if isinstance(expr, ast.Parens) else expr


# ---- the converter -------------------------------------------------------------------------


def _is_nl(node: object) -> bool:
    return isinstance(node, Tree) and node.data == "new_line_or_comment"


def _kids(node: Tree[Token]) -> list[Tree[Token] | Token]:
    return [c for c in node.children if not _is_nl(c)]


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class Converter:
    """Walks one python-hcl2 tree, building ``_hcl``/``_ast`` nodes with file positions."""

    def __init__(self, origin: Origin, strip_marks: frozenset[int] = frozenset()) -> None:
        self.origin = origin
        self.strip_marks = strip_marks

    def rng(self, node: Tree[Token] | Token) -> SourceRange:
        return _rng(self.origin, node)

    # -- structure --

    def body(self, node: Tree[Token]) -> hcl.Body:
        attrs: list[hcl.Attribute] = []
        blocks: list[hcl.Block] = []
        for child in _kids(node):
            assert isinstance(child, Tree)
            if child.data == "attribute":
                name_node = child.children[0]
                assert isinstance(name_node, Tree)
                attrs.append(
                    hcl.Attribute(
                        name=self.name_of(name_node),
                        expr=self.expr(child.children[-1]),
                        rng=self.rng(child),
                        name_rng=self.rng(name_node),
                    )
                )
            elif child.data == "block":
                blocks.append(self.block(child))
        return hcl.Body(tuple(attrs), tuple(blocks), self.rng(node))

    def block(self, node: Tree[Token]) -> hcl.Block:
        parts = _kids(node)
        head = parts[0]
        assert isinstance(head, Tree)
        labels: list[str] = []
        label_rngs: list[SourceRange] = []
        body_node: Tree[Token] | None = None
        for part in parts[1:]:
            if isinstance(part, Token):
                continue
            if part.data == "body":
                body_node = part
            elif part.data == "string":
                labels.append(self.label_text(part))
                label_rngs.append(self.rng(part))
            else:
                labels.append(self.name_of(part))
                label_rngs.append(self.rng(part))
        assert body_node is not None
        return hcl.Block(
            type=self.name_of(head),
            labels=tuple(labels),
            body=self.body(body_node),
            rng=self.rng(node),
            type_rng=self.rng(head),
            label_rngs=tuple(label_rngs),
        )

    def name_of(self, node: Tree[Token]) -> str:
        tok = node.children[0]
        return str(tok)

    def label_text(self, node: Tree[Token]) -> str:
        expr = self.template(node)
        if not expr.parts:
            return ""
        if len(expr.parts) == 1 and isinstance(expr.parts[0], ast.TemplateText):
            return expr.parts[0].text
        raise DiagnosticError(
            Diagnostic.error(
                "Invalid block label",
                "Block labels are plain quoted strings; templates are not allowed here.",
                self.rng(node),
            )
        )

    # -- expressions --

    def expr(self, node: Tree[Token] | Token) -> ast.Expr:
        if isinstance(node, Token):
            raise DiagnosticError(
                Diagnostic.error("Invalid expression", f"Unexpected {node!s}.", self.rng(node))
            )
        method = getattr(self, "x_" + str(node.data), None)
        if method is None:
            raise DiagnosticError(
                Diagnostic.error(
                    "Unsupported expression",
                    f"The {str(node.data).replace('_', ' ')} construct is not supported.",
                    self.rng(node),
                )
            )
        result: ast.Expr = method(node)
        return result

    def x_expr_term(self, node: Tree[Token]) -> ast.Expr:
        kids = _kids(node)
        if isinstance(kids[0], Token) and kids[0].type == "LPAR":
            return ast.Parens(self.rng(node), self.expr(kids[1]))
        return self.expr(kids[0])

    def x_identifier(self, node: Tree[Token]) -> ast.Expr:
        return ast.Variable(self.rng(node), str(node.children[0]))

    def x_literal_value(self, node: Tree[Token]) -> ast.Expr:
        word = str(node.children[0])
        value = {"true": v.TRUE, "false": v.FALSE}.get(word, v.NULL)
        return ast.Literal(self.rng(node), value)

    def x_int_lit(self, node: Tree[Token]) -> ast.Expr:
        return ast.Literal(self.rng(node), v.number_val(int(str(node.children[0]))))

    def x_float_lit(self, node: Tree[Token]) -> ast.Expr:
        from decimal import Decimal

        return ast.Literal(self.rng(node), v.number_val(Decimal(str(node.children[0]))))

    def x_tuple(self, node: Tree[Token]) -> ast.Expr:
        elems = [self.expr(c) for c in _kids(node) if isinstance(c, Tree)]
        return ast.TupleCons(self.rng(node), tuple(elems))

    def x_object(self, node: Tree[Token]) -> ast.Expr:
        self._check_separators(node)
        items = []
        for elem in _kids(node):
            if not isinstance(elem, Tree) or elem.data != "object_elem":
                continue
            key_node, value_node = elem.children[0], elem.children[-1]
            assert isinstance(key_node, Tree)
            inner = key_node.children[0]
            bare: str | None = None
            if isinstance(inner, Tree) and inner.data == "keyword":
                bare = str(inner.children[0])
            elif isinstance(inner, Tree) and inner.data == "expr_term":
                sub = _kids(inner)
                if len(sub) == 1 and isinstance(sub[0], Tree) and sub[0].data == "identifier":
                    bare = str(sub[0].children[0])
            key_rng = self.rng(key_node)
            key: ast.Expr
            if bare is not None:
                key = ast.Literal(key_rng, v.string_val(bare))
            else:
                key = self.expr(inner)
            items.append(ast.ObjectItem(key, self.expr(value_node), bare))
        return ast.ObjectCons(self.rng(node), tuple(items))

    def _check_separators(self, node: Tree[Token]) -> None:
        """HCL needs a comma or a newline between object elements; python-hcl2 does not."""
        separated = True
        for child in node.children:
            if isinstance(child, Tree) and child.data == "object_elem":
                if not separated:
                    raise DiagnosticError(
                        Diagnostic.error(
                            "Missing attribute separator",
                            "Expected a newline or comma to mark the beginning of the next "
                            "attribute.",
                            self.rng(child),
                        )
                    )
                separated = False
            elif (isinstance(child, Token) and child.type == "COMMA") or _is_nl(child):
                separated = True

    def x_function_call(self, node: Tree[Token]) -> ast.Expr:
        kids = _kids(node)
        names = [self.name_of(k) for k in kids if isinstance(k, Tree) and k.data == "identifier"]
        first = kids[0]
        assert isinstance(first, Tree)
        name_rng = self.rng(first)
        args: list[ast.Expr] = []
        expand = False
        for k in kids:
            if isinstance(k, Tree) and k.data == "arguments":
                for a in _kids(k):
                    if isinstance(a, Token):
                        if a.type == "ELLIPSIS":
                            expand = True
                        continue
                    args.append(self.expr(a))
        return ast.Call(self.rng(node), "::".join(names), tuple(args), expand, name_rng)

    def x_index_expr_term(self, node: Tree[Token]) -> ast.Expr:
        obj_node, index = node.children[0], node.children[1]
        return self._apply_index(self.expr(obj_node), index, self.rng(node))

    def _apply_index(self, obj: ast.Expr, index: Tree[Token] | Token, rng: SourceRange) -> ast.Expr:
        assert isinstance(index, Tree)
        if index.data == "short_index":
            tok = index.children[-1]
            key: ast.Expr = ast.Literal(self.rng(tok), v.number_val(int(str(tok))))
        else:
            key = self.expr(_kids(index)[1])
        return ast.Index(rng, obj, key)

    def x_get_attr_expr_term(self, node: Tree[Token]) -> ast.Expr:
        obj = self.expr(node.children[0])
        return self._apply_attr(obj, node.children[1], self.rng(node))

    def _apply_attr(
        self, obj: ast.Expr, get_attr: Tree[Token] | Token, rng: SourceRange
    ) -> ast.Expr:
        assert isinstance(get_attr, Tree)
        name_node = get_attr.children[-1]
        assert isinstance(name_node, Tree)
        return ast.GetAttr(rng, obj, str(name_node.children[0]), self.rng(name_node))

    def _splat(self, node: Tree[Token], attr_only: bool) -> ast.Expr:
        source = self.expr(node.children[0])
        splat = node.children[1]
        assert isinstance(splat, Tree)
        rng = self.rng(node)
        each: ast.Expr = ast.SplatItem(self.rng(splat))
        steps = [s for s in splat.children[1:] if isinstance(s, Tree)]
        outside: list[Tree[Token]] = []
        for i, step in enumerate(steps):
            if attr_only and step.data != "get_attr":
                outside = steps[i:]
                break
            each = self._step(each, step, self.rng(step))
        result: ast.Expr = ast.Splat(rng, source, each)
        for step in outside:
            result = self._step(result, step, rng)
        return result

    def _step(self, obj: ast.Expr, step: Tree[Token], rng: SourceRange) -> ast.Expr:
        if step.data == "get_attr":
            return self._apply_attr(obj, step, rng)
        return self._apply_index(obj, step, rng)

    def x_attr_splat_expr_term(self, node: Tree[Token]) -> ast.Expr:
        return self._splat(node, attr_only=True)

    def x_full_splat_expr_term(self, node: Tree[Token]) -> ast.Expr:
        return self._splat(node, attr_only=False)

    def x_conditional(self, node: Tree[Token]) -> ast.Expr:
        parts = [c for c in _kids(node) if isinstance(c, Tree)]
        return ast.Conditional(
            self.rng(node), self.expr(parts[0]), self.expr(parts[1]), self.expr(parts[2])
        )

    def x_binary_op(self, node: Tree[Token]) -> ast.Expr:
        kids = _kids(node)
        left = self.expr(kids[0])
        term = kids[1]
        assert isinstance(term, Tree)
        term_kids = _kids(term)
        op_node = term_kids[0]
        assert isinstance(op_node, Tree)
        op = str(op_node.children[0]).strip()
        right = self.expr(term_kids[-1])
        return ast.Binary(self.rng(node), op, left, right)

    def x_unary_op(self, node: Tree[Token]) -> ast.Expr:
        kids = _kids(node)
        return ast.Unary(self.rng(node), str(kids[0]).strip(), self.expr(kids[1]))

    def _for_intro(self, node: Tree[Token]) -> tuple[str | None, str, ast.Expr]:
        names = [
            self.name_of(c) for c in node.children if isinstance(c, Tree) and c.data == "identifier"
        ]
        exprs = [c for c in _kids(node) if isinstance(c, Tree) and c.data != "identifier"]
        key_var = names[0] if len(names) == 2 else None
        return key_var, names[-1], self.expr(exprs[0])

    def _for_cond(self, kids: list[Tree[Token] | Token]) -> ast.Expr | None:
        for k in kids:
            if isinstance(k, Tree) and k.data == "for_cond":
                return self.expr(_kids(k)[-1])
        return None

    def x_for_tuple_expr(self, node: Tree[Token]) -> ast.Expr:
        kids = _kids(node)
        intro = kids[1]
        assert isinstance(intro, Tree)
        key_var, value_var, coll = self._for_intro(intro)
        value = self.expr(kids[2])
        return ast.ForExpr(
            self.rng(node), key_var, value_var, coll, None, value, self._for_cond(kids), False
        )

    def x_for_object_expr(self, node: Tree[Token]) -> ast.Expr:
        kids = _kids(node)
        intro = kids[1]
        assert isinstance(intro, Tree)
        key_var, value_var, coll = self._for_intro(intro)
        key = self.expr(kids[2])
        value = self.expr(kids[4])
        group = any(isinstance(k, Token) and k.type == "ELLIPSIS" for k in kids)
        return ast.ForExpr(
            self.rng(node), key_var, value_var, coll, key, value, self._for_cond(kids), group
        )

    # -- templates --

    def x_string(self, node: Tree[Token]) -> ast.Expr:
        from gitterra.lang import _template

        return _template.quoted_expr(self, node)

    def x_template_string(self, node: Tree[Token]) -> ast.Expr:
        tok = node.children[0]
        assert isinstance(tok, Token)
        raw = str(tok)[2:-2]
        return ast.Literal(self.rng(node), v.string_val(self.unescape(raw, tok)))

    def x_heredoc_template(self, node: Tree[Token]) -> ast.Expr:
        from gitterra.lang import _template

        return _template.heredoc(self, node, flush=False)

    def x_heredoc_template_trim(self, node: Tree[Token]) -> ast.Expr:
        from gitterra.lang import _template

        return _template.heredoc(self, node, flush=True)

    def template(self, node: Tree[Token]) -> ast.Template:
        from gitterra.lang import _template

        return _template.quoted(self, node)

    def unescape(self, raw: str, tok: Token) -> str:
        """Decode the escapes of a quoted string's literal text."""
        if "\\" not in raw:
            return raw
        out: list[str] = []
        i = 0
        while i < len(raw):
            c = raw[i]
            if c != "\\":
                out.append(c)
                i += 1
                continue
            sel = raw[i + 1 : i + 2]
            if sel in _ESCAPES:
                out.append(_ESCAPES[sel])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(sel)
            digits = raw[i + 2 : i + 2 + width] if width else ""
            if (
                width
                and len(digits) == width
                and all(d in "0123456789abcdefABCDEF" for d in digits)
            ):
                code = int(digits, 16)
                if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                    out.append(chr(code))
                    i += 2 + width
                    continue
            start = self.origin.pos(tok.line or 1, (tok.column or 1) + i, (tok.start_pos or 0) + i)
            end = Pos(start.line, start.column + 2, start.offset + 2)
            raise DiagnosticError(
                Diagnostic.error(
                    "Invalid escape sequence",
                    f'The symbol "{sel}" is not a valid escape sequence selector.'
                    if not width
                    else f"The \\{sel} escape needs {width} hexadecimal digits of a Unicode "
                    "code point.",
                    SourceRange(self.origin.filename, start, end),
                )
            )
        return "".join(out)

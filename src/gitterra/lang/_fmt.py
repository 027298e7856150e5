"""``fmt``: the canonical layout of Terraform files, as ``terraform fmt`` lays them out.

Concept: a line-based pass over the text that follows the rules of HCL's formatter (hclwrite)
for what it changes, and leaves everything else as written:

- **indentation**: two spaces per level; a line whose brackets open more than they close
  indents the lines after it by one level, a line that closes dedents (hclwrite's indent
  stack, so unbalanced lines do not push the rest too far);
- **alignment**: the ``=`` of consecutive one-line attributes (``name = value`` whose value
  closes on the same line) line up, one space after the longest name; trailing comments of
  consecutive lines line up one space after the longest code; a blank line, a comment-only
  line or a line without ``=`` ends a run;
- **spacing** around that ``=``: one space after it;
- trailing whitespace removed, the file ending in exactly one newline, ``\\r\\n`` as ``\\n``.

Not changed (where ``terraform fmt`` would): spacing between the tokens of an expression or a
block header (``1+2`` stays ``1+2``), and its canonical rewrites (``"${var.x}"`` → ``var.x``).
Heredoc bodies, multi-line comments and strings are kept byte for byte.

Rules: pure (text in, text out); the caller checks the result means what the input meant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

#: A line's cells: the code before ``=``, ``= value``, and a trailing comment (each may be "").
Cell = tuple[str, str, str]

_OPENERS = "{[("
_CLOSERS = "}])"
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*$")


@dataclass(slots=True)
class _Line:
    """One physical line and what the scan learned of it."""

    text: str
    #: Kept byte for byte: inside a heredoc body, a multi-line comment or string.
    verbatim: bool = False
    #: Net brackets opened by the line (counting stops at a heredoc opener, as hclwrite's).
    net: int = 0
    #: Offset of the first ``=`` of an attribute in ``text`` (None: none).
    equals: int | None = None
    #: Whether the attribute's value closes on this line (it then aligns with its run).
    one_line: bool = False
    #: Offset where a trailing comment starts (None: none, or the line is only a comment).
    comment: int | None = None


def format_source(text: str) -> str:
    """``text`` laid out canonically (see the module docstring)."""
    lines = _scan(text.replace("\r\n", "\n"))
    out = _indent(lines)
    _align(lines, out)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n" if out else ""


# ---- scanning --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Frame:
    """A context of the scan: code, or a quoted string. A code frame inside a string (``${``)
    counts its own brackets, so that its closing ``}`` returns to the string."""

    code: bool
    depth: int = 0


@dataclass(slots=True)
class _Scanner:
    """Walks the text once, keeping which context each character is in: code (brackets count),
    a quoted string, a template interpolation inside one, a comment or a heredoc."""

    stack: list[_Frame] = field(default_factory=lambda: [_Frame(code=True)])
    block_comment: bool = False
    heredoc: str | None = None

    @property
    def in_code(self) -> bool:
        return self.stack[-1].code

    def line(self, raw: str) -> _Line:
        line = _Line(raw)
        if self.heredoc is not None:
            line.verbatim = True
            if raw.strip() == self.heredoc:
                self.heredoc = None
            return line
        line.verbatim = self.block_comment or not self.in_code
        counting = True
        assign_at: int | None = None
        net_after_assign = 0
        first_token = True
        i, n = 0, len(raw)
        while i < n:
            c = raw[i]
            if self.block_comment:
                end = raw.find("*/", i)
                if end < 0:
                    return line
                self.block_comment = False
                i = end + 2
                continue
            if not self.in_code:  # a quoted string
                if c == "\\":
                    i += 2
                    continue
                if c == '"':
                    self.stack.pop()
                elif raw.startswith(("${", "%{"), i) and not raw.startswith(("$${", "%%{"), i):
                    self.stack.append(_Frame(code=True))
                    if counting:
                        line.net += 1
                        net_after_assign += 1
                    i += 2
                    continue
                elif raw.startswith(("$${", "%%{"), i):
                    i += 3
                    continue
                i += 1
                continue
            if c in " \t\r":
                i += 1
                continue
            if c == "#" or raw.startswith("//", i):
                if not first_token:
                    line.comment = i
                break
            if raw.startswith("/*", i):
                end = raw.find("*/", i + 2)
                if end < 0:
                    self.block_comment = True
                    break
                if not first_token and raw[end + 2 :].strip() == "":
                    line.comment = i
                i = end + 2
                continue
            if c == '"':
                self.stack.append(_Frame(code=False))
            elif raw.startswith("<<", i) and (m := _HEREDOC.match(raw, i)):
                self.heredoc = m.group(2)
                counting = False  # hclwrite stops counting brackets at a heredoc opener
                i = n
                continue
            elif c in _OPENERS:
                self.stack[-1].depth += 1
                if counting:
                    line.net += 1
                    net_after_assign += 1
            elif c in _CLOSERS:
                if len(self.stack) > 1 and c == "}" and self.stack[-1].depth == 0:
                    self.stack.pop()  # the end of a ${ } or %{ } inside a string
                else:
                    self.stack[-1].depth -= 1
                if counting:
                    line.net -= 1
                    net_after_assign -= 1
            elif c == "=" and assign_at is None and not first_token and len(self.stack) == 1:
                before = raw[i - 1]  # i > 0: a token came first
                after = raw[i + 1] if i + 1 < n else ""
                if before not in ("=", "!", "<", ">") and after not in ("=", ">"):
                    assign_at = i
                    net_after_assign = 0
            first_token = False
            i += 1
        line.equals = assign_at
        line.one_line = assign_at is not None and net_after_assign == 0
        return line


def _scan(text: str) -> list[_Line]:
    scanner = _Scanner()
    return [scanner.line(raw) for raw in text.split("\n")]


# ---- layout ----------------------------------------------------------------------------------


def _indent(lines: list[_Line]) -> list[str]:
    """Each line re-indented by hclwrite's indent stack (verbatim lines kept)."""
    out: list[str] = []
    indents: list[int] = []
    for line in lines:
        if line.verbatim:
            out.append(line.text)
            continue
        body = line.text.strip()
        if not body:
            out.append("")
            continue
        if line.net > 0:
            out.append("  " * len(indents) + body)
            indents.append(line.net)
            continue
        closed = -line.net
        while closed > 0 and indents:
            if closed >= indents[-1]:
                closed -= indents.pop()
            else:
                indents[-1] -= closed
                closed = 0
        out.append("  " * len(indents) + body)
    return out


def _align(lines: list[_Line], out: list[str]) -> None:
    """Align the ``=`` of runs of one-line attributes, then trailing comments, in ``out``."""
    cells: list[Cell | None] = []
    for line, text in zip(lines, out, strict=True):
        if line.verbatim or not text.strip():
            cells.append(None)
            continue
        shift = len(text) - len(text.lstrip()) - (len(line.text) - len(line.text.lstrip()))
        code, comment = text, ""
        if line.comment is not None:
            at = line.comment + shift
            code, comment = text[:at].rstrip(), text[at:].rstrip()
        lead, assign = code, ""
        if line.equals is not None:
            at = line.equals + shift
            value = code[at + 1 :].strip()
            lead, assign = code[:at].rstrip(), "= " + value if value else "="
            if not line.one_line:  # spaced, not aligned: it starts a multi-line value
                lead, assign = f"{lead} {assign}", ""
        cells.append((lead, assign, comment))
    _run(cells, lambda c: bool(c[1]), lambda c: len(c[0]), _set_lead)
    _run(cells, lambda c: bool(c[2]), lambda c: len(_code(c)), _set_code)
    for i, cell in enumerate(cells):
        if cell is not None:
            out[i] = (_code(cell) + (" " + cell[2] if cell[2] else "")).rstrip()


def _code(cell: Cell) -> str:
    return cell[0] + (" " + cell[1] if cell[1] else "")


def _set_lead(cell: Cell, width: int) -> Cell:
    return (cell[0].ljust(width), cell[1], cell[2])


def _set_code(cell: Cell, width: int) -> Cell:
    return (_code(cell).ljust(width), "", cell[2])


def _run(
    cells: list[Cell | None],
    member: Callable[[Cell], bool],
    width: Callable[[Cell], int],
    pad: Callable[[Cell, int], Cell],
) -> None:
    """Pad each run of consecutive member cells to the run's widest (hclwrite's chains)."""
    start = None
    for i in range(len(cells) + 1):
        cell = cells[i] if i < len(cells) else None
        if cell is not None and member(cell):
            if start is None:
                start = i
            continue
        if start is not None:
            chain = [(j, c) for j in range(start, i) if (c := cells[j]) is not None]
            widest = max(width(c) for _, c in chain)
            for j, c in chain:
                cells[j] = pad(c, widest)
            start = None

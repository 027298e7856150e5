"""ANSI escape codes in build logs, turned into segments the browser shows in colour.

Build output carries terminal colours (``gitterra plan`` paints ``Plan:`` bold, errors red).
:func:`segments` keeps the SGR colours and boldness as CSS class names and drops everything
else a terminal would interpret (cursor moves, OSC titles, other control characters), so what
reaches the page is plain text plus class names. The text is never HTML: templates escape it
and the live log puts it in ``textContent``. State does not carry from one line to the next
(each log line is rendered on its own, as the live stream sends them).
"""

from __future__ import annotations

import re

#: ``(css classes, text)``; classes: ``b`` (bold) and ``c0`` … ``c7`` (the eight colours).
Segment = tuple[str, str]

_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
_CSI = re.compile(r"\x1b\[([0-9;:?<=>]*)[ -/]*([@-~])")
_CONTROL = re.compile(r"\x1b[@-_]?|[\x00-\x08\x0b-\x1f\x7f]")


def segments(line: str) -> list[Segment]:
    """``line`` as coloured segments (empty segments left out)."""
    line = _OSC.sub("", line)
    out: list[Segment] = []
    bold, colour = False, -1
    pos = 0
    for match in _CSI.finditer(line):
        _add(out, bold, colour, line[pos : match.start()])
        pos = match.end()
        if match.group(2) == "m":
            bold, colour = _sgr(match.group(1), bold, colour)
    _add(out, bold, colour, line[pos:])
    return out


def strip(line: str) -> str:
    """``line`` without any escape code: what the reader sees."""
    return "".join(text for _, text in segments(line))


def _add(out: list[Segment], bold: bool, colour: int, text: str) -> None:
    text = _CONTROL.sub("", text)
    if not text:
        return
    classes = " ".join(c for c in ("b" if bold else "", f"c{colour}" if colour >= 0 else "") if c)
    if out and out[-1][0] == classes:
        out[-1] = (classes, out[-1][1] + text)
    else:
        out.append((classes, text))


def _sgr(params: str, bold: bool, colour: int) -> tuple[bool, int]:
    """The state after one SGR sequence (unknown codes change nothing)."""
    codes = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", params)] if params else [0]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            bold, colour = False, -1
        elif code == 1:
            bold = True
        elif code == 22:
            bold = False
        elif 30 <= code <= 37:
            colour = code - 30
        elif 90 <= code <= 97:
            colour = code - 90
        elif code == 39:
            colour = -1
        elif code in (38, 48):  # 256-colour or RGB: skip the parameters, keep the default
            i += 2 if i + 1 < len(codes) and codes[i + 1] == 5 else 4
        i += 1
    return bold, colour

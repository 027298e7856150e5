"""JSON variable files (``*.tfvars.json``): one JSON object of variable values, with places.

The standard library's decoder checks the syntax and decodes strings and numbers; this module
walks the text once more to know where every property and value sits, so messages can name
file:line:col. Values follow HCL's JSON syntax evaluated without a context, as Terraform reads
these files: strings are literal (``${`` is not interpolated), numbers exact, arrays tuples,
objects objects, ``null`` null; a top-level ``"//"`` property is a comment. A property repeated
at the top level or inside an object is an error, as in HCL.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from gitterra import lang
from gitterra.diag import Diagnostic, Pos, SourceRange

_WHITESPACE = " \t\n\r"
_SURROGATE = re.compile("[\ud800-\udfff]")

#: A property as read: name, its place, value, the value's place.
_Property: TypeAlias = tuple[str, SourceRange, lang.Value, SourceRange]


class _Constant(str):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's decoder accepts them, JSON does not."""


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=int, parse_constant=_Constant)


@dataclass(frozen=True, slots=True)
class JsonProperty:
    """A top-level property: a variable name and its value."""

    name: str
    value: lang.Value
    name_rng: SourceRange
    value_rng: SourceRange


def parse_json_vars(text: str, filename: str) -> tuple[list[JsonProperty], list[Diagnostic]]:
    """The top-level properties of the JSON object in ``text`` and every problem found."""
    lines = _Lines(text, filename)
    try:
        _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return [], [Diagnostic.error("Invalid JSON", f"{exc.msg}.", lines.rng(exc.pos, exc.pos))]
    except RecursionError:
        return [], [Diagnostic.error("Invalid JSON", "The JSON is nested too deeply.")]
    walker = _Walker(text, lines)
    start = walker.skip(0)
    if text[start] != "{":
        end = walker.value(start)[1]
        return [], [
            Diagnostic.error(
                "Incorrect JSON value type",
                "A JSON object is required here: a .tfvars.json file holds one object whose "
                "properties are the variables' values.",
                lines.rng(start, end),
            )
        ]
    try:
        props, _ = walker.properties(start)
    except RecursionError:
        return [], [Diagnostic.error("Invalid JSON", "The JSON is nested too deeply.")]
    out: list[JsonProperty] = []
    seen: dict[str, SourceRange] = {}
    for name, name_rng, value, value_rng in props:
        if name == "//":
            continue
        if name in seen:
            walker.problems.append(
                Diagnostic.error(
                    "Duplicate attribute definition",
                    f'The argument "{name}" was already set at {seen[name]}.',
                    name_rng,
                )
            )
            continue
        seen[name] = name_rng
        out.append(JsonProperty(name, value, name_rng, value_rng))
    return out, walker.problems


def _valid_text(s: str) -> str:
    """``s`` with lone surrogates (``"\\ud800"`` escapes, which no UTF-8 text can hold)
    replaced by U+FFFD, as Go's JSON decoder does; valid pairs are already combined."""
    return _SURROGATE.sub("\ufffd", s)


class _Lines:
    """Character offsets of ``text`` as file positions."""

    def __init__(self, text: str, filename: str) -> None:
        self.filename = filename
        self.starts = [0]
        self.starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")

    def pos(self, offset: int) -> Pos:
        line = bisect.bisect_right(self.starts, offset)
        return Pos(line, offset - self.starts[line - 1] + 1, offset)

    def rng(self, start: int, end: int) -> SourceRange:
        return SourceRange(self.filename, self.pos(start), self.pos(end))


class _Walker:
    """Reads text already known to be valid JSON, keeping places (see the module docstring)."""

    def __init__(self, text: str, lines: _Lines) -> None:
        self.text = text
        self.lines = lines
        self.problems: list[Diagnostic] = []

    def skip(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _WHITESPACE:
            i += 1
        return i

    def value(self, i: int) -> tuple[lang.Value, int]:
        """The value starting at ``i`` (no whitespace before it) and the offset after it."""
        ch = self.text[i]
        if ch == "{":
            props, end = self.properties(i)
            return self._object(props), end
        if ch == "[":
            return self._array(i)
        obj, end = _DECODER.raw_decode(self.text, i)
        if isinstance(obj, str) and not isinstance(obj, _Constant):
            return lang.string_val(_valid_text(obj)), end
        if isinstance(obj, _Constant):
            self.problems.append(
                Diagnostic.error(
                    "Invalid JSON", f"{obj} is not a JSON value.", self.lines.rng(i, end)
                )
            )
            return lang.NULL, end
        return lang.from_python(obj), end

    def properties(self, i: int) -> tuple[list[_Property], int]:
        """The properties of the object whose ``{`` is at ``i``, with their places, and the
        offset after its ``}``."""
        out: list[_Property] = []
        i = self.skip(i + 1)
        while self.text[i] != "}":
            raw_name, name_end = _DECODER.raw_decode(self.text, i)
            name = _valid_text(raw_name)
            name_rng = self.lines.rng(i, name_end)
            i = self.skip(self.skip(name_end) + 1)  # past the colon
            value, end = self.value(i)
            out.append((name, name_rng, value, self.lines.rng(i, end)))
            i = self.skip(end)
            if self.text[i] == ",":
                i = self.skip(i + 1)
        return out, i + 1

    def _object(self, props: list[_Property]) -> lang.Value:
        attrs: dict[str, lang.Value] = {}
        seen: dict[str, SourceRange] = {}
        for name, name_rng, value, _ in props:
            if name in seen:
                self.problems.append(
                    Diagnostic.error(
                        "Duplicate object attribute",
                        f'An attribute named "{name}" was already defined at {seen[name]}.',
                        name_rng,
                    )
                )
                continue
            seen[name] = name_rng
            attrs[name] = value
        return lang.object_val(attrs)

    def _array(self, i: int) -> tuple[lang.Value, int]:
        elems: list[lang.Value] = []
        i = self.skip(i + 1)
        while self.text[i] != "]":
            value, end = self.value(i)
            elems.append(value)
            i = self.skip(end)
            if self.text[i] == ",":
                i = self.skip(i + 1)
        return lang.tuple_val(elems), i + 1

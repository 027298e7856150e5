"""YAML for ``yamldecode`` and ``yamlencode``, following Terraform's go-cty-yaml.

Decoding walks PyYAML's *event* stream (its safe parser; PyYAML's own type resolution is not used)
and resolves scalars with go-cty-yaml's rules: quoted scalars are always strings; plain ones may be
null, bools (including YAML 1.1's ``yes``/``on``/``y``), numbers (decimal, ``0x``, ``0o``,
``.inf``), or timestamps (which become RFC 3339 strings); ``!!binary`` stays as its Base64 text;
any other tag is refused. Mappings become objects (``<<`` merge keys supported) and sequences
tuples. Anchors and aliases work, but an alias inside its own anchor's definition is an error, as
is a second document. Errors name the position as ``on line L, column C`` (1-based).

Encoding emits the same events go-cty-yaml does through PyYAML's emitter (a port of libyaml's, like
go-yaml's): block style, keys sorted, strings double-quoted unless they contain a newline (then
literal ``|``), scalars at the top level followed by the ``...`` document end marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Protocol

import yaml
from yaml import events as ev

from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._format import go_quote
from gitterra.lang._function import FunctionError
from gitterra.lang._values import Value
from gitterra.lang.functions import _encoding_text as text

_P = "tag:yaml.org,2002:"
STR, BOOL, INT, FLOAT, NULL, TIMESTAMP, BINARY = (
    _P + n for n in ("str", "bool", "int", "float", "null", "timestamp", "binary")
)
MAP, SEQ, MERGE = _P + "map", _P + "seq", _P + "merge"
_RESOLVABLE = frozenset(("", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP, BINARY))

#: The first character of a plain scalar hints at what it may be (go-yaml's resolve table).
_HINTS = {"+": "S", "-": "S", ".": "."} | dict.fromkeys("0123456789", "D")
_HINTS |= dict.fromkeys("yYnNtTfFoO~", "M")

_WORDS: dict[str, Value] = {}
for _value, _spellings in (
    (v.TRUE, "y Y yes Yes YES true True TRUE on On ON"),
    (v.FALSE, "n N no No NO false False FALSE off Off OFF"),
    (v.NULL, "~ null Null NULL"),
    (text.INFINITY, ".inf .Inf .INF +.inf +.Inf +.INF"),
    (text.NEG_INFINITY, "-.inf -.Inf -.INF"),
):
    _WORDS |= dict.fromkeys(_spellings.split(), _value)
_WORDS[""] = v.NULL

_INTEGER = re.compile(r"[-+]?(?:0o[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
#: Refuse documents whose aliases would expand to more nodes than this (a "billion laughs").
MAX_EXPANDED_NODES: Final = 10_000_000
_MAX_DEPTH: Final = 250  # two Python frames a level: stay well inside the recursion limit


class _Mark(Protocol):
    """A position in the source (PyYAML's pure and C marks both fit); 0-based."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


@dataclass(frozen=True, slots=True)
class _Pos:
    line: int
    column: int


class _Error(Exception):
    def __init__(self, message: str, mark: _Mark | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark

    def describe(self) -> str:
        if self.mark is None:
            return self.message
        return f"on line {self.mark.line + 1}, column {self.mark.column + 1}: {self.message}"


# ---- scalars -------------------------------------------------------------------------------


def resolve_scalar(tag: str, src: str, style: str | None) -> Value:
    """A scalar's value under go-cty-yaml's rules; raises :class:`_Error` without a mark."""
    if tag not in _RESOLVABLE:
        raise _Error(f"unsupported tag {go_quote(tag)}")
    hint = _HINTS.get(src[0]) if src else "N"
    if hint and tag not in (STR, BINARY):
        if style in ("'", '"'):
            return v.string_val(src)
        word = _WORDS.get(src)
        if word is not None:
            return word
        if tag == "" and src in (".nan", ".NaN", ".NAN"):
            raise _Error("floating point NaN is not supported")
        if hint == ".":
            number = text.parse_go_float(src)
            if number is not None:
                return number
        elif hint in ("D", "S"):
            if tag in ("", TIMESTAMP) and (stamp := text.parse_yaml_timestamp(src)) is not None:
                return v.string_val(stamp)
            if _INTEGER.fullmatch(src):
                tag = INT
            elif text.FLOAT_SYNTAX.fullmatch(src):
                tag = FLOAT
    return _resolve_tagged(tag, src)


def _resolve_tagged(tag: str, src: str) -> Value:
    if tag in (STR, BINARY):
        if tag == BINARY:
            try:
                text.go_base64_decode(src)
            except text.Base64Error:
                raise _Error(f"cannot parse {go_quote(src)} as {tag}: not valid base64") from None
        return v.string_val(src)
    if tag == BOOL:
        word = _WORDS.get(src)
        if word is None or word.type is not t.BOOL:
            raise _Error(f"cannot parse {go_quote(src)} as {tag}")
        return word
    if tag in (FLOAT, INT):
        plain = src.replace("_", "")
        number = text.parse_go_float(plain)
        if number is None:
            number = text.parse_go_int(plain)
        if number is None:
            raise _Error(f"cannot parse {go_quote(src)} as {tag}")
        return number
    if tag == TIMESTAMP:
        stamp = text.parse_yaml_timestamp(src)
        if stamp is None:
            raise _Error(f"cannot parse {go_quote(src)} as {tag}")
        return v.string_val(stamp)
    if tag == NULL:
        return v.NULL
    return v.string_val(src)


# ---- documents -----------------------------------------------------------------------------


class _Decoder:
    """Builds a value from the events of one YAML document."""

    def __init__(self, events: Iterator[ev.Event]) -> None:
        self._events = events
        self._pending: dict[str, int] = {}
        self._anchors: dict[str, tuple[Value, int]] = {}
        self._depth = 0

    def _next(self) -> ev.Event:
        return next(self._events)

    def document(self) -> Value:
        self._next()  # stream start
        start = self._next()
        if isinstance(start, ev.StreamEndEvent):
            return v.NULL  # an empty (or comment-only) document
        value, _ = self._node(self._next())
        end = self._next()  # document end
        after = self._next()
        if isinstance(after, ev.DocumentStartEvent):
            raise _Error("only a single document is allowed", after.start_mark)
        if not isinstance(after, ev.StreamEndEvent):  # pragma: no cover - parser guarantees
            raise _Error("unexpected extra content after value", end.start_mark)
        return value

    def _node(self, event: ev.Event) -> tuple[Value, int]:
        """The value an event starts and how many nodes it expands to."""
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                raise _Error("the document is nested too deeply", event.start_mark)
            if isinstance(event, ev.AliasEvent):
                return self._alias(event)
            anchor = getattr(event, "anchor", None)
            if anchor:
                self._pending[anchor] = self._pending.get(anchor, 0) + 1
            if isinstance(event, ev.ScalarEvent):
                result = (self._scalar(event), 1)
            elif isinstance(event, ev.MappingStartEvent):
                result = self._mapping(event)
            elif isinstance(event, ev.SequenceStartEvent):
                result = self._sequence(event)
            else:  # pragma: no cover - the parser never yields anything else here
                raise _Error(f"unexpected {type(event).__name__}", event.start_mark)
            if anchor:
                self._pending[anchor] -= 1
                if not self._pending[anchor]:
                    del self._pending[anchor]
                self._anchors[anchor] = result
            return result
        finally:
            self._depth -= 1

    def _scalar(self, event: ev.ScalarEvent) -> Value:
        try:
            return resolve_scalar(event.tag or "", event.value, event.style)
        except _Error as exc:
            raise _Error(exc.message, event.start_mark) from None

    def _alias(self, event: ev.AliasEvent) -> tuple[Value, int]:
        name = event.anchor or ""
        if name in self._pending:
            message = f"cannot refer to anchor {go_quote(name)} from inside its own definition"
            raise _Error(message, event.start_mark)
        if name not in self._anchors:
            raise _Error(f"reference to undefined anchor {go_quote(name)}", event.start_mark)
        return self._anchors[name]

    def _sequence(self, event: ev.SequenceStartEvent) -> tuple[Value, int]:
        if event.tag not in (None, SEQ):
            raise _Error(f"can't interpret sequence as {event.tag}", event.start_mark)
        elems: list[Value] = []
        size = 1
        while not isinstance(item := self._next(), ev.SequenceEndEvent):
            value, count = self._node(item)
            elems.append(value)
            size = _grow(size, count, item)
        return v.tuple_val(elems), size

    def _mapping(self, event: ev.MappingStartEvent) -> tuple[Value, int]:
        if event.tag not in (None, MAP):
            raise _Error(f"can't interpret mapping as {event.tag}", event.start_mark)
        attrs: dict[str, Value] = {}
        size = 1
        while not isinstance(key := self._next(), ev.MappingEndEvent):
            if _is_merge_key(key):
                value, count = self._node(self._next())
                _merge(attrs, value, key)
            else:
                name = v.string_val(self._key(key)).as_str()  # NFC, as cty's object keys
                value, count = self._node(self._next())
                attrs[name] = value
            size = _grow(size, count, key)
        return v.object_val(attrs), size

    def _key(self, event: ev.Event) -> str:
        if not isinstance(event, ev.ScalarEvent):
            raise _Error("only strings are allowed as mapping keys", event.start_mark)
        key = self._scalar(event)
        if key.is_null:
            raise _Error("mapping key cannot be null", event.start_mark)
        if key.type is t.STRING:
            return key.as_str()
        if key.type is t.BOOL:
            return "true" if key.as_bool() else "false"
        return text.number_text(key.as_number())


def _grow(size: int, count: int, event: ev.Event) -> int:
    size += count
    if size > MAX_EXPANDED_NODES:
        raise _Error("document contains excessive aliasing", event.start_mark)
    return size


def _is_merge_key(event: ev.Event) -> bool:
    if not isinstance(event, ev.ScalarEvent):
        return False
    return event.tag == MERGE or (event.tag is None and event.style is None and event.value == "<<")


def _merge(attrs: dict[str, Value], value: Value, key: ev.Event) -> None:
    """Apply a ``<<`` merge key: a mapping, or a sequence of mappings, merged in order."""
    if isinstance(value.type, t.ObjectType | t.MapType) and not value.is_null:
        attrs.update(value.items())
        return
    if isinstance(value.type, t.TupleType | t.ListType) and not value.is_null:
        for elem in value.elements():
            if elem.is_null or not isinstance(elem.type, t.ObjectType | t.MapType):
                kind = "null" if elem.is_null else elem.type.friendly()
                raise _Error(f"cannot merge {kind} (from sequence) into mapping", key.start_mark)
            attrs.update(elem.items())
        return
    kind = "null" if value.is_null else value.type.friendly()
    raise _Error(f"cannot merge {kind} into mapping", key.start_mark)


def decode(source: str) -> Value:
    """The value of a single YAML document; raises :class:`FunctionError` if it is invalid."""
    try:
        return _Decoder(yaml.parse(source, Loader=yaml.SafeLoader)).document()
    except _Error as exc:
        raise FunctionError(exc.describe()) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML syntax"
        raise FunctionError(_Error(problem, mark).describe()) from None
    except RecursionError:
        raise FunctionError("the document is nested too deeply") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow anywhere
        line = source.count("\n", 0, exc.position)
        column = exc.position - (source.rfind("\n", 0, exc.position) + 1)
        problem = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        raise FunctionError(_Error(problem, _Pos(line, column)).describe()) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises only the above
        raise FunctionError(f"invalid YAML: {exc}") from None


# ---- encoding ------------------------------------------------------------------------------


def encode(val: Value) -> str:
    """Block-style YAML for a wholly known, unmarked value."""
    if val.raw == "":
        # PyYAML (unlike libyaml) starts an explicit "---" document for an empty top-level
        # scalar; go-cty-yaml writes just the quoted empty string.
        return '""\n'
    events: list[ev.Event] = [ev.StreamStartEvent(), ev.DocumentStartEvent(explicit=False)]
    _emit(val, events)
    events += [ev.DocumentEndEvent(explicit=False), ev.StreamEndEvent()]
    return str(yaml.emit(events, Dumper=yaml.SafeDumper, allow_unicode=True, line_break="\n"))


def _plain(value: str) -> ev.ScalarEvent:
    return ev.ScalarEvent(None, None, (True, True), value, style=None)


def _string(value: str) -> ev.ScalarEvent:
    # A literal block cannot carry NEL (U+0085): YAML readers turn it into "\n". Such strings
    # stay double-quoted (go-cty-yaml would write a literal block that does not read back).
    literal = "\n" in value and "\x85" not in value
    return ev.ScalarEvent(None, None, (True, True), value, style="|" if literal else '"')


def _emit(val: Value, out: list[ev.Event]) -> None:
    raw = val.raw
    if raw is None:
        out.append(_plain("null"))
    elif isinstance(raw, bool):
        out.append(_plain("true" if raw else "false"))
    elif isinstance(raw, str):
        out.append(_string(raw))
    elif isinstance(raw, int | Decimal):
        if isinstance(raw, Decimal) and raw.is_infinite():
            out.append(_plain("-.Inf" if raw < 0 else "+.Inf"))
        else:
            out.append(_plain(text.number_text(raw)))
    elif isinstance(raw, tuple):
        out.append(ev.SequenceStartEvent(None, None, True, flow_style=False))
        for elem in raw:
            _emit(elem, out)
        out.append(ev.SequenceEndEvent())
    elif isinstance(raw, dict):
        out.append(ev.MappingStartEvent(None, None, True, flow_style=False))
        for key in sorted(raw):
            out.append(_string(key))
            _emit(raw[key], out)
        out.append(ev.MappingEndEvent())
    else:  # pragma: no cover - the caller guarantees a wholly known value
        raise AssertionError(f"cannot encode {val!r}")

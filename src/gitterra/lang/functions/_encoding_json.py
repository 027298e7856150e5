"""JSON for ``jsonencode`` and ``jsondecode``, byte for byte as Terraform (cty's ``json``
package on Go's ``encoding/json``) writes and reads it.

Encoding is minified, with object keys sorted, ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as
``\\u003c``-style sequences (Terraform 0.11 compatibility) and numbers printed the way Terraform
prints them. Decoding keeps numbers exact (never through ``float``), turns objects into object
values and arrays into tuples, and reports malformed input with Go's wording plus a position.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from gitterra.lang import _values as v
from gitterra.lang._format import go_quote
from gitterra.lang._function import FunctionError
from gitterra.lang._values import Value
from gitterra.lang.functions import _encoding_text as text

# ---- encoding ------------------------------------------------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_NEEDS_ESCAPE = re.compile('[\\x00-\\x1f"\\\\<>&\u2028\u2029\ud800-\udfff]')


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    esc = _ESCAPES.get(ch)
    if esc is not None:
        return esc
    if ch >= "\ud800":  # a lone surrogate: Go writes the replacement character
        return "\\ufffd"
    return f"\\u{ord(ch):04x}"


def quote(s: str) -> str:
    """``s`` as a JSON string literal, escaped as Go's ``encoding/json`` does."""
    return '"' + _NEEDS_ESCAPE.sub(_escape, s) + '"'


def encode(val: Value) -> str:
    """Minified JSON for a wholly known, unmarked value."""
    out: list[str] = []
    _encode_into(val, out)
    return "".join(out)


def _encode_into(val: Value, out: list[str]) -> None:
    raw = val.raw
    if raw is None:
        out.append("null")
    elif isinstance(raw, bool):
        out.append("true" if raw else "false")
    elif isinstance(raw, str):
        out.append(quote(raw))
    elif isinstance(raw, int | Decimal):
        if isinstance(raw, Decimal) and not raw.is_finite():
            raise FunctionError("JSON cannot represent an infinite number")
        out.append(text.number_text(raw))
    elif isinstance(raw, tuple):
        out.append("[")
        for i, elem in enumerate(raw):
            if i:
                out.append(",")
            _encode_into(elem, out)
        out.append("]")
    elif isinstance(raw, dict):
        out.append("{")
        for i, key in enumerate(sorted(raw)):
            if i:
                out.append(",")
            out.append(quote(key))
            out.append(":")
            _encode_into(raw[key], out)
        out.append("}")
    else:  # pragma: no cover - the caller guarantees a wholly known value
        raise AssertionError(f"cannot encode {val!r}")


# ---- decoding ------------------------------------------------------------------------------


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its key/value pairs in source order (duplicates kept)."""


class _Constant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


def decode(source: str) -> Value:
    """The value a JSON document describes; raises :class:`FunctionError` if it is invalid."""
    try:
        data = json.loads(
            source,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_Pairs,
        )
        return _to_value(data)
    except json.JSONDecodeError as exc:
        raise FunctionError(_describe(exc)) from None
    except _Constant as exc:
        where = source.find(exc.name)
        raise FunctionError(
            f"invalid character {_quote_char(exc.name[0])} looking for beginning of value"
            + _position(source, where)
        ) from None
    except RecursionError:
        raise FunctionError("the JSON document is nested too deeply") from None


def _to_value(data: Any) -> Value:
    if data is None:
        return v.NULL
    if isinstance(data, bool):
        return v.bool_val(data)
    if isinstance(data, str):
        return v.string_val(text.repair_surrogates(data))
    if isinstance(data, Decimal):
        number = text.decimal_number(data)
        if number is None:
            raise FunctionError(f"the number {data} is too large")
        return number
    if isinstance(data, _Pairs):
        attrs: dict[str, Value] = {}
        for raw_key, raw_val in data:
            key = v.string_val(text.repair_surrogates(raw_key)).as_str()  # NFC, as cty does
            value = _to_value(raw_val)
            prior = attrs.get(key)
            # cty tolerates a repeated property only when both values have the same type.
            if prior is not None and prior.type != value.type:
                raise FunctionError(f"duplicate {go_quote(key)} property in JSON object")
            attrs[key] = value
        return v.object_val(attrs)
    assert isinstance(data, list), data
    return v.tuple_val(_to_value(e) for e in data)


def _quote_char(ch: str) -> str:
    """A character as Go's ``%q`` prints a rune (``'x'``)."""
    inner = go_quote(ch)[1:-1].replace('\\"', '"')
    return "'" + ("\\'" if ch == "'" else inner) + "'"


def _position(source: str, pos: int) -> str:
    if pos < 0:
        return ""
    line = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return f" (at line {line}, column {column})"


def _describe(exc: json.JSONDecodeError) -> str:
    """Go's wording for the common syntax errors, plus where the problem is."""
    source, pos, msg = exc.doc, exc.pos, exc.msg
    rest = source[pos:].lstrip(" \t\r\n") if pos < len(source) else ""
    at_end = msg.startswith("Unterminated string") or not rest
    where = _position(source, pos)
    if msg == "Extra data":
        return "extraneous data after JSON object" + where
    if at_end:
        return "unexpected end of JSON input"
    found = _quote_char(source[pos])
    if msg == "Expecting value":
        return f"invalid character {found} looking for beginning of value" + where
    if msg.startswith("Expecting property name"):
        return f"invalid character {found} looking for beginning of object key string" + where
    if msg == "Expecting ':' delimiter":
        return f"invalid character {found} after object key" + where
    if msg == "Expecting ',' delimiter":
        return f"invalid character {found} after a value, expecting ',' or a closing bracket" + (
            where
        )
    if msg.startswith("Invalid control character"):
        return f"invalid character {found} in string literal" + where
    if msg.startswith("Invalid \\escape") and pos + 1 < len(source):
        return f"invalid character {_quote_char(source[pos + 1])} in string escape code" + where
    return msg[0].lower() + msg[1:] + where

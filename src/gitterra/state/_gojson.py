"""JSON text exactly as Terraform writes it: Go's ``encoding/json`` with cty's number format.

Terraform writes state with ``json.MarshalIndent(v, "", "  ")``, so a byte-identical file needs
Go's rules, which differ from Python's ``json`` module in three places:

- ``<``, ``>`` and ``&`` are escaped as ``\\u003c``, ``\\u003e``, ``\\u0026``, and U+2028/U+2029
  as ``\\u2028``/``\\u2029`` (Go's HTML-safe default); other non-ASCII text is written as is.
- Map keys are sorted (Go sorts maps; cty writes object attributes sorted too). Struct-shaped
  objects keep their field order: they are passed as :class:`Ordered`.
- Numbers are cty numbers printed with ``big.Float.Text('f', -1)``: integers in full, decimals
  in fixed point with no exponent and no trailing zeros (``1e20`` is ``100000000000000000000``).

A string holding a lone surrogate (possible after decoding JSON ``"\\ud800"``) is written back as
that escape, so the text stays valid UTF-8 and round-trips.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_HTML_ESCAPES["\u2029"] = "\\u2029"
_HTML_TABLE = str.maketrans(_HTML_ESCAPES)

# The json module's C string escaper: escapes '"', '\\' and control characters only, as Go does
# once the HTML-safe characters are handled (see marshal).
_quote: Callable[[str], str] = json.encoder.encode_basestring

# Integers longer than this many bits go through Decimal: str(int) refuses > 4300 digits.
_STR_INT_BITS = 12_000


class Raw(str):
    """Text already in this module's output form, written as it is (a cached fragment)."""


class Ordered(dict[str, Any]):
    """A JSON object whose keys are written in insertion order (a Go struct's field order)."""


def fragment(value: Any, level: int) -> Raw:
    """``value`` as :func:`marshal` (indented) writes it ``level`` nesting levels deep, before
    the final escaping pass: embed it with :class:`Raw`."""
    out: list[str] = []
    _write(value, out, "\n" + "  " * level, "  ", ": ")
    return Raw("".join(out))


def marshal(value: Any, *, indent: bool) -> bytes:
    """``value`` as Go's ``json.MarshalIndent(value, "", "  ")`` (``indent``) or
    ``json.Marshal`` writes it, UTF-8 encoded. Raises ``TypeError``/``ValueError`` for data
    that is not JSON (a set, NaN, a non-string key): that is a caller's bug."""
    out: list[str] = []
    _write(value, out, "\n" if indent else "", "  " if indent else "", ": " if indent else ":")
    # <, >, &, U+2028 and U+2029 can only occur inside strings, so one pass over the whole
    # text escapes them exactly where Go does.
    return "".join(out).translate(_HTML_TABLE).encode("utf-8", "backslashreplace")


def _write(value: Any, out: list[str], nl: str, ind: str, sep: str) -> None:
    """Append ``value``'s text; ``nl`` is the newline plus the current indentation."""
    kind = type(value)
    if kind is str:
        out.append(_quote(value))
    elif kind is Raw:
        out.append(value)
    elif kind is dict or kind is Ordered or isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        items = value.items() if kind is Ordered else sorted(value.items(), key=_key)
        inner = nl + ind
        first = True
        for key, item in items:
            if type(key) is not str:
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            out.append(("{" if first else ",") + inner + _quote(key) + sep)
            first = False
            _write(item, out, inner, ind, sep)
        out.append(nl + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = nl + ind
        first = True
        for item in value:
            out.append(("[" if first else ",") + inner)
            first = False
            _write(item, out, inner, ind, sep)
        out.append(nl + "]")
    else:
        out.append(scalar(value))


def _key(item: tuple[Any, Any]) -> Any:
    return item[0]


def scalar(value: Any) -> str:
    """One JSON scalar (null, bool, number, string) in Go's spelling."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float | Decimal):
        return number(value)
    if isinstance(value, str):
        return _quote(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


def string(text: str) -> str:
    """A JSON string literal with Go's HTML-safe escaping."""
    return _quote(text).translate(_HTML_TABLE)


def number(value: int | float | Decimal) -> str:
    """A number as cty writes it: exact, fixed point, no exponent, no trailing zeros."""
    if isinstance(value, int):
        if value.bit_length() < _STR_INT_BITS:
            return str(value)
        return format(Decimal(value), "f")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no JSON form")
        value = Decimal(repr(value))
    if not value.is_finite():
        raise ValueError(f"{value!r} has no JSON form")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text

"""Showing values to people (``terraform console``'s layout) and to programs (JSON)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from gitterra.lang import _convert as convert
from gitterra.lang import _types as t
from gitterra.lang._values import UNKNOWN, Value

_GO_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
}


def go_quote(s: str) -> str:
    """``s`` in double quotes with Go's ``strconv.Quote`` escaping."""
    out = ['"']
    for ch in s:
        esc = _GO_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch.isprintable():
            out.append(ch)
        else:
            code = ord(ch)
            if code < 0x80:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def format_value(val: Value, indent: int = 0) -> str:
    """``val`` the way ``terraform console`` prints it: Terraform syntax with the conversion
    function that names a collection's type (``tolist([...])``, ``tomap({...})``)."""
    if val.raw is UNKNOWN:
        return "(known after apply)"
    if val.sensitive:
        return "(sensitive value)"
    ty = val.type
    if val.raw is None:
        return _format_null(ty)
    if ty is t.STRING:
        s = val.as_str()
        if "\n" in s:
            return _heredoc(s, indent)
        return go_quote(s)
    if ty is t.NUMBER:
        return convert.format_number(val.as_number())
    if ty is t.BOOL:
        return "true" if val.raw else "false"
    if isinstance(ty, t.ObjectType):
        return _mapping(val, indent)
    if isinstance(ty, t.TupleType):
        return _sequence(val, indent)
    if isinstance(ty, t.ListType):
        return f"tolist({_sequence(val, indent)})"
    if isinstance(ty, t.SetType):
        return f"toset({_sequence(val, indent)})"
    if isinstance(ty, t.MapType):
        return f"tomap({_mapping(val, indent)})"
    return repr(val)


def _format_null(ty: t.Type) -> str:
    if ty is t.DYNAMIC:
        return "null"
    if ty is t.STRING:
        return "tostring(null)"
    if ty is t.NUMBER:
        return "tonumber(null)"
    if ty is t.BOOL:
        return "tobool(null)"
    if isinstance(ty, t.ListType):
        return f"tolist(null) /* of {ty.element.friendly()} */"
    if isinstance(ty, t.SetType):
        return f"toset(null) /* of {ty.element.friendly()} */"
    if isinstance(ty, t.MapType):
        return f"tomap(null) /* of {ty.element.friendly()} */"
    return f"null /* {ty.friendly()} */"


def _heredoc(s: str, indent: int) -> str:
    lines = s.split("\n")
    delimiter = "EOT"
    while any(line.strip() == delimiter for line in lines):
        delimiter += "_"
    pad = " " * indent
    body = "".join(f"\n{pad}{line}" for line in lines)
    return f"{'<<-' if indent else '<<'}{delimiter}{body}\n{pad}{delimiter}"


def _mapping(val: Value, indent: int) -> str:
    items = val.items()
    if not items:
        return "{}"
    inner = indent + 2
    pad = " " * inner
    rows = [f"\n{pad}{go_quote(k)} = {format_value(items[k], inner)}" for k in sorted(items)]
    return "{" + "".join(rows) + "\n" + " " * indent + "}"


def _sequence(val: Value, indent: int) -> str:
    elems = val.elements()
    if not elems:
        return "[]"
    inner = indent + 2
    pad = " " * inner
    rows = [f"\n{pad}{format_value(e, inner)}," for e in elems]
    return "[" + "".join(rows) + "\n" + " " * indent + "]"


def type_string(ty: t.Type, indent: int = 0) -> str:
    """A type as ``terraform console``'s ``type()`` prints it."""
    if isinstance(ty, t.PrimitiveType) or ty is t.DYNAMIC:
        return str(ty) if ty is not t.DYNAMIC else "dynamic"
    if isinstance(ty, t.ListType | t.SetType | t.MapType):
        kind = {t.ListType: "list", t.SetType: "set", t.MapType: "map"}[type(ty)]
        return f"{kind}({type_string(ty.element, indent)})"
    pad, inner = " " * indent, " " * (indent + 4)
    if isinstance(ty, t.ObjectType):
        if not ty.attrs:
            return "object({})"
        rows = "".join(
            f"\n{inner}{k}: {type_string(ty.attrs[k], indent + 4)}," for k in sorted(ty.attrs)
        )
        return f"object({{{rows}\n{pad}}})"
    if isinstance(ty, t.TupleType):
        if not ty.elements:
            return "tuple([])"
        rows = "".join(f"\n{inner}{type_string(e, indent + 4)}," for e in ty.elements)
        return f"tuple([{rows}\n{pad}])"
    return str(ty)


def to_json_data(val: Value) -> Any:
    """A wholly known value as JSON-ready data; raises ``ValueError`` if any part is unknown.

    Whole numbers stay exact (Python ints); other numbers become the float that Terraform's
    output shows (the same shortest form :func:`format_number` prints)."""
    raw = val.raw
    if raw is UNKNOWN:
        raise ValueError("unknown value")
    if isinstance(raw, tuple):
        return [to_json_data(e) for e in raw]
    if isinstance(raw, dict):
        return {k: to_json_data(e) for k, e in raw.items()}
    if isinstance(raw, Decimal):
        return float(raw)
    return raw


def dumps(data: Any, *, indent: int | None = None) -> str:
    """JSON text for :func:`to_json_data` output."""
    return json.dumps(data, indent=indent, ensure_ascii=False)

"""Values to and from JSON: state attributes, cty's JSON type notation, and the saved-plan
encoding that also carries unknowns and sensitive marks.

State holds wholly known values as plain JSON (typed by the schema when read back); the sensitive
marks live beside them as Terraform's ``sensitive_attributes`` paths. A saved plan holds values
that may be partly unknown, so it uses a small tagged encoding (:func:`to_plan_json`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gitterra import lang

Path = tuple[str | int, ...]


# ---- types ---------------------------------------------------------------------------------


def type_to_json(ty: lang.Type) -> Any:
    """cty's JSON notation: ``"string"``, ``["list", "string"]``, ``["object", {...}]``."""
    if isinstance(ty, lang.PrimitiveType):
        return ty.name
    if ty is lang.DYNAMIC:
        return "dynamic"
    if isinstance(ty, lang.ListType):
        return ["list", type_to_json(ty.element)]
    if isinstance(ty, lang.SetType):
        return ["set", type_to_json(ty.element)]
    if isinstance(ty, lang.MapType):
        return ["map", type_to_json(ty.element)]
    if isinstance(ty, lang.ObjectType):
        return ["object", {k: type_to_json(t) for k, t in sorted(ty.attrs.items())}]
    if isinstance(ty, lang.TupleType):
        return ["tuple", [type_to_json(t) for t in ty.elements]]
    raise TypeError(f"no JSON form for {ty}")


def type_from_json(data: Any) -> lang.Type:
    """The inverse of :func:`type_to_json`; raises ``ValueError`` on malformed input."""
    if isinstance(data, str):
        prim = {
            "string": lang.STRING,
            "number": lang.NUMBER,
            "bool": lang.BOOL,
            "dynamic": lang.DYNAMIC,
        }
        if data in prim:
            return prim[data]
    elif isinstance(data, list) and len(data) == 2:
        kind, inner = data
        if kind == "list":
            return lang.ListType(type_from_json(inner))
        if kind == "set":
            return lang.SetType(type_from_json(inner))
        if kind == "map":
            return lang.MapType(type_from_json(inner))
        if kind == "object" and isinstance(inner, dict):
            return lang.ObjectType({k: type_from_json(t) for k, t in inner.items()})
        if kind == "tuple" and isinstance(inner, list):
            return lang.TupleType(tuple(type_from_json(t) for t in inner))
    raise ValueError(f"not a type: {data!r}")


# ---- wholly known values (state) ------------------------------------------------------------


def to_json(value: lang.Value, ty: lang.Type | None = None) -> Any:
    """Plain JSON data of a wholly known value (marks dropped; exact integers).

    Where ``ty`` (the schema's type) says ``any``, the value is written as cty does,
    ``{"value": ..., "type": ...}``, so reading it back gives the same type (a list stays a
    list, not a tuple)."""
    raw = value.raw
    if raw is lang.UNKNOWN:
        raise ValueError("unknown values have no state representation")
    if ty is lang.DYNAMIC and raw is not None:
        return {"value": to_json(value), "type": type_to_json(value.type)}
    if isinstance(raw, tuple):
        elem = ty.element if isinstance(ty, lang.ListType | lang.SetType) else None
        if isinstance(ty, lang.TupleType):
            return [to_json(e, t) for e, t in zip(raw, ty.elements, strict=False)]
        return [to_json(e, elem) for e in raw]
    if isinstance(raw, dict):
        if isinstance(ty, lang.ObjectType):
            return {k: to_json(e, ty.attrs.get(k)) for k, e in raw.items()}
        elem = ty.element if isinstance(ty, lang.MapType) else None
        return {k: to_json(e, elem) for k, e in raw.items()}
    if isinstance(raw, Decimal) and not raw.is_finite():
        return str(raw)
    return raw  # Decimal stays exact: the state codec writes it digit for digit


def from_json(data: Any, ty: lang.Type) -> lang.Value:
    """A value of type ``ty`` from JSON data (missing object attributes are null)."""
    if data is None:
        return lang.null_val(ty)
    if ty is lang.DYNAMIC:
        if isinstance(data, dict) and set(data) == {"value", "type"}:
            return from_json(data["value"], type_from_json(data["type"]))
        return lang.from_python(data)
    if isinstance(ty, lang.PrimitiveType):
        return lang.convert(lang.from_python(data), ty)
    if isinstance(ty, lang.ListType | lang.SetType):
        elems = [from_json(e, ty.element) for e in _as_list(data, ty)]
        return (
            lang.list_val(elems, ty.element)
            if isinstance(ty, lang.ListType)
            else lang.set_val(elems, ty.element)
        )
    if isinstance(ty, lang.TupleType):
        seq = _as_list(data, ty)
        return lang.Value(
            ty, tuple(from_json(e, t) for e, t in zip(seq, ty.elements, strict=False))
        )
    if isinstance(ty, lang.MapType):
        return lang.map_val(
            {k: from_json(e, ty.element) for k, e in _as_dict(data, ty).items()}, ty.element
        )
    if isinstance(ty, lang.ObjectType):
        items = _as_dict(data, ty)
        return lang.object_val({k: from_json(items.get(k), t) for k, t in ty.attrs.items()})
    raise TypeError(f"cannot decode into {ty}")


def _as_list(data: Any, ty: lang.Type) -> list[Any]:
    if not isinstance(data, list):
        raise ValueError(f"expected a JSON array for {ty}")
    return data


def _as_dict(data: Any, ty: lang.Type) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object for {ty}")
    return data


# ---- sensitive paths ------------------------------------------------------------------------


def sensitive_paths(value: lang.Value, prefix: Path = ()) -> list[Path]:
    """Where ``value`` is marked sensitive (the outermost marked places)."""
    if value.sensitive:
        return [prefix]
    raw = value.raw
    out: list[Path] = []
    if isinstance(raw, tuple):
        for i, e in enumerate(raw):
            out += sensitive_paths(e, (*prefix, i))
    elif isinstance(raw, dict):
        for k, e in raw.items():
            out += sensitive_paths(e, (*prefix, k))
    return out


def mark_paths(value: lang.Value, paths: list[Path]) -> lang.Value:
    """``value`` with the values at ``paths`` marked sensitive (missing paths ignored)."""
    for path in paths:
        value = _mark(value, path)
    return value


def _mark(value: lang.Value, path: Path) -> lang.Value:
    if not path:
        return value.mark_sensitive()
    raw = value.raw
    head, rest = path[0], path[1:]
    if isinstance(raw, tuple) and isinstance(head, int) and 0 <= head < len(raw):
        elems = list(raw)
        elems[head] = _mark(elems[head], rest)
        return lang.Value(value.type, tuple(elems), value.sensitive)
    if isinstance(raw, dict) and isinstance(head, str) and head in raw:
        return lang.Value(value.type, {**raw, head: _mark(raw[head], rest)}, value.sensitive)
    return value


def paths_to_state(paths: list[Path]) -> list[list[dict[str, Any]]]:
    """Terraform's ``sensitive_attributes`` notation of paths."""
    return [
        [
            {"type": "get_attr", "value": step}
            if isinstance(step, str)
            else {"type": "index", "value": {"value": step, "type": "number"}}
            for step in path
        ]
        for path in paths
    ]


def paths_from_state(data: Any) -> list[Path]:
    out: list[Path] = []
    for path in data or []:
        steps: list[str | int] = []
        for step in path:
            if step.get("type") == "get_attr":
                steps.append(str(step["value"]))
            else:
                inner = step.get("value", {})
                index = inner.get("value") if isinstance(inner, dict) else inner
                steps.append(index if isinstance(index, int | str) else str(index))
        out.append(tuple(steps))
    return out


# ---- values with unknowns (saved plans) ----------------------------------------------------


def to_plan_json(value: lang.Value) -> dict[str, Any]:
    """``{"type": ..., "value": ...}`` where the value tree tags unknowns and marks."""
    return {"type": type_to_json(value.type), "value": _tag(value)}


def _tag(value: lang.Value) -> Any:
    raw = value.raw
    if raw is lang.UNKNOWN:
        node: Any = {"u": type_to_json(value.type)}
    elif raw is None:
        node = {"n": type_to_json(value.type)}
    elif isinstance(raw, tuple):
        node = {"l": [_tag(e) for e in raw], "t": type_to_json(value.type)}
    elif isinstance(raw, dict):
        node = {"m": {k: _tag(e) for k, e in raw.items()}, "t": type_to_json(value.type)}
    elif isinstance(raw, Decimal):
        node = {"d": str(raw)}
    else:
        node = {"p": raw}
    if value.sensitive:
        node["s"] = True
    return node


def from_plan_json(data: dict[str, Any]) -> lang.Value:
    return _untag(data["value"])


def _untag(node: dict[str, Any]) -> lang.Value:
    sensitive = bool(node.get("s"))
    if "u" in node:
        value = lang.unknown_val(type_from_json(node["u"]))
    elif "n" in node:
        value = lang.null_val(type_from_json(node["n"]))
    elif "l" in node:
        ty = type_from_json(node["t"])
        value = lang.Value(ty, tuple(_untag(e) for e in node["l"]))
    elif "m" in node:
        ty = type_from_json(node["t"])
        value = lang.Value(ty, {k: _untag(e) for k, e in node["m"].items()})
    elif "d" in node:
        value = lang.number_val(Decimal(node["d"]))
    else:
        value = lang.from_python(node["p"])
    return value.mark_sensitive(sensitive)

"""Small pure helpers the aws resource types share: schema shorthand, values to and from plain
Python data, generated names, tags, Go durations and base64 checks."""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any

from gitterra import engine, lang

STRINGS = lang.ListType(lang.STRING)
STRING_SET = lang.SetType(lang.STRING)
STRING_MAP = lang.MapType(lang.STRING)
NUMBERS = lang.ListType(lang.NUMBER)

# ---- schema shorthand -------------------------------------------------------------------------


def a(
    flags: str,
    type_: lang.Type,
    default: Any = None,
    description: str = "",
    sensitive: bool = False,
) -> engine.Attribute:
    """An attribute from the flags the provider docs use: ``R`` required, ``O`` optional, ``C``
    computed, ``!`` forces replacement (``"OC!"``: optional, computed, force-new)."""
    return engine.Attribute(
        type_,
        required="R" in flags,
        optional="O" in flags,
        computed="C" in flags,
        force_new="!" in flags,
        sensitive=sensitive,
        default=lang.convert(lang.from_python(default), type_) if default is not None else None,
        description=description,
    )


#: The description that marks an argument the local cloud refuses (see :func:`unsupported`).
UNSUPPORTED = "Not supported by the local cloud."


def unsupported(*names: str) -> dict[str, engine.Attribute]:
    """Arguments the real provider has and the local cloud cannot honour: accepted by the schema
    (any type) so that validation can say exactly that, instead of "unsupported argument"."""
    return {
        n: engine.Attribute(lang.DYNAMIC, optional=True, description=UNSUPPORTED) for n in names
    }


def unsupported_block(*names: str) -> engine.NestedBlock:
    """A nested block the local cloud cannot honour, with the argument names it usually has
    (so writing it reaches validation, which refuses it by name)."""
    return engine.NestedBlock(engine.BlockSchema(unsupported(*names)), "list")


def block(
    attributes: Mapping[str, engine.Attribute],
    blocks: Mapping[str, engine.NestedBlock] | None = None,
    description: str = "",
) -> engine.BlockSchema:
    return engine.BlockSchema(dict(attributes), dict(blocks or {}), description)


def tag_attributes() -> dict[str, engine.Attribute]:
    return {
        "tags": a("O", STRING_MAP, description="Tags of the object."),
        "tags_all": a("C", STRING_MAP, description="tags over the provider's default_tags."),
    }


def name_attributes(max_len: int = 255) -> dict[str, engine.Attribute]:
    return {
        "name": a("OC!", lang.STRING, description=f"Unique name (at most {max_len} characters)."),
        "name_prefix": a("OC!", lang.STRING, description="Creates a unique name from this."),
    }


# ---- values -----------------------------------------------------------------------------------


def py(value: lang.Value) -> Any:
    """Plain Python data of ``value`` with unknown parts as None (marks dropped)."""
    if not value.is_known:
        return None
    raw = value.raw
    if isinstance(raw, tuple):
        return [py(v) for v in raw]
    if isinstance(raw, dict):
        return {k: py(v) for k, v in raw.items()}
    return raw


def build(schema: engine.BlockSchema, data: Mapping[str, Any]) -> lang.Value:
    """A wholly typed value of ``schema`` from plain data (missing attributes null, missing
    blocks empty)."""
    items: dict[str, lang.Value] = {}
    for name, attr in schema.attributes.items():
        items[name] = _typed(data.get(name), attr.type)
    for name, nb in schema.blocks.items():
        items[name] = _nested(nb, data.get(name))
    return lang.object_val(items)


def _typed(value: Any, type_: lang.Type) -> lang.Value:
    if isinstance(value, lang.Value):
        return lang.convert(value, type_)
    return lang.convert(lang.from_python(value), type_)


def _nested(nb: engine.NestedBlock, value: Any) -> lang.Value:
    inner = nb.block.implied_type()

    def one(item: Any) -> lang.Value:
        if isinstance(item, lang.Value):
            return lang.convert(item, inner)
        return build(nb.block, item)

    if nb.nesting == "single":
        return one(value) if value is not None else lang.null_val(inner)
    if nb.nesting == "map":
        return lang.map_val({k: one(v) for k, v in (value or {}).items()}, inner)
    elems = [one(v) for v in (value or [])]
    if nb.nesting == "set":
        return lang.set_val(elems, inner)
    return lang.list_val(elems, inner)


def with_values(
    schema: engine.BlockSchema, value: lang.Value, changes: Mapping[str, Any]
) -> lang.Value:
    """``value`` with some attributes or blocks replaced (plain data or values, typed by the
    schema)."""
    items = dict(value.items())
    for name, new in changes.items():
        if name in schema.attributes:
            items[name] = _typed(new, schema.attributes[name].type)
        elif isinstance(new, lang.Value):
            items[name] = new
        else:
            items[name] = _nested(schema.blocks[name], new)
    return lang.object_val(items)


def unknown(schema: engine.BlockSchema, name: str) -> lang.Value:
    if name in schema.attributes:
        return lang.unknown_val(schema.attributes[name].type)
    nb = schema.blocks[name]
    inner = nb.block.implied_type()
    ty: lang.Type = (
        inner
        if nb.nesting == "single"
        else lang.SetType(inner)
        if nb.nesting == "set"
        else lang.MapType(inner)
        if nb.nesting == "map"
        else lang.ListType(inner)
    )
    return lang.unknown_val(ty)


def is_unset(value: Any) -> bool:
    """Null, an empty collection, or false: an argument that asks for nothing."""
    return value is None or value is False or value in ("", [], {})


def changed(prior: lang.Value | None, planned: lang.Value, name: str) -> bool:
    """Whether attribute ``name`` differs between prior and planned (unknown counts)."""
    if prior is None or prior.is_null:
        return True
    new = planned.items()[name]
    if not new.is_wholly_known():
        return True
    return prior.items()[name].unmark_deep() != new.unmark_deep()


# ---- names ------------------------------------------------------------------------------------

_counter = itertools.count(1)


def unique_name(prefix: str, max_len: int | None = None) -> str:
    """Terraform's ``id.PrefixedUniqueId``: the prefix, a UTC timestamp with 1/10000 s and an
    8-digit counter (26 characters). Where names are short (load balancers: 32), the end is
    random instead of a timestamp so the name stays unique."""
    now = time.time()
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 10000):04d}"
    name = f"{prefix}{stamp}{next(_counter) % 2**32:08x}"
    if max_len is not None and len(name) > max_len:
        room = max_len - len(prefix)
        name = prefix + secrets.token_hex(16)[:room]
    return name


_SUFFIX = re.compile(r"^(.*)\d{18}[0-9a-f]{8}$")


def prefix_of(name: str) -> str | None:
    """``create.NamePrefixFromName``: the prefix of a generated name, None for a chosen one."""
    m = _SUFFIX.match(name)
    return m.group(1) if m else None


# ---- tags -------------------------------------------------------------------------------------


def tags_state(
    configured: Any, found: Mapping[str, str] | None, defaults: Mapping[str, str] | None = None
) -> Any:
    """The ``tags`` attribute after reading: what the cloud has less the provider's default
    tags (a default the configuration also sets stays), but null (not ``{}``) when the
    configuration set none and nothing is left, so an unset argument shows no change."""
    given = configured if isinstance(configured, Mapping) else {}
    defaults = defaults or {}
    left = {k: v for k, v in (found or {}).items() if k in given or defaults.get(k) != v}
    if not left and configured is None:
        return None
    return left


def merged_tags(
    tags: Mapping[str, str] | None, defaults: Mapping[str, str] | None
) -> dict[str, str]:
    """``tags_all``: the default tags, overridden by the resource's own."""
    return {**(defaults or {}), **(tags or {})}


def plan_tags(
    schema: engine.BlockSchema, planned: lang.Value, defaults: Mapping[str, str] | None = None
) -> lang.Value:
    """``tags_all`` follows ``tags`` over the provider's ``default_tags``."""
    tags = planned.items()["tags"]
    if not tags.is_wholly_known():
        return with_values(schema, planned, {"tags_all": lang.unknown_val(STRING_MAP)})
    return with_values(schema, planned, {"tags_all": merged_tags(py(tags), defaults)})


# ---- encodings and durations ------------------------------------------------------------------


def b64encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def is_base64(text: str) -> bool:
    try:
        base64.b64decode(text.encode(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def user_data_hash(text: str) -> str:
    """The AWS provider's ``userDataHashSum``: SHA-1 hex of the user data, decoded first when
    it is base64 (so plain and encoded forms of the same script agree)."""
    raw: bytes
    try:
        raw = base64.b64decode(text.encode(), validate=True)
    except (binascii.Error, ValueError):
        raw = text.encode()
    return hashlib.sha1(raw).hexdigest()


_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float | None:
    """Go's ``time.ParseDuration`` in seconds; None when ``text`` is not a duration."""
    text = text.strip()
    if text in ("0", "+0", "-0"):
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    if not body:
        return None
    pos, total = 0, 0.0
    while pos < len(body):
        m = _DURATION.match(body, pos)
        if m is None:
            return None
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    return sign * total


def join(names: Iterable[str]) -> str:
    return ", ".join(names)

"""Sensitive marks from schemas: a schema's sensitive attributes are marked on every value of its
type, whatever the configuration said (even when null, as Terraform marks schema paths)."""

from __future__ import annotations

from gitterra import lang
from gitterra.engine._schema import BlockSchema, NestedBlock


def mark_schema(schema: BlockSchema, value: lang.Value) -> lang.Value:
    if value.is_null or not value.is_known or not isinstance(value.type, lang.ObjectType):
        return value
    items = dict(value.items())
    changed = False
    for name, attr in schema.attributes.items():
        if attr.sensitive and name in items and not items[name].sensitive:
            items[name] = items[name].mark_sensitive()
            changed = True
    for name, nb in schema.blocks.items():
        inner = items.get(name)
        if inner is not None and nb.block.sensitive_paths():
            items[name] = _mark_nested(nb, inner)
            changed = True
    return lang.Value(value.type, items, value.sensitive) if changed else value


def _mark_nested(nb: NestedBlock, value: lang.Value) -> lang.Value:
    if value.is_null or not value.is_known:
        return value
    if nb.nesting == "single":
        return mark_schema(nb.block, value)
    if nb.nesting == "map":
        return lang.Value(
            value.type,
            {k: mark_schema(nb.block, e) for k, e in value.items().items()},
            value.sensitive,
        )
    elems = tuple(mark_schema(nb.block, e) for e in value.elements())
    return lang.Value(value.type, elems, value.sensitive)

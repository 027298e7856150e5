"""Pure planning helpers on values and schemas (Terraform's ``objchange``).

``proposed_new`` merges configuration with prior state: what the configuration sets wins; a
computed attribute the configuration leaves unset keeps its prior value. ``plan_by_schema`` is the
planning most providers need (defaults, unknown computed values on create, replacement when a
force-new attribute changes); providers with special rules post-process its result.
"""

from __future__ import annotations

from gitterra import lang
from gitterra.engine._provider import AttrPath, PlannedChange
from gitterra.engine._schema import Attribute, BlockSchema, NestedBlock


def proposed_new(schema: BlockSchema, prior: lang.Value | None, config: lang.Value) -> lang.Value:
    """The proposed new state: ``config`` with unset computed attributes taken from ``prior``."""
    if config.is_null or not config.is_known:
        return config
    if prior is None or prior.is_null or not prior.is_known:
        return config
    cfg, old = config.items(), prior.items()
    out: dict[str, lang.Value] = {}
    for name, attr in schema.attributes.items():
        value = cfg.get(name, lang.null_val(attr.type))
        if attr.computed and value.is_null and name in old:
            value = old[name]
        out[name] = value
    for name, nb in schema.blocks.items():
        out[name] = _proposed_block(nb, old.get(name), cfg.get(name))
    return lang.object_val(out)


def _proposed_block(
    nb: NestedBlock, prior: lang.Value | None, config: lang.Value | None
) -> lang.Value:
    assert config is not None
    if (
        prior is None
        or prior.is_null
        or not prior.is_known
        or config.is_null
        or not config.is_known
    ):
        return config
    if nb.nesting == "single":
        return proposed_new(nb.block, prior, config)
    if nb.nesting == "list":
        old = prior.elements()
        new = [
            proposed_new(nb.block, old[i] if i < len(old) else None, elem)
            for i, elem in enumerate(config.elements())
        ]
        return lang.Value(config.type, tuple(new))
    if nb.nesting == "map":
        old_map = prior.items()
        return lang.Value(
            config.type,
            {k: proposed_new(nb.block, old_map.get(k), e) for k, e in config.items().items()},
        )
    return config  # sets: elements have no identity to pair them by


def apply_defaults(schema: BlockSchema, value: lang.Value, creating: bool) -> lang.Value:
    """Defaults for unset optional attributes; on create, unknown for unset computed ones."""
    if value.is_null or not value.is_known:
        return value
    items = dict(value.items())
    for name, attr in schema.attributes.items():
        current = items.get(name)
        if current is None or current.is_null:
            items[name] = _unset_value(attr, creating)
    for name, nb in schema.blocks.items():
        block_value = items.get(name)
        if block_value is None or block_value.is_null or not block_value.is_known:
            continue
        items[name] = _map_block(nb, block_value, creating)
    return lang.object_val(items).mark_sensitive(value.sensitive)


def _unset_value(attr: Attribute, creating: bool) -> lang.Value:
    if attr.default is not None:
        return lang.convert(attr.default, attr.type)
    if attr.computed and creating:
        return lang.unknown_val(attr.type)
    return lang.null_val(attr.type)


def _map_block(nb: NestedBlock, value: lang.Value, creating: bool) -> lang.Value:
    """``apply_defaults`` on each object of a nested block value."""

    def fn(v: lang.Value) -> lang.Value:
        return apply_defaults(nb.block, v, creating)

    if nb.nesting == "single":
        return fn(value)
    if nb.nesting in ("list", "set"):
        elems = tuple(fn(e) for e in value.elements())
        if nb.nesting == "set":
            return lang.Value(value.type, lang.canonical_set(elems), value.sensitive)
        return lang.Value(value.type, elems, value.sensitive)
    return lang.Value(value.type, {k: fn(e) for k, e in value.items().items()}, value.sensitive)


def replace_paths(schema: BlockSchema, prior: lang.Value, planned: lang.Value) -> list[AttrPath]:
    """Force-new attributes (and force-new nested blocks) whose value changes, or may change
    (an unknown planned value counts as a change)."""
    if prior.is_null or planned.is_null or not planned.is_known:
        return []
    old, new = prior.items(), planned.items()
    out: list[AttrPath] = []
    for name, attr in schema.attributes.items():
        if attr.force_new and _differs(old.get(name), new.get(name)):
            out.append((name,))
    for name, nb in schema.blocks.items():
        if nb.force_new and _differs(old.get(name), new.get(name)):
            out.append((name,))
        elif nb.nesting == "single":
            a, b = old.get(name), new.get(name)
            if a is not None and b is not None and b.is_known and not a.is_null and not b.is_null:
                out += [(name, *p) for p in replace_paths(nb.block, a, b)]
        elif nb.nesting == "list":
            a, b = old.get(name), new.get(name)
            if a is None or b is None or not b.is_known or a.is_null or b.is_null:
                continue
            for i, (x, y) in enumerate(zip(a.elements(), b.elements(), strict=False)):
                out += [(name, i, *p) for p in replace_paths(nb.block, x, y)]
            if len(a.elements()) != len(b.elements()) and _has_force_new(nb.block):
                out.append((name,))
    return out


def _has_force_new(block: BlockSchema) -> bool:
    return any(a.force_new for a in block.attributes.values()) or any(
        nb.force_new or _has_force_new(nb.block) for nb in block.blocks.values()
    )


def _differs(a: lang.Value | None, b: lang.Value | None) -> bool:
    if a is None or b is None:
        return a is not b
    if not b.is_wholly_known():
        return True
    return a.unmark_deep() != b.unmark_deep()


def unknown_computed(schema: BlockSchema, value: lang.Value, config: lang.Value) -> lang.Value:
    """For a replacement: computed attributes the configuration does not set become unknown
    (the new object gets new ones)."""
    if value.is_null or not value.is_known:
        return value
    items = dict(value.items())
    cfg = config.items() if config.is_known and not config.is_null else {}
    for name, attr in schema.attributes.items():
        set_in_config = name in cfg and not cfg[name].is_null
        if attr.computed and not set_in_config and attr.default is None:
            items[name] = lang.unknown_val(attr.type)
    return lang.object_val(items).mark_sensitive(value.sensitive)


def plan_by_schema(
    schema: BlockSchema, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
) -> PlannedChange:
    """The plan a schema alone implies (see the module docstring)."""
    creating = prior is None or prior.is_null
    planned = apply_defaults(schema, proposed, creating)
    if creating:
        return PlannedChange(planned)
    assert prior is not None
    paths = replace_paths(schema, prior, planned)
    if paths:
        planned = unknown_computed(schema, planned, config)
    return PlannedChange(planned, tuple(paths))

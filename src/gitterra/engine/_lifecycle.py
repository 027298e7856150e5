"""``lifecycle`` rules applied during planning: ``ignore_changes`` and ``replace_triggered_by``."""

from __future__ import annotations

from collections.abc import Sequence

from gitterra import config, lang
from gitterra.diag import Diagnostic
from gitterra.engine._addrs import ResourceInstance
from gitterra.engine._decode_config import _suggest
from gitterra.engine._plan import Action, ResourceChange
from gitterra.engine._schema import BlockSchema


def check_ignore_changes(res: config.Resource, block: BlockSchema) -> list[Diagnostic]:
    """Errors for ``ignore_changes`` paths naming what the resource type does not have (a typo
    there would otherwise silently ignore nothing). Names are checked through nested blocks;
    keys inside an attribute's value are not."""
    lc = res.lifecycle
    if lc.ignore_changes == "all":
        return []
    found = []
    for path, rng in zip(lc.ignore_changes, lc.ignore_changes_rngs, strict=False):
        schema: BlockSchema | None = block
        expect_key = False
        for step in path:
            if schema is None:
                break
            if expect_key:  # an index or key into a list, set or map of blocks
                expect_key = False
                continue
            if not isinstance(step, str):
                break
            if step in schema.attributes:
                break
            nested = schema.blocks.get(step)
            if nested is None:
                names = sorted([*schema.attributes, *schema.blocks])
                found.append(
                    Diagnostic.error(
                        "Unsupported attribute",
                        f"ignore_changes: {res.type} has no argument, nested block or attribute "
                        f'named "{step}".{_suggest(step, names)}',
                        rng,
                    ).with_context(res.describe())
                )
                break
            schema = nested.block
            expect_key = nested.nesting != "single"
    return found


def ignore_changes(cfg: lang.Value, prior: lang.Value, ignore: config.IgnoreChanges) -> lang.Value:
    """The configuration with ignored attributes replaced by their prior values, so changing them
    in configuration (or outside) plans nothing."""
    if not ignore or cfg.is_null or not cfg.is_known or prior.is_null:
        return cfg
    if ignore == "all":
        prior_items = prior.items()
        return lang.object_val({k: prior_items.get(k, v) for k, v in cfg.items().items()})
    for path in ignore:
        cfg = _set_path(cfg, prior, list(path))
    return cfg


def _step(value: lang.Value, step: str | lang.Value) -> lang.Value | None:
    if value.is_null or not value.is_known:
        return None
    key = step if isinstance(step, str) else step.raw
    raw = value.raw
    if isinstance(raw, dict) and isinstance(key, str):
        return raw.get(key)
    if isinstance(raw, tuple) and isinstance(key, int) and 0 <= key < len(raw):
        return raw[key]
    return None


def _set_path(cfg: lang.Value, prior: lang.Value, path: list[str | lang.Value]) -> lang.Value:
    if not path:
        return prior
    head = path[0]
    old = _step(prior, head)
    cur = _step(cfg, head)
    raw = cfg.raw
    key = head if isinstance(head, str) else head.raw
    if isinstance(raw, dict) and isinstance(key, str):
        if old is None:
            if len(path) == 1 and key in raw and isinstance(cfg.type, lang.MapType):
                rest = dict(raw)
                del rest[key]
                return lang.Value(cfg.type, rest, cfg.sensitive)
            return cfg
        new = old if len(path) == 1 or cur is None else _set_path(cur, old, path[1:])
        items = {**raw, key: new}
        ty = cfg.type
        if isinstance(ty, lang.ObjectType):
            ty = lang.ObjectType({**ty.attrs, key: new.type})
        return lang.Value(ty, items, cfg.sensitive)
    if isinstance(raw, tuple) and isinstance(key, int) and old is not None and cur is not None:
        elems = list(raw)
        elems[key] = _set_path(cur, old, path[1:])
        return lang.Value(cfg.type, tuple(elems), cfg.sensitive)
    return cfg


def triggered(
    res: config.Resource, inst: ResourceInstance, planned: Sequence[ResourceChange]
) -> bool:
    """Whether a ``replace_triggered_by`` reference points at a resource planned to change."""
    for expr in res.lifecycle.replace_triggered_by:
        for trav in lang.traversals(expr):
            name = trav.attr(0)
            if name is None or trav.root in ("var", "local", "count", "each", "path", "module"):
                continue
            target = f"{trav.root}.{name}"
            rest = trav.steps[1:]
            for change in planned:
                addr = change.addr
                if addr.module != inst.module or f"{addr.resource}" != target:
                    continue
                if rest and not isinstance(rest[0], str) and addr.key != rest[0].raw:
                    continue
                if change.action in (
                    Action.UPDATE,
                    Action.DELETE_THEN_CREATE,
                    Action.CREATE_THEN_DELETE,
                ):
                    attrs = [s for s in rest if isinstance(s, str)]
                    if not attrs or _attr_changed(change, attrs[0]):
                        return True
    return False


def _attr_changed(change: ResourceChange, attr: str) -> bool:
    before = (
        change.before.items().get(attr)
        if change.before is not None and change.before.is_known
        else None
    )
    after = (
        change.after.items().get(attr)
        if change.after is not None and change.after.is_known
        else None
    )
    if before is None or after is None or not after.is_wholly_known():
        return True
    return before.unmark_deep() != after.unmark_deep()

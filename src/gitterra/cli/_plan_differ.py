"""The differ (the first step of :mod:`gitterra.cli._render_plan`): a change's before and after
values walked along the schema into a tree of diff nodes (:mod:`gitterra.cli._plan_nodes`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from gitterra import lang
from gitterra.cli._plan_nodes import (
    CREATE,
    DELETE,
    NOOP,
    UPDATE,
    Path,
    _Block,
    _BlockGroup,
    _compare,
    _Diff,
    _List,
    _Map,
    _Object,
    _pair_slice,
    _Primitive,
    _Sensitive,
    _SensitiveBlock,
    _Set,
    _TypeChange,
    _Unknown,
)
from gitterra.engine._plan import Action
from gitterra.engine._schema import BlockSchema, NestedBlock

# ---- the differ: values to diff nodes -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Paths:
    """Replace paths below the current value (Terraform's ``attribute_path.Matcher``)."""

    paths: tuple[Path, ...] = ()

    def matches(self) -> bool:
        return any(not p for p in self.paths)

    def child(self, step: str | int) -> _Paths:
        return _Paths(tuple(p[1:] for p in self.paths if p and p[0] == step))


@dataclass(frozen=True, slots=True)
class _Change:
    """One value's before and after (None: absent), with Terraform's explicitness flags."""

    before: lang.Value | None
    after: lang.Value | None
    paths: _Paths = _Paths()
    before_explicit: bool = False
    after_explicit: bool = False

    @property
    def unknown(self) -> bool:
        return self.after is not None and not self.after.is_known

    def child(self, key: str, explicit: bool = False, nil_empty: bool = False) -> _Change:
        b, a = _get(self.before, key), _get(self.after, key)
        if nil_empty:
            b, a = _nil_empty(b), _nil_empty(a)
        return _Change(
            b, a, self.paths.child(key), explicit and b is not None, explicit and a is not None
        )

    def unmarked(self) -> _Change:
        b = None if self.before is None else self.before.unmark()
        a = None if self.after is None else self.after.unmark()
        return replace(self, before=b, after=a)


def _nil(v: lang.Value | None) -> bool:
    return v is None or v.raw is None


def _get(v: lang.Value | None, key: str) -> lang.Value | None:
    if v is None or not isinstance(v.raw, dict):
        return None
    return v.raw.get(key)


def _elements(v: lang.Value | None) -> tuple[lang.Value, ...]:
    return v.raw if v is not None and isinstance(v.raw, tuple) else ()


def _nil_empty(v: lang.Value | None) -> lang.Value | None:
    """Blocks treat an empty string as null, as Terraform does for legacy SDK providers."""
    return None if v is not None and v.raw == "" and not v.sensitive else v


def _plain(v: lang.Value | None) -> Any:
    """A comparable form of a value (Terraform compares the values' JSON)."""
    if v is None or v.raw is None:
        return None
    raw = v.raw
    if raw is lang.UNKNOWN:
        return ("unknown",)
    if isinstance(raw, tuple):
        return [_plain(e) for e in raw]
    if isinstance(raw, dict):
        return {k: _plain(e) for k, e in raw.items()}
    if isinstance(raw, bool):
        return ("bool", raw)
    return raw


def _calculate(ch: _Change) -> Action:
    b_nil, a_nil = _nil(ch.before), _nil(ch.after)
    if b_nil and not ch.before_explicit and (not a_nil or ch.after_explicit):
        return CREATE
    if a_nil and not ch.after_explicit and (not b_nil or ch.before_explicit):
        return DELETE
    bs = ch.before is not None and ch.before.sensitive
    a_s = ch.after is not None and ch.after.sensitive
    if (
        _plain(ch.before) == _plain(ch.after)
        and ch.before_explicit == ch.after_explicit
        and bs == a_s
    ):
        return NOOP
    return UPDATE


def _default_action(ch: _Change) -> Action:
    b_nil = _nil(ch.before)
    a_nil = _nil(ch.after) or ch.unknown
    if b_nil:
        return NOOP if a_nil else CREATE
    return DELETE if a_nil else NOOP


Compute = Callable[[_Change], _Diff]


def _check_sensitive(ch: _Change, compute: Compute, block: bool = False) -> _Diff | None:
    bs = ch.before is not None and ch.before.sensitive
    a_s = ch.after is not None and ch.after.sensitive
    if not (bs or a_s):
        return None
    inner = compute(ch.unmarked())
    action = UPDATE if inner.action is NOOP and bs != a_s else inner.action
    if block:
        return _SensitiveBlock(action, ch.paths.matches())
    return _Sensitive(action, ch.paths.matches(), inner, bs, a_s)


def _check_unknown(
    ch: _Change, compute: Compute, after_for_before: lang.Value | None
) -> _Diff | None:
    if not ch.unknown:
        return None
    known = replace(ch, after_explicit=True)
    if _nil(ch.before):
        return _Unknown(_calculate(known), ch.paths.matches())
    before = compute(_Change(ch.before, after_for_before, ch.paths, ch.before_explicit))
    return _Unknown(_calculate(known), ch.paths.matches(), before)


def _diff_type(ch: _Change, ty: lang.Type) -> _Diff:
    """Terraform's ``ComputeDiffForType``: an attribute's change by its type."""
    found = _check_sensitive(ch, lambda c: _diff_type(c, ty))
    found = found or _check_unknown(ch, lambda c: _diff_type(c, ty), None)
    if found is not None:
        return found
    replace_ = ch.paths.matches()
    if ty is lang.DYNAMIC:
        return _diff_json(ch)
    if isinstance(ty, lang.PrimitiveType):
        return _Primitive(_calculate(ch), replace_, ch.before, ch.after, ty)
    if isinstance(ty, lang.ObjectType):
        attrs, action = _diff_attrs(ch, ty.attrs, _diff_type)
        return _Object(action, replace_, attrs)
    if isinstance(ty, lang.MapType):
        elements, action = _diff_keys(ch, lambda c: _diff_type(c, ty.element))
        return _Map(action, replace_, elements)
    if isinstance(ty, lang.SetType):
        items, action = _diff_set(ch, lambda c: _diff_type(c, ty.element))
        return _Set(action, replace_, items)
    if isinstance(ty, lang.ListType):
        is_obj = isinstance(ty.element, lang.ObjectType)
        items, action = _diff_slice(ch, lambda c: _diff_type(c, ty.element), lambda _: is_obj)
        return _List(action, replace_, items)
    if isinstance(ty, lang.TupleType):
        types = ty.elements
        items, action = _diff_indexed(ch, lambda i, c: _diff_type(c, types[i]))
        return _List(action, replace_, items)
    raise TypeError(f"no diff for type {ty}")


def _diff_attrs(
    ch: _Change, types: Mapping[str, lang.Type], compute: Callable[[_Change, lang.Type], _Diff]
) -> tuple[dict[str, _Diff], Action]:
    current = _default_action(ch)
    out: dict[str, _Diff] = {}
    for key, ty in types.items():
        child = ch.child(key)
        d = compute(child, ty)
        if d.action is NOOP and _nil(child.before) and _nil(child.after):
            continue
        out[key] = d
        current = _compare(current, d.action)
    return out, current


def _diff_keys(ch: _Change, compute: Compute) -> tuple[dict[str, _Diff], Action]:
    before = ch.before.raw if ch.before is not None and isinstance(ch.before.raw, dict) else {}
    after = ch.after.raw if ch.after is not None and isinstance(ch.after.raw, dict) else {}
    current = _default_action(ch)
    out: dict[str, _Diff] = {}
    for key in sorted(before.keys() | after.keys()):
        d = compute(ch.child(key, explicit=True))
        out[key] = d
        current = _compare(current, d.action)
    return out, current


def _diff_slice(
    ch: _Change, compute: Compute, is_obj: Callable[[lang.Value], bool]
) -> tuple[list[_Diff], Action]:
    """A list matched by longest common subsequence (Terraform's ``ProcessSlice``)."""
    before, after = _elements(ch.before), _elements(ch.after)
    bp, ap = [_plain(v) for v in before], [_plain(v) for v in after]

    def obj(side: Sequence[lang.Value]) -> Callable[[int], bool]:
        return lambda i: is_obj(side[i])

    current = _default_action(ch)
    out: list[_Diff] = []
    for bi, ai in _pair_slice(bp, ap, None, obj(before), obj(after)):
        child = _Change(
            before[bi] if bi < len(before) else None,
            after[ai] if ai < len(after) else None,
            ch.paths.child(bi if bi < len(before) else ai),
            bi < len(before),
            ai < len(after),
        )
        d = compute(child)
        out.append(d)
        current = _compare(current, d.action)
    return out, current


def _diff_indexed(
    ch: _Change, compute: Callable[[int, _Change], _Diff]
) -> tuple[list[_Diff], Action]:
    before, after = _elements(ch.before), _elements(ch.after)
    current = _default_action(ch)
    out: list[_Diff] = []
    for i in range(max(len(before), len(after))):
        child = _Change(
            before[i] if i < len(before) else None,
            after[i] if i < len(after) else None,
            ch.paths.child(i),
            i < len(before),
            i < len(after),
        )
        d = compute(i, child)
        out.append(d)
        current = _compare(current, d.action)
    return out, current


def _diff_set(ch: _Change, compute: Compute) -> tuple[list[_Diff], Action]:
    """A set: equal elements pair up, the rest are deleted or created."""
    before, after = _elements(ch.before), _elements(ch.after)
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for i, b in enumerate(before):
        for j, a in enumerate(after):
            if j in taken or not a.is_wholly_known() or a.sensitive != b.sensitive:
                continue
            if _plain(b) == _plain(a):
                matched[i] = j
                taken.add(j)
                break
    current = _default_action(ch)
    out: list[_Diff] = []
    pairs: list[tuple[int, lang.Value | None, lang.Value | None]] = [
        (i, b, after[matched[i]] if i in matched else None) for i, b in enumerate(before)
    ]
    pairs += [(j, None, a) for j, a in enumerate(after) if j not in taken]
    for ix, pb, pa in pairs:
        d = compute(_Change(pb, pa, ch.paths.child(ix), pb is not None, pa is not None))
        out.append(d)
        current = _compare(current, d.action)
    return out, current


def _json_kind(v: lang.Value | None) -> str:
    if v is None or v.raw is None:
        return "null"
    ty = v.type
    if isinstance(ty, lang.ObjectType | lang.MapType):
        return "object"
    if isinstance(ty, lang.ListType | lang.SetType | lang.TupleType):
        return "array"
    return str(ty)


def _diff_json(ch: _Change) -> _Diff:
    """A value by its JSON shape, as Terraform diffs outputs and dynamic attributes."""
    found = _check_sensitive(ch, _diff_json) or _check_unknown(ch, _diff_json, None)
    if found is not None:
        return found
    bk, ak = _json_kind(ch.before), _json_kind(ch.after)
    deleted = ak == "null" and not ch.after_explicit
    created = bk == "null" and not ch.before_explicit
    if bk == ak or created or deleted:
        return _diff_json_as(ch, ak if bk == "null" else bk)
    before = _diff_json_as(_Change(ch.before, None, ch.paths, ch.before_explicit), bk)
    after = _diff_json_as(_Change(None, ch.after, ch.paths, False, ch.after_explicit), ak)
    return _TypeChange(UPDATE, False, before, after)


def _diff_json_as(ch: _Change, kind: str) -> _Diff:
    if kind == "object":
        elements, action = _diff_keys(ch, _diff_json)
        return _Object(action, False, elements)
    if kind == "array":
        items, action = _diff_slice(ch, _diff_json, lambda v: _json_kind(v) == "object")
        return _List(action, False, items)
    ty = next((v.type for v in (ch.before, ch.after) if v is not None and v.raw is not None), None)
    action = _calculate(ch)
    return _Primitive(action, False, ch.before, ch.after, ty)


def _diff_block(ch: _Change, block: BlockSchema, legacy: bool = True) -> _Diff:
    """Terraform's ``ComputeDiffForBlock``: attributes, then nested blocks by nesting mode.
    ``legacy``: the schema could come from the old plugin SDK, whose empty strings mean null."""
    found = _check_sensitive(ch, lambda c: _diff_block(c, block, legacy), block=True)
    unknown_attrs = lang.object_val(
        {k: lang.unknown_val(a.type) for k, a in block.attributes.items()}
    )
    found = found or _check_unknown(ch, lambda c: _diff_block(c, block, legacy), unknown_attrs)
    if found is not None:
        return found
    legacy = legacy and _legacy(block)
    current = _default_action(ch)
    attrs: dict[str, _Diff] = {}
    for name, attr in block.attributes.items():
        child = ch.child(name, nil_empty=legacy)
        d = _diff_type(child, attr.type)
        inner = d.inner if isinstance(d, _Sensitive) else d
        # Null before and after: nothing to show, whatever the schema's sensitivity marks say.
        if inner.action is NOOP and _nil(child.before) and _nil(child.after):
            continue
        attrs[name] = d
        current = _compare(current, d.action)
    groups: dict[str, _BlockGroup] = {}
    for name, nb in block.blocks.items():
        child = ch.child(name)
        group, action = _diff_nested(child, nb, legacy)
        if action is NOOP and _nil(child.before) and _nil(child.after) and not group.unknown:
            continue
        groups[name] = group
        current = _compare(current, action)
    return _Block(current, ch.paths.matches(), attrs, groups)


def _legacy(block: BlockSchema) -> bool:
    """Whether ``block`` uses only what the legacy plugin SDK could express (Terraform's
    ``containsNonLegacyFeatures``, negated)."""
    if any(nb.nesting == "map" for nb in block.blocks.values()):
        return False
    for attr in block.attributes.values():
        ty = attr.type
        if ty is lang.DYNAMIC or isinstance(ty, lang.ObjectType | lang.TupleType):
            return False
        if isinstance(ty, lang.ListType | lang.SetType | lang.MapType):
            inner = ty.element
            if isinstance(inner, lang.ListType | lang.SetType | lang.MapType) and not isinstance(
                inner.element, lang.PrimitiveType
            ):
                return False
            if inner is lang.DYNAMIC or isinstance(inner, lang.ObjectType | lang.TupleType):
                return False
    return True


def _diff_nested(ch: _Change, nb: NestedBlock, legacy: bool) -> tuple[_BlockGroup, Action]:
    group = _BlockGroup(
        replace=ch.paths.matches(),
        before_sensitive=ch.before is not None and ch.before.sensitive,
        after_sensitive=ch.after is not None and ch.after.sensitive,
        unknown=ch.unknown,
    )
    ch = ch.unmarked()

    def each(c: _Change) -> _Diff:
        return _diff_block(c, nb.block, legacy)

    if nb.nesting == "single":
        d = each(ch)
        group.items = [("", d)]
        group.unknown = False  # a single block shows its own "(known after apply)"
        return group, d.action
    if ch.unknown:
        # Terraform shows "(known after apply)" and then the blocks there were as deleted.
        ch = replace(ch, after=None)
    if nb.nesting == "map":
        elements, action = _diff_keys(ch, each)
        group.items = [(" " + lang.go_quote(k), d) for k, d in elements.items()]
        return group, action
    if nb.nesting == "set":
        items, action = _diff_set(ch, each)
    else:
        items, action = _diff_indexed(ch, lambda _, c: each(c))
    group.items = [("", d) for d in items]
    return group, action

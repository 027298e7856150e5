"""Terraform's human plan output for a :class:`Plan`, with "gitterra" for "Terraform".

The layout is that of Terraform's structured renderer (``internal/command/jsonformat``): the
symbols legend (only the symbols used), one ``# ADDR will be ...`` comment and one
``+ resource "TYPE" "NAME" {`` body per change, the ``Plan:`` counts, ``Changes to Outputs:``,
the drift note, and the "No changes." texts. The computation follows Terraform's in two steps:

1. *Differ*: a change's before and after values (``lang.Value``, unknown and sensitive anywhere)
   are walked along the resource schema into a tree of :class:`_Diff` nodes, each with its own
   action (create, update, delete, no-op) and whether it forces replacement. Nested blocks are
   blocks; attributes are primitives, objects, maps, lists (matched by longest common
   subsequence) or sets (matched by equality); outputs are walked by their values' JSON shape.
2. *Renderers*: each node prints itself at an indent, hiding unchanged children as
   ``# (N unchanged attributes hidden)`` (except ``id``, ``name`` and ``tags``, always shown).

Colour is ANSI escapes around symbols and keywords only when asked for; without it the text is
plain. Known differences from Terraform: JSON-looking strings print as plain strings (Terraform
shows them as ``jsonencode(...)`` diffs), and every drifted resource is shown (Terraform filters
drift by the attributes the plan depends on).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, assert_never

from gitterra import lang
from gitterra.engine._marks import mark_schema
from gitterra.engine._plan import Action, OutputChange, Plan, Reason, ResourceChange
from gitterra.engine._schema import Attribute, BlockSchema, NestedBlock

SchemaOf = Callable[[ResourceChange], BlockSchema | None]
Path = tuple[str | int, ...]

NOOP, CREATE, UPDATE, DELETE = Action.NOOP, Action.CREATE, Action.UPDATE, Action.DELETE
BOLD, RED, GREEN, YELLOW, CYAN, GRAY = "1", "31", "32", "33", "36", "90"
IMPORTANT = frozenset({"id", "name", "tags"})
_IDENT = re.compile(r"[^\W\d][\w-]*\Z")


# ---- options and small helpers --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Opts:
    color: bool
    show_unchanged: bool = False
    no_null_suffix: bool = False
    force_replace: bool = False
    forbid_replace: bool = False

    def paint(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def but(self, **changes: bool) -> _Opts:
        """Options for a child (Terraform's ``Clone``): forcing or forbidding the "forces
        replacement" note never cascades further than the child it is set for."""
        return replace(self, **{"force_replace": False, "forbid_replace": False, **changes})


def _symbol(action: Action, o: _Opts) -> str:
    """Three columns: Terraform's ``format.DiffActionSymbol``."""
    match action:
        case Action.DELETE_THEN_CREATE:
            return o.paint(RED, "-") + "/" + o.paint(GREEN, "+")
        case Action.CREATE_THEN_DELETE:
            return o.paint(GREEN, "+") + "/" + o.paint(RED, "-")
        case Action.CREATE:
            return "  " + o.paint(GREEN, "+")
        case Action.DELETE:
            return "  " + o.paint(RED, "-")
        case Action.READ:
            return " " + o.paint(CYAN, "<=")
        case Action.UPDATE:
            return "  " + o.paint(YELLOW, "~")
        case Action.NOOP:
            return "   "
        case _:
            assert_never(action)


def _sym(action: Action, o: _Opts) -> str:
    return _symbol(action, o) + " "


def _ind(n: int) -> str:
    return "    " * n


def _null_suffix(action: Action, o: _Opts) -> str:
    return " " + o.paint(GRAY, "-> null") if action is DELETE and not o.no_null_suffix else ""


def _forces(replace_: bool, o: _Opts) -> str:
    if (replace_ or o.force_replace) and not o.forbid_replace:
        return " " + o.paint(RED, "# forces replacement")
    return ""


def _unchanged(word: str, n: int, o: _Opts) -> str:
    return o.paint(GRAY, f"# ({n} unchanged {word}{'' if n == 1 else 's'} hidden)")


def _attr_name(name: str) -> str:
    return name if _IDENT.match(name) else lang.go_quote(name)


def _compare(current: Action, nxt: Action) -> Action:
    if nxt is NOOP:
        return current
    return current if current is nxt else UPDATE


# ---- diff nodes and their renderers ---------------------------------------------------------


@dataclass
class _Diff:
    action: Action
    replace: bool

    def render(self, indent: int, o: _Opts) -> str:
        raise NotImplementedError

    def warnings(self, indent: int, o: _Opts) -> list[str]:
        return []


def _lines_before(d: _Diff, indent: int, o: _Opts) -> str:
    return "".join(f"{_ind(indent + 1)}{w}\n" for w in d.warnings(indent + 1, o))


@dataclass
class _Primitive(_Diff):
    before: lang.Value | None
    after: lang.Value | None
    type: lang.Type | None

    def render(self, indent: int, o: _Opts) -> str:
        if self.type is lang.STRING:
            return _render_string(self, indent, o)
        b, a = _scalar(self.before, o), _scalar(self.after, o)
        f = _forces(self.replace, o)
        if self.action is CREATE:
            return a + f
        if self.action is DELETE:
            return b + _null_suffix(self.action, o) + f
        if self.action is NOOP:
            return b + f
        return f"{b} {o.paint(YELLOW, '->')} {a}{f}"


def _scalar(v: lang.Value | None, o: _Opts) -> str:
    if v is None or v.raw is None:
        return o.paint(GRAY, "null")
    raw = v.raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, Decimal) and raw.is_finite():
        text = format(raw, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(raw, int | Decimal):
        return lang.format_number(raw)
    return lang.go_quote(str(raw))


def _render_string(d: _Primitive, indent: int, o: _Opts) -> str:
    f = _forces(d.replace, o)
    pad = _ind(indent + 1)
    null = _null_suffix(d.action, o)
    if d.action in (CREATE, NOOP, DELETE):
        v = d.before if d.action is DELETE else d.after
        if v is None or v.raw is None:
            return _scalar(v, o) + f
        s = str(v.raw)
        if "\n" not in s:
            return lang.go_quote(s) + (null if d.action is DELETE else "") + f
        lines = [pad + _sym(NOOP, o) + line for line in s.strip().split("\n")]
    else:
        b = _multiline(d.before)
        a = _multiline(d.after)
        if b is None and a is None:
            return f"{_scalar(d.before, o)} {o.paint(YELLOW, '->')} {_scalar(d.after, o)}{f}"
        bl = (b or _scalar(d.before, o)).split("\n")
        al = (a or _scalar(d.after, o)).split("\n")
        lines = []
        for bi, ai in _pair_slice(bl, al, lambda _: False):
            if bi >= len(bl):
                lines.append(pad + _sym(CREATE, o) + al[ai])
            elif ai >= len(al):
                lines.append(pad + _sym(DELETE, o) + bl[bi])
            elif bl[bi] != al[ai]:
                lines += [pad + _sym(DELETE, o) + bl[bi], pad + _sym(CREATE, o) + al[ai]]
            else:
                lines.append(pad + _sym(NOOP, o) + bl[bi])
    body = "\n".join(lines)
    return f"<<-EOT{f}\n{body}\n{_ind(indent)}{_sym(NOOP, o)}EOT{null}"


def _multiline(v: lang.Value | None) -> str | None:
    if v is None or not isinstance(v.raw, str) or "\n" not in v.raw:
        return None
    return v.raw.strip()


@dataclass
class _Unknown(_Diff):
    before: _Diff | None = None

    def render(self, indent: int, o: _Opts) -> str:
        f = _forces(self.replace, o)
        if self.action is CREATE or self.before is None:
            return "(known after apply)" + f
        bo = o.but(no_null_suffix=True, forbid_replace=o.forbid_replace or self.replace)
        return f"{self.before.render(indent, bo)} -> (known after apply){f}"


@dataclass
class _Sensitive(_Diff):
    inner: _Diff
    before_sensitive: bool
    after_sensitive: bool

    def render(self, indent: int, o: _Opts) -> str:
        return "(sensitive value)" + _null_suffix(self.action, o) + _forces(self.replace, o)

    def warnings(self, indent: int, o: _Opts) -> list[str]:
        if self.before_sensitive == self.after_sensitive or self.inner.action in (CREATE, DELETE):
            return []
        warn = o.paint(YELLOW, "Warning")
        if self.before_sensitive:
            text = (
                f"  # {warn}: this attribute value will no longer be marked as sensitive\n"
                f"{_ind(indent)}  # after applying this change."
            )
        else:
            text = (
                f"  # {warn}: this attribute value will be marked as sensitive and will not\n"
                f"{_ind(indent)}  # display in UI output after applying this change."
            )
        return [text + (" The value is unchanged." if self.inner.action is NOOP else "")]


@dataclass
class _SensitiveBlock(_Diff):
    def render(self, indent: int, o: _Opts) -> str:
        prefix = _ind(indent) + _sym(NOOP, o)
        return (
            f"{{{_forces(self.replace, o)}\n"
            f"{prefix}  # At least one attribute in this block is (or was) sensitive,\n"
            f"{prefix}  # so its contents will not be displayed.\n{prefix}}}"
        )


@dataclass
class _TypeChange(_Diff):
    before: _Diff
    after: _Diff

    def render(self, indent: int, o: _Opts) -> str:
        inner = o.but(no_null_suffix=True)
        arrow = o.paint(YELLOW, "->")
        return f"{self.before.render(indent, inner)} {arrow} {self.after.render(indent, inner)}"


def _key_lines(
    rows: Mapping[str, _Diff], names: Mapping[str, str], indent: int, o: _Opts, child: _Opts
) -> tuple[str, int]:
    """Attribute rows ``SYM KEY = VALUE`` aligned on ``=``; unchanged ones counted unless
    important or shown."""
    width = max((len(n) for n in names.values()), default=0)
    out, hidden = [], 0
    for key in sorted(rows):
        d = rows[key]
        opts = child
        if key in IMPORTANT:
            opts = child.but(show_unchanged=True)
        elif d.action is NOOP and not o.show_unchanged:
            hidden += 1
            continue
        out.append(_lines_before(d, indent, opts))
        value = d.render(indent + 1, opts)
        out.append(f"{_ind(indent + 1)}{_sym(d.action, opts)}{names[key]:<{width}} = {value}\n")
    return "".join(out), hidden


@dataclass
class _Object(_Diff):
    attrs: dict[str, _Diff]
    override_null: bool = True

    def render(self, indent: int, o: _Opts) -> str:
        if not self.attrs:
            return "{}" + _null_suffix(self.action, o) + _forces(self.replace, o)
        names = {k: _attr_name(k) for k in self.attrs}
        child = o.but(no_null_suffix=self.override_null)
        body, hidden = _key_lines(self.attrs, names, indent, o, child)
        if hidden:
            body += f"{_ind(indent + 1)}{_sym(NOOP, o)}{_unchanged('attribute', hidden, o)}\n"
        close = f"{_ind(indent)}{_sym(NOOP, o)}}}{_null_suffix(self.action, o)}"
        return f"{{{_forces(self.replace, o)}\n{body}{close}"


@dataclass
class _Map(_Diff):
    elements: dict[str, _Diff]

    def render(self, indent: int, o: _Opts) -> str:
        if not self.elements:
            return "{}" + _null_suffix(self.action, o) + _forces(self.replace, o)
        names = {k: lang.go_quote(k) for k in self.elements}
        width = max(len(n) for n in names.values())
        child = o.but(no_null_suffix=self.action is DELETE)
        out, hidden = [], 0
        for key in sorted(self.elements):
            d = self.elements[key]
            if d.action is NOOP and not o.show_unchanged:
                hidden += 1
                continue
            comma = "," if isinstance(d, _Object) else ""
            out.append(_lines_before(d, indent, o))
            value = d.render(indent + 1, child)
            out.append(
                f"{_ind(indent + 1)}{_sym(d.action, child)}{names[key]:<{width}} = {value}{comma}\n"
            )
        if hidden:
            out.append(f"{_ind(indent + 1)}{_sym(NOOP, o)}{_unchanged('element', hidden, o)}\n")
        close = f"{_ind(indent)}{_sym(NOOP, o)}}}{_null_suffix(self.action, o)}"
        return f"{{{_forces(self.replace, o)}\n{''.join(out)}{close}"


@dataclass
class _List(_Diff):
    elements: list[_Diff]
    context: bool = True

    def render(self, indent: int, o: _Opts) -> str:
        if not self.elements:
            return "[]" + _null_suffix(self.action, o) + _forces(self.replace, o)
        elem_o = o.but(no_null_suffix=True)
        same_o = o.but(show_unchanged=True)
        pad = _ind(indent + 1)
        out: list[str] = []
        skipped: list[_Diff] = []
        render_next = False
        for d in self.elements:
            if d.action is NOOP and not render_next and not o.show_unchanged:
                skipped.append(d)
                continue
            render_next = False
            opts = elem_o
            if self.context:
                if len(skipped) > 1:
                    out.append(
                        f"{pad}{_sym(NOOP, o)}{_unchanged('element', len(skipped) - 1, o)}\n"
                    )
                if skipped:
                    last = skipped[-1]
                    out.append(
                        f"{pad}{_sym(last.action, same_o)}{last.render(indent + 1, same_o)},\n"
                    )
                skipped = []
                if d.action is NOOP:
                    opts = same_o
                else:
                    render_next = True
            out.append(_lines_before(d, indent, opts))
            out.append(f"{pad}{_sym(d.action, opts)}{d.render(indent + 1, opts)},\n")
        if skipped:
            out.append(f"{pad}{_sym(NOOP, o)}{_unchanged('element', len(skipped), o)}\n")
        close = f"{_ind(indent)}{_sym(NOOP, o)}]{_null_suffix(self.action, o)}"
        return f"[{_forces(self.replace, o)}\n{''.join(out)}{close}"


@dataclass
class _Set(_Diff):
    elements: list[_Diff]

    def render(self, indent: int, o: _Opts) -> str:
        if not self.elements:
            return "[]" + _null_suffix(self.action, o) + _forces(self.replace, o)
        elem_o = o.but(no_null_suffix=True)
        out, hidden = [], 0
        for d in self.elements:
            if d.action is NOOP and not o.show_unchanged:
                hidden += 1
                continue
            out.append(_lines_before(d, indent, o))
            out.append(
                f"{_ind(indent + 1)}{_sym(d.action, elem_o)}{d.render(indent + 1, elem_o)},\n"
            )
        if hidden:
            out.append(f"{_ind(indent + 1)}{_sym(NOOP, o)}{_unchanged('element', hidden, o)}\n")
        close = f"{_ind(indent)}{_sym(NOOP, o)}]{_null_suffix(self.action, o)}"
        return f"[{_forces(self.replace, o)}\n{''.join(out)}{close}"


@dataclass
class _BlockGroup:
    """The blocks of one nested block type: ``(label, diff)`` pairs (label is ``' "key"'``
    for map nesting), or ``unknown`` when the whole collection is not known yet."""

    items: list[tuple[str, _Diff]] = field(default_factory=list)
    replace: bool = False
    before_sensitive: bool = False
    after_sensitive: bool = False
    unknown: bool = False


@dataclass
class _Block(_Diff):
    attrs: dict[str, _Diff]
    blocks: dict[str, _BlockGroup]

    def render(self, indent: int, o: _Opts) -> str:
        if not self.attrs and not self.blocks:
            return "{}" + _forces(self.replace, o)
        names = {k: _attr_name(k) for k in self.attrs}
        body, hidden = _key_lines(self.attrs, names, indent, o, o.but())
        out = [body]
        if hidden:
            out.append(f"{_ind(indent + 1)}{_sym(NOOP, o)}{_unchanged('attribute', hidden, o)}\n")
        hidden_blocks = 0
        for name in sorted(self.blocks):
            group = self.blocks[name]
            items = list(group.items)
            if group.unknown:
                items.insert(0, ("", _Unknown(self.action, False)))
            gap = bool(self.attrs)
            for label, d in items:
                d = _sensitive_block(d, group)
                if d.action is NOOP and not o.show_unchanged:
                    hidden_blocks += 1
                    continue
                if gap:
                    out.append("\n")
                    gap = False
                bo = o.but(force_replace=group.replace)
                out.append(_lines_before(d, indent, bo))
                sym = _sym(d.action, bo)
                out.append(
                    f"{_ind(indent + 1)}{sym}{_attr_name(name)}{label} {d.render(indent + 1, bo)}\n"
                )
        if hidden_blocks:
            out.append(
                f"\n{_ind(indent + 1)}{_sym(NOOP, o)}{_unchanged('block', hidden_blocks, o)}\n"
            )
        return f"{{{_forces(self.replace, o)}\n{''.join(out)}{_ind(indent)}{_sym(NOOP, o)}}}"


def _sensitive_block(d: _Diff, g: _BlockGroup) -> _Diff:
    creating = d.action is CREATE and g.after_sensitive
    deleting = d.action is DELETE and g.before_sensitive
    modifying = d.action in (UPDATE, NOOP) and (g.after_sensitive or g.before_sensitive)
    if not (creating or deleting or modifying):
        return d
    action = d.action
    if action is NOOP and g.before_sensitive != g.after_sensitive:
        action = UPDATE
    return _SensitiveBlock(action, d.replace)


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


def _pair_slice(
    before: Sequence[Any],
    after: Sequence[Any],
    is_obj: Callable[[Any], bool] | None,
    before_obj: Callable[[int], bool] | None = None,
    after_obj: Callable[[int], bool] | None = None,
) -> list[tuple[int, int]]:
    """Index pairs walking two sequences along their longest common subsequence; an index
    equal to a sequence's length means "not in this one". Changed objects at the same place
    pair up as an update."""
    common = _lcs(before, after)
    b_obj = before_obj or (lambda i: is_obj is not None and is_obj(before[i]))
    a_obj = after_obj or (lambda i: is_obj is not None and is_obj(after[i]))
    out: list[tuple[int, int]] = []
    bi = ai = ci = 0
    while bi < len(before) or ai < len(after) or ci < len(common):
        while bi < len(before) and (ci >= len(common) or before[bi] != common[ci]):
            if (
                b_obj(bi)
                and ai < len(after)
                and a_obj(ai)
                and (ci >= len(common) or after[ai] != common[ci])
            ):
                out.append((bi, ai))
                bi, ai = bi + 1, ai + 1
                continue
            out.append((bi, len(after)))
            bi += 1
        while ai < len(after) and (ci >= len(common) or after[ai] != common[ci]):
            out.append((len(before), ai))
            ai += 1
        if ci < len(common):
            out.append((bi, ai))
            bi, ai, ci = bi + 1, ai + 1, ci + 1
    return out


def _lcs(xs: Sequence[Any], ys: Sequence[Any]) -> list[Any]:
    """Terraform's ``LongestCommonSubsequence`` (same tie-breaking)."""
    if not xs or not ys:
        return []
    w = len(xs)
    c = [0] * (len(xs) * len(ys))
    eqs = [False] * (len(xs) * len(ys))
    for y in range(len(ys)):
        for x in range(len(xs)):
            if xs[x] == ys[y]:
                eqs[w * y + x] = True
                c[w * y + x] = 1 if x == 0 or y == 0 else c[w * (y - 1) + x - 1] + 1
            else:
                left = c[w * y + x - 1] if x > 0 else 0
                up = c[w * (y - 1) + x] if y > 0 else 0
                c[w * y + x] = max(left, up)
    seq: list[Any] = [None] * c[-1]
    x, y, i = len(xs) - 1, len(ys) - 1, len(seq) - 1
    while x > -1 and y > -1:
        if eqs[w * y + x]:
            seq[i] = xs[x]
            x, y, i = x - 1, y - 1, i - 1
        else:
            left = c[w * y + x - 1] if x > 0 else 0
            up = c[w * (y - 1) + x] if y > 0 else 0
            if left > up:
                x -= 1
            else:
                y -= 1
    return seq


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


# ---- resources, outputs and the whole plan --------------------------------------------------


def _implied_schema(value: lang.Value | None) -> BlockSchema:
    """A schema of plain attributes for a change whose provider schema is not known."""
    ty = value.type if value is not None else None
    attrs = ty.attrs if isinstance(ty, lang.ObjectType) else {}
    return BlockSchema({k: Attribute(t, optional=True) for k, t in attrs.items()})


def _resource_diff(change: ResourceChange, schema: BlockSchema | None) -> _Diff:
    block = schema or _implied_schema(change.after or change.before)
    before = None if change.before is None else mark_schema(block, change.before)
    after = None if change.after is None else mark_schema(block, change.after)
    return _diff_block(_Change(before, after, _Paths(tuple(change.replace_paths))), block)


def _key_json(key: object) -> str:
    text = json.dumps(key, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _comment(change: ResourceChange, drift: bool, o: _Opts) -> str:
    """The ``# ADDR will be ...`` lines above a change (Terraform's resourceChangeComment)."""
    addr = change.address
    if change.deposed:
        addr += f" (deposed object {change.deposed})"
    head = o.paint(BOLD, f"  # {addr}")
    reason, res = change.reason, change.addr.resource
    match change.action:
        case Action.CREATE:
            text = f"{head} will be created"
        case Action.READ:
            text = f"{head} will be read during apply"
            if reason is Reason.READ_CONFIG_UNKNOWN:
                text += "\n  # (config refers to values not yet known)"
            elif reason is Reason.READ_DEPENDENCY_PENDING:
                text += "\n  # (depends on a resource or a module with changes pending)"
        case Action.UPDATE:
            text = f"{head} has changed" if drift else f"{head} will be updated in-place"
        case Action.DELETE_THEN_CREATE | Action.CREATE_THEN_DELETE:
            replaced = o.paint(BOLD + ";" + RED, "replaced")
            if reason is Reason.TAINTED:
                text = f"{head} is tainted, so must be {replaced}"
            elif reason is Reason.BY_REQUEST:
                text = f"{head} will be {replaced}, as requested"
            elif reason is Reason.BY_TRIGGERS:
                text = f"{head} will be {replaced} due to changes in replace_triggered_by"
            else:
                text = f"{head} must be {replaced}"
        case Action.DELETE:
            destroyed = o.paint(BOLD + ";" + RED, "destroyed")
            text = f"{head} has been deleted" if drift else f"{head} will be {destroyed}"
            text += _delete_reason(change)
            if change.deposed:
                text += "\n  # (left over from a partially-failed replacement of this instance)"
        case Action.NOOP:
            text = f"{addr} has an action the plan renderer doesn't support (this is a bug)"
        case _:
            assert_never(change.action)
    del res
    return text + "\n"


def _delete_reason(change: ResourceChange) -> str:
    key = change.addr.key
    match change.reason:
        case Reason.NO_RESOURCE_CONFIG:
            res = change.addr.resource
            return f"\n  # (because {res.type}.{res.name} is not in configuration)"
        case Reason.NO_MODULE:
            return f"\n  # (because {change.addr.module} is not in configuration)"
        case Reason.WRONG_REPETITION:
            if key is None:
                return "\n  # (because resource uses count or for_each)"
            if isinstance(key, int):
                return "\n  # (because resource does not use count)"
            return "\n  # (because resource does not use for_each)"
        case Reason.COUNT_INDEX:
            return f"\n  # (because index [{_key_json(key)}] is out of range for count)"
        case Reason.EACH_KEY:
            return f"\n  # (because key [{_key_json(key)}] is not in for_each map)"
        case _:
            return ""


def _render_change(
    change: ResourceChange, schema: BlockSchema | None, drift: bool, o: _Opts
) -> str:
    res = change.addr.resource
    mode = "resource" if res.mode == "managed" else "data"
    header = f"{mode} {json.dumps(res.type)} {json.dumps(res.name)}"
    body = _resource_diff(change, schema).render(0, o)
    return f"{_comment(change, drift, o)}{_symbol(change.action, o)} {header} {body}"


def _output_diff(output: OutputChange) -> _Diff:
    """Outputs are diffed by their JSON shape; sensitivity is the whole output's."""
    before = None if output.before is None else output.before.unmark_deep()
    after = None if output.after is None else output.after.unmark_deep()
    ch = _Change(before, after)
    if output.sensitive:
        inner = _diff_json(ch)
        return _Sensitive(inner.action, False, inner, True, True)
    return _diff_json(ch)


def _render_outputs(outputs: Sequence[OutputChange], o: _Opts) -> str:
    names = {out.name: _attr_name(out.name) for out in outputs}
    width = max((len(n) for n in names.values()), default=0)
    rows = []
    for out in sorted(outputs, key=lambda x: x.name):
        if out.action is NOOP:
            continue
        d = _output_diff(out)
        if d.action is NOOP:
            continue
        rows.append(f"{_symbol(d.action, o)} {names[out.name]:<{width}} = {d.render(0, o)}")
    return "\n".join(rows)


def _wrap(text: str, width: int) -> str:
    """Terraform's ``format.WordWrap``: lines starting with a space are left alone."""
    lines = []
    for line in text.split("\n"):
        if line.startswith(" ") or len(line) <= width - 1:
            lines.append(line)
        else:
            lines.append(
                textwrap.fill(line, width - 1, break_long_words=False, break_on_hyphens=False)
            )
    return "\n".join(lines)


_LEGEND: list[tuple[Action, Callable[[_Opts], str]]] = [
    (Action.CREATE, lambda o: f"  {o.paint(GREEN, '+')} create"),
    (Action.UPDATE, lambda o: f"  {o.paint(YELLOW, '~')} update in-place"),
    (Action.DELETE, lambda o: f"  {o.paint(RED, '-')} destroy"),
    (
        Action.DELETE_THEN_CREATE,
        lambda o: f"{o.paint(RED, '-')}/{o.paint(GREEN, '+')} destroy and then create replacement",
    ),
    (
        Action.CREATE_THEN_DELETE,
        lambda o: f"{o.paint(GREEN, '+')}/{o.paint(RED, '-')} create replacement and then destroy",
    ),
    (Action.READ, lambda o: f" {o.paint(CYAN, '<=')} read (data resources)"),
]


def render_plan(plan: Plan, schema_of: SchemaOf, color: bool, *, width: int = 78) -> str:
    """The text ``gitterra plan`` prints for ``plan`` (``width``: the terminal's columns; 78
    when it is not a terminal, as Terraform assumes)."""
    o = _Opts(color)
    w: list[str] = []
    changes = [
        c
        for c in sorted(plan.changes, key=lambda c: c.sort_key)
        if c.action is not NOOP and not (c.action is DELETE and c.addr.resource.mode == "data")
    ]
    outputs = _render_outputs(plan.outputs, o)
    drift = [c for c in plan.drift if plan.refresh_only or c.action is not NOOP]
    empty = not changes and not any(out.action is not NOOP for out in plan.outputs)
    have_drift = bool(drift) and (not empty or plan.refresh_only)
    if have_drift:
        _drift(w, drift, plan, schema_of, o, width)
    if not changes and not outputs and _no_changes(w, plan, have_drift, o, width):
        return "".join(w)
    if have_drift:
        w.append(_rule(o, width) + "\n")
    counts: dict[Action, int] = {}
    for c in changes:
        counts[c.action] = counts.get(c.action, 0) + 1
    if counts:
        w.append(
            _wrap(
                "\ngitterra used the selected providers to generate the following execution plan. "
                "Resource actions are indicated with the following symbols:",
                width,
            )
            + "\n"
        )
        w += [line(o) + "\n" for action, line in _LEGEND if counts.get(action)]
    if changes:
        if plan.errored:
            w.append("\ngitterra planned the following actions, but then encountered a problem:\n")
        else:
            w.append("\ngitterra will perform the following actions:\n")
        for c in changes:
            w.append("\n" + _render_change(c, schema_of(c), False, o) + "\n")
        add = sum(n for a, n in counts.items() if a.creates)
        destroy = sum(n for a, n in counts.items() if a.destroys)
        change = counts.get(UPDATE, 0)
        w.append(
            f"\n{o.paint(BOLD, 'Plan:')} {add} to add, {change} to change, {destroy} to destroy.\n"
        )
    if outputs:
        w.append("\nChanges to Outputs:\n" + outputs + "\n")
        if not counts:
            w.append(
                _wrap(
                    "\nYou can apply this plan to save these new output values to the gitterra "
                    "state, without changing any real infrastructure.",
                    width,
                )
                + "\n"
            )
    return "".join(w)


def _rule(o: _Opts, width: int) -> str:
    return o.paint(GRAY, "\n" + "─" * (width - 1)) if width > 1 else "\n"


def _drift(
    w: list[str],
    drift: Sequence[ResourceChange],
    plan: Plan,
    schema_of: SchemaOf,
    o: _Opts,
    width: int,
) -> None:
    note = o.paint(BOLD + ";" + CYAN, "Note:") + o.paint(
        BOLD, " Objects have changed outside of gitterra"
    )
    w.append(f"\n{note}\n\n")
    w.append(
        _wrap(
            "gitterra detected the following changes made outside of gitterra since the last "
            '"gitterra apply" which may have affected this plan:\n',
            width,
        )
    )
    for c in sorted(drift, key=lambda c: c.sort_key):
        w.append("\n" + _render_change(c, schema_of(c), True, o) + "\n")
    if plan.refresh_only:
        text = (
            "\n\nThis is a refresh-only plan, so gitterra will not take any actions to undo "
            "these. If you were expecting these changes then you can apply this plan to record "
            "the updated values in the gitterra state without changing any remote objects."
        )
    else:
        text = (
            "\n\nUnless you have made equivalent changes to your configuration, or ignored the "
            "relevant attributes using ignore_changes, the following plan may include actions "
            "to undo or respond to these changes."
        )
    w.append(_wrap(text, width) + "\n")


def _no_changes(w: list[str], plan: Plan, have_drift: bool, o: _Opts, width: int) -> bool:
    """The texts for a plan without changes; True when nothing more is to be printed."""

    def headline(word: str, rest: str, code: str = GREEN) -> str:
        return "\n" + o.paint(BOLD + ";" + code, word) + o.paint(BOLD, rest) + "\n\n"

    if plan.errored:
        if have_drift:
            w.append(_rule(o, width) + "\n")
        w.append(
            headline(
                "Planning failed.",
                " gitterra encountered an error while generating this plan.",
                RED,
            )
        )
        return False
    if plan.refresh_only:
        if have_drift:
            return True
        w.append(headline("No changes.", " Your infrastructure still matches the configuration."))
        text = (
            "gitterra has checked that the real remote objects still match the result of your "
            "most recent changes, and found no differences."
        )
    elif plan.destroy:
        if have_drift:
            w.append(_rule(o, width) + "\n")
        w.append(headline("No changes.", " No objects need to be destroyed."))
        text = (
            "Either you have not created any objects yet or the existing objects were already "
            "deleted outside of gitterra."
        )
    else:
        if have_drift:
            w.append(_rule(o, width) + "\n")
        w.append(headline("No changes.", " Your infrastructure matches the configuration."))
        if have_drift:
            w.append(
                _wrap(
                    "Your configuration already matches the changes detected above, so "
                    "applying this plan will only update the state to include the changes "
                    "detected above and won't change any real infrastructure.",
                    width,
                )
                + "\n"
            )
            return True
        text = (
            "gitterra has compared your real infrastructure against your configuration and "
            "found no differences, so no changes are needed."
        )
    w.append(_wrap(text, width) + "\n")
    return False

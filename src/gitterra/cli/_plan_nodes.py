"""The nodes of a plan diff and how each prints itself (the second step of
:mod:`gitterra.cli._render_plan`): primitives, objects, maps, lists, sets, blocks, and the
unknown/sensitive wrappers, each with its action and indentation rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, assert_never

from gitterra import lang
from gitterra.engine._plan import Action, ResourceChange
from gitterra.engine._schema import BlockSchema

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

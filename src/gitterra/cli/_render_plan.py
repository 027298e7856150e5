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
import textwrap
from collections.abc import Callable, Sequence
from typing import assert_never

from gitterra import lang
from gitterra.cli._plan_differ import (
    _Change,
    _diff_block,
    _diff_json,
    _Paths,
)
from gitterra.cli._plan_nodes import (
    BOLD,
    CYAN,
    DELETE,
    GRAY,
    GREEN,
    NOOP,
    RED,
    UPDATE,
    YELLOW,
    SchemaOf,
    _attr_name,
    _Diff,
    _Opts,
    _Sensitive,
    _symbol,
)
from gitterra.engine._marks import mark_schema
from gitterra.engine._plan import Action, OutputChange, Plan, Reason, ResourceChange
from gitterra.engine._schema import Attribute, BlockSchema

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
            moved = change.moved_from
            assert moved is not None, f"{addr}: no-op changes are not rendered"
            return o.paint(BOLD, f"  # {moved}") + f" has moved to {addr}\n"
        case _:
            assert_never(change.action)
    del res
    if change.moved_from is not None:
        text += f"\n  # (moved from {change.moved_from})"
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
        if (c.action is not NOOP or c.moved_from is not None)
        and not (c.action is DELETE and c.addr.resource.mode == "data")
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
        if c.action is not NOOP:  # a move alone is listed, not counted
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
        for key, where in plan.destinations.items():
            w.append(f"Changes for provider {key} go to the {where}.\n")
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

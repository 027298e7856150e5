"""A :class:`Plan` in the machine-readable layout of ``terraform show -json PLANFILE``.

The document follows Terraform's JSON output format (``format_version`` 1.2): ``variables``,
``planned_values`` (outputs and the module tree of resources as they will be after apply),
``resource_changes``, ``resource_drift``, ``output_changes``, ``applyable``, ``complete`` and
``errored``. Values use cty's JSON notation, with Terraform's rules for what cannot be shown:

- Unknown values are left out of ``after`` (object attributes and map keys are omitted, list
  elements become ``null``) and appear as ``true`` at the same place in ``after_unknown``, which
  otherwise keeps only the structure (``{}`` for a wholly known resource, ``false`` for a known
  output).
- ``before_sensitive``/``after_sensitive`` mirror the value's shape with ``true`` where it is
  sensitive (and ``false`` for a value with nothing sensitive or no value at all).
- Numbers are exact: integers are Python ints and other numbers stay :class:`~decimal.Decimal`,
  which :func:`dumps` writes digit for digit (``json.dumps`` cannot).

Left out, because gitterra's ``Plan`` does not carry them: ``prior_state``, ``configuration``,
``relevant_attributes``, ``checks`` and ``timestamp``; ``schema_version`` is always 0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from gitterra import lang
from gitterra.engine._addrs import ModuleInstance
from gitterra.engine._marks import mark_schema
from gitterra.engine._plan import Action, OutputChange, Plan, ResourceChange
from gitterra.engine._schema import BlockSchema
from gitterra.engine._values_json import type_to_json

FORMAT_VERSION = "1.2"

SchemaOf = Callable[[ResourceChange], BlockSchema | None]

_REGISTRY = re.compile(r'provider\["([^"]+)"\]')


def plan_json(plan: Plan, schema_of: SchemaOf, terraform_version: str) -> dict[str, Any]:
    """The JSON document of ``plan`` (plain data; write it with :func:`dumps`)."""
    doc: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "terraform_version": terraform_version,
    }
    if plan.variables:
        doc["variables"] = {
            name: {"value": value_json(v)} for name, v in sorted(plan.variables.items())
        }
    doc["planned_values"] = _planned_values(plan, schema_of)
    drift = [c for c in plan.drift if plan.refresh_only or c.action is not Action.NOOP]
    if drift:
        doc["resource_drift"] = resource_changes_json(drift, schema_of)
    changes = resource_changes_json(plan.changes, schema_of)
    if changes:
        doc["resource_changes"] = changes
    if plan.outputs:
        doc["output_changes"] = {o.name: output_change_json(o) for o in _by_name(plan.outputs)}
    doc["applyable"] = not plan.errored and (plan.has_changes or bool(plan.drift))
    doc["complete"] = not plan.errored and not plan.targets
    doc["errored"] = plan.errored
    return doc


def dumps(doc: Any, *, indent: int | None = None) -> str:
    """JSON text of a :func:`plan_json` document. Unlike ``json.dumps`` it writes
    :class:`Decimal` numbers exactly, in cty's fixed-point form (``0.1``, never ``1e-1``)."""
    out: list[str] = []
    _write(doc, out, indent, 0)
    return "".join(out)


def _write(data: Any, out: list[str], indent: int | None, level: int) -> None:
    if isinstance(data, dict | list):
        items = list(data.items()) if isinstance(data, dict) else list(enumerate(data))
        opening, closing = ("{", "}") if isinstance(data, dict) else ("[", "]")
        if not items:
            out.append(opening + closing)
            return
        pad = "" if indent is None else "\n" + " " * (indent * (level + 1))
        out.append(opening)
        for i, (key, item) in enumerate(items):
            out.append(("," if i else "") + pad)
            if isinstance(data, dict):
                out.append(json.dumps(key, ensure_ascii=False) + (": " if indent else ":"))
            _write(item, out, indent, level + 1)
        out.append(("" if indent is None else "\n" + " " * (indent * level)) + closing)
    elif isinstance(data, Decimal):
        out.append(_decimal_text(data))
    else:
        out.append(json.dumps(data, ensure_ascii=False))


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        return json.dumps(str(value))  # cty has no JSON for infinities; show them as text
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# ---- values ---------------------------------------------------------------------------------


def value_json(value: lang.Value) -> Any:
    """cty's JSON form of a wholly known value (marks ignored; numbers exact)."""
    raw = value.raw
    if raw is lang.UNKNOWN:
        raise ValueError("an unknown value has no JSON form")
    if isinstance(raw, tuple):
        return [value_json(e) for e in raw]
    if isinstance(raw, dict):
        return {k: value_json(e) for k, e in sorted(raw.items())}
    return raw


def omit_unknowns(value: lang.Value) -> Any:
    """The known parts of ``value``: unknown attributes and keys left out, unknown elements
    null. Returns :data:`_OMIT` for a wholly unknown value."""
    raw = value.raw
    if raw is lang.UNKNOWN:
        return _OMIT
    if isinstance(raw, tuple):
        return [None if (e := omit_unknowns(v)) is _OMIT else e for v in raw]
    if isinstance(raw, dict):
        out = {k: omit_unknowns(v) for k, v in sorted(raw.items())}
        return {k: v for k, v in out.items() if v is not _OMIT}
    return raw


_OMIT: Any = object()


def unknown_as_bool(value: lang.Value) -> Any:
    """``after_unknown``: ``true`` where unknown; known leaves are ``false`` in sequences and
    left out of mappings."""
    raw = value.raw
    if raw is None:
        return False
    if raw is lang.UNKNOWN:
        return True
    if isinstance(raw, tuple):
        return [unknown_as_bool(v) for v in raw]
    if isinstance(raw, dict):
        out = {k: unknown_as_bool(v) for k, v in sorted(raw.items())}
        return {k: v for k, v in out.items() if v is not False}
    return False


def sensitive_as_bool(value: lang.Value) -> Any:
    """``*_sensitive``: ``true`` where marked; the shape of the value elsewhere."""
    if value.sensitive:
        return True
    raw = value.raw
    if isinstance(raw, tuple):
        return [sensitive_as_bool(v) for v in raw]
    if isinstance(raw, dict):
        out = {k: sensitive_as_bool(v) for k, v in sorted(raw.items())}
        return {k: v for k, v in out.items() if v is not False}
    if raw is lang.UNKNOWN and isinstance(value.type, lang.ListType | lang.SetType):
        return []
    if raw is lang.UNKNOWN and isinstance(value.type, lang.TupleType):
        return []
    if raw is lang.UNKNOWN and isinstance(value.type, lang.MapType | lang.ObjectType):
        return {}
    return False


# ---- resource changes -----------------------------------------------------------------------


def provider_name(provider: str) -> str:
    """The registry address inside ``provider["..."]`` (the whole text if there is none)."""
    m = _REGISTRY.search(provider)
    return m.group(1) if m else provider


def resource_changes_json(
    changes: Iterable[ResourceChange], schema_of: SchemaOf
) -> list[dict[str, Any]]:
    """Terraform's ``resource_changes`` (or ``resource_drift``) list, in address order; deleting
    a data source is bookkeeping and is not shown."""
    out = []
    for change in sorted(changes, key=lambda c: c.sort_key):
        if change.addr.resource.mode == "data" and change.action is Action.DELETE:
            continue
        out.append(resource_change_json(change, schema_of(change)))
    return out


def resource_change_json(change: ResourceChange, schema: BlockSchema | None) -> dict[str, Any]:
    addr = change.addr
    doc: dict[str, Any] = {"address": str(addr)}
    if change.moved_from is not None:
        doc["previous_address"] = str(change.moved_from)
    if not addr.module.is_root:
        doc["module_address"] = str(addr.module)
    doc["mode"] = addr.resource.mode
    doc["type"] = addr.resource.type
    doc["name"] = addr.resource.name
    if addr.key is not None:
        doc["index"] = addr.key
    doc["provider_name"] = provider_name(change.provider)
    if change.deposed:
        doc["deposed"] = change.deposed
    doc["change"] = _change(change, schema)
    if change.reason is not None:
        doc["action_reason"] = change.reason.value
    return doc


def _marked(value: lang.Value | None, schema: BlockSchema | None) -> lang.Value | None:
    if value is None or schema is None:
        return value
    return mark_schema(schema, value)


def _change(change: ResourceChange, schema: BlockSchema | None) -> dict[str, Any]:
    before = _marked(change.before, schema)
    after = _marked(change.after, schema)
    doc: dict[str, Any] = {"actions": change.action.json_actions}
    doc["before"] = None if before is None else value_json(before)
    after_unknown: Any = {}
    if after is None:
        doc["after"] = None
    elif after.is_wholly_known():
        doc["after"] = value_json(after)
    else:
        known = omit_unknowns(after)
        if known is not _OMIT:
            doc["after"] = known
        after_unknown = unknown_as_bool(after)
    doc["after_unknown"] = after_unknown
    doc["before_sensitive"] = False if before is None else sensitive_as_bool(before)
    doc["after_sensitive"] = False if after is None else sensitive_as_bool(after)
    if change.replace_paths:
        doc["replace_paths"] = [list(p) for p in change.replace_paths]
    return doc


# ---- outputs --------------------------------------------------------------------------------


def _by_name(outputs: Iterable[OutputChange]) -> list[OutputChange]:
    return sorted(outputs, key=lambda o: o.name)


def output_change_json(output: OutputChange) -> dict[str, Any]:
    """One entry of ``output_changes``: sensitivity is all or nothing for an output."""
    doc: dict[str, Any] = {"actions": output.action.json_actions}
    doc["before"] = None if output.before is None else _output_value(output.before)
    after_unknown: Any = False
    after = output.after
    if after is None:
        doc["after"] = None
    elif after.is_wholly_known():
        doc["after"] = value_json(after)
    else:
        known = omit_unknowns(after)
        if known is not _OMIT:
            doc["after"] = known
        after_unknown = unknown_as_bool(after)
    doc["after_unknown"] = after_unknown
    doc["before_sensitive"] = output.sensitive
    doc["after_sensitive"] = output.sensitive
    return doc


def _output_value(value: lang.Value) -> Any:
    known = omit_unknowns(value)
    return None if known is _OMIT else known


# ---- planned values -------------------------------------------------------------------------


def _planned_values(plan: Plan, schema_of: SchemaOf) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for o in _by_name(plan.outputs):
        if o.action is Action.DELETE:
            continue
        entry: dict[str, Any] = {"sensitive": o.sensitive}
        if o.after is not None and o.after.is_wholly_known():
            entry["type"] = type_to_json(o.after.type)
            entry["value"] = value_json(o.after)
        outputs[o.name] = entry
    doc: dict[str, Any] = {}
    if outputs:
        doc["outputs"] = outputs
    by_module: dict[ModuleInstance, list[dict[str, Any]]] = {}
    for change in sorted(plan.changes, key=lambda c: c.sort_key):
        if change.action is Action.DELETE or change.deposed:
            continue
        by_module.setdefault(change.addr.module, []).append(
            _planned_resource(change, schema_of(change))
        )
    doc["root_module"] = _module(ModuleInstance(), by_module)
    return doc


def _module(
    module: ModuleInstance, by_module: dict[ModuleInstance, list[dict[str, Any]]]
) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    resources = sorted(by_module.get(module, []), key=lambda r: str(r["address"]))
    if resources:
        doc["resources"] = resources
    if not module.is_root:
        doc["address"] = str(module)
    depth = len(module.steps)
    children = {
        ModuleInstance(m.steps[: depth + 1])
        for m in by_module
        if len(m.steps) > depth and m.steps[:depth] == module.steps
    }
    if children:
        doc["child_modules"] = [
            _module(c, by_module) for c in sorted(children, key=lambda c: str(c))
        ]
    return doc


def _planned_resource(change: ResourceChange, schema: BlockSchema | None) -> dict[str, Any]:
    addr = change.addr
    doc: dict[str, Any] = {
        "address": str(addr),
        "mode": addr.resource.mode,
        "type": addr.resource.type,
        "name": addr.resource.name,
    }
    if addr.key is not None:
        doc["index"] = addr.key
    doc["provider_name"] = provider_name(change.provider)
    doc["schema_version"] = 0
    after = _marked(change.after, schema)
    if after is not None and not after.is_null:
        known = omit_unknowns(after)
        if isinstance(known, dict) and known:
            doc["values"] = known
        doc["sensitive_values"] = sensitive_as_bool(after)
    else:
        doc["sensitive_values"] = {}
    return doc

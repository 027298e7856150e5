"""Edits of a working state during plan and apply: set an instance's current object, depose it
(create_before_destroy), drop deposed objects, set outputs.

Edits are copy-on-write: a resource or instance entry is never changed in place but replaced by
a new one, so :func:`snapshot` (a shallow copy of two dicts) is a consistent, immutable view that
can be encoded in another thread while the apply goes on.
"""

from __future__ import annotations

import dataclasses
import secrets

from gitterra import lang, state
from gitterra.engine import _values_json as vj
from gitterra.engine._addrs import ResourceInstance
from gitterra.engine._schema import ResourceSchema


def _module_text(inst: ResourceInstance) -> str:
    return str(inst.module)


def object_state(
    value: lang.Value,
    schema: ResourceSchema,
    dependencies: tuple[str, ...] = (),
    create_before_destroy: bool = False,
    status: str | None = None,
) -> state.ObjectState:
    return state.ObjectState(
        attributes=vj.to_json(value, schema.block.implied_type()),
        schema_version=schema.version,
        sensitive_attributes=vj.paths_to_state(vj.sensitive_paths(value)),
        dependencies=list(dependencies),
        create_before_destroy=create_before_destroy,
        status=status,
    )


def snapshot(st: state.State) -> state.State:
    """A view of ``st`` that later edits (through this module) do not change."""
    return dataclasses.replace(st, outputs=dict(st.outputs), resources=dict(st.resources))


def _with_instance(
    st: state.State, inst: ResourceInstance, prov_addr: str, entry: state.InstanceState | None
) -> None:
    """Replace (or, with None, drop) one instance entry, copying its resource entry."""
    address = str(inst.abs_resource)
    rs = st.resources.get(address)
    if rs is None:
        if entry is None:
            return
        rs = state.ResourceState(
            module=_module_text(inst),
            mode=inst.resource.mode,
            type=inst.resource.type,
            name=inst.resource.name,
            provider=prov_addr,
            instances={},
        )
    instances = dict(rs.instances)
    if entry is None or entry.is_empty:
        instances.pop(inst.key, None)
    else:
        instances[inst.key] = entry
    if not instances:
        st.resources.pop(address, None)
        return
    st.resources[address] = dataclasses.replace(
        rs, provider=prov_addr or rs.provider, instances=instances
    )


def _instance(st: state.State, inst: ResourceInstance) -> state.InstanceState | None:
    rs = st.resources.get(str(inst.abs_resource))
    return rs.instances.get(inst.key) if rs is not None else None


def set_current(
    st: state.State,
    inst: ResourceInstance,
    prov_addr: str,
    value: lang.Value | None,
    schema: ResourceSchema,
    dependencies: tuple[str, ...] = (),
    create_before_destroy: bool = False,
    status: str | None = None,
) -> None:
    """Make ``value`` the instance's current object (None removes it; empty instances and
    resources are dropped)."""
    old = _instance(st, inst)
    deposed = dict(old.deposed) if old is not None else {}
    obj = (
        None
        if value is None
        else object_state(value, schema, dependencies, create_before_destroy, status)
    )
    _with_instance(st, inst, prov_addr, state.InstanceState(inst.key, obj, deposed))


def depose(st: state.State, inst: ResourceInstance) -> str | None:
    """Move the current object aside as deposed; returns its new deposed key."""
    old = _instance(st, inst)
    if old is None or old.current is None:
        return None
    key = secrets.token_hex(4)
    while key in old.deposed:
        key = secrets.token_hex(4)
    entry = state.InstanceState(inst.key, None, {**old.deposed, key: old.current})
    _with_instance(st, inst, "", entry)
    return key


def remove_deposed(st: state.State, inst: ResourceInstance, key: str) -> None:
    old = _instance(st, inst)
    if old is None or key not in old.deposed:
        return
    deposed = {k: v for k, v in old.deposed.items() if k != key}
    _with_instance(st, inst, "", state.InstanceState(inst.key, old.current, deposed))


def restore_deposed(st: state.State, inst: ResourceInstance, key: str) -> bool:
    """Make the deposed object ``key`` current again, if the instance has no current object
    (its replacement was never created); whether it did."""
    old = _instance(st, inst)
    if old is None or old.current is not None or key not in old.deposed:
        return False
    deposed = {k: v for k, v in old.deposed.items() if k != key}
    _with_instance(st, inst, "", state.InstanceState(inst.key, old.deposed[key], deposed))
    return True


def set_output(st: state.State, name: str, value: lang.Value | None, sensitive: bool) -> None:
    if value is None or value.is_null:
        st.outputs.pop(name, None)
        return
    st.outputs[name] = state.OutputState(
        value=vj.to_json(value),
        type=vj.type_to_json(value.type),
        sensitive=sensitive or value.contains_sensitive(),
    )

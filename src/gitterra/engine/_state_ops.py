"""Edits of a working state during plan and apply: set an instance's current object, depose it
(create_before_destroy), drop deposed objects, set outputs."""

from __future__ import annotations

import secrets

from gitterra import lang, state
from gitterra.engine import _values_json as vj
from gitterra.engine._addrs import ResourceInstance
from gitterra.engine._schema import ResourceSchema


def _module_text(inst: ResourceInstance) -> str:
    return str(inst.module)


def _resource(
    st: state.State, inst: ResourceInstance, prov_addr: str, create: bool
) -> state.ResourceState | None:
    address = str(inst.abs_resource)
    rs = st.resources.get(address)
    if rs is None and create:
        rs = state.ResourceState(
            module=_module_text(inst),
            mode=inst.resource.mode,
            type=inst.resource.type,
            name=inst.resource.name,
            provider=prov_addr,
            instances={},
        )
        st.resources[address] = rs
    return rs


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
    rs = _resource(st, inst, prov_addr, create=value is not None)
    if rs is None:
        return
    instance = rs.instances.get(inst.key)
    if value is None:
        if instance is not None:
            instance.current = None
        _prune(st, inst)
        return
    obj = object_state(value, schema, dependencies, create_before_destroy, status)
    if instance is None:
        rs.instances[inst.key] = state.InstanceState(index_key=inst.key, current=obj, deposed={})
    else:
        instance.current = obj
    rs.provider = prov_addr


def depose(st: state.State, inst: ResourceInstance) -> str | None:
    """Move the current object aside as deposed; returns its new deposed key."""
    rs = st.resources.get(str(inst.abs_resource))
    instance = rs.instances.get(inst.key) if rs is not None else None
    if instance is None or instance.current is None:
        return None
    key = secrets.token_hex(4)
    while key in instance.deposed:
        key = secrets.token_hex(4)
    instance.deposed[key] = instance.current
    instance.current = None
    return key


def remove_deposed(st: state.State, inst: ResourceInstance, key: str) -> None:
    rs = st.resources.get(str(inst.abs_resource))
    instance = rs.instances.get(inst.key) if rs is not None else None
    if instance is not None:
        instance.deposed.pop(key, None)
    _prune(st, inst)


def set_deposed(st: state.State, inst: ResourceInstance, key: str, obj: state.ObjectState) -> None:
    rs = st.resources.get(str(inst.abs_resource))
    instance = rs.instances.get(inst.key) if rs is not None else None
    if instance is not None:
        instance.deposed[key] = obj


def _prune(st: state.State, inst: ResourceInstance) -> None:
    address = str(inst.abs_resource)
    rs = st.resources.get(address)
    if rs is None:
        return
    instance = rs.instances.get(inst.key)
    if instance is not None and instance.current is None and not instance.deposed:
        del rs.instances[inst.key]
    if not rs.instances:
        del st.resources[address]


def set_output(st: state.State, name: str, value: lang.Value | None, sensitive: bool) -> None:
    if value is None or value.is_null:
        st.outputs.pop(name, None)
        return
    st.outputs[name] = state.OutputState(
        value=vj.to_json(value),
        type=vj.type_to_json(value.type),
        sensitive=sensitive or value.contains_sensitive(),
    )

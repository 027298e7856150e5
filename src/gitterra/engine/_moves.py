"""Implied moves: adding ``count`` to a resource, or taking it away, keeps its object.

Terraform treats ``aws_lb.web`` → ``aws_lb.web[0]`` (``count`` added) and the reverse (``count``
and ``for_each`` removed while state has only index 0) as moves of the same object, not as a
delete and a create. The planner plans from the moved state; the plan records each move
(``ResourceChange.moved_from``), so its output says "has moved to" and apply saves the new
addresses even when nothing else changes.
"""

from __future__ import annotations

from gitterra import config, state
from gitterra.engine._addrs import (
    NO_KEY,
    AddressError,
    ModuleInstance,
    Resource,
    ResourceInstance,
    parse_target,
)


def implied_moves(
    root: config.Module, prior: state.State
) -> tuple[state.State, dict[ResourceInstance, ResourceInstance]]:
    """``prior`` with the implied moves made (the same object when there are none), and each
    moved instance's old address by its new one."""
    moves: dict[ResourceInstance, ResourceInstance] = {}
    moved: state.State | None = None
    for address, rs in prior.resources.items():
        if rs.mode != "managed":
            continue
        res = _config_of(root, rs)
        if res is None:
            continue
        keys = set(rs.instances)
        if res.count is not None and keys == {None}:
            old, new = None, 0
        elif res.count is None and res.for_each is None and keys == {0}:
            old, new = 0, None
        else:
            continue
        if moved is None:
            moved = prior.copy()
        target = moved.resources[address]
        target.instances = {new: target.instances[old]}
        module = parse_target(address).module
        resource = Resource("managed", rs.type, rs.name)
        moves[ResourceInstance(module, resource, new)] = ResourceInstance(
            module, resource, NO_KEY if old is None else old
        )
    return (moved or prior), moves


def _config_of(root: config.Module, rs: state.ResourceState) -> config.Resource | None:
    try:
        module = parse_target(rs.address).module
    except AddressError:
        return None
    found = _module(root, module)
    if found is None:
        return None
    return found.resources.get(f"{rs.type}.{rs.name}")


def _module(root: config.Module, mi: ModuleInstance) -> config.Module | None:
    module = root
    for name, _key in mi.steps:
        child = module.children.get(name)
        if child is None:
            return None
        module = child
    return module

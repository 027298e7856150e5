"""Writing a :class:`State` as Terraform's state v4 file, byte for byte.

The layout follows Terraform's ``statefile/version4.go``: fields in struct order, resources
sorted by (module, mode, type, name), instances by key (none, ints, strings) and then deposed key
(the current object first), each deposed object as its own instance entry. Optional instance
fields are left out when empty, as Go's ``omitempty`` does; ``sensitive_attributes`` is always
written (``[]`` when empty). Dependencies are written sorted and without duplicates, as
Terraform records them. ``check_results`` is always null: gitterra keeps no check results.
"""

from __future__ import annotations

from typing import Any

from gitterra.state import _gojson, _model

#: Cached encodings of resource entries: id -> (the entry, its text). See :func:`encode`.
FragmentCache = dict[int, tuple[_model.ResourceState, _gojson.Raw]]


def encode(s: _model.State, cache: FragmentCache | None = None) -> bytes:
    """The state file's bytes: indented by two spaces, ending with a newline.

    With a ``cache``, a resource entry encoded before (the very same object) is not encoded
    again. Only for states whose resource entries are never changed in place once written
    (copy-on-write, as the engine's apply does): then a write after one resource operation costs
    one resource's encoding plus copying the rest."""
    resources: list[Any]
    if cache is None:
        resources = [_resource(rs) for rs in _sorted_resources(s)]
    else:
        resources = []
        fresh: FragmentCache = {}
        for rs in _sorted_resources(s):
            hit = cache.get(id(rs))
            text = (
                hit[1] if hit is not None and hit[0] is rs else _gojson.fragment(_resource(rs), 2)
            )
            fresh[id(rs)] = (rs, text)
            resources.append(text)
        cache.clear()
        cache.update(fresh)
    doc = _gojson.Ordered(
        version=4,
        terraform_version=s.terraform_version,
        serial=s.serial,
        lineage=s.lineage,
        outputs={name: _output(o) for name, o in s.outputs.items()},
        resources=resources,
        check_results=None,
    )
    return _gojson.marshal(doc, indent=True) + b"\n"


def rewrite_header(data: bytes, was: tuple[int, str], now: tuple[int, str]) -> bytes:
    """``data``, encoded with ``was`` = (serial, terraform_version), as if encoded with
    ``now``: the two fields lead the file, so only its first lines change (no second encode
    of a large state)."""
    old = _header(*was)
    if not data.startswith(old):
        raise ValueError("the data was not encoded with that serial and version")
    return _header(*now) + data[len(old) :]


def _header(serial: int, terraform_version: str) -> bytes:
    version = _gojson.string(terraform_version)
    return (
        f'{{\n  "version": 4,\n  "terraform_version": {version},\n  "serial": {serial},\n'.encode()
    )


def _sorted_resources(s: _model.State) -> list[_model.ResourceState]:
    return sorted(s.resources.values(), key=lambda rs: (rs.module, rs.mode, rs.type, rs.name))


def _output(o: _model.OutputState) -> _gojson.Ordered:
    out = _gojson.Ordered(value=o.value, type=o.type)
    if o.sensitive:
        out["sensitive"] = True
    return out


def _resource(rs: _model.ResourceState) -> _gojson.Ordered:
    out = _gojson.Ordered()
    if rs.module:
        out["module"] = rs.module
    out["mode"] = rs.mode
    out["type"] = rs.type
    out["name"] = rs.name
    if rs.each is not None:
        out["each"] = rs.each
    out["provider"] = rs.provider
    entries: list[tuple[tuple[int, int, str], str, _gojson.Ordered]] = []
    for key, inst in rs.instances.items():
        order = _model.instance_sort_key(key)
        if inst.current is not None:
            entries.append((order, "", _object(key, "", inst.current)))
        for dk, obj in inst.deposed.items():
            entries.append((order, dk, _object(key, dk, obj)))
    entries.sort(key=lambda e: (e[0], e[1]))
    out["instances"] = [entry for _, _, entry in entries]
    return out


def _object(key: _model.InstanceKey, deposed: str, obj: _model.ObjectState) -> _gojson.Ordered:
    out = _gojson.Ordered()
    if key is not None:
        out["index_key"] = key
    if obj.status is not None:
        out["status"] = obj.status
    if deposed:
        out["deposed"] = deposed
    out["schema_version"] = obj.schema_version
    out["attributes"] = obj.attributes
    out["sensitive_attributes"] = obj.sensitive_attributes
    if obj.private:
        out["private"] = obj.private
    deps: list[Any] = sorted(set(obj.dependencies))
    if deps:
        out["dependencies"] = deps
    if obj.create_before_destroy:
        out["create_before_destroy"] = True
    return out

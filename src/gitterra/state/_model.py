"""The state model: what Terraform's state v4 records, as plain mutable data.

Attributes and output values are JSON data (dicts, lists, str, int, Decimal or float, bool,
None): the engine types them with the provider schema when it reads them back. Addresses are the
strings Terraform writes (``module.web[0]``, ``provider["registry.terraform.io/hashicorp/aws"]``).
"""

from __future__ import annotations

import copy
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from gitterra import __version__

InstanceKey = int | str | None
Mode = Literal["managed", "data"]
EachMode = Literal["list", "map"]

TAINTED = "tainted"


def new_deposed_key() -> str:
    """A fresh key for a deposed object: eight hex digits, as Terraform makes them."""
    return f"{secrets.randbits(31):08x}"


def instance_sort_key(key: InstanceKey) -> tuple[int, int, str]:
    """Terraform's instance order: no key first, then integer keys, then string keys."""
    if key is None:
        return (0, 0, "")
    if isinstance(key, bool):
        raise TypeError("an instance key is an int or a str, not a bool")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


def format_instance_key(key: InstanceKey) -> str:
    """``""``, ``[0]`` or ``["a"]``: the key as it appears in an instance address."""
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


@dataclass
class ObjectState:
    """One remote object: the current object of an instance or a deposed one.

    ``status`` is ``"tainted"`` or None. ``sensitive_attributes`` holds Terraform's path lists
    (``[[{"type": "get_attr", "value": "password"}]]``) as stored. ``private`` is the provider's
    private data in the base64 form the file holds, or None.
    """

    attributes: dict[str, Any]
    schema_version: int = 0
    sensitive_attributes: list[Any] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    create_before_destroy: bool = False
    status: str | None = None
    private: str | None = None

    def __post_init__(self) -> None:
        if self.status not in (None, TAINTED):
            raise ValueError(f"object status must be None or 'tainted', not {self.status!r}")

    @property
    def tainted(self) -> bool:
        return self.status == TAINTED


@dataclass
class InstanceState:
    """One instance of a resource (``index_key`` None, an int for count, a str for for_each):
    its current object, if any, and its deposed objects by deposed key."""

    index_key: InstanceKey
    current: ObjectState | None = None
    deposed: dict[str, ObjectState] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when the instance has no object at all (nothing to write for it)."""
        return self.current is None and not self.deposed


@dataclass
class ResourceState:
    """A resource in one module instance, with its instances by key.

    ``module`` is ``""`` for the root module, else the module instance address
    (``module.web[0].module.x``); ``provider`` is the absolute provider configuration address.
    ``each`` is Terraform's old repetition marker (``"list"``/``"map"``); Terraform since 0.13
    leaves it out, and so should the engine (None).
    """

    module: str
    mode: Mode
    type: str
    name: str
    provider: str
    each: EachMode | None = None
    instances: dict[InstanceKey, InstanceState] = field(default_factory=dict)

    @property
    def address(self) -> str:
        """``module.web[0].aws_lb.web``, ``data.aws_ami.x``: the resource's absolute address."""
        local = f"{self.type}.{self.name}"
        if self.mode == "data":
            local = "data." + local
        return f"{self.module}.{local}" if self.module else local

    def instance_address(self, key: InstanceKey) -> str:
        return self.address + format_instance_key(key)

    def instance(self, key: InstanceKey) -> InstanceState | None:
        return self.instances.get(key)


@dataclass
class OutputState:
    """A root module output: its JSON value, its type in cty's JSON form, and sensitivity."""

    value: Any
    type: Any
    sensitive: bool = False


@dataclass
class State:
    """A whole state snapshot. ``resources`` is keyed by :attr:`ResourceState.address`.

    ``serial`` counts writes of this lineage; ``lineage`` is fixed when the state is first
    created (:meth:`new`) and tells two unrelated states apart.
    """

    serial: int = 0
    lineage: str = ""
    terraform_version: str = __version__
    outputs: dict[str, OutputState] = field(default_factory=dict)
    resources: dict[str, ResourceState] = field(default_factory=dict)

    @classmethod
    def new(cls) -> State:
        """An empty state of a fresh lineage (a uuid4), serial 0."""
        return cls(serial=0, lineage=str(uuid.uuid4()))

    def copy(self) -> State:
        """A deep copy: changing it never changes this state."""
        return copy.deepcopy(self)

    def resource(self, address: str) -> ResourceState | None:
        return self.resources.get(address)

    def set_resource(self, resource: ResourceState) -> None:
        """Add or replace ``resource`` under its address."""
        self.resources[resource.address] = resource

    def remove_resource(self, address: str) -> None:
        self.resources.pop(address, None)

    @property
    def is_empty(self) -> bool:
        """True when the state records no objects and no outputs."""
        if self.outputs:
            return False
        return all(
            inst.is_empty for rs in self.resources.values() for inst in rs.instances.values()
        )

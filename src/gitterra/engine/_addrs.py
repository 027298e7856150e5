"""Addresses of modules, resources and their instances, as Terraform writes them.

``module.web["a"].aws_lb.front[0]`` is a :class:`ResourceInstance`: the module instance
``module.web["a"]``, the resource ``aws_lb.front`` and the instance key ``0``. Keys are ints
(``count``) or strings (``for_each``); ``NO_KEY`` marks a resource without either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

Key = int | str | None
NO_KEY: Key = None
Mode = Literal["managed", "data"]


def format_key(key: Key) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


@dataclass(frozen=True, slots=True, order=True)
class ModuleInstance:
    """A path of (call name, key) steps from the root module; ``()`` is the root."""

    steps: tuple[tuple[str, Key], ...] = ()

    @property
    def is_root(self) -> bool:
        return not self.steps

    def child(self, name: str, key: Key = NO_KEY) -> ModuleInstance:
        return ModuleInstance((*self.steps, (name, key)))

    @property
    def parent(self) -> ModuleInstance:
        return ModuleInstance(self.steps[:-1])

    @property
    def module_path(self) -> tuple[str, ...]:
        """The static module path (call names only)."""
        return tuple(name for name, _ in self.steps)

    def __str__(self) -> str:
        return ".".join(f"module.{name}{format_key(key)}" for name, key in self.steps)


ROOT = ModuleInstance()


@dataclass(frozen=True, slots=True, order=True)
class Resource:
    mode: Mode
    type: str
    name: str

    def __str__(self) -> str:
        return f"{'data.' if self.mode == 'data' else ''}{self.type}.{self.name}"


@dataclass(frozen=True, slots=True, order=True)
class AbsResource:
    """A resource in a module instance (all its instances)."""

    module: ModuleInstance
    resource: Resource

    def instance(self, key: Key) -> ResourceInstance:
        return ResourceInstance(self.module, self.resource, key)

    def __str__(self) -> str:
        prefix = f"{self.module}." if self.module.steps else ""
        return f"{prefix}{self.resource}"


@dataclass(frozen=True, slots=True)
class ResourceInstance:
    module: ModuleInstance
    resource: Resource
    key: Key = NO_KEY

    @property
    def abs_resource(self) -> AbsResource:
        return AbsResource(self.module, self.resource)

    def __str__(self) -> str:
        return f"{self.abs_resource}{format_key(self.key)}"

    def sort_key(self) -> tuple[object, ...]:
        k = self.key
        if k is None:
            return (self.module, self.resource, (0, 0, ""))
        return (self.module, self.resource, (1, k, "") if isinstance(k, int) else (2, 0, k))

    def __lt__(self, other: ResourceInstance) -> bool:
        return self.sort_key() < other.sort_key()


class AddressError(ValueError):
    """A malformed address; the message says what was expected."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | \[(?P<int>-?\d+)\]
      | \[(?P<str>"(?:[^"\\]|\\.)*")\]
      | (?P<dot>\.)
    )""",
    re.X,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise AddressError(
                f"unexpected {text[pos : pos + 10]!r} at position {pos + 1} in {text!r}"
            )
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def _key(kind: str, raw: str) -> Key:
    if kind == "int":
        return int(raw)
    value = json.loads(raw)
    assert isinstance(value, str)
    return value


@dataclass(frozen=True, slots=True)
class Target:
    """What ``-target``/``-replace``/``state`` commands name: a module instance, a whole
    resource, or one resource instance (``key`` given)."""

    module: ModuleInstance
    resource: Resource | None = None
    key: Key = NO_KEY
    has_key: bool = False

    def __str__(self) -> str:
        if self.resource is None:
            return str(self.module)
        base = str(AbsResource(self.module, self.resource))
        return base + (format_key(self.key) if self.has_key else "")

    def contains(self, inst: ResourceInstance) -> bool:
        """Whether ``inst`` is (inside) what this address names."""
        mod = self.module.steps
        if inst.module.steps[: len(mod)] != mod:
            return False
        if self.resource is None:
            return True
        if inst.module != self.module or inst.resource != self.resource:
            return False
        return not self.has_key or inst.key == self.key


def parse_target(text: str) -> Target:
    """Parse an address such as ``module.a[0].aws_lb.web["k"]``; raises :class:`AddressError`."""
    toks = _tokens(text.strip())
    if not toks:
        raise AddressError("an address is required")
    pos = 0

    def take(kind: str) -> str | None:
        nonlocal pos
        if pos < len(toks) and toks[pos][0] == kind:
            pos += 1
            return toks[pos - 1][1]
        return None

    def take_key() -> tuple[Key, bool]:
        nonlocal pos
        if pos < len(toks) and toks[pos][0] in ("int", "str"):
            pos += 1
            return _key(*toks[pos - 1]), True
        return NO_KEY, False

    steps: list[tuple[str, Key]] = []
    while pos < len(toks) and toks[pos] == ("name", "module"):
        pos += 1
        name = take("dot") and take("name")
        if not name:
            raise AddressError(f'"module" must be followed by ".NAME" in {text!r}')
        steps.append((name, take_key()[0]))
        if pos < len(toks) and take("dot") is None:
            raise AddressError(f"expected a dot after module.{name} in {text!r}")
    module = ModuleInstance(tuple(steps))
    if pos == len(toks):
        return Target(module)
    mode: Mode = "managed"
    if toks[pos] == ("name", "data") and pos + 1 < len(toks) and toks[pos + 1][0] == "dot":
        mode = "data"
        pos += 2
    rtype = take("name")
    rname = take("dot") and take("name")
    if not rtype or not rname:
        raise AddressError(f"a resource address is TYPE.NAME, optionally with [KEY]: {text!r}")
    key, has_key = take_key()
    if pos != len(toks):
        raise AddressError(f"unexpected text after {rtype}.{rname} in {text!r}")
    return Target(module, Resource(mode, rtype, rname), key, has_key)

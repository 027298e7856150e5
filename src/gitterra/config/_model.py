"""A module's configuration as data: what its ``.tf`` files declare, with source ranges.

Expressions stay unevaluated (``lang.Expr``); the engine evaluates them in order. Nothing here
does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gitterra import lang
from gitterra.diag import SourceRange


@dataclass(frozen=True, slots=True)
class Check:
    """A ``validation``, ``precondition`` or ``postcondition`` block."""

    condition: lang.Expr
    error_message: lang.Expr
    rng: SourceRange


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    type: lang.Type
    default: lang.Value | None
    description: str
    sensitive: bool
    nullable: bool
    validations: tuple[Check, ...]
    rng: SourceRange
    type_given: bool = True

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True, slots=True)
class Local:
    name: str
    expr: lang.Expr
    rng: SourceRange


@dataclass(frozen=True, slots=True)
class Output:
    name: str
    expr: lang.Expr
    description: str
    sensitive: bool
    depends_on: tuple[lang.Traversal, ...]
    preconditions: tuple[Check, ...]
    rng: SourceRange


@dataclass(frozen=True, slots=True)
class ProviderRef:
    """``aws`` or ``aws.west``: a provider configuration a resource uses."""

    name: str
    alias: str | None = None

    def __str__(self) -> str:
        return self.name if self.alias is None else f"{self.name}.{self.alias}"


IgnoreChanges = Literal["all"] | tuple[tuple[str | lang.Value, ...], ...]


@dataclass(frozen=True, slots=True)
class Lifecycle:
    create_before_destroy: bool = False
    prevent_destroy: bool = False
    ignore_changes: IgnoreChanges = ()
    #: Where each ``ignore_changes`` path is written (parallel to the paths).
    ignore_changes_rngs: tuple[SourceRange, ...] = ()
    replace_triggered_by: tuple[lang.Expr, ...] = ()
    preconditions: tuple[Check, ...] = ()
    postconditions: tuple[Check, ...] = ()


@dataclass(frozen=True, slots=True)
class Provisioner:
    type: str
    config: lang.Body
    when: Literal["create", "destroy"]
    on_failure: Literal["fail", "continue"]
    rng: SourceRange


@dataclass(frozen=True, slots=True)
class Resource:
    """A ``resource`` (mode ``managed``) or ``data`` block."""

    mode: Literal["managed", "data"]
    type: str
    name: str
    config: lang.Body
    count: lang.Expr | None
    for_each: lang.Expr | None
    depends_on: tuple[lang.Traversal, ...]
    provider: ProviderRef
    provider_given: bool
    lifecycle: Lifecycle
    provisioners: tuple[Provisioner, ...]
    rng: SourceRange

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    def describe(self) -> str:
        kind = "resource" if self.mode == "managed" else "data"
        return f'{kind} "{self.type}" "{self.name}"'


@dataclass(frozen=True, slots=True)
class ModuleCall:
    name: str
    source: str
    source_rng: SourceRange
    inputs: tuple[lang.Attribute, ...]
    count: lang.Expr | None
    for_each: lang.Expr | None
    depends_on: tuple[lang.Traversal, ...]
    providers: tuple[tuple[str, ProviderRef], ...]
    rng: SourceRange


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    name: str
    alias: str | None
    config: lang.Body
    rng: SourceRange

    @property
    def key(self) -> str:
        return self.name if self.alias is None else f"{self.name}.{self.alias}"


@dataclass(frozen=True, slots=True)
class Backend:
    type: str
    config: lang.Body
    rng: SourceRange


@dataclass(frozen=True, slots=True)
class RequiredProvider:
    name: str
    source: str
    version: str


@dataclass(slots=True)
class Module:
    """One module directory's declarations (children of module calls in ``children``)."""

    path: str
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, Local] = field(default_factory=dict)
    outputs: dict[str, Output] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    module_calls: dict[str, ModuleCall] = field(default_factory=dict)
    providers: dict[str, ProviderConfig] = field(default_factory=dict)
    required_providers: dict[str, RequiredProvider] = field(default_factory=dict)
    backend: Backend | None = None
    required_version: str | None = None
    children: dict[str, Module] = field(default_factory=dict)
    #: Some file could not be read or parsed: its declarations are missing, so checks that
    #: depend on the whole module (references) would report false errors.
    incomplete: bool = False
    #: File name -> text of every file read, for rendering diagnostics with snippets.
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def managed_resources(self) -> list[Resource]:
        return [r for r in self.resources.values() if r.mode == "managed"]

    @property
    def data_resources(self) -> list[Resource]:
        return [r for r in self.resources.values() if r.mode == "data"]

    def is_complete(self) -> bool:
        """This module and every child module were read and parsed in full."""
        return not self.incomplete and all(c.is_complete() for c in self.children.values())

    def all_sources(self) -> dict[str, str]:
        """Sources of this module and every child module."""
        out = dict(self.sources)
        for child in self.children.values():
            out.update(child.all_sources())
        return out

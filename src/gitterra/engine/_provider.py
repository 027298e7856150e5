"""The provider protocol: how the engine asks a provider to plan, create, read, update, delete
and import objects of its resource types.

Pure steps (validation, planning) are plain methods; steps that reach the outside world are
coroutines. Values crossing this boundary are ``lang.Value`` objects of the type the schema
implies, never marked sensitive (the engine handles marks). A user-facing problem comes back as
diagnostics; an exception from a provider is a bug in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from gitterra import lang
from gitterra.diag import Diagnostics
from gitterra.engine._schema import ProviderSchema

#: A path into a value: attribute names and element indexes/keys.
AttrPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """A provider's plan for one object: the state it expects after apply (unknown where only
    apply can tell) and which changed attributes force replacement."""

    planned: lang.Value
    requires_replace: tuple[AttrPath, ...] = ()
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """The object's new state (None when it was deleted, or when creation failed before it
    existed) and what went wrong, if anything. A failed update returns the state the object
    is really in, so nothing is lost."""

    state: lang.Value | None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The object as it is now; None when it no longer exists."""

    state: lang.Value | None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@dataclass(frozen=True, slots=True)
class ImportResult:
    states: tuple[lang.Value, ...] = ()
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@runtime_checkable
class Provider(Protocol):
    """One configured provider (``aws``, ``aws.west``, ``random`` ...)."""

    def schema(self) -> ProviderSchema: ...

    def describe_target(self) -> str | None:
        """Where changes go, for plan output ("local cloud at http://..."); None if nowhere."""
        ...

    async def configure(self, config: lang.Value) -> Diagnostics:
        """Receive the provider block's evaluated configuration (may contain unknowns during
        plan, never during apply)."""
        ...

    def validate_resource(self, type_: str, config: lang.Value) -> Diagnostics: ...

    def validate_data_source(self, type_: str, config: lang.Value) -> Diagnostics: ...

    def plan_resource(
        self,
        type_: str,
        prior: lang.Value | None,
        proposed: lang.Value,
        config: lang.Value,
    ) -> PlannedChange:
        """Plan an object's new state. ``prior`` is None when creating; ``proposed`` is the
        engine's merge of configuration and prior state (see ``engine.proposed_new``)."""
        ...

    async def apply_resource(
        self,
        type_: str,
        prior: lang.Value | None,
        planned: lang.Value | None,
        config: lang.Value | None,
    ) -> ApplyResult:
        """Create (``prior`` None), update, or delete (``planned`` None) one object."""
        ...

    async def read_resource(self, type_: str, current: lang.Value) -> ReadResult:
        """Refresh: the object as it is now (drift shows as a different value)."""
        ...

    async def read_data_source(self, type_: str, config: lang.Value) -> ReadResult: ...

    async def import_resource(self, type_: str, id_: str) -> ImportResult: ...

    async def close(self) -> None:
        """Release connections; the provider is not used afterwards."""
        ...


class ProviderFactory(Protocol):
    """Makes an unconfigured provider instance for a provider source address."""

    def __call__(self) -> Provider: ...


@dataclass(frozen=True, slots=True)
class ProviderRegistry:
    """Provider factories by source address (``registry.terraform.io/hashicorp/aws``)."""

    factories: Mapping[str, ProviderFactory]

    def factory(self, source: str) -> ProviderFactory | None:
        return self.factories.get(source)

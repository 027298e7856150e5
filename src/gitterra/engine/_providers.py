"""The provider instances of one run: one per provider configuration (``aws``, ``aws.west``),
created from the registry by source address and configured once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from gitterra import config, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.engine._provider import Provider, ProviderRegistry
from gitterra.engine._schema import BlockSchema, ProviderSchema, ResourceSchema

if TYPE_CHECKING:
    from gitterra.engine._plan import ResourceChange

BUILTIN_TERRAFORM = "terraform.io/builtin/terraform"
_STATE_ADDR = re.compile(r'^provider\["([^"]+)"\](?:\.([A-Za-z_][A-Za-z0-9_-]*))?$')


def normalize_source(source: str) -> str:
    """``hashicorp/aws`` -> ``registry.terraform.io/hashicorp/aws``."""
    parts = source.split("/")
    if len(parts) == 2:
        return f"registry.terraform.io/{source}".lower()
    return source.lower()


class ProviderError(Exception):
    """A provider is not available or failed to start (the message is for the user)."""


class ProviderSet:
    def __init__(self, registry: ProviderRegistry, root: config.Module) -> None:
        self.registry = registry
        self.root = root
        self._instances: dict[str, Provider] = {}
        self._configured: dict[str, Diagnostics] = {}

    def source_of(self, key: str) -> str:
        name = key.split(".", 1)[0]
        req = self.root.required_providers.get(name)
        if req is not None:
            return normalize_source(req.source)
        if name == "terraform":
            return BUILTIN_TERRAFORM
        return f"registry.terraform.io/hashicorp/{name}"

    def state_address(self, key: str) -> str:
        name, _, alias = key.partition(".")
        base = f'provider["{self.source_of(name)}"]'
        return f"{base}.{alias}" if alias else base

    def key_from_state(self, address: str) -> str:
        """The configuration key for a provider address recorded in state."""
        m = _STATE_ADDR.match(address)
        if m is None:
            raise ProviderError(f"state records an unreadable provider address {address!r}")
        source, alias = m.group(1), m.group(2)
        name = source.rsplit("/", 1)[-1]
        for local, req in self.root.required_providers.items():
            if normalize_source(req.source) == source:
                name = local
        return f"{name}.{alias}" if alias else name

    def get(self, key: str) -> Provider:
        provider = self._instances.get(key)
        if provider is None:
            source = self.source_of(key)
            factory = self.registry.factory(source)
            if factory is None:
                known = ", ".join(sorted(self.registry.factories)) or "none"
                raise ProviderError(
                    f'gitterra has no provider "{source}" (for "{key}"); the available providers '
                    f"are: {known}."
                )
            provider = factory()
            self._instances[key] = provider
        return provider

    def schema(self, key: str) -> ProviderSchema:
        return self.get(key).schema()

    def resource_schema(self, key: str, mode: str, rtype: str) -> ResourceSchema | None:
        schema = self.schema(key)
        table = schema.resources if mode == "managed" else schema.data_sources
        return table.get(rtype)

    def missing_type(self, key: str, mode: str, rtype: str) -> Diagnostic:
        kind = "resource type" if mode == "managed" else "data source"
        schema = self.schema(key)
        table = schema.resources if mode == "managed" else schema.data_sources
        import difflib

        close = difflib.get_close_matches(rtype, list(table), n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        return Diagnostic.error(
            f"Invalid {kind}",
            f'The provider {self.source_of(key)} does not support {kind} "{rtype}".{hint}',
        )

    async def configure(self, key: str, value: lang.Value) -> Diagnostics:
        if key in self._configured:
            return self._configured[key]
        diags = await self.get(key).configure(value)
        self._configured[key] = diags
        return diags

    def configured(self, key: str) -> bool:
        return key in self._configured

    def destinations(self) -> dict[str, str]:
        """Provider key -> where its changes go, for the providers used that say."""
        found = {}
        for key, provider in sorted(self._instances.items()):
            where = provider.describe_target()
            if where:
                found[key] = where
        return found

    async def close(self) -> None:
        for provider in self._instances.values():
            await provider.close()
        self._instances.clear()


SchemaLookup = Callable[["ResourceChange"], BlockSchema | None]


def schema_lookup(registry: ProviderRegistry, root: config.Module) -> SchemaLookup:
    """Finds the schema of a change's resource type (for rendering plans); unconfigured
    provider instances answer schema questions."""
    providers = ProviderSet(registry, root)
    cache: dict[tuple[str, str, str], BlockSchema | None] = {}

    def lookup(change: ResourceChange) -> BlockSchema | None:
        res = change.addr.resource
        k = (change.provider, res.mode, res.type)
        if k not in cache:
            try:
                key = providers.key_from_state(change.provider)
                found = providers.resource_schema(key, res.mode, res.type)
            except ProviderError:
                found = None
            cache[k] = found.block if found is not None else None
        return cache[k]

    return lookup

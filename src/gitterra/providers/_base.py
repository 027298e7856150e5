"""The machinery every built-in provider shares.

A built-in provider is a table of resource types (:class:`ResourceType`) and data source types
(:class:`DataSourceType`); :class:`TableProvider` serves such a table through the engine's
``Provider`` protocol by dispatching on the type name. A resource type overrides only the steps
where it does something: by default it plans by its schema, reads back what it has, updates by
taking the plan, forgets on delete, and refuses import.

The helpers below read attributes from a configuration or state value (a missing attribute is
null), build the diagnostics the Terraform plugin framework words for bad attribute values, and
compare ``keepers``/``triggers`` maps the way the hashicorp providers do.

Exceptions are for bugs only (user mistakes are diagnostics)::

    ProviderError                 a built-in provider was used wrongly by its caller
    └── UnknownTypeError          asked about a resource or data source type it does not have
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class ProviderError(Exception):
    """A built-in provider was called in a way the provider protocol does not allow."""


class UnknownTypeError(ProviderError):
    """The engine asked about a type the provider does not declare in its schema."""


# ---- reading values ---------------------------------------------------------------------------


def get(value: lang.Value, name: str) -> lang.Value:
    """Attribute ``name`` of an object value; null when the object lacks it."""
    if value.is_null or not value.is_known:
        return lang.NULL
    return value.items().get(name, lang.NULL)


def is_set(value: lang.Value) -> bool:
    """Known and not null: a value a check can look at."""
    return value.is_wholly_known() and not value.is_null


def str_attr(value: lang.Value, name: str, default: str = "") -> str:
    v = get(value, name)
    return v.as_str() if is_set(v) else default


def bool_attr(value: lang.Value, name: str, default: bool) -> bool:
    v = get(value, name)
    return v.as_bool() if is_set(v) else default


def int_attr(value: lang.Value, name: str, default: int = 0) -> int:
    """A whole-number attribute (validation has already refused fractions)."""
    v = get(value, name)
    if not is_set(v):
        return default
    return int(v.as_number())


def with_attrs(value: lang.Value, changes: Mapping[str, lang.Value]) -> lang.Value:
    """``value`` (an object) with some attributes replaced; its type follows the new content,
    which matters only where the schema has ``dynamic`` attributes."""
    items = dict(value.items())
    items.update(changes)
    return lang.object_val(items)


def state_object(schema: engine.BlockSchema, attrs: Mapping[str, lang.Value]) -> lang.Value:
    """A state value of ``schema``'s type from ``attrs``; unnamed attributes are null."""
    items = {
        name: lang.convert(attrs.get(name, lang.NULL), attr.type)
        for name, attr in schema.attributes.items()
    }
    return lang.object_val(items)


# ---- diagnostics ------------------------------------------------------------------------------


def invalid_value(detail: str) -> Diagnostic:
    """The plugin framework's diagnostic for a bad attribute value; ``detail`` names it."""
    return Diagnostic.error("Invalid Attribute Value", detail)


def int64_attr(config: lang.Value, name: str, diags: Diagnostics) -> int | None:
    """The whole number in ``name`` when known and set; a diagnostic when it is not a 64-bit
    integer (the hashicorp providers' attribute type)."""
    v = get(config, name)
    if not is_set(v):
        return None
    n = v.as_number()
    if not isinstance(n, int) or not INT64_MIN <= n <= INT64_MAX:
        diags.add(
            Diagnostic.error(
                "Invalid Attribute Value",
                f"Attribute {name} value must be a whole number between {INT64_MIN} and "
                f"{INT64_MAX}, got: {lang.format_number(n)}",
            )
        )
        return None
    return n


def at_least(config: lang.Value, name: str, minimum: int, diags: Diagnostics) -> int | None:
    """``int64_attr`` that also requires ``value >= minimum`` (``int64validator.AtLeast``)."""
    n = int64_attr(config, name, diags)
    if n is not None and n < minimum:
        diags.add(invalid_value(f"Attribute {name} value must be at least {minimum}, got: {n}"))
        return None
    return n


def exactly_one_of(config: lang.Value, names: Iterable[str]) -> Diagnostics:
    """``ExactlyOneOf``: one and only one of ``names`` is set (checked once all are known)."""
    names = list(names)
    diags = Diagnostics()
    values = [get(config, n) for n in names]
    if any(not v.is_wholly_known() for v in values):
        return diags
    count = sum(1 for v in values if not v.is_null)
    listed = "[" + ", ".join(names) + "]"
    if count == 0:
        diags.add(
            Diagnostic.error(
                "Invalid Attribute Combination",
                f"No attribute specified when one (and only one) of {listed} is required",
            )
        )
    elif count > 1:
        diags.add(
            Diagnostic.error(
                "Invalid Attribute Combination",
                f"{count} attributes specified when one (and only one) of {listed} is required",
            )
        )
    return diags


def not_importable(type_: str) -> Diagnostics:
    return Diagnostics(
        [
            Diagnostic.error(
                "Resource Import Not Implemented",
                f"The resource type {type_} does not support import: there is nothing outside "
                "Terraform's state to import it from.",
            )
        ]
    )


# ---- planning ---------------------------------------------------------------------------------

#: Whether a change of one force-new attribute from the prior to the planned value is no real
#: change (so it does not force replacement). Arguments: prior value, planned value.
Equivalence = Callable[[lang.Value, lang.Value], bool]


def plan_with(
    schema: engine.BlockSchema,
    prior: lang.Value | None,
    proposed: lang.Value,
    config: lang.Value,
    equivalent: Mapping[str, Equivalence] | None = None,
) -> engine.PlannedChange:
    """``engine.plan_by_schema``, except that a force-new attribute whose change
    ``equivalent[name]`` accepts does not force replacement (it is updated in place)."""
    creating = prior is None or prior.is_null
    planned = engine.apply_defaults(schema, proposed, creating)
    if creating:
        return engine.PlannedChange(planned)
    assert prior is not None
    rules = equivalent or {}
    paths = [
        p
        for p in engine.replace_paths(schema, prior, planned)
        if not (
            len(p) == 1
            and isinstance(p[0], str)
            and p[0] in rules
            and rules[p[0]](get(prior, p[0]), get(planned, p[0]))
        )
    ]
    if paths:
        planned = engine.unknown_computed(schema, planned, config)
    return engine.PlannedChange(planned, tuple(paths))


def keepers_equivalent(prior: lang.Value, planned: lang.Value) -> bool:
    """hashicorp/random's ``RequiresReplaceIfValuesNotNull``: a ``keepers`` (or ``triggers``)
    map forces replacement only when its non-null entries change; a null map, an empty map and a
    map of null values are all the same."""
    if not planned.is_wholly_known():
        return False
    return _non_null_entries(prior) == _non_null_entries(planned)


def _non_null_entries(value: lang.Value) -> dict[str, object]:
    if value.is_null:
        return {}
    return {k: v.key() for k, v in value.items().items() if not v.is_null}


# ---- resource and data source types -----------------------------------------------------------


class ResourceType:
    """One managed resource type. Subclasses set ``name`` and ``schema`` and override the steps
    they need; every step receives values of the schema's type (see ``engine.Provider``)."""

    name: ClassVar[str]
    schema: ClassVar[engine.ResourceSchema]

    def validate(self, config: lang.Value) -> Diagnostics:
        return Diagnostics()

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        return engine.plan_by_schema(self.schema.block, prior, proposed, config)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        raise NotImplementedError(f"{self.name} does not implement create")

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        """In place: the plan is the new state (every change that needs work forces
        replacement in these providers)."""
        return engine.ApplyResult(planned)

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        return engine.ReadResult(current)

    async def import_(self, id_: str) -> engine.ImportResult:
        return engine.ImportResult(diagnostics=not_importable(self.name))


class DataSourceType:
    """One data source type: validated, then read from its configuration."""

    name: ClassVar[str]
    schema: ClassVar[engine.ResourceSchema]

    def validate(self, config: lang.Value) -> Diagnostics:
        return Diagnostics()

    async def read(self, config: lang.Value) -> engine.ReadResult:
        raise NotImplementedError(f"{self.name} does not implement read")


class TableProvider:
    """An ``engine.Provider`` serving a fixed table of resource and data source types. These
    providers take no configuration (their provider block has no arguments)."""

    def __init__(
        self,
        resources: Iterable[ResourceType],
        data_sources: Iterable[DataSourceType] = (),
        target: str | None = None,
    ) -> None:
        self._resources = {r.name: r for r in resources}
        self._data_sources = {d.name: d for d in data_sources}
        self._target = target

    def schema(self) -> engine.ProviderSchema:
        return engine.ProviderSchema(
            resources={n: r.schema for n, r in self._resources.items()},
            data_sources={n: d.schema for n, d in self._data_sources.items()},
        )

    def describe_target(self) -> str | None:
        return self._target

    async def configure(self, config: lang.Value) -> Diagnostics:
        return Diagnostics()

    def _resource(self, type_: str) -> ResourceType:
        try:
            return self._resources[type_]
        except KeyError:
            raise UnknownTypeError(f"no resource type {type_!r} in this provider") from None

    def _data_source(self, type_: str) -> DataSourceType:
        try:
            return self._data_sources[type_]
        except KeyError:
            raise UnknownTypeError(f"no data source type {type_!r} in this provider") from None

    def validate_resource(self, type_: str, config: lang.Value) -> Diagnostics:
        resource = self._resource(type_)
        if config.is_null or not config.is_known:  # nothing to check yet
            return Diagnostics()
        return resource.validate(config)

    def validate_data_source(self, type_: str, config: lang.Value) -> Diagnostics:
        data_source = self._data_source(type_)
        if config.is_null or not config.is_known:
            return Diagnostics()
        return data_source.validate(config)

    def plan_resource(
        self,
        type_: str,
        prior: lang.Value | None,
        proposed: lang.Value,
        config: lang.Value,
    ) -> engine.PlannedChange:
        resource = self._resource(type_)
        if proposed.is_null or not proposed.is_known:  # destroying, or not known yet
            return engine.PlannedChange(proposed)
        return resource.plan(prior, proposed, config)

    async def apply_resource(
        self,
        type_: str,
        prior: lang.Value | None,
        planned: lang.Value | None,
        config: lang.Value | None,
    ) -> engine.ApplyResult:
        resource = self._resource(type_)
        if planned is None or planned.is_null:
            if prior is None or prior.is_null:
                return engine.ApplyResult(None)
            return await resource.delete(prior)
        if prior is None or prior.is_null:
            return await resource.create(planned, config)
        return await resource.update(prior, planned, config)

    async def read_resource(self, type_: str, current: lang.Value) -> engine.ReadResult:
        return await self._resource(type_).read(current)

    async def read_data_source(self, type_: str, config: lang.Value) -> engine.ReadResult:
        return await self._data_source(type_).read(config)

    async def import_resource(self, type_: str, id_: str) -> engine.ImportResult:
        return await self._resource(type_).import_(id_)

    async def close(self) -> None:
        return None

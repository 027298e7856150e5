"""The plan/apply engine: Terraform's core.

Pure planning (configuration + prior state + provider answers in, an immutable ``Plan`` out) and an
apply walk that carries a plan out and persists state after every resource operation. Providers
are reached only through the :class:`Provider` protocol.
"""

from gitterra.engine._objchange import (
    apply_defaults,
    plan_by_schema,
    proposed_new,
    replace_paths,
    unknown_computed,
)
from gitterra.engine._provider import (
    ApplyResult,
    AttrPath,
    ImportResult,
    PlannedChange,
    Provider,
    ProviderFactory,
    ProviderRegistry,
    ReadResult,
)
from gitterra.engine._schema import (
    Attribute,
    BlockSchema,
    NestedBlock,
    Nesting,
    ProviderSchema,
    ResourceSchema,
)

__all__ = [
    "ApplyResult",
    "AttrPath",
    "Attribute",
    "BlockSchema",
    "ImportResult",
    "NestedBlock",
    "Nesting",
    "PlannedChange",
    "Provider",
    "ProviderFactory",
    "ProviderRegistry",
    "ProviderSchema",
    "ReadResult",
    "ResourceSchema",
    "apply_defaults",
    "plan_by_schema",
    "proposed_new",
    "replace_paths",
    "unknown_computed",
]

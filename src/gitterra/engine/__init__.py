"""The plan/apply engine: Terraform's core.

Pure planning (configuration + prior state + provider answers in, an immutable ``Plan`` out) and an
apply walk that carries a plan out and persists state after every resource operation. Providers
are reached only through the :class:`Provider` protocol.
"""

from gitterra.engine._addrs import (
    AbsResource,
    AddressError,
    ModuleInstance,
    Resource,
    ResourceInstance,
    Target,
    parse_target,
)
from gitterra.engine._hooks import ApplyHooks, NoHooks
from gitterra.engine._marks import mark_schema
from gitterra.engine._objchange import (
    apply_defaults,
    plan_by_schema,
    proposed_new,
    replace_paths,
    unknown_computed,
)
from gitterra.engine._plan import Action, OutputChange, Plan, Reason, ResourceChange
from gitterra.engine._plan_json import dumps as json_dumps
from gitterra.engine._plan_json import plan_json
from gitterra.engine._planfile import PlanFileError, read_plan, write_plan
from gitterra.engine._planner import Mode as PlanMode
from gitterra.engine._planner import PlanOptions, object_value
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
from gitterra.engine._providers import ProviderError, ProviderSet, SchemaLookup, schema_lookup
from gitterra.engine._run import apply, plan
from gitterra.engine._schema import (
    Attribute,
    BlockSchema,
    NestedBlock,
    Nesting,
    ProviderSchema,
    ResourceSchema,
)
from gitterra.engine._validate import validate

__all__ = [
    "AbsResource",
    "Action",
    "AddressError",
    "ApplyHooks",
    "ApplyResult",
    "AttrPath",
    "Attribute",
    "BlockSchema",
    "ImportResult",
    "ModuleInstance",
    "NestedBlock",
    "Nesting",
    "NoHooks",
    "OutputChange",
    "Plan",
    "PlanFileError",
    "PlanMode",
    "PlanOptions",
    "PlannedChange",
    "Provider",
    "ProviderError",
    "ProviderFactory",
    "ProviderRegistry",
    "ProviderSchema",
    "ProviderSet",
    "ReadResult",
    "Reason",
    "Resource",
    "ResourceChange",
    "ResourceInstance",
    "ResourceSchema",
    "SchemaLookup",
    "Target",
    "apply",
    "apply_defaults",
    "json_dumps",
    "mark_schema",
    "object_value",
    "parse_target",
    "plan",
    "plan_by_schema",
    "plan_json",
    "proposed_new",
    "read_plan",
    "replace_paths",
    "schema_lookup",
    "unknown_computed",
    "validate",
    "write_plan",
]

"""Plans are data: ``plan()`` returns a :class:`Plan`; ``apply()`` carries it out, never
re-deciding what to do.

A :class:`ResourceChange` is one instance's (or one deposed object's) action with its values
before and after (``after`` may hold unknowns) and why, in Terraform's vocabulary.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from gitterra import lang, state
from gitterra.engine._addrs import ResourceInstance
from gitterra.engine._provider import AttrPath


class Action(enum.Enum):
    NOOP = "no-op"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE_THEN_CREATE = "delete-then-create"
    CREATE_THEN_DELETE = "create-then-delete"
    DELETE = "delete"

    @property
    def json_actions(self) -> list[str]:
        """Terraform's plan JSON ``actions`` list."""
        return {
            Action.NOOP: ["no-op"],
            Action.CREATE: ["create"],
            Action.READ: ["read"],
            Action.UPDATE: ["update"],
            Action.DELETE_THEN_CREATE: ["delete", "create"],
            Action.CREATE_THEN_DELETE: ["create", "delete"],
            Action.DELETE: ["delete"],
        }[self]

    @property
    def is_replace(self) -> bool:
        return self in (Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)

    @property
    def destroys(self) -> bool:
        return self in (Action.DELETE, Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)

    @property
    def creates(self) -> bool:
        return self in (Action.CREATE, Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)


class Reason(enum.Enum):
    """Terraform's ``action_reason`` values."""

    TAINTED = "replace_because_tainted"
    CANNOT_UPDATE = "replace_because_cannot_update"
    BY_REQUEST = "replace_by_request"
    BY_TRIGGERS = "replace_by_triggers"
    NO_RESOURCE_CONFIG = "delete_because_no_resource_config"
    WRONG_REPETITION = "delete_because_wrong_repetition"
    COUNT_INDEX = "delete_because_count_index"
    EACH_KEY = "delete_because_each_key"
    NO_MODULE = "delete_because_no_module"
    READ_CONFIG_UNKNOWN = "read_because_config_unknown"
    READ_DEPENDENCY_PENDING = "read_because_dependency_pending"


@dataclass(frozen=True, slots=True)
class ResourceChange:
    addr: ResourceInstance
    action: Action
    #: Provider configuration that manages the object, in state notation.
    provider: str
    #: Values of the schema's type, marked sensitive where the schema or config says so.
    before: lang.Value | None
    after: lang.Value | None
    reason: Reason | None = None
    replace_paths: tuple[AttrPath, ...] = ()
    #: Set for a deposed object (left over by create_before_destroy) being deleted.
    deposed: str | None = None
    create_before_destroy: bool = False
    #: Resource addresses this instance's configuration depends on (kept in state).
    dependencies: tuple[str, ...] = ()
    #: The address the object had before an (implied) move, e.g. ``count`` added.
    moved_from: ResourceInstance | None = None

    @property
    def address(self) -> str:
        return str(self.addr)

    @property
    def sort_key(self) -> tuple[object, ...]:
        return (*self.addr.sort_key(), self.deposed or "")


@dataclass(frozen=True, slots=True)
class OutputChange:
    name: str
    action: Action
    before: lang.Value | None
    after: lang.Value | None
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything ``apply`` needs, and everything ``show`` displays."""

    changes: tuple[ResourceChange, ...]
    outputs: tuple[OutputChange, ...] = ()
    #: Input variable values the plan was made with.
    variables: Mapping[str, lang.Value] = field(default_factory=dict)
    #: The state the plan starts from (lineage and serial make a saved plan stale-checkable).
    prior_lineage: str = ""
    prior_serial: int = 0
    destroy: bool = False
    refresh_only: bool = False
    targets: tuple[str, ...] = ()
    #: Drift found by refresh: resources whose remote object changed outside gitterra.
    drift: tuple[ResourceChange, ...] = ()
    #: The refreshed prior state (with data sources read during planning): apply starts here.
    prior_state: state.State | None = None
    errored: bool = False
    #: Where each provider used sends its changes (provider key -> "local cloud at URL"), for
    #: the plan's output; providers that change nothing remote (random, local) are absent.
    destinations: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return any(
            c.action not in (Action.NOOP, Action.READ) or c.moved_from is not None
            for c in self.changes
        ) or any(o.action is not Action.NOOP for o in self.outputs)

    def counts(self) -> tuple[int, int, int]:
        """``(to add, to change, to destroy)`` as Terraform's summary counts them."""
        add = sum(1 for c in self.changes if c.action.creates)
        change = sum(1 for c in self.changes if c.action is Action.UPDATE)
        destroy = sum(
            1 for c in self.changes if c.action.destroys and c.addr.resource.mode == "managed"
        )
        return add, change, destroy

"""The buildspec 0.2 model: frozen values decoded from ``buildspec.yml`` by ``_buildspec``.

The model keeps what the runner and the build service act on. Keys that gitterra accepts but does
not act on (``proxy``, ``reports``, ``cache``, install's ``runtime-versions``) are not kept: the
loader warns about them. Parameter-store and Secrets Manager entries are references, recorded here
and resolved by the service, which hands the values to the runner as environment variables.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from dataclasses import dataclass, field

#: The one buildspec version gitterra runs.
VERSION = "0.2"

#: The shells ``env.shell`` may name, and the default.
SHELLS = ("bash", "/bin/sh")
DEFAULT_SHELL = "bash"


class PhaseName(enum.Enum):
    """A buildspec phase: the key in ``phases`` (value) and CodeBuild's phase type (name)."""

    INSTALL = "install"
    PRE_BUILD = "pre_build"
    BUILD = "build"
    POST_BUILD = "post_build"


class OnFailure(enum.Enum):
    """What a failing phase does next: ``ABORT`` (the default) or ``CONTINUE`` to the next phase."""

    ABORT = "ABORT"
    CONTINUE = "CONTINUE"


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return types.MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class Phase:
    """One phase of the build: its commands, its ``finally`` block and its failure policy."""

    name: PhaseName
    commands: tuple[str, ...] = ()
    finally_commands: tuple[str, ...] = ()
    on_failure: OnFailure = OnFailure.ABORT
    run_as: str | None = None


@dataclass(frozen=True, slots=True)
class Env:
    """The ``env`` section.

    ``variables`` are literal values (never expanded). ``parameter_store`` and ``secrets_manager``
    map variable names to references (a parameter name; ``secret-id:json-key:stage:version``)
    that the service resolves. ``exported_variables`` are read back from the shell after the build.
    """

    shell: str = DEFAULT_SHELL
    variables: Mapping[str, str] = field(default_factory=_frozen)
    parameter_store: Mapping[str, str] = field(default_factory=_frozen)
    secrets_manager: Mapping[str, str] = field(default_factory=_frozen)
    exported_variables: tuple[str, ...] = ()
    git_credential_helper: bool = False


@dataclass(frozen=True, slots=True)
class Artifacts:
    """The ``artifacts`` section: globs relative to ``base_directory`` in the source directory."""

    files: tuple[str, ...]
    name: str | None = None
    discard_paths: bool = False
    base_directory: str | None = None
    exclude_paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Buildspec:
    """A decoded buildspec. ``phases`` holds the phases present, in the order they run."""

    source: str
    version: str = VERSION
    run_as: str | None = None
    env: Env = field(default_factory=Env)
    phases: tuple[Phase, ...] = ()
    artifacts: Artifacts | None = None

    def phase(self, name: PhaseName) -> Phase | None:
        """The phase called ``name``, or None when the buildspec does not have it."""
        return next((p for p in self.phases if p.name is name), None)


def frozen_mapping(mapping: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only copy of ``mapping`` for the model's fields."""
    return _frozen(mapping)

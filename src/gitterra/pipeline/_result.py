"""What a build run gives back: its status, a record per phase, exported variables, artifacts."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


class Status(enum.StrEnum):
    """A build's or a phase's outcome, spelled as CodeBuild spells it."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    FAULT = "FAULT"
    TIMED_OUT = "TIMED_OUT"
    STOPPED = "STOPPED"


class PhaseType(enum.StrEnum):
    """The phases a runner records (SUBMITTED, QUEUED and PROVISIONING are the service's)."""

    DOWNLOAD_SOURCE = "DOWNLOAD_SOURCE"
    INSTALL = "INSTALL"
    PRE_BUILD = "PRE_BUILD"
    BUILD = "BUILD"
    POST_BUILD = "POST_BUILD"
    UPLOAD_ARTIFACTS = "UPLOAD_ARTIFACTS"
    FINALIZING = "FINALIZING"


@dataclass(frozen=True, slots=True)
class PhaseRecord:
    """One phase as CodeBuild's ``BuildPhase``: times in UTC, duration in seconds, and the
    phase context (``status_code`` such as ``COMMAND_EXECUTION_ERROR`` and its ``message``;
    both empty for a phase that succeeded)."""

    name: PhaseType
    status: Status
    started: datetime
    ended: datetime
    duration: float
    status_code: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class ArtifactFile:
    """A file the build produced: where it is (``path``) and its name inside the artifact
    (``name``: relative to the base directory, or the bare file name with discard-paths)."""

    path: Path
    name: str


@dataclass(frozen=True, slots=True)
class BuildResult:
    """The outcome of one build run."""

    status: Status
    phases: list[PhaseRecord] = field(default_factory=list)
    exported: dict[str, str] = field(default_factory=dict)
    artifacts: list[ArtifactFile] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """The first phase context message of a phase that did not succeed, or ``""``."""
        return next(
            (p.message for p in self.phases if p.status is not Status.SUCCEEDED and p.message),
            "",
        )

"""The pipeline: CodeBuild buildspec 0.2, as a model and as a runner.

Two parts with one rule between them: the model is pure, the runner is the one I/O part.

- ``load_buildspec(text, source)`` decodes YAML text into a frozen :class:`Buildspec` plus
  diagnostics, every one at ``source:line:col`` of the key or value at fault, all of a file at
  once. Nothing is read from disk or the environment.
- :class:`BuildRunner` runs a buildspec as CodeBuild 0.2 does: ONE shell process per build
  (bash, or ``env.shell``), so ``cd`` and ``export`` persist across commands and phases. Commands
  reach the shell as data: each is written to a file and run by the shell's own ``.`` builtin
  through a fixed driver script (``_driver``); no command, variable, branch name or commit message
  is ever interpolated into a shell string of ours. Phases, statuses, ``finally``, ``on-failure``,
  ``CODEBUILD_BUILD_SUCCEEDING``, exported variables, timeouts and stops follow CodeBuild (see
  ``_build``); log lines are CodeBuild's (see ``_buildlog``), secrets masked (:class:`Masker`).
- The service confines builds through a :class:`Sandbox`: it names the user builds run as and
  wraps the shell's command line (a mount namespace, a user switch); the runner never reads,
  as its own user, a file the build could have replaced with a link.

The build service (queue, workspaces, log storage) lives in ``cloud`` and calls these; this
package imports only the standard library, PyYAML and ``gitterra.diag``.
"""

from gitterra.pipeline._buildlog import Masker
from gitterra.pipeline._buildspec import load_buildspec
from gitterra.pipeline._model import (
    Artifacts,
    Buildspec,
    Env,
    OnFailure,
    Phase,
    PhaseName,
)
from gitterra.pipeline._result import ArtifactFile, BuildResult, PhaseRecord, PhaseType, Status
from gitterra.pipeline._runner import BuildRunner
from gitterra.pipeline._sandbox import Sandbox, Wrap

__all__ = [
    "ArtifactFile",
    "Artifacts",
    "BuildResult",
    "BuildRunner",
    "Buildspec",
    "Env",
    "Masker",
    "OnFailure",
    "Phase",
    "PhaseName",
    "PhaseRecord",
    "PhaseType",
    "Sandbox",
    "Status",
    "Wrap",
    "load_buildspec",
]

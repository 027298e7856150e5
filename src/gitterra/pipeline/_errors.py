"""The runner's exceptions. They never leave ``BuildRunner.run``: each becomes a build status.

::

    PipelineError
     ├── ShellStartError   the shell could not be started (missing, bad environment, no access)
     ├── ShellGone         the shell ended while a request was waiting for it
     └── RunAsError        run-as cannot be honoured (unknown user, not root, mixed users)
"""

from __future__ import annotations


class PipelineError(Exception):
    """Something kept the runner from running a build as asked."""


class ShellStartError(PipelineError):
    pass


class ShellGone(PipelineError):
    """The build shell ended; ``returncode`` is its exit status (negative: killed by a signal)."""

    def __init__(self, returncode: int | None) -> None:
        super().__init__(f"the build shell ended (status {returncode})")
        self.returncode = returncode


class RunAsError(PipelineError):
    pass

"""``BuildRunner``: runs one buildspec in one shell and reports the build as CodeBuild would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gitterra.pipeline import _build, _buildlog, _model, _result, _sandbox

#: CloudWatch Logs keeps events up to 256 KiB; longer output lines are cut into such pieces.
DEFAULT_MAX_LINE = 256 * 1024


class BuildRunner:
    """Runs builds: each ``run`` starts one shell, runs the phases and ends every process.

    ``kill_grace`` is how long processes get between SIGTERM and SIGKILL when a build times
    out, is stopped or ends with processes still running; ``max_line`` is the longest output
    line (in characters) passed to ``log`` in one piece; ``user``, when set, is the user every
    build runs as (a server running as root keeps builds away from its files this way): a
    buildspec whose ``run-as`` names another user is refused.
    """

    def __init__(
        self,
        *,
        kill_grace: float = 10.0,
        max_line: int = DEFAULT_MAX_LINE,
        user: str | None = None,
    ) -> None:
        if kill_grace < 0 or max_line < 1:
            raise ValueError("kill_grace must be >= 0 and max_line >= 1")
        self._settings = _build.Settings(kill_grace, max_line, user)

    async def run(
        self,
        spec: _model.Buildspec,
        *,
        workdir: Path,
        env: Mapping[str, str],
        log: Callable[[str], None],
        timeout: float,
        stop: asyncio.Event,
        masks: Sequence[str] = (),
        overrides: Mapping[str, str] | None = None,
        sandbox: _sandbox.Sandbox | None = None,
    ) -> _result.BuildResult:
        """Run ``spec`` in ``workdir`` (the checked-out source); never raises for the build's
        own problems, which are its status.

        The shell's environment is exactly ``env`` (the base: PATH, HOME and the service's
        ``CODEBUILD_*`` variables), then the buildspec's ``env.variables``, then ``overrides``
        (project and start-build variables, resolved parameters and secrets: they win, as in
        CodeBuild), then ``CODEBUILD_BUILD_SUCCEEDING``. Values are passed to the process as
        they are: nothing is expanded or executed, whatever a branch name or commit message holds.

        ``log`` gets each log line (without newline) as it happens, with every ``masks`` value
        replaced by ``***`` (see ``_buildlog``). ``timeout`` (seconds) and ``stop`` end the build
        TIMED_OUT or STOPPED, after killing its whole process group.

        ``sandbox`` (the service's) confines the shell and names the user every build runs as,
        in place of the runner's ``user``; exported values are read back without following
        links the build may have left.
        """
        request = _build.Request(spec, workdir, env, overrides or {}, timeout, stop, sandbox)
        build = _build.Build(request, _buildlog.BuildLog(log, masks), self._settings)
        return await build.execute()

"""One build run from DOWNLOAD_SOURCE to FINALIZING: the phase rules of CodeBuild 0.2.

- DOWNLOAD_SOURCE: the service has put the source in ``workdir``; the runner checks it, decides
  ``run-as`` and starts the shell. A problem here is a FAULT: nothing of the buildspec ran.
- INSTALL, PRE_BUILD, BUILD, POST_BUILD, each entered even when the buildspec lacks it: the
  commands run one by one; the first that fails ends the phase's commands, then ``finally`` runs.
  ``CODEBUILD_BUILD_SUCCEEDING`` (1, then 0 after a failure) is exported before each phase and
  before a ``finally`` after a failure. A failed INSTALL or PRE_BUILD goes straight to FINALIZING
  unless its ``on-failure`` is CONTINUE; a failed BUILD still runs POST_BUILD and
  UPLOAD_ARTIFACTS.
- UPLOAD_ARTIFACTS: collect ``artifacts.files``; FINALIZING: read ``exported-variables`` back,
  end the shell and every process the build left.
- The timeout and the stop event interrupt whatever is running: the process group gets SIGTERM,
  then SIGKILL; the phase in progress and the build end TIMED_OUT or STOPPED.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from gitterra.pipeline import (
    _artifacts,
    _buildlog,
    _errors,
    _model,
    _result,
    _runas,
    _sandbox,
    _shell,
)

T = TypeVar("T")
Status = _result.Status
PhaseType = _result.PhaseType

_STEPS = (
    (_model.PhaseName.INSTALL, PhaseType.INSTALL),
    (_model.PhaseName.PRE_BUILD, PhaseType.PRE_BUILD),
    (_model.PhaseName.BUILD, PhaseType.BUILD),
    (_model.PhaseName.POST_BUILD, PhaseType.POST_BUILD),
)
_GATES = (PhaseType.INSTALL, PhaseType.PRE_BUILD)


class Interrupted(Exception):
    """The build ran out of time or was stopped."""

    def __init__(self, status: Status) -> None:
        super().__init__(status.value)
        self.status = status


@dataclass(frozen=True, slots=True)
class Settings:
    """How a runner runs builds (see ``BuildRunner``)."""

    kill_grace: float
    max_line: int
    user: str | None


@dataclass(frozen=True, slots=True)
class Request:
    """One build to run: what ``BuildRunner.run`` was given."""

    spec: _model.Buildspec
    workdir: Path
    env: Mapping[str, str]
    overrides: Mapping[str, str]
    timeout: float
    stop: asyncio.Event
    sandbox: _sandbox.Sandbox | None = None


class Build:
    """The state of one running build. ``execute`` runs it once."""

    def __init__(self, request: Request, log: _buildlog.BuildLog, settings: Settings) -> None:
        self.req = request
        self.spec = request.spec
        self.log = log
        self.settings = settings
        self.deadline = asyncio.get_running_loop().time() + request.timeout
        self.records: list[_result.PhaseRecord] = []
        self.current: tuple[PhaseType, datetime, float] | None = None
        self.shell: _shell.BuildShell | None = None
        self.run_as: _runas.RunAs | None = None
        self.succeeding = True
        self.exported: dict[str, str] = {}
        self.artifacts: list[_result.ArtifactFile] = []

    async def execute(self) -> _result.BuildResult:
        status = Status.FAULT
        try:
            status = await self._phases()
        except Interrupted as exc:
            status = exc.status
            self._end(exc.status, *_interruption(exc.status, self.req.timeout))
        except _errors.PipelineError as exc:  # a new shell could not be started
            self._end(Status.FAULT, "CLIENT_ERROR", str(exc))
        except asyncio.CancelledError:
            status = Status.STOPPED  # the caller gave up on the build: kill it on the way out
            raise
        finally:
            status = await self._finalize(status)
        return _result.BuildResult(status, self.records, self.exported, self.artifacts)

    # -- phases ----------------------------------------------------------------------------

    async def _phases(self) -> Status:
        if not await self._download_source():
            return Status.FAULT
        failed = False
        for name, ptype in _STEPS:
            self._check()
            phase = self.spec.phase(name)
            if await self._phase(ptype, phase):
                continue
            failed = True
            gate = ptype in _GATES
            if gate and (phase is None or phase.on_failure is _model.OnFailure.ABORT):
                return Status.FAILED
        self._check()
        if not await self._upload_artifacts():
            failed = True
        return Status.FAILED if failed else Status.SUCCEEDED

    async def _download_source(self) -> bool:
        self._begin(PhaseType.DOWNLOAD_SOURCE)
        workdir = self.req.workdir
        self.log.container("Phase is DOWNLOAD_SOURCE")
        self.log.container(f"CODEBUILD_SRC_DIR={workdir}")
        self.log.container(f"YAML location is {self.spec.source}")
        self.log.container("Processing environment variables")
        self.log.container(f"Moving to directory {workdir}")
        self.log.container(f"Phases found in YAML: {len(self.spec.phases)}")
        for phase in self.spec.phases:
            self.log.container(f" {phase.name.name}: {len(phase.commands)} commands")
        try:
            if not workdir.is_dir():
                raise _errors.ShellStartError(f"the source directory {workdir} does not exist")
            sandbox = self.req.sandbox
            self.run_as = _runas.resolve(self.spec, sandbox.user if sandbox else self.settings.user)
            self.shell = await self._start_shell()
        except _errors.PipelineError as exc:
            self._end(Status.FAULT, "CLIENT_ERROR", str(exc))
            return False
        self._end(Status.SUCCEEDED)
        return True

    async def _phase(self, ptype: PhaseType, phase: _model.Phase | None) -> bool:
        """Run one phase; whether it succeeded."""
        self._begin(ptype)
        self.log.container(f"Entering phase {ptype}")
        failure: tuple[str, int] | None = None
        if phase is not None and (phase.commands or phase.finally_commands):
            await self._export_succeeding()
            failure = await self._commands(phase.commands)
            if phase.finally_commands:
                if failure is not None:
                    self.succeeding = False
                    await self._export_succeeding()
                finally_failure = await self._commands(phase.finally_commands)
                failure = failure or finally_failure
        if failure is None:
            self._end(Status.SUCCEEDED)
            return True
        self.succeeding = False
        command, code = failure
        message = f"Error while executing command: {command}. Reason: exit status {code}"
        self._end(Status.FAILED, "COMMAND_EXECUTION_ERROR", message)
        return False

    async def _commands(self, commands: tuple[str, ...]) -> tuple[str, int] | None:
        """Run commands until one fails: that one and its status, or None."""
        for command in commands:
            code = await self._command(command)
            if code != 0:
                return command, code
        return None

    async def _command(self, command: str) -> int:
        self.log.container(f"Running command {command}")
        shell = self.shell or await self._restart_shell()
        ended: int | None = None
        try:
            code = await self._bounded(shell.run(command))
        except _errors.ShellGone as gone:
            ended = code = _exit_status(gone.returncode)
            await self._drop_shell()
        self.log.output("")
        if code != 0:
            self.log.container(f"Command did not exit successfully {command} exit status {code}")
        if ended is not None:
            self.log.container(
                f"The build shell ended (exit status {ended}); the next command runs in a new "
                f"shell in {self.req.workdir}"
            )
        return code

    async def _upload_artifacts(self) -> bool:
        self._begin(PhaseType.UPLOAD_ARTIFACTS)
        artifacts = self.spec.artifacts
        if artifacts is None:
            self._end(Status.SUCCEEDED)
            return True
        found = await self._bounded(
            asyncio.to_thread(_artifacts.collect, self.req.workdir, artifacts)
        )
        for message in found.messages:
            self.log.container(message)
        if found.error:
            self._end(Status.FAILED, "CLIENT_ERROR", found.error)
            return False
        self.artifacts = found.files
        self._end(Status.SUCCEEDED)
        return True

    async def _finalize(self, status: Status) -> Status:
        """Read the exported variables, end the shell and its processes, record FINALIZING."""
        self._begin(PhaseType.FINALIZING)
        interrupted = status in (Status.TIMED_OUT, Status.STOPPED)
        names = self.spec.env.exported_variables
        try:
            if self.shell is not None and self.shell.alive and names and not interrupted:
                self.exported = await self._bounded(self.shell.read_variables(names))
        except Interrupted as exc:
            status, interrupted = exc.status, True
        except _errors.ShellGone:
            pass  # the shell ended on its own at the very end: nothing to read back
        finally:
            if self.shell is not None:
                await self.shell.close(self.settings.kill_grace, kill=interrupted)
                self.shell = None
            self._end(Status.SUCCEEDED, log=False)
        return status

    # -- the shell -------------------------------------------------------------------------

    async def _start_shell(self) -> _shell.BuildShell:
        env = dict(self.req.env)
        env.update(self.spec.env.variables)
        env.update(self.req.overrides)
        env.setdefault("CODEBUILD_SRC_DIR", str(self.req.workdir))
        env["CODEBUILD_BUILD_SUCCEEDING"] = "1" if self.succeeding else "0"
        if self.run_as is not None:
            home = env.get("HOME") if self.req.sandbox else None
            env.update(self.run_as.env())
            if home:  # a sandboxed build keeps the HOME its service gave it
                env["HOME"] = home
        return await _shell.BuildShell.start(
            shell=self.spec.env.shell,
            workdir=self.req.workdir,
            env=env,
            identity=self.run_as.identity if self.run_as else None,
            on_output=self.log.output,
            max_line=self.settings.max_line,
            wrap=self.req.sandbox.wrap if self.req.sandbox else None,
        )

    async def _restart_shell(self) -> _shell.BuildShell:
        self.shell = await self._start_shell()
        return self.shell

    async def _drop_shell(self) -> None:
        if self.shell is not None:
            await self.shell.close(self.settings.kill_grace, kill=True)
            self.shell = None

    async def _export_succeeding(self) -> None:
        shell = self.shell or await self._restart_shell()
        try:
            await self._bounded(shell.set_succeeding(self.succeeding))
        except _errors.ShellGone:
            await self._drop_shell()  # the next command starts a new shell with the value

    # -- time, stop, records ---------------------------------------------------------------

    def _check(self) -> None:
        if self.req.stop.is_set():
            raise Interrupted(Status.STOPPED)
        if asyncio.get_running_loop().time() >= self.deadline:
            raise Interrupted(Status.TIMED_OUT)

    async def _bounded(self, work: Awaitable[T]) -> T:
        """Await ``work`` unless the build is stopped or runs out of time first."""
        task = asyncio.ensure_future(work)
        stopper = asyncio.ensure_future(self.req.stop.wait())
        remaining = max(0.0, self.deadline - asyncio.get_running_loop().time())
        try:
            done, _ = await asyncio.wait(
                {task, stopper}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for pending in (task, stopper):
                if not pending.done():
                    pending.cancel()
            await asyncio.gather(task, stopper, return_exceptions=True)
        if task in done and not task.cancelled():
            return task.result()
        raise Interrupted(Status.STOPPED if stopper in done else Status.TIMED_OUT)

    def _begin(self, ptype: PhaseType) -> None:
        self.current = (ptype, datetime.now(UTC), time.monotonic())

    def _end(self, status: Status, code: str = "", message: str = "", *, log: bool = True) -> None:
        if self.current is None:
            return
        ptype, started, clock = self.current
        self.current = None
        duration = time.monotonic() - clock
        ended = datetime.now(UTC)
        self.records.append(
            _result.PhaseRecord(ptype, status, started, ended, duration, code, message)
        )
        if log:
            self.log.phase_complete(ptype, status, code, message)


def _exit_status(returncode: int | None) -> int:
    """A status as the shell would report it: 128 + N for a process killed by signal N."""
    if returncode is None:
        return 1
    return 128 - returncode if returncode < 0 else returncode


def _interruption(status: Status, timeout: float) -> tuple[str, str]:
    if status is Status.TIMED_OUT:
        return "BUILD_TIMED_OUT", f"Build has timed out after {timeout:g} seconds"
    return "BUILD_STOPPED", "Build was stopped"

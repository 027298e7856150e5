"""The build's one shell process: started in its own process group, fed through the driver.

``BuildShell`` owns the process, its private directory (the driver, command files, exported
values) and the task that reads the merged stdout/stderr pipe. Output lines go to ``on_output``
as they arrive (decoded as UTF-8, invalid bytes replaced, lines longer than ``max_line``
characters cut into pieces); a marker line from the driver completes the request waiting for it.

Exceptions (see ``_errors``): ``ShellStartError`` when the shell cannot be started, ``ShellGone``
when it ended while a request was waiting.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import secrets
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitterra.pipeline import _driver, _errors
from gitterra.pipeline._sandbox import Wrap

_CHUNK = 65536
#: Kept back when a long line is cut, so a marker is never cut in two (markers are shorter).
_MARKER_ROOM = 128
#: How long closing waits for the output pipe after its last holder was killed.
_EOF_WAIT = 5.0
#: The longest exported value read back (CodeBuild's limit on all of them is far smaller).
_MAX_EXPORTED = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the shell runs as when that is not the runner's own user."""

    uid: int
    gid: int
    groups: tuple[int, ...]


class BuildShell:
    """One shell serving requests through the driver protocol (see ``_driver``)."""

    def __init__(
        self,
        transport: asyncio.SubprocessTransport,
        protocol: _Protocol,
        directory: Path,
        nonce: str,
        on_output: Callable[[str], None],
        max_line: int,
    ) -> None:
        self._transport = transport
        self._proc = asyncio.subprocess.Process(transport, protocol, asyncio.get_running_loop())
        self._dir = directory
        self._nonce = nonce
        self._marker = re.compile(re.escape(nonce) + r" (\S+) (\d+)\Z")
        self._on_output = on_output
        self._max_line = max_line
        self._markers: asyncio.Queue[tuple[str, int] | None] = asyncio.Queue()
        self._reader_error: BaseException | None = None
        pid = self._proc.pid
        self._reader = asyncio.create_task(self._read(), name=f"build-shell-{pid}-output")
        self._exited = asyncio.create_task(protocol.exited.wait(), name=f"build-shell-{pid}-exit")
        self._count = 0

    @classmethod
    async def start(
        cls,
        *,
        shell: str,
        workdir: Path,
        env: Mapping[str, str],
        identity: Identity | None,
        on_output: Callable[[str], None],
        max_line: int,
        wrap: Wrap | None = None,
    ) -> BuildShell:
        """Start ``shell`` (``bash`` or ``/bin/sh``) in ``workdir`` with exactly ``env``, as
        ``identity`` (None: the runner's user); ``wrap`` (a sandbox's) confines it and does
        the switch to ``identity`` itself."""
        is_bash = shell == "bash"
        path = shutil.which("bash") if is_bash else shell
        if path is None or not os.access(path, os.X_OK):
            raise _errors.ShellStartError(f"the shell {shell} is not installed on this machine")
        argv = _driver.shell_argv(path, is_bash)
        directory = Path(tempfile.mkdtemp(prefix="gitterra-build-"))
        try:
            _prepare(directory, _driver.driver_script(argv, is_bash), identity)
            nonce = secrets.token_hex(16)
            command = [*argv, str(directory / "driver.sh"), str(directory), nonce]
            loop = asyncio.get_running_loop()
            # The identity arguments only when switching: uvloop refuses them even as None.
            switch: dict[str, Any] = (
                {"user": identity.uid, "group": identity.gid, "extra_groups": list(identity.groups)}
                if identity and wrap is None
                else {}
            )
            if wrap is not None:
                command = wrap(command, [directory])
            transport, protocol = await loop.subprocess_exec(
                lambda: _Protocol(loop),
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                cwd=workdir,
                env=dict(env),
                start_new_session=True,
                **switch,
            )
        except (OSError, ValueError) as exc:
            shutil.rmtree(directory, ignore_errors=True)
            raise _errors.ShellStartError(f"the shell {shell} could not be started: {exc}") from exc
        return cls(transport, protocol, directory, nonce, on_output, max_line)

    @property
    def alive(self) -> bool:
        return not self._exited.done()

    async def run(self, command: str) -> int:
        """Run one command in the shell; its exit status."""
        self._count += 1
        name = str(self._count)
        path = self._dir / "cmd" / name
        path.write_text(command, encoding="utf-8")
        path.chmod(0o644)
        return await self._request(f"run {name}", name)

    async def set_succeeding(self, succeeding: bool) -> None:
        """Set and export ``CODEBUILD_BUILD_SUCCEEDING`` (1 or 0) in the shell."""
        await self._request(f"succeeding {int(succeeding)}", "succeeding")

    async def read_variables(self, names: Sequence[str]) -> dict[str, str]:
        """The values of the shell variables ``names`` that are set."""
        exported = self._dir / "exported"
        exported.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
        exported.chmod(0o644)
        await self._request("dump", "dump")
        out: dict[str, str] = {}
        for name in names:
            data = _read_out(self._dir / "out" / name)
            if data is not None:
                out[name] = data.decode("utf-8", errors="replace")
        return out

    async def _request(self, line: str, expect: str) -> int:
        if self._proc.stdin is None or not self.alive:
            raise _errors.ShellGone(self._proc.returncode)
        try:
            self._proc.stdin.write(line.encode("ascii") + b"\n")
            await self._proc.stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the shell is ending; its status comes below
        while True:
            item = await self._next()
            if item is None:
                await self._wait_exit()
                raise _errors.ShellGone(self._proc.returncode)
            ident, status = item
            if ident == expect:
                return status

    async def _next(self) -> tuple[str, int] | None:
        """The next marker, or None once the shell has exited and its output is read."""
        if self._markers.empty() and not self._exited.done():
            getter = asyncio.ensure_future(self._markers.get())
            try:
                await asyncio.wait({getter, self._exited}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not getter.done():
                    getter.cancel()  # also when the request itself is cancelled (timeout, stop)
            if getter.done() and not getter.cancelled():
                return self._checked(getter.result())
        if self._markers.empty():
            # The shell has exited; what it printed last may still be in the pipe.
            await self._drain()
        return self._checked(self._markers.get_nowait() if not self._markers.empty() else None)

    def _checked(self, item: tuple[str, int] | None) -> tuple[str, int] | None:
        if item is None and self._reader_error is not None:
            raise self._reader_error
        return item

    async def _wait_exit(self) -> None:
        """Wait for the shell whose output has ended to exit (it is killed if it lingers)."""
        done, _ = await asyncio.wait({self._exited}, timeout=_EOF_WAIT)
        if not done:
            self._signal(signal.SIGKILL)
            await self._exited

    async def _drain(self) -> None:
        """Wait for the end of the output, killing what is left of the group if need be."""
        if self._reader.done():
            return
        self._signal(signal.SIGTERM)
        done, _ = await asyncio.wait({self._reader}, timeout=_EOF_WAIT)
        if not done:
            self._signal(signal.SIGKILL)
            await asyncio.wait({self._reader}, timeout=_EOF_WAIT)

    async def close(self, grace: float, *, kill: bool = False) -> None:
        """End the shell and everything it started, then remove its private directory.

        A normal end closes the shell's input (the driver exits) and then terminates what the
        build left running; ``kill`` (timeout, stop) terminates the whole group at once. Each
        time: SIGTERM, ``grace`` seconds, then SIGKILL.
        """
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            if kill:
                self._signal(signal.SIGTERM)
            await asyncio.wait({self._exited}, timeout=grace)
            self._signal(signal.SIGTERM)
            await asyncio.wait({self._reader}, timeout=grace)
            self._signal(signal.SIGKILL)
            await asyncio.wait({self._reader, self._exited}, timeout=_EOF_WAIT)
        finally:
            for task in (self._reader, self._exited):
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._transport.close()  # our ends of the pipes, even if an escaped process holds one
            shutil.rmtree(self._dir, ignore_errors=True)

    def _signal(self, sig: signal.Signals) -> None:
        """Signal the shell's whole process group (its pid: it leads a session of its own)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._proc.pid, sig)

    async def _read(self) -> None:
        stream = self._proc.stdout
        assert stream is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        buffer = ""
        try:
            while chunk := await stream.read(_CHUNK):
                buffer = self._lines(buffer + decoder.decode(chunk))
            buffer += decoder.decode(b"", final=True)
            if buffer:
                self._line(buffer)
        except Exception as exc:  # handed to the waiting request (``_checked``), not swallowed
            self._reader_error = exc
        finally:
            self._markers.put_nowait(None)

    def _lines(self, buffer: str) -> str:
        """Hand on the complete lines of ``buffer``; the incomplete rest is returned."""
        *lines, rest = buffer.split("\n")
        for line in lines:
            self._line(line)
        while len(rest) > self._max_line + _MARKER_ROOM:
            self._on_output(rest[: self._max_line])
            rest = rest[self._max_line :]
        return rest

    def _line(self, line: str) -> None:
        line = line.removesuffix("\r")
        index = line.rfind(self._nonce)
        match = self._marker.match(line, index) if index >= 0 else None
        if match is None:
            self._emit(line)
            return
        if index > 0:
            self._emit(line[:index])  # the command's last line had no newline
        self._markers.put_nowait((match.group(1), int(match.group(2))))

    def _emit(self, line: str) -> None:
        for start in range(0, max(len(line), 1), self._max_line):
            self._on_output(line[start : start + self._max_line])


class _Protocol(asyncio.subprocess.SubprocessStreamProtocol):
    """asyncio's protocol for a process with streams, telling when the process itself exits.

    ``Process.wait()`` only returns once every pipe is closed too, which a background process
    of the build may keep open forever; ``exited`` is set when the shell exits.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=_CHUNK, loop=loop)
        self.exited = asyncio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


def _prepare(directory: Path, script: str, identity: Identity | None) -> None:
    """The shell's private directory: the runner's, passable (not listable) by the shell's
    user, who owns only ``out``. The runner writes the other files after the build's code has
    run, so that code must not be able to replace them (with a link to one of our files)."""
    (directory / "driver.sh").write_text(script, encoding="utf-8")
    (directory / "driver.sh").chmod(0o644)
    (directory / "cmd").mkdir(mode=0o755)
    (directory / "out").mkdir(mode=0o700)
    (directory / "exported").write_text("", encoding="utf-8")
    (directory / "exported").chmod(0o644)
    if identity is not None:
        directory.chmod(0o711)
        os.chown(directory / "out", identity.uid, identity.gid)


def _read_out(path: Path) -> bytes | None:
    """An exported value the shell wrote: a regular file, never a link or a FIFO the build's
    code may have put there instead (the runner may read what the build cannot)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        return fh.read(_MAX_EXPORTED)

"""The instance runner: the first process of every instance, leader of its session and group.

``python -P -m gitterra.cloud.compute INSTANCE_DIR`` — started by the compute service in
a new session, it reads ``runner.json`` (written by the service: :class:`RunnerConfig`) and:

1. applies the instance type's limits to itself before any user code runs, so every process of
   the instance inherits them: ``RLIMIT_AS``, then joins the instance's CPU cgroup (or lowers its
   priority when there is none); then, when the server confines user code
   (``gitterra.cloud.isolation``), executes ``confine`` — the same runner (``--confined``), run
   as the unprivileged run user in a namespace that sees only the instance's directory — in
   its own place (same pid, so the service keeps following it), and goes on from there;
2. runs ``bash boot.sh`` (the decoded ``user_data``) in the instance directory with exactly the
   documented environment, writing its output to ``console.log`` line by line with timestamps;
3. by image: **static-site** — once the boot script exits 0, serves ``DOCUMENT_ROOT`` on the
   instance's address in this process (a failing boot script fails the instance);
   **process** — the boot script is the main program: when it exits, the instance ends;
4. on SIGTERM (the service signals the whole group): lets the static server finish in-flight
   requests, or waits for the boot script to exit;
5. on the way out writes ``exit.json`` (the reason the instance ended, in EC2's ``state_reason``
   words), terminates what is left of its process group (SIGTERM, then SIGKILL after the grace
   period) and exits.

The runner never talks to the server: it only writes files in the instance directory, so an
instance keeps running, and keeps its console, while the server is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gitterra.cloud import isolation
from gitterra.cloud.compute import _console, _procs

CONFIG = "runner.json"
EXIT = "exit.json"
BOOT = "boot.sh"
STATIC_SITE = "static-site"
PROCESS = "process"
_CHUNK = 65536
_PARTIAL_FLUSH_SECONDS = 0.5
_PARTIAL_MAX = 16384
_EXIT_MAX = 65536
CONFINED = "--confined"


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    """What the service tells the runner (``runner.json``)."""

    instance_id: str
    kind: str
    private_ip: str
    port: int
    document_root: str | None
    env: dict[str, str]
    memory_bytes: int
    cgroup: str | None
    nice: int | None
    grace: float
    limits: str
    confine: list[str] = field(default_factory=list)

    def write(self, directory: Path) -> None:
        tmp = directory / (CONFIG + ".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1) + "\n")
        tmp.replace(directory / CONFIG)

    @classmethod
    def read(cls, directory: Path) -> RunnerConfig:
        return cls(**json.loads((directory / CONFIG).read_text()))


def read_exit(directory: Path) -> str | None:
    """The reason the runner recorded when the instance ended, if it got to record one (read
    by the server: a regular file, never a link the instance's code put there)."""
    raw = isolation.read_regular(directory / EXIT, _EXIT_MAX)
    try:
        data = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    reason = data.get("reason") if isinstance(data, dict) else None
    return reason if isinstance(reason, str) else None


def _write_exit(directory: Path, reason: str) -> None:
    tmp = directory / (EXIT + ".tmp")
    tmp.write_text(json.dumps({"reason": reason}) + "\n")
    tmp.replace(directory / EXIT)


def apply_limits(config: RunnerConfig, console: _console.Writer) -> None:
    """Limit this process (and so everything it starts); say on the console what holds."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    memory = (
        config.memory_bytes if hard == resource.RLIM_INFINITY else min(hard, config.memory_bytes)
    )
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = config.limits
    if config.cgroup:
        try:
            (Path(config.cgroup) / "cgroup.procs").write_text(f"{os.getpid()}\n")
        except OSError as exc:
            cpu = f"CPU NOT enforced: cannot join {config.cgroup}: {exc.strerror}"
    if config.nice is not None:
        os.nice(config.nice)
    console.line(
        f"[gitterra] limits: address space {memory // (1024 * 1024)} MiB per process; {cpu}"
    )


class _ConsoleHandler(logging.Handler):
    def __init__(self, console: _console.Writer) -> None:
        super().__init__()
        self._console = console

    def emit(self, record: logging.LogRecord) -> None:
        self._console.line(f"[{record.name}] {record.getMessage()}")


class Runner:
    def __init__(self, config: RunnerConfig, directory: Path, console: _console.Writer) -> None:
        self.config = config
        self.directory = directory
        self.console = console
        self.stop = asyncio.Event()
        self.signal_name: str | None = None

    def _on_signal(self, sig: signal.Signals) -> None:
        if not self.stop.is_set():
            self.signal_name = sig.name
            self.console.line(f"[gitterra] {sig.name}: stopping")
        self.stop.set()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(sig, self._on_signal, sig)
        self.console.line(f"[gitterra] boot: bash {BOOT} ({self.config.kind} image)")
        reader, status_of_boot = await self._start_boot()
        pump = loop.create_task(self._pump(reader), name="console-pump")
        status = await status_of_boot
        reason = await self._after_boot(status)
        self.console.line(f"[gitterra] instance ending: {reason}")
        _write_exit(self.directory, reason)
        await self._end_group()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):  # cancels the pump when it expires
                await pump
        return 0 if self.stop.is_set() else 1

    async def _start_boot(self) -> tuple[asyncio.StreamReader, asyncio.Future[int]]:
        """Start ``bash boot.sh``: its output as a stream, and its exit status as a future.

        The two are independent on purpose: a boot script that leaves a background process
        holding its output open has still finished when bash exits (asyncio's own subprocess
        ``wait`` waits for the pipes as well)."""
        loop = asyncio.get_running_loop()
        read_end, write_end = os.pipe()
        try:
            proc = subprocess.Popen(
                ["bash", str(self.directory / BOOT)],
                cwd=self.directory,
                env=self.config.env,
                stdin=subprocess.DEVNULL,
                stdout=write_end,
                stderr=write_end,
                close_fds=True,
            )
        finally:
            os.close(write_end)
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_end, "rb", 0)
        )
        pidfd = os.pidfd_open(proc.pid)
        status: asyncio.Future[int] = loop.create_future()

        def exited() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            status.set_result(proc.wait())

        loop.add_reader(pidfd, exited)
        return reader, status

    async def _after_boot(self, status: int) -> str:
        """Serve (static-site) or not; the instance's end reason."""
        stopped = f"Client.InstanceInitiatedShutdown: stopped by {self.signal_name}"
        what = _procs.describe_status(status)
        if self.config.kind == PROCESS:
            self.console.line(f"[gitterra] the main process (user_data) {what}")
            if self.stop.is_set():
                return stopped
            return f"Client.InstanceInitiatedShutdown: the main process (user_data) {what}"
        if self.stop.is_set():
            return stopped
        if status != 0:
            detail = f"exited {status}" if status > 0 else what
            self.console.line(f"[gitterra] boot script {what}: the instance fails")
            return f"Client.UserDataFailed: boot script {detail}"
        root = Path(self.config.document_root or "")
        if not root.is_dir():
            return f"Client.UserDataFailed: DOCUMENT_ROOT {root} is not a directory after boot"
        self.console.line("[gitterra] boot script exited 0: starting the static server")
        return await self._serve_static(root)

    async def _serve_static(self, root: Path) -> str:
        # Imported here: a process image never pays for the server libraries.
        from gitterra.cloud.images import static_site

        try:
            await static_site.serve(
                root,
                self.config.private_ip,
                self.config.port,
                self.stop,
                # Finish before the service's SIGKILL, so the exit is recorded in our words.
                graceful_timeout=max(1.0, self.config.grace - 1.0),
                instance_id=self.config.instance_id,
            )
        except static_site.StaticSiteError as exc:
            return f"Server.InternalError: the static server cannot start: {exc}"
        if self.stop.is_set():
            return f"Client.InstanceInitiatedShutdown: stopped by {self.signal_name}"
        return "Server.InternalError: the static server stopped by itself"

    async def _pump(self, reader: asyncio.StreamReader) -> None:
        """Copy output to the console, one timestamped line per line (partial lines are
        flushed when the writer pauses, so a prompt without newline still shows)."""
        pending = b""
        while True:
            try:
                if pending:
                    async with asyncio.timeout(_PARTIAL_FLUSH_SECONDS):
                        chunk = await reader.read(_CHUNK)
                else:
                    chunk = await reader.read(_CHUNK)
            except TimeoutError:
                self.console.line(pending)
                pending = b""
                continue
            if not chunk:
                break
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self.console.line(line)
            if len(pending) > _PARTIAL_MAX:
                self.console.line(pending)
                pending = b""
        if pending:
            self.console.line(pending)

    async def _end_group(self) -> None:
        """SIGTERM what is left of the group (background processes of the boot script), then
        SIGKILL after the grace period; the runner itself is the last to go."""
        others = _others()
        if not others:
            return
        self.console.line(f"[gitterra] stopping {len(others)} remaining process(es)")
        _procs.kill(others, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.grace
        while others and loop.time() < deadline:
            await asyncio.sleep(0.05)
            others = _others()
        if others:
            _procs.kill(others, signal.SIGKILL)


def _others() -> list[int]:
    """The other live processes of the runner's group. Confined in a pid namespace whose
    group leader (bwrap, outside) it cannot see, the group reads as 0 and pid 1 is bwrap's
    init, which ends with the runner and cannot be signalled from inside."""
    me, pgid = os.getpid(), os.getpgrp()
    return [p for p in _procs.group_members(pgid) if p != me and not (pgid == 0 and p == 1)]


def main(argv: list[str]) -> int:
    confined = argv[1:] == [CONFINED]
    if len(argv) != 1 and not confined:
        print(f"usage: python -m gitterra.cloud.compute INSTANCE_DIR [{CONFINED}]", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    config = RunnerConfig.read(directory)
    console = _console.Writer(directory / _console.FILENAME)
    # Small thread stacks: the child watcher's and the static server's threads count against
    # RLIMIT_AS at their full reserved size.
    threading.stack_size(1024 * 1024)
    if not confined:
        apply_limits(config, console)
        if config.confine:
            return _confine(config, directory, console)
    handler = _ConsoleHandler(console)
    for name in ("gitterra", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return asyncio.run(Runner(config, directory, console).run())


def _confine(config: RunnerConfig, directory: Path, console: _console.Writer) -> int:
    """Become the confined runner (``config.confine``), limits applied; only returns when
    that cannot be started, and then the instance fails saying why."""
    try:
        os.execv(config.confine[0], config.confine)
    except OSError as exc:
        reason = f"Server.InternalError: cannot confine the instance: {exc}"
        console.line(f"[gitterra] {reason}")
        _write_exit(directory, reason)
    return 1

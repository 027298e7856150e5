"""One instance's process tree as the service sees it: started by us, or adopted after a restart.

The tree's root is the instance runner (:mod:`._runner`), leader of its own session and process
group, so it survives the server (``kill -9`` of the server leaves instances serving). The
service learns that the runner exited through a pidfd watched by the event loop: that works for
our children and for adopted processes alike (after a restart they are init's children and
cannot be waited for). Identity is (pid, start time), so an adopted pid that was reused by an
unrelated process is never mistaken for the instance.

When the runner is gone, :meth:`InstanceProcess.reap` makes sure nothing of the instance
remains: the rest of its process group (SIGTERM, SIGKILL after the grace period), then anything
that left the group but is still in the instance's cgroup or carries its ``INSTANCE_ID``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitterra.cloud.compute import _procs, _runner

_POLL = 0.05
_KILL_WAIT = 5.0


#: Runners this process started whose watcher stopped while they ran (a service stopped without
#: terminating, as tests do to imitate a crash): a service adopting them in this same process
#: takes their ``Popen`` back, so they are reaped and their exit status is known.
_DETACHED: dict[int, subprocess.Popen[bytes]] = {}


class ReapError(Exception):
    """Processes of an instance survived SIGKILL (uninterruptible sleep): they are reported."""


class InstanceProcess:
    def __init__(
        self,
        instance_id: str,
        directory: Path,
        pid: int | None,
        start_ticks: int | None,
        cgroup: str | None,
        popen: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.instance_id = instance_id
        self.directory = directory
        self.pid = pid
        self.start_ticks = start_ticks
        self.cgroup = cgroup
        self.adopted = popen is None
        self.killed = False  # SIGKILLed after ignoring SIGTERM
        self._popen = popen
        self._pidfd: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.exited = asyncio.Event()

    @classmethod
    def spawn(
        cls,
        instance_id: str,
        directory: Path,
        argv: list[str],
        env: dict[str, str],
        cgroup: str | None,
    ) -> InstanceProcess:
        """Start the runner in a new session; its output (tracebacks only) goes to the console."""
        console = os.open(
            directory / "console.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600
        )
        try:
            popen = subprocess.Popen(
                argv,
                cwd=directory,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=console,
                start_new_session=True,
                close_fds=True,
            )
        finally:
            os.close(console)
        return cls(instance_id, directory, popen.pid, _procs.start_ticks(popen.pid), cgroup, popen)

    @classmethod
    def adopt(
        cls, instance_id: str, directory: Path, runtime: dict[str, Any] | None
    ) -> InstanceProcess:
        """The recorded runner, alive or not (``exited`` is set when it is gone)."""
        runtime = runtime or {}
        pid, ticks = runtime.get("pid"), runtime.get("start_ticks")
        popen = _DETACHED.pop(pid, None) if isinstance(pid, int) else None
        found = cls(instance_id, directory, pid, ticks, runtime.get("cgroup"), popen)
        if popen is not None and popen.poll() is not None:
            found.exited.set()
            return found
        if not isinstance(pid, int) or not isinstance(ticks, int):
            found.pid = None
            found.exited.set()
            return found
        try:
            found._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            found.exited.set()
            return found
        # Check identity only now that the pidfd pins the pid: it cannot be reused under us.
        if not _procs.is_same_alive(pid, ticks):
            os.close(found._pidfd)
            found._pidfd = None
            found.exited.set()
        return found

    def runtime(self) -> dict[str, Any]:
        """What a restarted server needs to find this process again."""
        return {"pid": self.pid, "start_ticks": self.start_ticks, "cgroup": self.cgroup}

    def watch(self, on_exit: Callable[[InstanceProcess], None]) -> None:
        """Call ``on_exit`` (in the loop) once the runner has exited."""
        if self.exited.is_set() or self.pid is None:
            return
        if self._pidfd is None:
            self._pidfd = os.pidfd_open(self.pid)
        self._loop = asyncio.get_running_loop()

        def readable() -> None:
            self.unwatch()
            if self._popen is not None:
                self._popen.poll()
            self.exited.set()
            on_exit(self)

        self._loop.add_reader(self._pidfd, readable)

    def unwatch(self) -> None:
        if self._pidfd is not None:
            if self._loop is not None:
                self._loop.remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = None

    def signal(self, sig: int) -> None:
        """Signal the instance's process group (all of the instance that stayed in it)."""
        if self.pid is not None and not self.exited.is_set():
            _procs.signal_group(self.pid, sig)

    def exit_reason(self) -> str:
        """Why the instance ended: the runner's own words, else its exit status."""
        recorded = _runner.read_exit(self.directory)
        if recorded is not None:
            return recorded
        if self._popen is not None and self._popen.returncode is not None:
            status = _procs.describe_status(self._popen.returncode)
            return f"Server.InternalError: the instance's runner process {status}"
        if self.pid is None:
            return "Server.InternalError: the server stopped while launching the instance"
        return (
            "Server.InternalError: the instance's process ended while the server was not "
            "watching it (its exit status is unknown)"
        )

    def _stragglers(self, cgroup_procs: list[int]) -> list[int]:
        """Processes of this instance still alive, by group, cgroup and environment."""
        tagged = set(_procs.with_env("INSTANCE_ID", self.instance_id))
        found = set(tagged)
        if self.pid is not None and self.adopted:
            # After the leader is gone a new process could take its pid as group id: only
            # members carrying this instance's id are ours.
            found.update(p for p in _procs.group_members(self.pid) if p in tagged)
        elif self.pid is not None:
            found.update(_procs.group_members(self.pid))
        found.update(cgroup_procs)
        found.discard(os.getpid())
        return sorted(p for p in found if (s := _procs.stat(p)) is not None and s.alive)

    async def reap(self, grace: float, cgroup_procs: Callable[[], list[int]]) -> list[int]:
        """After the runner exited: end whatever of the instance remains (SIGTERM, then SIGKILL
        after ``grace`` seconds). Returns the processes that had to be stopped, and raises
        ``ReapError`` naming those that would not die."""
        left = self._stragglers(cgroup_procs())
        stopped = list(left)
        if not left:
            return stopped
        _procs.kill(left, signal.SIGTERM)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while left and loop.time() < deadline:
            await asyncio.sleep(_POLL)
            left = self._stragglers(cgroup_procs())
        deadline = loop.time() + _KILL_WAIT
        while left and loop.time() < deadline:
            _procs.kill(left, signal.SIGKILL)
            await asyncio.sleep(_POLL)
            left = self._stragglers(cgroup_procs())
        if left:
            raise ReapError(f"processes {left} of {self.instance_id} survived SIGKILL")
        return stopped

    def close(self) -> None:
        """Stop watching; a runner of ours that still runs is kept for a later adoption."""
        self.unwatch()
        if self._popen is not None and self._popen.poll() is None:
            _DETACHED[self._popen.pid] = self._popen

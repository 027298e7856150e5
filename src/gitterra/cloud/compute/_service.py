"""The compute service: instances as supervised process trees (service name ``compute``).

State machine (each change is stored, then published to subscribers and recorded as an event)::

    pending ──(port accepts connections)──> running
       │  └──(boot deadline passed)──┐        │
       │                             v        v
       └──(terminate / process ended)──> shutting-down ──(group gone)──> terminated

``terminate`` is graceful: SIGTERM to the instance's process group, SIGKILL after the grace
period, ``terminated`` once nothing of the instance is left. An instance whose process ends by
itself goes the same way with the reason it ended (its exit status, or the boot script's); the
autoscaling controller replaces it. Instances outlive the server (their own sessions): ``start``
adopts the live ones and terminates the dead ones; ``stop(terminate=True)`` ends them all.

Errors (``gitterra.cloud``'s family)::

    CloudError                 cannot start a process / allocate an address (Internal)
    ├── ValidationError        a bad launch spec, filter or console offset (names the field)
    └── NotFound               no instance with that id
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitterra.cloud import Cloud, CloudError, NotFound, ValidationError, ids, isolation, meta
from gitterra.cloud.compute import _console, _layout, _limits, _net, _runner, _spec
from gitterra.cloud.compute._process import InstanceProcess, ReapError
from gitterra.kits import TaskSet

log = logging.getLogger("gitterra.cloud.compute")

KIND, RUNTIME = "instance", "instance-runtime"
SHUTDOWN_REASON = "Client.UserInitiatedShutdown: the gitterra server was stopped"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Compute:
    """Instances: launch, terminate, read, and follow their state changes."""

    name = "compute"

    def __init__(
        self,
        cloud: Cloud,
        *,
        boot_deadline: float = 120.0,
        kill_grace: float = 10.0,
        retention: float = 86400.0,
        python: str = sys.executable,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.cloud = cloud
        self.boot_deadline = boot_deadline
        self.kill_grace = kill_grace
        self.retention = retention
        self._python = python
        self._environ = dict(environ) if environ is not None else _host_environ()
        self._dir = cloud.data_dir / "instances"
        self._procs: dict[str, InstanceProcess] = {}
        self._ended: dict[str, asyncio.Event] = {}
        self._subscribers: list[Callable[[dict[str, Any]], None]] = []
        self._tasks = TaskSet("compute")
        self._cpu = _limits.CpuControl("nice", None)

    # -- lifetime ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Probe the limits we can enforce, then adopt live instances and end dead ones."""
        self._dir.mkdir(parents=True, exist_ok=True)
        self._cpu = _limits.detect_cpu(self.cloud.data_dir)
        message = (
            f"memory: RLIMIT_AS per process = the type's memory + "
            f"{_limits.MEMORY_HEADROOM_MIB} MiB; {self._cpu.describe()}"
        )
        if not self._cpu.enforced:
            log.warning("instance limits: %s", message)
        self.cloud.event("compute", "limits", message)  # logged (info) as every event
        self._forget_old()
        dead = []
        for doc in self.cloud.store.find(KIND, lambda d: d["state"] in _spec.LIVE_STATES):
            proc = self._restore(doc)
            if proc.exited.is_set():
                dead.append(self._finish(doc["id"]))
        await asyncio.gather(*dead)

    async def stop(self, terminate: bool) -> None:
        """``terminate``: end every instance first (a clean shutdown); otherwise leave them
        running for the next start to adopt."""
        if terminate:
            live = [d["id"] for d in self.find(states=set(_spec.LIVE_STATES))]
            await asyncio.gather(*(self.terminate(i, SHUTDOWN_REASON) for i in live))
        await self._tasks.close()
        for proc in self._procs.values():
            proc.close()
        self._procs.clear()
        if terminate:
            self._cpu.close()

    # -- the interface ----------------------------------------------------------------------

    async def launch(self, spec: _spec.LaunchSpec) -> dict[str, Any]:
        """Start an instance; returns its document (``pending``), stored before it returns."""
        image = _spec.validate(spec)
        instance_id = ids.new_id("i")
        live = self.find(states=set(_spec.LIVE_STATES))
        try:
            ip, port = _net.allocate(d["private_ip"] for d in live)
        except OSError as exc:
            raise CloudError(f"cannot allocate an address for an instance: {exc}") from exc
        directory = self._dir / instance_id
        config = self._prepare(directory, image, spec, ip, port)
        doc = _spec.document(instance_id, spec, ip, port, _now())
        self.cloud.store.put(KIND, instance_id, doc)  # durable before the process exists
        argv = [self._python, "-P", "-m", "gitterra.cloud.compute", str(directory)]
        try:
            proc = InstanceProcess.spawn(
                instance_id, directory, argv, _layout.runner_env(config.env), config.cgroup
            )
        except OSError as exc:
            self.cloud.store.delete(KIND, instance_id)
            self._cpu.remove(config.cgroup)
            shutil.rmtree(directory, ignore_errors=True)
            raise CloudError(f"cannot start the instance's process: {exc}") from exc
        doc["pid"] = proc.pid
        with self.cloud.store.transaction():
            self.cloud.store.put(RUNTIME, instance_id, proc.runtime())
            self._save(doc, f"launched {image.name} ({spec.instance_type}) on {ip}:{port}")
        self._track(proc)
        self._tasks.spawn(f"boot {instance_id}", self._boot(instance_id))
        return dict(doc)

    async def terminate(self, instance_id: str, reason: str) -> None:
        """End an instance gracefully and return once it is ``terminated`` (idempotent)."""
        self.request_terminate(instance_id, reason)
        ended = self._ended.get(instance_id)
        if ended is not None:
            await ended.wait()

    def request_terminate(self, instance_id: str, reason: str) -> dict[str, Any]:
        """Start ending an instance (``shutting-down``, SIGTERM, SIGKILL after the grace
        period) and return its document at once; already ending or ended: nothing changes."""
        doc = self.get(instance_id)
        if doc["state"] not in ("pending", "running"):
            return doc
        doc = self._transition(doc, "shutting-down", reason)
        proc = self._procs.get(instance_id)
        if proc is None or proc.exited.is_set():
            return doc  # its end is already being handled
        proc.signal(signal.SIGTERM)
        self._tasks.spawn(f"terminate {instance_id}", self._escalate(proc))
        return doc

    def get(self, instance_id: str) -> dict[str, Any]:
        doc = self.cloud.store.get(KIND, instance_id)
        if doc is None:
            raise NotFound(f"The instance ID '{instance_id}' does not exist")
        return doc

    def find(
        self, group: str | None = None, states: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """Instances of ``group`` (any group: None) in ``states`` (any state: None)."""
        if states is not None:
            for state in states:
                if state not in _spec.STATES:
                    raise ValidationError(
                        f"unknown instance state {state!r} (one of {', '.join(_spec.STATES)})",
                        "state",
                    )

        def wanted(doc: dict[str, Any]) -> bool:
            return (group is None or doc["group"] == group) and (
                states is None or doc["state"] in states
            )

        return sorted(
            self.cloud.store.find(KIND, wanted), key=lambda d: (d["launched_at"], d["id"])
        )

    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """``callback(document)`` in the loop on every state change of any instance."""
        self._subscribers.append(callback)

    def console(self, instance_id: str, offset: int = 0) -> dict[str, Any]:
        """A page of the instance's console output from byte ``offset``."""
        self.get(instance_id)
        path = self._dir / instance_id / _console.FILENAME
        size = _console.size(path)
        if offset < 0 or offset > size:
            raise ValidationError(
                f"offset {offset} is outside the console output (0 to {size} bytes)", "offset"
            )
        text, next_offset = _console.read(path, offset)
        return {"text": text, "next_offset": next_offset}

    # -- launching --------------------------------------------------------------------------

    def _prepare(
        self, directory: Path, image: meta.Image, spec: _spec.LaunchSpec, ip: str, port: int
    ) -> _runner.RunnerConfig:
        address = _layout.Address(ip, port)
        env = _layout.boot_env(
            directory.name, directory, image, spec, address, self.cloud.endpoint, self._environ
        )
        try:
            cgroup = self._cpu.create(directory.name, _limits.vcpus(spec.instance_type))
        except OSError as exc:
            log.warning("no CPU cgroup for %s: %s", directory.name, exc)
            cgroup = None
        confined = self.cloud.isolation
        argv = [self._python, "-P", "-m", "gitterra.cloud.compute", str(directory)]
        confine = (
            confined.command([*argv, _runner.CONFINED], cwd=directory, writable=[directory])
            if confined.level != isolation.NONE
            else []
        )
        config = _layout.create(
            directory, spec, image, env, cgroup, address, self._cpu, self.kill_grace, confine
        )
        isolation.workspace(confined, directory, [directory])
        return config

    async def _boot(self, instance_id: str) -> None:
        """``running`` once the instance's port accepts connections; the deadline ends it."""
        proc = self._procs[instance_id]
        doc = self.get(instance_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.boot_deadline
        delay = 0.05
        while not proc.exited.is_set():
            if self.get(instance_id)["state"] != "pending":
                return
            if await _net.accepts(doc["private_ip"], doc["port"]):
                current = self.get(instance_id)
                if current["state"] == "pending" and not proc.exited.is_set():
                    self._transition(current, "running", None)
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                self.request_terminate(
                    instance_id,
                    f"Client.BootTimeout: nothing accepted connections on "
                    f"{doc['private_ip']}:{doc['port']} within {self.boot_deadline:g} s",
                )
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(delay, remaining)):
                    await proc.exited.wait()
            delay = min(delay * 1.5, 0.5)

    # -- ending -----------------------------------------------------------------------------

    async def _escalate(self, proc: InstanceProcess) -> None:
        try:
            async with asyncio.timeout(self.kill_grace):
                await proc.exited.wait()
        except TimeoutError:
            log.warning("%s ignored SIGTERM for %g s: SIGKILL", proc.instance_id, self.kill_grace)
            proc.killed = True
            proc.signal(signal.SIGKILL)

    def _on_exit(self, proc: InstanceProcess) -> None:
        self._tasks.spawn(f"finish {proc.instance_id}", self._finish(proc.instance_id))

    async def _finish(self, instance_id: str) -> None:
        """The runner is gone: end the rest of the instance, then record ``terminated``."""
        try:
            await self._end(instance_id)
        finally:
            ended = self._ended.pop(instance_id, None)
            if ended is not None:
                ended.set()

    async def _end(self, instance_id: str) -> None:
        proc = self._procs[instance_id]
        reason = proc.exit_reason()
        doc = self.get(instance_id)
        if doc["state"] in ("pending", "running"):
            doc["health"] = "unhealthy"
            doc = self._transition(doc, "shutting-down", reason)
        # After a SIGKILL the leftovers have had their grace period already.
        grace = 0.0 if proc.killed else self.kill_grace
        try:
            stopped = await proc.reap(grace, lambda: self._cpu.procs(proc.cgroup))
        except ReapError as exc:
            log.error("%s", exc)
            stopped = []
        if stopped:
            _console.append(proc.directory / _console.FILENAME, f"stopped leftovers {stopped}")
        self._cpu.remove(proc.cgroup)
        proc.close()
        del self._procs[instance_id]
        doc = self.get(instance_id)
        doc["terminated_at"] = _now()
        with self.cloud.store.transaction():
            self.cloud.store.delete(RUNTIME, instance_id)
            self._transition(doc, "terminated", doc["state_reason"] or reason)

    # -- restoring --------------------------------------------------------------------------

    def _restore(self, doc: dict[str, Any]) -> InstanceProcess:
        """Adopt the instance's recorded process (or note that it is gone)."""
        instance_id = doc["id"]
        runtime = self.cloud.store.get(RUNTIME, instance_id)
        proc = InstanceProcess.adopt(instance_id, self._dir / instance_id, runtime)
        self._track(proc)
        if proc.exited.is_set():
            return proc
        self.cloud.event(KIND, instance_id, f"adopted after a server restart (pid {proc.pid})")
        _console.append(proc.directory / _console.FILENAME, "adopted by a restarted server")
        if doc["state"] == "pending":
            self._tasks.spawn(f"boot {instance_id}", self._boot(instance_id))
        elif doc["state"] == "shutting-down":
            proc.signal(signal.SIGTERM)
            self._tasks.spawn(f"terminate {instance_id}", self._escalate(proc))
        return proc

    def _track(self, proc: InstanceProcess) -> None:
        self._procs[proc.instance_id] = proc
        self._ended[proc.instance_id] = asyncio.Event()
        proc.watch(self._on_exit)

    def _forget_old(self) -> None:
        """Terminated instances are kept (with their console) for ``retention`` seconds."""
        cutoff = time.time() - self.retention
        for doc in self.cloud.store.find(KIND, lambda d: d["state"] == "terminated"):
            ended = calendar.timegm(time.strptime(doc["terminated_at"], "%Y-%m-%dT%H:%M:%SZ"))
            if ended < cutoff:
                self.cloud.store.delete(KIND, doc["id"])
                shutil.rmtree(self._dir / doc["id"], ignore_errors=True)

    # -- persistence ------------------------------------------------------------------------

    def _transition(self, doc: dict[str, Any], state: str, reason: str | None) -> dict[str, Any]:
        doc = {**doc, "state": state, "state_reason": reason}
        message = state if reason is None else f"{state}: {reason}"
        self._save(doc, message)
        _console.append(self._dir / doc["id"] / _console.FILENAME, message)
        return doc

    def _save(self, doc: dict[str, Any], message: str) -> None:
        """Store, record the event, then tell the subscribers."""
        self.cloud.store.put(KIND, doc["id"], doc)
        self.cloud.event(KIND, doc["id"], message)
        for callback in list(self._subscribers):
            try:
                callback(dict(doc))
            except Exception:
                log.exception("an instance subscriber failed on %s", doc["id"])


def _host_environ() -> dict[str, str]:
    return {k: os.environ[k] for k in ("PATH", "LANG") if k in os.environ}

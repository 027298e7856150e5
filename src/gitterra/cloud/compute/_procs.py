"""Processes as ``/proc`` shows them: identity across restarts, process groups, stragglers.

An instance's processes are not necessarily our children (after a server restart they belong to
init), so everything here reads ``/proc`` instead of relying on ``wait``. A process is identified
by its pid *and* its start time (field 22 of ``/proc/<pid>/stat``, clock ticks since boot): a pid
alone may have been reused. Zombies count as gone: they run no code and hold no port.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass

_PROC = "/proc"


@dataclass(frozen=True, slots=True)
class Stat:
    """The fields of ``/proc/<pid>/stat`` we use."""

    pid: int
    state: str
    ppid: int
    pgrp: int
    session: int
    start_ticks: int

    @property
    def alive(self) -> bool:
        return self.state not in ("Z", "X", "x")


def stat(pid: int) -> Stat | None:
    """``/proc/<pid>/stat`` parsed, or None when there is no such process."""
    try:
        with open(f"{_PROC}/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is parenthesised and may itself contain spaces and ')'.
    rest = raw[raw.rindex(b")") + 2 :].split()
    return Stat(
        pid=pid,
        state=rest[0].decode(),
        ppid=int(rest[1]),
        pgrp=int(rest[2]),
        session=int(rest[3]),
        start_ticks=int(rest[19]),
    )


def start_ticks(pid: int) -> int | None:
    found = stat(pid)
    return None if found is None else found.start_ticks


def is_same_alive(pid: int, ticks: int) -> bool:
    """Whether ``pid`` is still the process that started at ``ticks`` and has not exited."""
    found = stat(pid)
    return found is not None and found.alive and found.start_ticks == ticks


def _pids() -> Iterator[int]:
    for name in os.listdir(_PROC):
        if name.isdigit():
            yield int(name)


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``."""
    out = []
    for pid in _pids():
        found = stat(pid)
        if found is not None and found.pgrp == pgid and found.alive:
            out.append(pid)
    return out


def _environ_has(pid: int, entry: bytes) -> bool:
    try:
        with open(f"{_PROC}/{pid}/environ", "rb") as fh:
            return entry in fh.read().split(b"\0")
    except OSError:
        return False


def with_env(name: str, value: str) -> list[int]:
    """Live processes whose environment holds ``name=value`` (those we may read).

    Instances' processes inherit ``INSTANCE_ID``: this finds the ones that left their process
    group (``setsid``, double forks), so terminating an instance leaves nothing behind."""
    entry = f"{name}={value}".encode()
    me = os.getpid()
    out = []
    for pid in _pids():
        if pid == me:
            continue
        found = stat(pid)
        if found is not None and found.alive and _environ_has(pid, entry):
            out.append(pid)
    return out


def signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to a process group; False when the group no longer exists."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


def kill(pids: list[int], sig: int = signal.SIGKILL) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def describe_status(returncode: int) -> str:
    """``exited with status 3`` / ``was killed by signal 9 (SIGKILL)`` from a Popen returncode
    (negative: the signal) or a shell's exit status (``128 + signal`` is kept as a status)."""
    if returncode < 0:
        return f"was killed by signal {-returncode} ({_signame(-returncode)})"
    return f"exited with status {returncode}"


def _signame(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"

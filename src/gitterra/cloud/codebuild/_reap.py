"""Ending what a crashed server's builds left running.

A build's shell runs in its own session, so when the server dies (``kill -9``) its processes
live on. Every process of a build carries ``CODEBUILD_BUILD_ID=<id>`` in its environment (as
its processes inherit it); at start the service kills the process groups of those whose build
it is ending. Processes of other users cannot be read and are not touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterable
from pathlib import Path


def kill_builds(build_ids: Iterable[str]) -> list[int]:
    """SIGKILL the process groups of processes of these builds; the pids found."""
    needles = [f"CODEBUILD_BUILD_ID={b}".encode() + b"\0" for b in build_ids]
    if not needles:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if any(needle in environ for needle in needles):
            found.append(int(entry.name))
    for pid in found:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return found


def remove_sources(builds: Path, build_ids: Iterable[str]) -> None:
    """Remove the checkouts the interrupted builds left (their logs and artifacts stay)."""
    for build_id in build_ids:
        project, _, uid = build_id.partition(":")
        shutil.rmtree(builds / project / uid / "src", ignore_errors=True)

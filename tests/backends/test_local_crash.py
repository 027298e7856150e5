"""A local lock held by another process: reported with its holder, and gone when that process
is killed with SIGKILL (the kernel releases ``flock`` locks of dead processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gitterra import backends, state

# The child takes the lock, says so on stdout, then waits for its stdin to close (it never
# does: the test kills it). Arguments are data (argv), never shell text.
CHILD = """
import sys
from gitterra import backends, state
backend = backends.configure("local", {}, {}, sys.argv[1])
lock_id = backend.client("default").lock(state.LockInfo.new("OperationTypeApply", info="child"))
print("locked", lock_id, flush=True)
sys.stdin.read()
"""


@pytest.mark.slow
def test_sigkilled_holder_releases_the_lock(tmp_path: Path) -> None:
    backend = backends.configure("local", {}, {}, str(tmp_path))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child holds the lock (or dies)
        assert line.startswith("locked "), (line, child.stderr.read() if child.stderr else "")
        child_lock_id = line.split()[1]

        client = backend.client("default")
        with pytest.raises(state.StateLockedError) as caught:
            client.lock(state.LockInfo.new("OperationTypePlan"))
        holder = caught.value.holder
        assert holder is not None
        assert (holder.id, holder.info) == (child_lock_id, "child")
        with pytest.raises(state.StateLockError, match="another running process"):
            client.force_unlock(child_lock_id)

        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=120) == -signal.SIGKILL

        lock_id = client.lock(state.LockInfo.new("OperationTypePlan"))
        client.unlock(lock_id)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=120)
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream is not None:
                stream.close()

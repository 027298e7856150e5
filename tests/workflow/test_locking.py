"""State locking. Local backend: a second real process holds the lock (tests/workflow/
lock_holder.py); commands fail naming the holder, -lock-timeout waits for the release,
-lock=false bypasses the lock, force-unlock behaves as documented, and a killed holder leaves no
lock behind. Http backend: another client's lock on the test server, waited for and
force-unlocked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitterra import backends, state
from gitterra.backends import _filelock
from tests.backends.state_server import StateServer
from tests.clirun import REPO, Result
from tests.workflow.conftest import ModuleDir, addresses

DEADLINE = 60.0
MODULE = 'resource "terraform_data" "a" {\n  input = "x"\n}\n'


def wait_for(condition: Callable[[], bool], what: str) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@dataclass
class Holder:
    proc: subprocess.Popen[str]
    id: str
    who: str

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("release\n")
        self.proc.stdin.flush()
        out, _ = self.proc.communicate(timeout=DEADLINE)
        assert self.proc.returncode == 0
        assert "released" in out


def hold(state_path: str, cwd: Path) -> Holder:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.workflow.lock_holder", state_path],
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # printed once the lock is held
    assert line, f"the lock holder ended early (exit {proc.wait()})"
    info = json.loads(line)
    return Holder(proc, info["id"], info["who"])


@pytest.fixture
def holder(ws: ModuleDir) -> Iterator[Holder]:
    ws.write(MODULE)
    ws.apply()
    held = hold(str(ws.state_file()), ws.path)
    yield held
    if held.proc.poll() is None:
        held.proc.kill()
        held.proc.communicate(timeout=DEADLINE)


def test_a_locked_state_fails_naming_the_holder(ws: ModuleDir, holder: Holder) -> None:
    before = ws.state_file().read_bytes()
    for args in (
        ["plan"],
        ["apply", "-auto-approve", "-var-file=/dev/null"],
        ["state", "rm", "terraform_data.a"],
    ):
        result = ws.fails(*args)
        assert "Error: Error acquiring the state lock" in result.err
        assert holder.id in result.err
        assert holder.who in result.err
        assert "OperationTypeApply" in result.err
    assert ws.state_file().read_bytes() == before


def test_lock_false_bypasses_the_lock(ws: ModuleDir, holder: Holder) -> None:
    assert "No changes." in ws.ok("plan", "-lock=false").out
    ws.write(MODULE.replace('"x"', '"y"'))
    ws.apply("-lock=false")
    assert addresses(ws.state()) == ["terraform_data.a"]
    holder.release()


def test_lock_timeout_succeeds_once_released(
    ws: ModuleDir, holder: Holder, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The waiting apply runs in a thread of this process, so its refused attempts can be seen;
    # the lock it waits for is held by the other process.
    refused = threading.Event()
    real_acquire = _filelock.acquire

    def acquire(lock_path: str, info: state.LockInfo) -> str:
        try:
            return real_acquire(lock_path, info)
        except state.StateLockedError:
            refused.set()
            raise

    monkeypatch.setattr(_filelock, "acquire", acquire)
    ws.write(MODULE.replace('"x"', '"y"'))
    results: list[Result] = []
    waiting = threading.Thread(
        target=lambda: results.append(ws.run("apply", "-auto-approve", "-lock-timeout=60s"))
    )
    waiting.start()
    try:
        assert refused.wait(DEADLINE), "the apply never found the state locked"
        assert waiting.is_alive()
        holder.release()
    finally:
        waiting.join(DEADLINE)
    (result,) = results
    assert result.code == 0, result.err
    assert "Apply complete! Resources: 0 added, 1 changed, 0 destroyed." in result.out
    assert ws.ok("plan", "-lock-timeout=0s").code == 0, "nobody holds the lock any more"


def test_lock_timeout_expires_naming_the_holder(ws: ModuleDir, holder: Holder) -> None:
    result = ws.fails("plan", "-lock-timeout=200ms")
    assert "Error acquiring the state lock" in result.err
    assert holder.id in result.err


def test_force_unlock_cannot_release_another_process_s_local_lock(
    ws: ModuleDir, holder: Holder
) -> None:
    # Documented in backends/_filelock.py: a local lock ends when its process ends.
    result = ws.fails("force-unlock", "-force", holder.id)
    assert "Failed to unlock state" in result.err
    assert "another running process" in result.err
    assert ws.fails("plan").code == 1, "still locked"
    cancelled = ws.fails("force-unlock", holder.id, stdin="no\n")
    assert "force-unlock cancelled." in cancelled.out
    holder.release()
    assert "No changes." in ws.ok("plan").out


def test_a_killed_holder_leaves_no_lock(ws: ModuleDir, holder: Holder) -> None:
    os.killpg(holder.proc.pid, signal.SIGKILL)
    holder.proc.communicate(timeout=DEADLINE)
    # The lock file stays behind with the dead holder's information; it holds no lock.
    lock_file = ws.path / ".terraform.tfstate.lock.info"
    assert json.loads(lock_file.read_text())["ID"] == holder.id
    assert "No changes." in ws.ok("plan").out
    # force-unlock with the dead holder's ID cleans the stale file up.
    lock_file.write_text(json.dumps({"ID": holder.id, "Operation": "OperationTypeApply"}))
    assert "successfully unlocked" in ws.ok("force-unlock", "-force", holder.id).out
    assert not lock_file.exists()
    ws.write(MODULE.replace('"x"', '"z"'))
    ws.apply()


def http_lock(url: str) -> tuple[state.StateClient, str]:
    """The http state's lock, taken by another client (the server holds it for that client)."""
    settings = {"address": url, "lock_address": url, "unlock_address": url, "retry_max": 0}
    client = backends.configure("http", settings, {}, "/").client(state.DEFAULT_WORKSPACE)
    return client, client.lock(state.LockInfo.new("OperationTypeApply", info="another client"))


def test_http_lock_timeout_waits_and_force_unlock(ws: ModuleDir, server: StateServer) -> None:
    url = server.url()
    ws.write('terraform {\n  backend "http" {}\n}\n' + MODULE)
    ws.ok(
        "init",
        f"-backend-config=address={url}",
        f"-backend-config=lock_address={url}",
        f"-backend-config=unlock_address={url}",
    )
    ws.apply()
    client, lock_id = http_lock(url)
    refused = ws.fails("plan")
    assert lock_id in refused.err
    locks_before = server.methods().count("LOCK")
    results: list[Result] = []
    waiting = threading.Thread(
        target=lambda: results.append(ws.run("apply", "-auto-approve", "-lock-timeout=60s"))
    )
    waiting.start()
    try:
        # The server's log shows the waiting apply being refused; then the lock is released.
        wait_for(lambda: server.methods().count("LOCK") > locks_before, "a refused LOCK")
        assert waiting.is_alive()
        client.unlock(lock_id)
    finally:
        waiting.join(DEADLINE)
    (result,) = results
    assert result.code == 0, result.err

    # A lock whose holder went away: force-unlock with its ID removes it.
    _, stuck_id = http_lock(url)
    assert ws.fails("plan").code == 1
    unlocked = ws.ok("force-unlock", "-force", stuck_id)
    assert "gitterra state has been successfully unlocked!" in unlocked.out
    with server.data.mutex:
        assert server.data.locks == {}
    assert "No changes." in ws.ok("plan").out

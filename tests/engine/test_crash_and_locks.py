"""State survives a ``kill -9`` at any point of an apply, and concurrent applies on one state
wait for (or fail on) the lock without corrupting it. Real ``gitterra`` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gitterra import state
from tests.clirun import GITTERRA, run_process

DEADLINE = 120.0


def wait_for(
    condition: Callable[[], bool], what: str, proc: subprocess.Popen[str] | None = None
) -> None:
    end = time.monotonic() + DEADLINE
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(
                f"process ended (exit {proc.returncode}) before {what}:\n{proc.stdout.read() if proc.stdout else ''}"
            )
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# Each resource's provisioner marks that it started, then blocks until the test drops "go-N"
# (this step only) or "go" (every step).
MODULE = """
resource "terraform_data" "step" {
  count = 6
  input = "step-${count.index}"

  provisioner "local-exec" {
    command = "touch started-${count.index}; until [ -e go-${count.index} ] || [ -e go ]; do sleep 0.05; done"
  }
}

output "steps" {
  value = terraform_data.step[*].output
}
"""


def start_apply(workdir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(GITTERRA), "apply", "-auto-approve", "-no-color", "-parallelism=1", *extra],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "NO_COLOR": "1"},
    )


def read_state(workdir: Path) -> state.State:
    return state.decode((workdir / "terraform.tfstate").read_bytes(), "terraform.tfstate")


@pytest.mark.parametrize("kill_after", [0, 2, 5])
def test_kill_9_during_apply_leaves_a_state_the_next_apply_continues(
    tmp_path: Path, kill_after: int
) -> None:
    (tmp_path / "main.tf").write_text(MODULE)
    assert run_process(["init", "-no-color"], tmp_path).code == 0
    for i in range(kill_after):
        (tmp_path / f"go-{i}").touch()
    proc = start_apply(tmp_path)
    wait_for(
        lambda: (tmp_path / f"started-{kill_after}").exists(), f"step {kill_after} to start", proc
    )
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=DEADLINE)  # reaps it and closes the pipe
    # What was written is a valid state of its lineage, recording the objects that exist.
    if kill_after > 0:
        crashed = read_state(tmp_path)
        recorded = sorted(crashed.resources["terraform_data.step"].instances)
        assert recorded == list(range(kill_after + 1))
    (tmp_path / "go").touch()
    result = run_process(["apply", "-auto-approve", "-no-color"], tmp_path)
    assert result.code == 0, result.out + result.err
    final = read_state(tmp_path)
    assert sorted(final.resources["terraform_data.step"].instances) == list(range(6))
    assert final.outputs["steps"].value == [f"step-{i}" for i in range(6)]
    again = run_process(["plan", "-detailed-exitcode", "-no-color"], tmp_path)
    assert again.code == 0, again.out + again.err


def test_a_second_apply_fails_on_the_lock_then_one_with_a_timeout_waits(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MODULE)
    assert run_process(["init", "-no-color"], tmp_path).code == 0
    first = start_apply(tmp_path)
    wait_for(lambda: (tmp_path / "started-0").exists(), "the first apply to take the lock", first)
    refused = run_process(["plan", "-no-color"], tmp_path)
    assert refused.code == 1
    assert "Error acquiring the state lock" in refused.err
    assert "OperationTypeApply" in refused.err  # the holder's operation is named
    waiting = subprocess.Popen(
        [str(GITTERRA), "apply", "-auto-approve", "-no-color", "-lock-timeout=120s"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    (tmp_path / "go").touch()
    out, _ = first.communicate(timeout=DEADLINE)
    assert first.returncode == 0, out
    out2, _ = waiting.communicate(timeout=DEADLINE)
    assert waiting.returncode == 0, out2
    assert "No changes." in out2
    final = read_state(tmp_path)
    assert sorted(final.resources["terraform_data.step"].instances) == list(range(6))
    assert (
        not (tmp_path / ".terraform.tfstate.lock.info").exists()
        or run_process(["plan", "-detailed-exitcode", "-no-color"], tmp_path).code == 0
    )

"""A real ``gitterra server`` killed with SIGKILL while one build runs and another waits: after
the restart the running build is FAULT with the reason and its processes are gone, the queued
build runs; builds queued before a clean restart run after it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.cloud.codebuild.conftest import (
    B,
    P,
    buildspec,
    create,
    log_of,
    project,
    start,
    until,
    wait_build,
)
from tests.cloud.conftest import CloudServer

pytestmark = pytest.mark.slow


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def kill_9(server: CloudServer) -> None:
    proc = server.process
    assert proc is not None
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(60)
    server.process = None


def _sleeping(build_id: str) -> int | None:
    """The ``sleep 600`` of build ``build_id``, found by the variable its processes carry."""
    entry = f"CODEBUILD_BUILD_ID={build_id}".encode()
    for proc in Path("/proc").iterdir():
        try:
            if (
                proc.name.isdigit()
                and (proc / "cmdline").read_bytes() == b"sleep\x00600\x00"
                and entry in (proc / "environ").read_bytes().split(b"\0")
            ):
                return int(proc.name)
        except OSError:
            continue
    return None


def test_kill_9_with_builds_running_and_queued(cloud_server: CloudServer) -> None:
    client = cloud_server.client
    spec = buildspec(
        'if [ "$CODEBUILD_BUILD_NUMBER" = 1 ]; then sleep 600 & wait; fi',
        'echo "ran build $CODEBUILD_BUILD_NUMBER"',
    )
    create(client, P, project("crash", source={"type": "NO_SOURCE", "buildspec": spec}))
    first, second = start(client, "crash"), start(client, "crash")
    # Its pid as this machine sees it (a confined build has a pid namespace of its own).
    orphan = until(lambda: _sleeping(first["id"]), "the first build to start its sleep")
    assert client.get(f"{B}/{second['id']}").json()["status"] == "QUEUED"

    kill_9(cloud_server)
    assert alive(orphan), "a build's processes outlive a SIGKILLed server"
    cloud_server.start()

    done = wait_build(client, first["id"])
    assert done["status"] == "FAULT"
    assert done["reason"] == "the server stopped while the build ran (it restarted)"
    assert done["phases"][-1]["phase_type"] == "COMPLETED"
    until(lambda: not alive(orphan), "the crashed build's processes to be killed")
    uid = first["id"].partition(":")[2]
    assert not (cloud_server.data_dir / "builds" / "crash" / uid / "src").exists()
    assert (cloud_server.data_dir / "builds" / "crash" / uid / "build.log").exists()
    after = wait_build(client, second["id"])
    assert after["status"] == "SUCCEEDED"
    assert "ran build 2" in log_of(client, second["id"])


def test_queued_builds_survive_a_clean_restart(cloud_server: CloudServer, gates: Path) -> None:
    client = cloud_server.client
    gate = gates / "gate"
    spec = buildspec(f"while [ ! -e {gate} ]; do sleep 0.05; done")
    create(client, P, project("queued", source={"type": "NO_SOURCE", "buildspec": spec}))
    builds = [start(client, "queued") for _ in range(3)]
    wait_build(client, builds[0]["id"], ("IN_PROGRESS",))
    cloud_server.restart()
    assert client.get(f"{B}/{builds[0]['id']}").json()["status"] == "FAULT"
    gate.touch()
    assert [wait_build(client, b["id"])["status"] for b in builds[1:]] == ["SUCCEEDED"] * 2

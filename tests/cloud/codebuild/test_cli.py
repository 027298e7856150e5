"""``gitterra builds``, ``build start|stop`` and ``logs [-f]`` against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cloud.codebuild.conftest import P, buildspec, create, project, wait_build
from tests.cloud.conftest import CliRunner, CloudServer

pytestmark = pytest.mark.slow


def test_start_list_follow_and_stop(
    cloud_server: CloudServer, cloud_cli: CliRunner, gates: Path
) -> None:
    client, gate = cloud_server.client, gates / "cli-gate"
    spec = buildspec(
        "echo building $CODEBUILD_BUILD_NUMBER",
        f"while [ ! -e {gate} ]; do sleep 0.05; done",
        "echo done-building",
    )
    create(client, P, project("cli", source={"type": "NO_SOURCE", "buildspec": spec}))

    started = cloud_cli.run("build", "start", "cli")
    assert started.code == 0, started.err
    build_id = re.search(r"Build (cli:\S+) queued \(#1\)", started.out).group(1)  # type: ignore[union-attr]
    follower = cloud_cli.start("logs", "-f", build_id)
    wait_build(client, build_id, ("IN_PROGRESS",))
    listed = cloud_cli.run("builds", "cli")
    assert listed.code == 0
    assert "ID" in listed.out
    assert build_id in listed.out
    assert "IN_PROGRESS" in listed.out
    gate.touch()
    out, err = follower.communicate(timeout=120)
    assert follower.returncode == 0, err
    text = out.decode()
    assert "building 1" in text
    assert "done-building" in text
    assert text.rstrip().endswith("Build SUCCEEDED")
    assert cloud_cli.run("logs", build_id).out == text

    gate.unlink()
    second = cloud_cli.run("build", "start", "cli")
    second_id = re.search(r"Build (cli:\S+) queued", second.out).group(1)  # type: ignore[union-attr]
    wait_build(client, second_id, ("IN_PROGRESS",))
    stopped = cloud_cli.run("build", "stop", second_id)
    assert stopped.code == 0
    assert "stopping" in stopped.out
    assert wait_build(client, second_id)["status"] == "STOPPED"
    assert "STOPPED" in cloud_cli.run("builds").out


def test_mistakes_are_one_line_each(cloud_cli: CliRunner) -> None:
    missing = cloud_cli.run("build", "start", "ghost")
    assert missing.code == 1
    assert missing.err.strip() == "Error: NotFound: build project ghost does not exist"
    assert (
        cloud_cli.run("builds", "ghost").err.strip()
        == "Error: NotFound: build project ghost does not exist"
    )
    assert "NotFound" in cloud_cli.run("logs", "ghost:nope").err
    usage = cloud_cli.run("build", "restart", "x")
    assert usage.code == 2
    assert "start PROJECT, or stop ID" in usage.err
    assert cloud_cli.run("logs").code == 2
    assert cloud_cli.run("builds").out.strip() == "No builds."

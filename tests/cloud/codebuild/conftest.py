"""Fixtures of the build service's tests.

``inproc``: the server's app in this process (uvicorn on 127.0.0.1:0 in a thread) with a
:class:`FakeGitHost` registered as the git host (until the real one lands) and a shortened
minute (``MINUTE`` seconds) so build timeouts can be tested; everything else is real (store,
builds in bash, git, HTTP). ``cloud_server`` (tests/cloud/conftest.py) is the real ``gitterra
server`` process, for restarts and kill -9.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gitterra.cloud import Cloud
from gitterra.cloud.codebuild import CodeBuild
from gitterra.server import TokenCheck, _routes_codebuild, _routes_state, make_app
from gitterra.server import _run as server_run
from tests.cloud.codebuild.fake_githost import FakeGitHost
from tests.cloud.conftest import START_DEADLINE, assert_nothing_left, wait_for

#: Seconds in one of the projects' minutes in the in-process server (build_timeout 5 = 5*MINUTE s).
MINUTE = 1.0
BUILD_DEADLINE = 120.0
DONE = ("SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED")

P = "/api/v1/codebuild/projects"
W = "/api/v1/codebuild/webhooks"
B = "/api/v1/codebuild/builds"
D = "/api/v1/codebuild/deliveries"


@dataclass
class InProcess:
    url: str
    token: str
    data_dir: Path
    client: httpx.Client
    cloud: Cloud
    githost: FakeGitHost

    @property
    def svc(self) -> CodeBuild:
        return self.cloud.service("codebuild", CodeBuild)


@contextlib.contextmanager
def in_process(base: Path, minute: float = MINUTE) -> Iterator[InProcess]:
    data_dir = base / "data"
    sock = server_run.bind("127.0.0.1", 0)
    running = server_run.prepare(data_dir, sock)
    cloud = Cloud(data_dir, running.url)
    githost = FakeGitHost(cloud)

    def install_githost(app: Any, cloud: Cloud, authorized: Any) -> None:
        del app, authorized
        cloud.register(githost)

    installers = [
        install_githost,
        _routes_codebuild.installer(minute=minute),
        _routes_state.install,
    ]
    app = make_app(cloud, TokenCheck(running.token), installers)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    # As `gitterra server` runs it: asyncio's own loop (uvicorn's run() would pick uvloop).
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), name="test-server"
    )
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), START_DEADLINE, "the server to start")
    assert thread.is_alive(), "the in-process server did not start"
    headers = {"Authorization": f"Bearer {running.token}"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=60) as client:
        try:
            yield InProcess(running.url, running.token, data_dir, client, cloud, githost)
        finally:
            server.should_exit = True
            thread.join(60)
            sock.close()
            assert not thread.is_alive(), "the in-process server did not stop"
            assert_nothing_left(data_dir)


@pytest.fixture
def inproc(tmp_path: Path) -> Iterator[InProcess]:
    with in_process(tmp_path) as server:
        yield server


# -- helpers -------------------------------------------------------------------------------


def project(name: str, **changes: Any) -> dict[str, Any]:
    """A project body: a NO_SOURCE project with an inline buildspec unless ``source`` is given."""
    body: dict[str, Any] = {
        "name": name,
        "source": {"type": "NO_SOURCE", "buildspec": buildspec("echo hello")},
        "environment": {
            "compute_type": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            "type": "LINUX_CONTAINER",
        },
        "artifacts": {"type": "NO_ARTIFACTS"},
        "service_role": "arn:aws:iam::000000000000:role/codebuild",
    }
    body.update(changes)
    return body


def buildspec(*commands: str, extra: str = "") -> str:
    lines = [
        "version: 0.2",
        extra.rstrip("\n") if extra else "",
        "phases:",
        "  build:",
        "    commands:",
    ]
    lines += [f"      - {_yaml_str(c)}" for c in commands]
    return "\n".join(line for line in lines if line) + "\n"


def _yaml_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create(client: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(path, json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def start(client: httpx.Client, name: str, **body: Any) -> dict[str, Any]:
    return create(client, B, {"project_name": name, **body})


def wait_build(
    client: httpx.Client,
    build_id: str,
    statuses: tuple[str, ...] = DONE,
    timeout: float = BUILD_DEADLINE,
) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        doc: dict[str, Any] = client.get(f"{B}/{build_id}").json()
        return doc if doc["status"] in statuses else None

    result: dict[str, Any] = wait_for(
        check, timeout, f"build {build_id} to be {'/'.join(statuses)}"
    )
    return result


def log_of(client: httpx.Client, build_id: str) -> str:
    """The whole log of an ended build."""
    text, offset = "", 0
    while True:
        page = client.get(f"{B}/{build_id}/logs", params={"offset": offset}).json()
        text += page["text"]
        if not page["text"]:
            return text
        offset = page["next_offset"]


def builds(client: httpx.Client, name: str | None = None) -> list[dict[str, Any]]:
    params = {"project": name} if name else {}
    items: list[dict[str, Any]] = client.get(B, params=params).json()["items"]
    return items


def deliveries(client: httpx.Client, name: str | None = None) -> list[dict[str, Any]]:
    params = {"project": name} if name else {}
    items: list[dict[str, Any]] = client.get(D, params=params).json()["items"]
    return items


def until(condition: Any, what: str, timeout: float = BUILD_DEADLINE) -> Any:
    return wait_for(condition, timeout, what)

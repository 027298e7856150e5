"""Fixtures of the isolation and secrets tests: a REAL server process (the one of
``tests/cloud/compute/launcher.py``: ``gitterra server``'s app plus a route that launches an
instance) with the isolation this machine gives, after the project's own script has installed
bubblewrap where it can (``scripts/install-sandbox``; as another user than root it cannot, and
the server then runs with the level it finds — the tests check what that level claims).

``Server.start(env)`` passes extra environment (``GITTERRA_ISOLATION``) to the server; ``build``
runs an inline buildspec in a NO_SOURCE project and returns the ended build and its log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.clirun import GITTERRA
from tests.cloud.conftest import START_DEADLINE, STOP_DEADLINE, assert_nothing_left, wait_for
from tests.cloud.conftest import gates as gates  # the fixture, for these tests

ROOT = Path(__file__).resolve().parents[2]
BUILD_DEADLINE = 120.0
RUNNING_DEADLINE = 60.0
DONE = ("SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED")
P = "/api/v1/codebuild/projects"
B = "/api/v1/codebuild/builds"
STATIC = "ami-" + hashlib.sha1(b"gitterra-static-site-2026.11").hexdigest()[:17]


@pytest.fixture(scope="session")
def sandbox() -> str:
    """bubblewrap installed by the project's script where it can be; what the script said."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "install-sandbox")],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode in (0, 2), f"scripts/install-sandbox failed:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


@dataclass
class Server:
    """A server process on its own data dir (see the module docstring)."""

    data_dir: Path
    log_path: Path
    client: httpx.Client
    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    token: str = ""
    #: The command the server runs under (a prepared system: see ``test_levels``), if any.
    wrapper: list[str] = field(default_factory=list)
    pid: int = 0

    def start(self, **env: str) -> None:
        """Start and wait until it answers (it must)."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("GITTERRA_")}
        proc = self._spawn({**clean, **env, "PYTHONPATH": str(ROOT)})

        def ready() -> bool:
            if proc.poll() is not None:
                return True
            try:
                info = json.loads((self.data_dir / "server.json").read_text())
                if self.wrapper:  # the server is the wrapper's child
                    if _parent(info["pid"]) != proc.pid:
                        return False
                elif info["pid"] != proc.pid:
                    return False
                return httpx.get(info["url"] + "/healthz", timeout=5).status_code == 200
            except (OSError, ValueError, KeyError, httpx.TransportError):
                return False

        wait_for(ready, START_DEADLINE, "the server to answer")
        assert proc.poll() is None, f"the server exited:\n{self.log()}"
        self.process = proc
        self.pid = json.loads((self.data_dir / "server.json").read_text())["pid"]
        self.url = json.loads((self.data_dir / "server.json").read_text())["url"]
        self.token = (self.data_dir / "token").read_text().strip()
        self.client.base_url = httpx.URL(self.url)
        self.client.headers["Authorization"] = f"Bearer {self.token}"

    def start_fails(self, **env: str) -> str:
        """Run ``gitterra server`` as a user does, where it must refuse to start; its output."""
        clean = {k: v for k, v in os.environ.items() if not k.startswith("GITTERRA_")}
        done = subprocess.run(
            [str(GITTERRA), "server", "--data-dir", str(self.data_dir), "--listen", "127.0.0.1:0"],
            env={**clean, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=START_DEADLINE,
            check=False,
        )
        assert done.returncode == 1, f"status {done.returncode}:\n{done.stdout}{done.stderr}"
        return done.stdout + done.stderr

    def _spawn(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                [
                    *self.wrapper,
                    sys.executable,
                    "-m",
                    "tests.cloud.compute.launcher",
                    "--data-dir",
                    str(self.data_dir),
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        proc, self.process = self.process, None
        if proc is None:
            return
        os.kill(self.pid, signal.SIGTERM)  # the server itself, also under a wrapper
        code = proc.wait(timeout=STOP_DEADLINE)
        assert code in (0, -signal.SIGTERM), f"status {code}:\n{self.log()}"
        assert_nothing_left(self.data_dir)

    @property
    def isolation(self) -> dict[str, Any]:
        found: dict[str, Any] = self.client.get("/api/v1/meta").json()["isolation"]
        return found

    # -- builds ------------------------------------------------------------------------------

    def project(self, name: str, spec: str, **fields: Any) -> None:
        body = {
            "name": name,
            "source": {"type": "NO_SOURCE", "buildspec": spec},
            "environment": {
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": "aws/codebuild/standard:7.0",
                "type": "LINUX_CONTAINER",
                **fields.pop("environment", {}),
            },
            "artifacts": {"type": "NO_ARTIFACTS"},
            "service_role": "arn:aws:iam::000000000000:role/codebuild",
            **fields,
        }
        r = self.client.post(P, json=body)
        assert r.status_code == 201, r.text

    def start_build(self, name: str) -> dict[str, Any]:
        r = self.client.post(B, json={"project_name": name})
        assert r.status_code == 201, r.text
        doc: dict[str, Any] = r.json()
        return doc

    def wait_build(
        self, build_id: str, statuses: tuple[str, ...] = DONE, timeout: float = BUILD_DEADLINE
    ) -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            doc: dict[str, Any] = self.client.get(f"{B}/{build_id}").json()
            return doc if doc["status"] in statuses else None

        found: dict[str, Any] = wait_for(check, timeout, f"build {build_id}")
        return found

    def log_of(self, build_id: str) -> str:
        text, offset = "", 0
        while True:
            page = self.client.get(f"{B}/{build_id}/logs", params={"offset": offset}).json()
            text += page["text"]
            if not page["text"]:
                return text
            offset = page["next_offset"]

    def build(self, name: str, spec: str, **fields: Any) -> tuple[dict[str, Any], str]:
        self.project(name, spec, **fields)
        started = self.start_build(name)
        done = self.wait_build(started["id"])
        return done, self.log_of(started["id"])

    def workspace(self, build_id: str) -> Path:
        project, _, uid = build_id.partition(":")
        return self.data_dir / "builds" / project / uid

    # -- instances ---------------------------------------------------------------------------

    def launch(self, user_data: bytes, image: str = STATIC) -> dict[str, Any]:
        body = {"image_id": image, "user_data": base64.b64encode(user_data).decode()}
        r = self.client.post("/test/instances", json=body)
        assert r.status_code == 201, r.text
        doc: dict[str, Any] = r.json()
        return doc

    def wait_state(self, instance_id: str, state: str) -> dict[str, Any]:
        found: dict[str, Any] = wait_for(
            lambda: (
                (d := self.client.get(f"/api/v1/instances/{instance_id}").json())["state"] == state
                and d
            ),
            RUNNING_DEADLINE,
            f"{instance_id} to be {state}",
        )
        return found


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def buildspec(*commands: str, extra: str = "") -> str:
    lines = ["version: 0.2", extra.rstrip("\n"), "phases:", "  build:", "    commands:"]
    lines += ["      - '" + c.replace("'", "''") + "'" for c in commands]
    return "\n".join(line for line in lines if line) + "\n"


def new_server(base: Path, client: httpx.Client) -> Server:
    return Server(base / "data", base / "server.log", client)


@pytest.fixture(scope="module")
def server(sandbox: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module, with the isolation this machine gives."""
    del sandbox
    with httpx.Client(timeout=60) as client:
        found = new_server(tmp_path_factory.mktemp("isolated"), client)
        found.start()
        try:
            yield found
        finally:
            found.stop()

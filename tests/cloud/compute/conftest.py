"""Fixtures for the compute service's tests.

``Harness``: a real ``Cloud`` with the compute service running on an event loop in a background
thread (the service's asyncio objects live there; tests call into it with :meth:`Harness.call`
and :meth:`Harness.run`). Instances are real processes; options (a short boot deadline and kill
grace) make the slow paths fast. At the end the cloud is stopped cleanly and nothing may be
left that mentions the data dir.

``LauncherServer``: a real server process (``tests.cloud.compute.launcher``: the installers of
``gitterra server`` plus a test-only launch route), for the HTTP API, ``kill -9`` and restart.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from gitterra.cloud import Cloud, meta
from gitterra.cloud.compute import Compute, LaunchSpec
from tests.cloud.conftest import START_DEADLINE, STOP_DEADLINE, assert_nothing_left, wait_for

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[3]
STATIC = next(i.id for i in meta.IMAGES if i.kind == "static-site")
PROCESS = next(i.id for i in meta.IMAGES if i.kind == "process")
#: Generous for a loaded 2-core machine: an instance start is a Python start.
RUNNING_DEADLINE = 60.0

PAGE = b"echo '<h1>Fox</h1>' > \"$DOCUMENT_ROOT/index.html\"\n"
HTTP_SERVER = b'exec python3 -m http.server "$PORT" --bind "$PRIVATE_IP"\n'


class Harness:
    """The compute service of a real ``Cloud``, on a loop in a background thread."""

    def __init__(self, data_dir: Path, **options: Any) -> None:
        self.data_dir = data_dir
        self.options = options
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="compute-loop")
        self.thread.start()
        self.cloud: Cloud | None = None
        self.compute: Compute | None = None
        self.changes: list[dict[str, Any]] = []

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T]) -> T:
        async def inside() -> T:
            return fn()

        return self.run(inside())

    def start(self) -> Compute:
        async def up() -> Compute:
            cloud = Cloud(self.data_dir, "http://127.0.0.1:9")
            compute = cloud.register(Compute(cloud, **self.options))
            await cloud.start()
            compute.subscribe(self.changes.append)
            self.cloud, self.compute = cloud, compute
            return compute

        return self.run(up())

    def stop(self, terminate: bool = True) -> None:
        cloud, self.cloud, self.compute = self.cloud, None, None
        if cloud is not None:
            self.run(cloud.stop(terminate=terminate))

    def close(self) -> None:
        """End every instance: a service stopped without terminating (a test imitating a crash
        that failed half-way) is started again first, so its instances are adopted and ended."""
        try:
            if self.cloud is None:
                self.start()
            self.stop()
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    @property
    def svc(self) -> Compute:
        assert self.compute is not None
        return self.compute

    def launch(self, image: str, user_data: bytes, **fields: Any) -> dict[str, Any]:
        spec = LaunchSpec(
            image_id=image,
            instance_type=fields.pop("instance_type", "t2.micro"),
            user_data=user_data,
            **fields,
        )
        return self.run(self.svc.launch(spec))

    def get(self, instance_id: str) -> dict[str, Any]:
        return self.call(lambda: self.svc.get(instance_id))

    def wait_state(
        self, instance_id: str, state: str, timeout: float = RUNNING_DEADLINE
    ) -> dict[str, Any]:
        doc: dict[str, Any] = wait_for(
            lambda: (d := self.get(instance_id))["state"] == state and d,
            timeout,
            f"{instance_id} to be {state}",
        )
        return doc

    def terminate(self, instance_id: str, reason: str = "test") -> None:
        self.run(self.svc.terminate(instance_id, reason))

    def console(self, instance_id: str, offset: int = 0) -> dict[str, Any]:
        return self.call(lambda: self.svc.console(instance_id, offset))


@contextlib.contextmanager
def harness(data_dir: Path, **options: Any) -> Iterator[Harness]:
    h = Harness(data_dir, **options)
    try:
        h.start()
        yield h
    finally:
        try:
            h.close()
        finally:
            assert_nothing_left(data_dir)


@pytest.fixture(scope="module")
def compute(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """One service for a test module (a short kill grace keeps the SIGKILL path fast)."""
    with harness(tmp_path_factory.mktemp("compute"), boot_deadline=60.0, kill_grace=3.0) as h:
        yield h


def url(doc: dict[str, Any], path: str = "/") -> str:
    return f"http://{doc['private_ip']}:{doc['port']}{path}"


@dataclass
class LauncherServer:
    """A server process with the launch route (see the module docstring)."""

    data_dir: Path
    log_path: Path
    client: httpx.Client
    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    token: str = ""
    pids: list[int] = field(default_factory=list)

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITTERRA_")}
        env["PYTHONPATH"] = str(REPO)
        # Canaries: the server's environment must never reach an instance.
        env.update(GITTERRA_TOKEN="gtr_must-not-leak", AWS_SECRET_ACCESS_KEY="must-not-leak")
        with self.log_path.open("ab") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.cloud.compute.launcher",
                    "--data-dir",
                    str(self.data_dir),
                ],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready() -> bool:
            assert proc.poll() is None, f"server exited:\n{self.log_path.read_text()}"
            try:
                info = json.loads((self.data_dir / "server.json").read_text())
                if info["pid"] != proc.pid:
                    return False
                return httpx.get(info["url"] + "/healthz", timeout=5).status_code == 200
            except (OSError, ValueError, KeyError, httpx.TransportError):
                return False

        wait_for(ready, START_DEADLINE, "the launcher server to answer")
        self.process = proc
        self.pids.append(proc.pid)
        self.url = json.loads((self.data_dir / "server.json").read_text())["url"]
        self.token = (self.data_dir / "token").read_text().strip()
        self.client.base_url = httpx.URL(self.url)
        self.client.headers["Authorization"] = f"Bearer {self.token}"

    def launch(self, image: str, user_data: bytes, **fields: Any) -> dict[str, Any]:
        body = {"image_id": image, "user_data": base64.b64encode(user_data).decode(), **fields}
        r = self.client.post("/test/instances", json=body)
        assert r.status_code == 201, r.text
        doc: dict[str, Any] = r.json()
        return doc

    def wait_state(
        self, instance_id: str, state: str, timeout: float = RUNNING_DEADLINE
    ) -> dict[str, Any]:
        doc: dict[str, Any] = wait_for(
            lambda: (
                (d := self.client.get(f"/api/v1/instances/{instance_id}").json())["state"] == state
                and d
            ),
            timeout,
            f"{instance_id} to be {state}",
        )
        return doc

    def kill9(self) -> None:
        proc, self.process = self.process, None
        assert proc is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        """SIGTERM: the server must end every instance and exit cleanly."""
        proc, self.process = self.process, None
        if proc is None:
            return
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=STOP_DEADLINE)
        assert code in (0, -signal.SIGTERM), f"status {code}:\n{self.log_path.read_text()}"


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LauncherServer]:
    base = tmp_path_factory.mktemp("launcher")
    with httpx.Client(timeout=30) as client:
        server = LauncherServer(base / "data", base / "server.log", client)
        server.start()
        try:
            yield server
        finally:
            try:
                if server.process is not None and server.process.poll() is None:
                    server.stop()
            finally:
                assert_nothing_left(server.data_dir)

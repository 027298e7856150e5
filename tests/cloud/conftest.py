"""Fixtures for the local cloud's tests: a REAL ``gitterra server`` in a temporary data dir,
talked to over HTTP, and the ``gitterra`` command line pointed at it.

``cloud_server`` (one server per test)::

    def test_something(cloud_server):
        url, token, data_dir, client = cloud_server      # or cloud_server.url, .client ...
        r = client.post("/api/v1/security-groups", json={"name": "web"})   # auth header set
        cloud_server.restart()        # SIGTERM, then start again on the same data dir
        cloud_server.client.get(...)  # the client follows the server to its new address

The server is the installed console script run as ``gitterra server --data-dir TMP --listen
127.0.0.1:0`` in its own session (process group); the port is chosen by the OS. The fixture
waits (with generous deadlines, no fixed sleeps) until ``server.json`` names the new process and
``/healthz`` answers. At the end it stops the server with SIGTERM and insists that it exited
cleanly (status 0, or killed by the SIGTERM that uvicorn re-raises after its clean shutdown)
and that no process is left whose command line, environment or working directory mentions the
data dir (instances, balancers, builds: whatever the server started); leftovers are killed and
fail the test, listed with their command lines. The server's output is in
``cloud_server.log_path`` (shown when it fails to start or stop).

For a server shared by a module (faster when tests use distinct names), use the context manager
directly::

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        with running_server(tmp_path_factory.mktemp("cloud")) as server:
            yield server

``cloud_cli`` runs ``gitterra ARGS`` against ``cloud_server`` with ``GITTERRA_ENDPOINT`` and
``GITTERRA_TOKEN`` set: ``cloud_cli.run("cloud", "events")`` in this process (fast; returns
``tests.clirun.Result``), ``cloud_cli.process(...)`` as a real process, ``cloud_cli.start(...)``
as a background ``Popen`` (the caller stops it). :class:`CliRunner` does the same for any
endpoint (a fake API in a test, say).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from gitterra.cli._ui import UI
from gitterra.cli.main import main
from tests.clirun import GITTERRA, Result

#: Generous: a loaded 2-core CI machine may take many seconds to start Python and FastAPI.
START_DEADLINE = 90.0
STOP_DEADLINE = 60.0
LEFTOVER_DEADLINE = 30.0

#: Variables that would point a child or the CLI somewhere else than the test says.
_CLIENT_VARS = ("GITTERRA_ENDPOINT", "GITTERRA_TOKEN", "GITTERRA_DATA_DIR")


def wait_for(
    condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.02
) -> Any:
    """Poll ``condition`` until it returns something truthy (returned); fail naming ``what``
    after ``timeout`` seconds. The poll interval is not a sleep the test relies on."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def api_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> str:
    """Assert ``response`` is the API's error shape with this status, code and field (None:
    no field); returns the message for further checks."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error.get("field") == field, error
    assert error["message"], error
    return str(error["message"])


def processes_touching(path: Path) -> list[tuple[int, str]]:
    """Live processes (not this one) whose command line, environment or working directory
    mentions ``path``: ``(pid, command line)``. Zombies have none of these and do not count."""
    needle = os.fsencode(str(path))
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if not cmdline:
                continue
            parts = [cmdline]
            with contextlib.suppress(OSError):
                parts.append((entry / "environ").read_bytes())
            with contextlib.suppress(OSError):
                parts.append(os.fsencode(os.readlink(entry / "cwd")))
        except OSError:
            continue  # gone meanwhile
        if any(needle in part for part in parts):
            found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace")))
    return found


@dataclass
class CloudServer:
    """A running ``gitterra server`` (see the module docstring)."""

    url: str
    token: str
    data_dir: Path
    client: httpx.Client
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    port: int = 0

    def __iter__(self) -> Iterator[Any]:
        """``url, token, data_dir, client = server``."""
        return iter((self.url, self.token, self.data_dir, self.client))

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, port: int | None = None) -> None:
        """Start the server on ``port`` (default: the previous one, else any); on the previous
        port only if it is still free, else on any."""
        assert self.process is None, "already running"
        wanted = self.port if port is None else port
        if not self._launch(wanted) and wanted != 0:
            self._launch(0)
        if self.process is None:
            pytest.fail(f"gitterra server did not start:\n{self.log()}")

    def _launch(self, port: int) -> bool:
        env = {k: v for k, v in os.environ.items() if k not in _CLIENT_VARS}
        with self.log_path.open("ab") as log:
            proc = subprocess.Popen(
                [
                    *(str(GITTERRA), "server", "--data-dir", str(self.data_dir)),
                    *("--listen", f"127.0.0.1:{port}"),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )

        def ready() -> bool | None:
            if proc.poll() is not None:
                return True  # exited: stop waiting, report below
            try:
                info = json.loads((self.data_dir / "server.json").read_text())
            except (OSError, ValueError):
                return None
            if info.get("pid") != proc.pid:
                return None
            try:
                return httpx.get(info["url"] + "/healthz", timeout=5).status_code == 200
            except httpx.TransportError:
                return None

        try:
            wait_for(ready, START_DEADLINE, f"gitterra server in {self.data_dir} to answer")
        except BaseException:  # pytest.fail included: never leave a server behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        if proc.poll() is not None:
            return False
        info = json.loads((self.data_dir / "server.json").read_text())
        self.process = proc
        self.url = info["url"]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.token = (self.data_dir / "token").read_text().strip()
        self.client.base_url = httpx.URL(self.url)
        self.client.headers["Authorization"] = f"Bearer {self.token}"
        return True

    def stop(self) -> None:
        """SIGTERM; insists on a clean exit (status 0) and nothing left behind."""
        proc, self.process = self.process, None
        if proc is None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"gitterra server ignored SIGTERM for {STOP_DEADLINE:.0f}s:\n{self.log()}")
        # uvicorn re-raises the signal once it has shut down cleanly (lifespan done), so a
        # clean stop ends "killed by SIGTERM" as well as with status 0.
        assert code in (0, -signal.SIGTERM), (
            f"gitterra server exited with status {code} on SIGTERM:\n{self.log()}"
        )
        assert_nothing_left(self.data_dir)

    def restart(self) -> None:
        """Stop (checked as at the end of a test) and start again on the same data dir."""
        self.stop()
        self.start()


def assert_nothing_left(data_dir: Path) -> None:
    """Wait until no process mentions ``data_dir``; kill and fail on leftovers."""
    deadline = time.monotonic() + LEFTOVER_DEADLINE
    while (left := processes_touching(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.05)
    if left:
        for pid, _ in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shown = "\n".join(f"  {pid}: {cmd}" for pid, cmd in left)
        pytest.fail(f"processes left running after the server stopped:\n{shown}")


@contextlib.contextmanager
def running_server(base: Path) -> Iterator[CloudServer]:
    """A server with its data dir at ``base/data``, stopped (and checked) on exit."""
    data_dir = base / "data"
    with httpx.Client(timeout=30) as client:
        server = CloudServer("", "", data_dir, client, base / "server.log")
        server.start(0)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def gates() -> Iterator[Path]:
    """A directory that confined user code (builds, instances) can see, read-only: where a test
    opens the gates its builds and instances wait for. Not in the data dir nor in /tmp, which
    they do not see (README "Isolation")."""
    path = Path(tempfile.mkdtemp(prefix="gitterra-gates-", dir="/var/tmp"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def cloud_server(tmp_path: Path) -> Iterator[CloudServer]:
    """A real server for this test (see the module docstring)."""
    with running_server(tmp_path) as server:
        yield server


class _TextIn(io.StringIO):
    def isatty(self) -> bool:
        return False


@dataclass
class CliRunner:
    """``gitterra`` pointed at a server through GITTERRA_ENDPOINT/TOKEN; ``endpoint`` gives
    ``(url, token)`` at each call (so a runner follows a restarted server)."""

    endpoint: Callable[[], tuple[str, str]]
    cwd: Path

    @classmethod
    def to(cls, url: str, token: str, cwd: Path) -> CliRunner:
        return cls(lambda: (url, token), cwd)

    def env(self) -> dict[str, str]:
        url, token = self.endpoint()
        env = {k: v for k, v in os.environ.items() if k not in _CLIENT_VARS}
        env.update(GITTERRA_ENDPOINT=url, GITTERRA_TOKEN=token, NO_COLOR="1")
        return env

    def run(self, *args: str) -> Result:
        """In this process (fast), with the variables set for the call only."""
        out, err = io.StringIO(), io.StringIO()
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env())
        try:
            code = main(list(args), UI(out=out, err=err, inp=_TextIn("")))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return Result(code, out.getvalue(), err.getvalue())

    def process(self, *args: str, timeout: float = 120) -> Result:
        """As a real process."""
        proc = subprocess.run(
            [str(GITTERRA), *args],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            env=self.env(),
            timeout=timeout,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """As a background process, output piped (the caller stops it and reads it)."""
        return subprocess.Popen(
            [str(GITTERRA), *args],
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env(),
        )


@pytest.fixture
def cloud_cli(cloud_server: CloudServer, tmp_path: Path) -> CliRunner:
    """The command line against ``cloud_server`` (follows it across restarts)."""
    return CliRunner(lambda: (cloud_server.url, cloud_server.token), tmp_path)

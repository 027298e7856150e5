"""Fixtures for the git host's tests: the real git CLI with an isolated configuration, a real
server per module, and a server with a recording event subscriber for crash tests.

``GitCli`` runs ``git`` with its own ``HOME`` and ``GIT_CONFIG_GLOBAL`` (and no system config),
so the machine's git configuration never leaks in; ``login(server)`` stores the token with
git's ``store`` credential helper, so a push goes through git's real 401 → credentials path.

``Recorder`` is a server (``tests.cloud.githost.launcher``) whose extra subscriber appends each
delivery attempt to ``DATA/delivered.jsonl``; ``DATA/subscriber-mode`` (``ok``, ``fail``,
``hang``) tells it to acknowledge, raise or never return.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cloud.conftest import (
    START_DEADLINE,
    CliRunner,
    CloudServer,
    running_server,
    wait_for,
)

REPO = Path(__file__).resolve().parents[3]
#: A push or clone is a few git processes; generous for a loaded 2-core machine.
GIT_TIMEOUT = 120
EVENT_DEADLINE = 60.0


@dataclass
class GitCli:
    """The git command line with an isolated configuration (see the module docstring)."""

    home: Path

    def __post_init__(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.config = self.home / ".gitconfig"
        self.credentials = self.home / ".git-credentials"
        self.config.write_text(
            "[user]\n\tname = Test Person\n\temail = test@example.com\n"
            "[init]\n\tdefaultBranch = main\n"
            f"[credential]\n\thelper = store --file={self.credentials}\n"
        )

    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.home),
            "GIT_CONFIG_GLOBAL": str(self.config),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
        }

    def __call__(
        self, *args: str, cwd: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd or self.home,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
        if check and done.returncode != 0:
            pytest.fail(f"git {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
        return done

    def login(self, server: CloudServer, user: str = "tester") -> None:
        """Store the server's token for its host (git asks the helper after a 401)."""
        host = server.url.removeprefix("http://")
        self.credentials.write_text(f"http://{user}:{server.token}@{host}\n")

    def logout(self) -> None:
        self.credentials.write_text("")

    def commit(self, work: Path, files: dict[str, str | None], message: str) -> str:
        """Write (or, for None, delete) ``files`` and commit them; the new commit's id."""
        for name, text in files.items():
            path = work / name
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        self("add", "-A", cwd=work)
        self("commit", "-q", "-m", message, cwd=work)
        return self.sha(work, "HEAD")

    def sha(self, work: Path, rev: str) -> str:
        return self("rev-parse", rev, cwd=work).stdout.strip()


@pytest.fixture
def git(tmp_path: Path) -> GitCli:
    return GitCli(tmp_path / "home")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    """One real server for a test module (tests use distinct repository names)."""
    with running_server(tmp_path_factory.mktemp("githost")) as running:
        yield running


@pytest.fixture
def cli(server: CloudServer, tmp_path: Path) -> CliRunner:
    return CliRunner(lambda: (server.url, server.token), tmp_path)


def create(server: CloudServer, name: str) -> dict[str, Any]:
    r = server.client.post("/api/v1/repositories", json={"name": name})
    assert r.status_code == 201, r.text
    doc: dict[str, Any] = r.json()
    return doc


def events(server: CloudServer, repo: str, since: int = 0) -> list[dict[str, Any]]:
    r = server.client.get(f"/api/v1/repositories/{repo}/events", params={"since": since})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def last_seq(server: CloudServer, repo: str) -> int:
    found = events(server, repo)
    return int(found[-1]["seq"]) if found else 0


def bare_refs(server: CloudServer, repo: str) -> dict[str, str]:
    """The refs of the bare repository on disk, read directly."""
    done = subprocess.run(
        ["git", f"--git-dir={server.data_dir / 'git' / f'{repo}.git'}", "for-each-ref"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1"},
    )
    refs = {}
    for line in done.stdout.splitlines():
        sha, _, ref = line.partition(" ")
        refs[ref.split("\t", 1)[1]] = sha
    return refs


class Recorder(CloudServer):
    """A server with the recording subscriber (see the module docstring)."""

    def mode(self, mode: str) -> None:
        (self.data_dir / "subscriber-mode").write_text(mode)

    def attempts(self) -> list[dict[str, Any]]:
        path = self.data_dir / "delivered.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def kill9(self) -> None:
        proc, self.process = self.process, None
        assert proc is not None
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def _launch(self, port: int) -> bool:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITTERRA_")}
        env["PYTHONPATH"] = str(REPO)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "tests.cloud.githost.launcher"),
                    *("--data-dir", str(self.data_dir), "--listen", f"127.0.0.1:{port}"),
                ],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready() -> bool | None:
            if proc.poll() is not None:
                return True
            try:
                info = json.loads((self.data_dir / "server.json").read_text())
                if info.get("pid") != proc.pid:
                    return None
                return httpx.get(info["url"] + "/healthz", timeout=5).status_code == 200
            except (OSError, ValueError, KeyError, httpx.TransportError):
                return None

        wait_for(ready, START_DEADLINE, "the recording server to answer")
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


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[Recorder]:
    with httpx.Client(timeout=60) as client:
        server = Recorder("", "", tmp_path / "data", client, tmp_path / "server.log")
        server.data_dir.mkdir(parents=True)
        server.mode("ok")
        server.start(0)
        try:
            yield server
        finally:
            server.stop()

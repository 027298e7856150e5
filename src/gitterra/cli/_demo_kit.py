"""The parts ``gitterra demo`` (and the commit-to-live benchmark) are made of: a private server,
waiting for builds, reading the site through the balancer, and a background load.

Nothing here prints; the demo says what happens. Every wait has a deadline and raises
:class:`DemoError` saying what did not happen in time.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from gitterra.cli._repo import Api, RepoCommandError, quote

T = TypeVar("T")

FINAL = ("SUCCEEDED", "FAILED", "FAULT", "TIMED_OUT", "STOPPED")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"<h1>(.*?)</h1>", re.DOTALL)


class DemoError(Exception):
    """A step did not do what it should; the message says what."""


def until(what: str, probe: Callable[[], T | None], deadline: float, every: float = 0.2) -> T:
    """``probe()``'s first truthy answer, polling until ``deadline`` (a monotonic time)."""
    while True:
        try:
            found = probe()
        except (httpx.HTTPError, RepoCommandError):
            found = None
        if found:
            return found
        if time.monotonic() >= deadline:
            raise DemoError(f"timed out waiting for {what}")
        time.sleep(every)


@dataclass
class PrivateServer:
    """``gitterra server`` in a temporary data dir, stopped (instances with it) by ``stop``."""

    data_dir: Path
    process: subprocess.Popen[bytes]
    url: str = ""
    token: str = ""

    @classmethod
    def start(cls, deadline: float) -> PrivateServer:
        data_dir = Path(tempfile.mkdtemp(prefix="gitterra-demo-"))
        log = (data_dir / "server.log").open("wb")
        argv = [sys.executable, "-m", "gitterra", "server", "--data-dir", str(data_dir)]
        process = subprocess.Popen(
            [*argv, "--listen", "127.0.0.1:0"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the demo, which stops the server itself
        )
        server = cls(data_dir, process)

        def ready() -> bool:
            if process.poll() is not None:
                text = (data_dir / "server.log").read_text(errors="replace")[-2000:]
                raise DemoError(f"the server exited with status {process.returncode}:\n{text}")
            try:
                info = json.loads((data_dir / "server.json").read_text())
                server.token = (data_dir / "token").read_text().strip()
            except (OSError, ValueError):
                return False
            server.url = str(info["url"])
            return httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200

        until("the server to start", ready, deadline)
        return server

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_build(api: Api, build_id: str, deadline: float) -> dict[str, Any]:
    """The build once it has ended (any final status)."""

    def ended() -> dict[str, Any] | None:
        doc: dict[str, Any] = api.call("GET", f"/codebuild/builds/{quote(build_id)}")
        return doc if doc["status"] in FINAL else None

    return until(f"build {build_id} to end", ended, deadline, every=0.5)


def build_of_commit(api: Api, project: str, sha: str, deadline: float) -> dict[str, Any]:
    """The build a push of ``sha`` queued."""

    def queued() -> dict[str, Any] | None:
        items = api.call("GET", "/codebuild/builds", None, {"project": project})["items"]
        for doc in items:
            trigger = doc.get("trigger") or {}
            if sha in (trigger.get("commit"), doc.get("resolved_source_version")):
                return dict(doc)
        return None

    return until(f"a build of commit {sha[:10]}", queued, deadline, every=0.3)


def build_log(api: Api, build_id: str) -> str:
    page = api.call("GET", f"/codebuild/builds/{quote(build_id)}/logs", None, {"offset": 0})
    return str(page.get("text") or "")


def site_url(api: Api, project: str) -> str | None:
    """The ``url`` output of the project's state on the server (None before the first apply)."""
    response = api.http.get(f"/state/{quote(project)}/terraform")
    if response.status_code != 200:
        return None
    output = response.json().get("outputs", {}).get("url", {})
    value = output.get("value")
    return value if isinstance(value, str) and value else None


def animal(html: str) -> str | None:
    """The heading the page shows (commented-out markup ignored): "Fox", "Bear", or None."""
    found = _HEADING.search(_COMMENT.sub("", html))
    return found.group(1).strip() if found else None


def answer(client: httpx.Client, url: str) -> tuple[str | None, str | None]:
    """(the animal, the instance that answered) for one request through the balancer."""
    response = client.get(url)
    response.raise_for_status()
    return animal(response.text), response.headers.get("x-instance-id")


@dataclass
class Load:
    """Clients requesting the site without pause, each on one keep-alive connection."""

    url: str
    clients: int = 4
    requests: int = 0
    failed: int = 0
    seen: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: The animal of every response after ``mark()`` (to check nothing old is served later).
    after_mark: Counter[str] = field(default_factory=Counter)
    _marked: bool = False

    def start(self) -> None:
        for i in range(self.clients):
            thread = threading.Thread(target=self._run, name=f"demo-load-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def mark(self) -> None:
        with self._lock:
            self._marked = True

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                try:
                    shown, _ = answer(client, self.url)
                    error = None
                except httpx.HTTPError as exc:
                    shown, error = None, type(exc).__name__
                with self._lock:
                    self.requests += 1
                    if error is not None:
                        self.failed += 1
                        self.errors[error] += 1
                    else:
                        self.seen[shown or "?"] += 1
                        if self._marked:
                            self.after_mark[shown or "?"] += 1


def git(cwd: Path, *args: str) -> str:
    """git in ``cwd`` (identity and credentials from the environment the demo set)."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise DemoError(f"git {' '.join(args)} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout.strip()


def gitterra(cwd: Path, log: Path, *args: str, timeout: float = 600) -> None:
    """``gitterra ARGS`` in ``cwd``, its output appended to ``log``; its last lines on failure."""
    with log.open("ab") as fh:
        fh.write(f"$ gitterra {' '.join(args)}\n".encode())
        fh.flush()
        try:
            code = subprocess.run(
                [sys.executable, "-m", "gitterra", *args],
                cwd=cwd,
                stdout=fh,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
                env={**os.environ, "NO_COLOR": "1"},
            ).returncode
        except subprocess.TimeoutExpired as exc:
            raise DemoError(f"gitterra {args[0]} took longer than {timeout:g} s") from exc
    if code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise DemoError(f"gitterra {' '.join(args)} exited {code}:\n{tail}")

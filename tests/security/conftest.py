"""Fixtures of the security tests.

``secured``: the whole server (every service's routes, as ``gitterra server`` installs them)
in this process, uvicorn on 127.0.0.1:0 in a thread, with a tokens service whose clock the test
moves (``secured.clock.advance(3600)``) so expiry is tested without waiting. Everything else is
real: the store, the git host, builds in bash running the real ``gitterra``, HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from gitterra.cli._server import installers
from gitterra.cloud import Cloud, tokens
from gitterra.server import TokenCheck, _limits, make_app
from gitterra.server import _run as server_run
from tests.cloud.conftest import START_DEADLINE, assert_nothing_left, wait_for


@dataclass
class Clock:
    """Wall time moved on by ``advance``."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Secured:
    url: str
    token: str
    data_dir: Path
    client: httpx.Client
    cloud: Cloud
    clock: Clock
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def tokens(self) -> tokens.Tokens:
        return tokens.of(self.cloud)

    def as_(self, token: str) -> httpx.Client:
        """A client presenting ``token`` (closed with the server)."""
        client = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.clients.append(client)
        return client

    def new_token(self, **body: Any) -> tuple[str, dict[str, Any]]:
        """A scoped token made through the API: ``(text, record)``."""
        r = self.client.post("/api/v1/tokens", json=body)
        assert r.status_code == 201, r.text
        doc: dict[str, Any] = r.json()
        return doc.pop("token"), doc


@contextlib.contextmanager
def secured_server(base: Path, limits: _limits.Limits | None = None) -> Iterator[Secured]:
    data_dir = base / "data"
    sock = server_run.bind("127.0.0.1", 0)
    running = server_run.prepare(data_dir, sock)
    cloud = Cloud(data_dir, running.url)
    clock = Clock()
    cloud.register(tokens.Tokens(cloud, clock=clock))
    app = make_app(cloud, TokenCheck(running.token), installers(), limits)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), name="test-server"
    )
    thread.start()
    wait_for(lambda: server.started or not thread.is_alive(), START_DEADLINE, "the server to start")
    assert thread.is_alive(), "the in-process server did not start"
    headers = {"Authorization": f"Bearer {running.token}"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=60) as client:
        secured = Secured(running.url, running.token, data_dir, client, cloud, clock)
        try:
            yield secured
        finally:
            for other in secured.clients:
                other.close()
            server.should_exit = True
            thread.join(60)
            sock.close()
            assert not thread.is_alive(), "the in-process server did not stop"
            assert_nothing_left(data_dir)


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[Secured]:
    with secured_server(tmp_path) as server:
        yield server


def error_of(response: httpx.Response, status: int, code: str) -> str:
    """The message of an API error with this status and code."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    error = response.json()["error"]
    assert error["code"] == code, error
    return str(error["message"])

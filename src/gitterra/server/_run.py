"""Running the server: data dir, admin token, ``server.json``, and uvicorn on a socket we bind
ourselves (so ``--listen 127.0.0.1:0`` knows its port before anyone asks)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from gitterra.cloud import Cloud
from gitterra.server import _limits
from gitterra.server._app import RouteInstaller, make_app
from gitterra.server._auth import TokenCheck, ensure_admin_token

log = logging.getLogger("gitterra.server")


class _Server(uvicorn.Server):
    """uvicorn's server, but a SIGTERM/SIGINT ends it cleanly with status 0: uvicorn re-raises
    the signal after its graceful shutdown (so the process would die of it and skip our own
    cleanup); we only want the graceful shutdown."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


class ListenError(Exception):
    """The server cannot start: its address cannot be bound (in use, not permitted,
    malformed), or a limit in its environment (``GITTERRA_RATE_*``, ``GITTERRA_BODY_*``) is
    malformed."""


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ListenError(f"--listen needs HOST:PORT, got {text!r}")
    try:
        number = int(port)
    except ValueError:
        raise ListenError(f"--listen port must be a number, got {port!r}") from None
    if not 0 <= number <= 65535:
        raise ListenError(f"--listen port {number} is out of range")
    return host.strip("[]"), number


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # accepted sockets inherit it; without it a keep-alive response waits 40 ms (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.listen(512)
    sock.setblocking(False)
    return sock


@dataclass(slots=True)
class Running:
    url: str
    token: str
    data_dir: Path


def prepare(data_dir: Path, sock: socket.socket) -> Running:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    token = ensure_admin_token(data_dir)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}"
    info = {"url": url, "pid": os.getpid()}
    tmp = data_dir / "server.json.tmp"
    tmp.write_text(json.dumps(info) + "\n")
    tmp.replace(data_dir / "server.json")
    return Running(url, token, data_dir)


def serve(
    data_dir: Path,
    listen: str,
    installers: list[RouteInstaller],
    on_ready: Callable[[Running], None] | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (clean stop: instances stopped, listeners closed)."""
    try:
        limits = _limits.Limits.from_environ(os.environ)
    except _limits.LimitsError as exc:
        raise ListenError(str(exc)) from exc
    host, port = parse_listen(listen)
    sock = bind(host, port)
    running = prepare(data_dir, sock)
    cloud = Cloud(data_dir, running.url)
    app = make_app(cloud, TokenCheck(running.token), installers, limits)
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=10, access_log=False
    )
    server = _Server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]), name="uvicorn")
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started and on_ready is not None:
            on_ready(running)
        await task

    try:
        asyncio.run(main())
    finally:
        sock.close()
        try:
            info = json.loads((data_dir / "server.json").read_text())
            if info.get("pid") == os.getpid():
                (data_dir / "server.json").unlink()
        except (OSError, ValueError):
            pass

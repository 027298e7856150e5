"""The static-site image's server: serves a document root over HTTP/1.1.

``python -m gitterra.cloud.images.static_site --root DIR --host 127.0.1.2 --port 8080``; the
compute runner calls :func:`serve` in-process once an instance's boot script succeeded.

It is Starlette's ``StaticFiles`` served by uvicorn, chosen over a server of our own because the
details a rollout depends on are already right there and well tested: persistent connections,
``Content-Type`` from the file name (``text/*`` with ``charset=utf-8``), ``ETag`` and
``Last-Modified`` with ``304`` for ``If-None-Match``/``If-Modified-Since``, ``HEAD``, ``Range``
(``206``, multipart ranges, ``416``, ``If-Range``), ``index.html`` for directories (``/dir`` is
redirected to ``/dir/``), ``404.html`` when the site has one, ``405`` for other methods, and
no way out of the root (``..`` and its encodings are normalised away; a symlink leading outside
the root is a 404).

What this module adds: the choices a load-balanced server needs. Idle connections are kept for
75 s (longer than a balancer keeps its idle upstream connections, so the server is never the one
closing a connection the balancer is about to reuse); SIGTERM stops accepting, lets in-flight
requests finish, closes idle connections and returns (the instance's zero-failed-request
rollout depends on it); the blocking file work runs on a small thread pool with small stacks, so
the process stays within the instance type's address-space limit. Access logs are left to the
balancer.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import mimetypes
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import anyio.to_thread
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

__all__ = ["StaticSiteError", "make_app", "open_socket", "serve"]

log = logging.getLogger("gitterra.static_site")

KEEP_ALIVE_SECONDS = 75
THREADS = 8
THREAD_STACK_BYTES = 1024 * 1024
SERVER_NAME = "gitterra-static-site"

# Types some systems' mime.types lack; the browser needs them right (modules, fonts, wasm).
_EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}


class StaticSiteError(Exception):
    """The server cannot start: the root is not a directory, or the address cannot be bound."""


def make_app(root: Path) -> Starlette:
    """The ASGI app serving ``root`` (which must be a directory)."""
    if not root.is_dir():
        raise StaticSiteError(f"document root {root} is not a directory")
    for ext, media_type in _EXTRA_TYPES.items():
        mimetypes.add_type(media_type, ext)
    files = StaticFiles(directory=root, html=True, follow_symlink=False)
    return Starlette(routes=[Mount("/", app=files)])


def open_socket(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port); binding errors name the address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # accepted sockets inherit it; without it a keep-alive response waits 40 ms (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise StaticSiteError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.setblocking(False)
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server without its own signal handling: the caller owns the signals (the
    runner supervises a boot script too) and says when to stop through an event."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    root: Path,
    host: str,
    port: int,
    stop: asyncio.Event,
    *,
    graceful_timeout: float = 30.0,
    instance_id: str | None = None,
) -> None:
    """Serve ``root`` on (host, port) until ``stop`` is set, then shut down gracefully: stop
    accepting, finish in-flight requests (at most ``graceful_timeout`` seconds), return.
    Responses carry ``X-Instance-Id: instance_id`` when given (which instance answered, seen
    through the balancer)."""
    app = make_app(root)
    sock = open_socket(host, port)
    port = sock.getsockname()[1]  # port 0: the one the OS chose
    threading.stack_size(THREAD_STACK_BYTES)
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=max(1, round(graceful_timeout)),
        server_header=False,
        headers=[("server", SERVER_NAME)]
        + ([("x-instance-id", instance_id)] if instance_id else []),
    )
    server = _Server(config)

    async def watch() -> None:
        await stop.wait()
        server.should_exit = True

    watcher = asyncio.get_running_loop().create_task(watch(), name="static-site-stop")
    log.info("serving %s on http://%s:%d", root, host, port)
    try:
        await server.serve(sockets=[sock])
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        sock.close()
    log.info("stopped: in-flight requests finished")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gitterra.cloud.images.static_site",
        description="Serve a directory over HTTP/1.1 (the static-site image's server).",
    )
    parser.add_argument("--root", required=True, type=Path, help="the document root")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", required=True, type=int, help="0: any free port (logged)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(args.root, args.host, args.port, stop)

    try:
        asyncio.run(run())
    except StaticSiteError as exc:
        print(f"static_site: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A tiny fake of the local cloud's API over real HTTP (a thread on 127.0.0.1, port from the OS),
for testing clients against documents the real services may not serve yet. Routes answer canned
JSON; every request is recorded; the bearer token is checked as the real server does."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

#: ``(method, path) -> handler(query, body) -> (status, json body)``; paths are decoded.
Handler = Callable[[dict[str, str], Any], tuple[int, Any]]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class FakeApi:
    token: str = "fake-token"
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def json(self, method: str, path: str, body: Any, status: int = 200) -> None:
        """Answer ``method path`` with ``body``."""
        self.routes[(method, path)] = lambda query, request: (status, body)

    def handle(self, method: str, raw_path: str, headers: Any, raw: bytes) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body = json.loads(raw) if raw else None
        self.seen.append(Seen(method, path, query, body))
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": {"code": "Unauthorized", "message": "Unauthorized"}}
        handler = self.routes.get((method, path))
        if handler is None:
            return 404, {"error": {"code": "NotFound", "message": "Not Found"}}
        return handler(query, body)


@contextmanager
def serving(api: FakeApi) -> Iterator[FakeApi]:
    """Serve ``api`` until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, body = api.handle(
                self.command, self.path, self.headers, self.rfile.read(length)
            )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="fake-api", daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)

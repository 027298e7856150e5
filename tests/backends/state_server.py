"""A Terraform http-backend state server for tests: stdlib ``http.server`` on 127.0.0.1:0.

It keeps the protocol as Terraform documents it: states per path (GET 200/404, POST or PUT to
store, DELETE), locks per path (LOCK/UNLOCK with LockInfo JSON; 423 or 409 with the holder's
LockInfo when taken), writes to a locked state only with ``?ID=<the lock id>``, ``Content-MD5``
checked on bodies and sent on state answers, optional basic auth (401 without credentials, 403
with wrong ones). Tests can queue canned answers (``fail_next``) and read the request log.
"""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Canned:
    """An answer given instead of the protocol's, for the next request."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ServerState:
    states: dict[str, bytes] = field(default_factory=dict)
    locks: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    fail_next: list[Canned] = field(default_factory=list)
    username: str | None = None
    password: str | None = None
    conflict_status: int = 423
    missing_status: int = 404
    mutex: threading.Lock = field(default_factory=threading.Lock)


class StateServer:
    """Start with :meth:`start` (or as a context manager); ``url(path)`` gives addresses."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.data = ServerState()
        self._tls = tls
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> StateServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        data = self.data

        class Handler(_Handler):
            shared = data

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self._tls is not None:
            self._server.socket = self._tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},  # how soon shutdown() is noticed
            name="test-state-server",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=60)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str = "/state/demo") -> str:
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def methods(self) -> list[str]:
        with self.data.mutex:
            return [entry.method for entry in self.data.log]


class _Handler(BaseHTTPRequestHandler):
    shared: ServerState

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    # -- plumbing ---------------------------------------------------------------------------

    def _begin(self) -> tuple[str, dict[str, list[str]], bytes] | None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.shared.mutex:
            self.shared.log.append(
                Logged(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body)
            )
            failure = self.shared.fail_next.pop(0) if self.shared.fail_next else None
        if failure is not None:
            self._reply(failure.status, failure.body, failure.headers)
            return None
        if not self._authorized():
            return None
        md5 = self.headers.get("Content-MD5")
        if md5 is not None and base64.b64encode(hashlib.md5(body).digest()).decode() != md5:
            self._reply(400, b"Content-MD5 does not match the body")
            return None
        return parts.path, parse_qs(parts.query), body

    def _authorized(self) -> bool:
        if self.shared.username is None:
            return True
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            self._reply(401, b"authentication required", {"WWW-Authenticate": 'Basic realm="s"'})
            return False
        expected = f"{self.shared.username}:{self.shared.password}".encode()
        if base64.b64decode(header[6:]) != expected:
            self._reply(403, b"wrong credentials")
            return False
        return True

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _locked_reply(self, path: str) -> None:
        holder = json.dumps(self.shared.locks[path]).encode()
        self._reply(self.shared.conflict_status, holder, {"Content-Type": "application/json"})

    # -- the protocol -----------------------------------------------------------------------

    def do_GET(self) -> None:
        begun = self._begin()
        if begun is None:
            return
        path, _, _ = begun
        with self.shared.mutex:
            data = self.shared.states.get(path)
        if data is None:
            self._reply(self.shared.missing_status)
            return
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        self._reply(200, data, {"Content-Type": "application/json", "Content-MD5": md5})

    def do_POST(self) -> None:
        begun = self._begin()
        if begun is None:
            return
        path, query, body = begun
        with self.shared.mutex:
            lock = self.shared.locks.get(path)
            if lock is not None and query.get("ID") != [lock["ID"]]:
                self._locked_reply(path)
                return
            self.shared.states[path] = body
        self._reply(200)

    do_PUT = do_POST

    def do_DELETE(self) -> None:
        begun = self._begin()
        if begun is None:
            return
        path, _, _ = begun
        with self.shared.mutex:
            self.shared.states.pop(path, None)
        self._reply(200)

    def do_LOCK(self) -> None:
        begun = self._begin()
        if begun is None:
            return
        path, _, body = begun
        info = _lock_info(body)
        if info is None:
            self._reply(400, b"the body is not LockInfo JSON")
            return
        with self.shared.mutex:
            if path in self.shared.locks:
                self._locked_reply(path)
                return
            self.shared.locks[path] = info
        self._reply(200)

    def do_UNLOCK(self) -> None:
        begun = self._begin()
        if begun is None:
            return
        path, _, body = begun
        info = _lock_info(body)
        if info is None:
            self._reply(400, b"the body is not LockInfo JSON")
            return
        with self.shared.mutex:
            held = self.shared.locks.get(path)
            if held is not None and held["ID"] != info["ID"]:
                self._locked_reply(path)
                return
            self.shared.locks.pop(path, None)
        self._reply(200)


def _lock_info(body: bytes) -> dict[str, Any] | None:
    try:
        info = json.loads(body)
    except ValueError:
        return None
    if not isinstance(info, dict) or not isinstance(info.get("ID"), str):
        return None
    return info

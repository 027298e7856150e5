"""A local fake forge (GitHub or Gitea): serves bare repositories over git's dumb HTTP protocol
(static files after ``git update-server-info``) and records the commit status calls of its
status APIs (``POST /api/v3/repos/<owner>/<repo>/statuses/<sha>`` for GitHub Enterprise,
``/api/v1/...`` for Gitea), answering 201, or a status the test queues in ``fail_next``."""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Recorded:
    calls: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    mutex: threading.Lock = field(default_factory=threading.Lock)


class FakeForge:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = Recorded()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FakeForge:
        data, root = self.data, self.root

        class Handler(_Handler):
            recorded = data
            files = root

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        assert self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(60)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def publish(self, bare: Path) -> None:
        """Make ``bare``'s current refs fetchable over dumb HTTP."""
        subprocess.run(["git", "update-server-info"], cwd=bare, check=True)

    def calls(self) -> list[dict[str, Any]]:
        with self.data.mutex:
            return list(self.data.calls)


class _Handler(BaseHTTPRequestHandler):
    recorded: Recorded
    files: Path

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = (self.files / self.path.split("?")[0].lstrip("/")).resolve()
        if not path.is_relative_to(self.files.resolve()) or not path.is_file():
            self._reply(404, b"not found")
            return
        self._reply(200, path.read_bytes())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        with self.recorded.mutex:
            self.recorded.calls.append(
                {"path": self.path, "headers": dict(self.headers), "body": body}
            )
            status = self.recorded.fail_next.pop(0) if self.recorded.fail_next else 201
        self._reply(status, json.dumps({"state": body.get("state")}).encode())

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

"""moto's standalone server (S3, DynamoDB, STS) on 127.0.0.1:0 for the s3 backend's tests.

The backend talks to it through real boto3 HTTP calls; no request leaves the machine. Every
request passes through :class:`_Recorder`, a WSGI middleware that

- serializes requests: moto checks ``If-None-Match`` and then writes, in two steps, where S3
  does both at once; one request at a time gives moto S3's atomicity, so lock races are real;
- records each request (service from the SigV4 scope, access key, method, path, headers), for
  tests of the exact requests sent;
- answers the next requests of a service with canned AWS errors when a test queues them
  (throttling, AccessDenied), in each service's own wire format.

:class:`LockProcess` runs ``python -m tests.backends.s3_server hold SETTINGS_JSON``, which takes
the default workspace's lock from another process (prints its LockInfo as JSON, waits for a
line, releases it), or ``try-lock``, which connects, says it is ready, waits for a line, tries
once, prints the outcome and, when it got the lock, waits for another line before releasing it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import boto3
import pytest

from gitterra import backends, state

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

REGION = "us-east-1"
FAKE_KEY = "AKIAFAKEFAKEFAKE0001"
FAKE_SECRET = "fake-secret"


@dataclass
class Request:
    service: str
    access_key: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def target(self) -> str:
        """The DynamoDB operation (X-Amz-Target), or ''."""
        return self.headers.get("X-Amz-Target", "").rpartition(".")[2]


@dataclass
class Fault:
    """An AWS error answered instead of the next ``times`` requests to ``service``."""

    service: str
    status: int
    code: str
    message: str = "injected by the test"
    times: int = 1


@dataclass
class _Shared:
    requests: list[Request] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    mutex: threading.Lock = field(default_factory=threading.Lock)


class MotoServer:
    """Start with :meth:`start` (or as a context manager); ``url`` is its endpoint."""

    def __init__(self) -> None:
        self.shared = _Shared()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        # Imported here: the lock processes below need none of it, and moto loads slowly.
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        app = _Recorder(DomainDispatcherApplication(create_backend_app), self.shared)
        self._server = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="moto-server",
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
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"

    # -- what tests use -----------------------------------------------------------------------

    def client(self, service: str) -> Any:
        """A plain boto3 client of the server, for setting up and looking behind the backend."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=FAKE_KEY,
            aws_secret_access_key=FAKE_SECRET,
        )

    def new_bucket(self) -> str:
        name = f"tfstate-{uuid.uuid4().hex[:16]}"
        self.client("s3").create_bucket(Bucket=name)
        return name

    def new_table(self) -> str:
        name = f"locks-{uuid.uuid4().hex[:16]}"
        self.client("dynamodb").create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        s3 = self.client("s3")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}

    def items(self, table: str) -> dict[str, dict[str, str]]:
        scanned = self.client("dynamodb").scan(TableName=table)["Items"]
        return {i["LockID"]["S"]: {k: v["S"] for k, v in i.items()} for i in scanned}

    def requests(self, service: str | None = None) -> list[Request]:
        with self.shared.mutex:
            return [r for r in self.shared.requests if service in (None, r.service)]

    def clear(self) -> None:
        """Forget the requests so far, and any fault still queued."""
        with self.shared.mutex:
            self.shared.requests.clear()
            self.shared.faults.clear()

    def fail(self, fault: Fault) -> None:
        with self.shared.mutex:
            self.shared.faults.append(fault)

    def settings(self, bucket: str, **more: Any) -> dict[str, Any]:
        """s3 backend settings for ``bucket`` on this server."""
        endpoints = {"s3": self.url, "dynamodb": self.url, "sts": self.url}
        base = {"bucket": bucket, "key": "app/terraform.tfstate", "region": REGION}
        return base | {"endpoints": endpoints, "use_path_style": True} | more


def fake_environment(tmp: Path) -> dict[str, str]:
    """AWS variables for the tests: fake keys, a region, no shared files, no metadata service."""
    return {
        "AWS_ACCESS_KEY_ID": FAKE_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def isolate_environment(monkeypatch: pytest.MonkeyPatch, tmp: Path) -> dict[str, str]:
    """Leave only the fake AWS variables in the process environment (boto3 reads it too, and
    so do the commands run in-process); returns them."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    env = fake_environment(tmp)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def s3_backend(
    server: MotoServer, env: dict[str, str], bucket: str, **settings: Any
) -> backends.S3Backend:
    backend = backends.configure("s3", server.settings(bucket, **settings), env, "/")
    assert isinstance(backend, backends.S3Backend)
    return backend


# -- the middleware ---------------------------------------------------------------------------

_Start = Callable[..., Any]


class _Recorder:
    def __init__(self, app: Any, shared: _Shared) -> None:
        self._app = app
        self._shared = shared
        self._serial = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: _Start) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        request = _request(environ, body)
        with self._shared.mutex:
            self._shared.requests.append(request)
            fault = self._take_fault(request.service)
        if fault is not None:
            return _answer(fault, start_response)
        with self._serial:
            result = self._app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

    def _take_fault(self, service: str) -> Fault | None:
        for fault in self._shared.faults:
            if fault.service == service:
                fault.times -= 1
                if fault.times <= 0:
                    self._shared.faults.remove(fault)
                return fault
        return None


def _request(environ: dict[str, Any], body: bytes) -> Request:
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    auth = headers.get("Authorization", "")
    scope = auth.partition("Credential=")[2].partition(",")[0].split("/")
    return Request(
        service=scope[3] if len(scope) > 3 else "",
        access_key=scope[0] if scope else "",
        method=environ["REQUEST_METHOD"],
        path=environ.get("PATH_INFO", ""),
        query=parse_qs(environ.get("QUERY_STRING", "")),
        headers=headers,
        body=body,
    )


def _answer(fault: Fault, start_response: _Start) -> list[bytes]:
    if fault.service == "dynamodb":
        doc = {"__type": f"com.amazonaws.dynamodb.v20120810#{fault.code}", "message": fault.message}
        body, kind = json.dumps(doc).encode(), "application/x-amz-json-1.0"
    else:
        inner = f"<Code>{fault.code}</Code><Message>{fault.message}</Message>"
        if fault.service == "sts":
            inner = f"<Error><Type>Sender</Type>{inner}</Error>"
            body = f"<ErrorResponse>{inner}</ErrorResponse>".encode()
        else:
            body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()
        kind = "application/xml"
    reason = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error"}
    start_response(
        f"{fault.status} {reason.get(fault.status, 'Service Unavailable')}",
        [("Content-Type", kind), ("Content-Length", str(len(body)))],
    )
    return [body]


# -- another process holding or racing for the lock -------------------------------------------


def _main(mode: str, settings_json: str) -> int:
    settings = json.loads(settings_json)
    backend = backends.configure("s3", settings, dict(os.environ), os.getcwd())
    client = backend.client(state.DEFAULT_WORKSPACE)
    info = state.LockInfo.new("OperationTypeApply", info=f"{mode} in pid {os.getpid()}")
    if mode == "try-lock":
        client.get()  # connected (credentials checked) before the race starts
        print(json.dumps({"ready": True}), flush=True)
        sys.stdin.readline()
        try:
            client.lock(info)
        except state.StateLockedError as exc:
            holder = exc.holder.id if exc.holder else None
            print(json.dumps({"locked": False, "holder": holder}), flush=True)
            return 0
    else:
        client.lock(info)
    print(json.dumps({"locked": True, "id": info.id, "who": info.who}), flush=True)
    sys.stdin.readline()
    client.unlock(info.id)
    print(json.dumps({"released": True}), flush=True)
    return 0


class LockProcess:
    """``python -m tests.backends.s3_server MODE SETTINGS`` with its JSON lines read by a thread,
    so that every wait has a deadline."""

    def __init__(self, mode: str, settings: dict[str, Any], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.backends.s3_server", mode, json.dumps(settings)],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="lock-process-out", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put("")

    def next(self, timeout: float = 120) -> dict[str, Any]:
        """The next JSON line (fails with the process's stderr if it ended instead)."""
        line = self._lines.get(timeout=timeout)
        if not line:
            self.proc.wait(timeout)
            assert self.proc.stderr is not None
            raise AssertionError(f"the lock process ended: {self.proc.stderr.read()}")
        return json.loads(line)  # type: ignore[no-any-return]

    def say(self) -> None:
        """Send a line (the cue to go on)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(120)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        self._reader.join(120)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1], sys.argv[2]))

"""moto's standalone server on 127.0.0.1:0 for the aws provider's AWS target.

The provider reaches it through real boto3 HTTP calls (every service at the one endpoint); no
request leaves the machine. Every request passes through :class:`_Front`, a WSGI middleware
that

- serializes requests (moto's backends are not written for concurrent requests);
- records each one as a :class:`Call` (service from the SigV4 scope, operation, parameters
  decoded from the query or JSON protocol), so tests can check the exact requests sent;
- answers the next calls of an operation with canned AWS errors when a test queues a
  :class:`Fault` (throttling, AccessDenied ...), in the wire format of the service's protocol;
- serves the calls moto does not implement from ``standins`` (instance refreshes, CodeBuild's
  UpdateProject, webhooks and source credentials), as AWS documents them; what they answer is
  the tests' assumption, so the tests that go through them check the requests sent
  (contract tests), and the README says which paths were verified against moto only.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import boto3

from tests.providers.aws_target import standins

if TYPE_CHECKING:
    from werkzeug.serving import BaseWSGIServer

REGION = "eu-west-3"
ACCOUNT = "123456789012"  # moto's default account
FAKE_KEY = "AKIAFAKEFAKEFAKE0001"
FAKE_SECRET = "fake-secret"

_Start = Callable[..., Any]
#: Services that speak the JSON protocol (the others speak the query protocol).
_JSON = ("logs", "codebuild")


@dataclass
class Call:
    service: str
    operation: str
    params: dict[str, Any]
    access_key: str
    region: str = REGION
    account: str = ACCOUNT


@dataclass
class Fault:
    """An AWS error answered instead of the next ``times`` calls of ``operation`` (any
    operation of the service when it is empty)."""

    service: str
    code: str
    operation: str = ""
    status: int = 400
    message: str = "injected by the test"
    times: int = 1


@dataclass
class _Shared:
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    mutex: threading.Lock = field(default_factory=threading.Lock)


class MotoServer:
    """Start with :meth:`start` (or as a context manager); ``url`` is its endpoint."""

    def __init__(self) -> None:
        self.shared = _Shared()
        self.standins = standins.StandIns()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        app = _Front(DomainDispatcherApplication(create_backend_app), self.shared, self.standins)
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

    def reset(self) -> None:
        """Forget every object, call and fault (moto's state is the process's)."""
        import urllib.request

        with urllib.request.urlopen(
            urllib.request.Request(f"{self.url}/moto-api/reset", method="POST"), timeout=60
        ):
            pass
        self.standins.reset()
        self.clear()

    def client(self, service: str) -> Any:
        """A plain boto3 client of the server, to set up and to look behind the provider."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=FAKE_KEY,
            aws_secret_access_key=FAKE_SECRET,
        )

    def calls(self, service: str | None = None, operation: str | None = None) -> list[Call]:
        with self.shared.mutex:
            return [
                c
                for c in self.shared.calls
                if service in (None, c.service) and operation in (None, c.operation)
            ]

    def clear(self) -> None:
        with self.shared.mutex:
            self.shared.calls.clear()
            self.shared.faults.clear()

    def fail(self, fault: Fault) -> None:
        with self.shared.mutex:
            self.shared.faults.append(fault)


def environment(url: str) -> dict[str, str]:
    """AWS variables for the tests: fake keys, the region, the server as every endpoint, no
    shared files, no metadata service; and GITTERRA_TARGET=aws."""
    return {
        "GITTERRA_TARGET": "aws",
        "AWS_ACCESS_KEY_ID": FAKE_KEY,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": url,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


# -- the middleware ---------------------------------------------------------------------------


class _Front:
    def __init__(self, app: Any, shared: _Shared, stand: standins.StandIns) -> None:
        self._app = app
        self._shared = shared
        self._standins = stand
        self._serial = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: _Start) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        call = _call(environ, body)
        with self._shared.mutex:
            if call.operation:
                self._shared.calls.append(call)
            fault = self._take_fault(call)
        if fault is not None:
            status, payload = standins.error_answer(
                fault.service, fault.status, fault.code, fault.message
            )
            return _respond(call.service, status, payload, start_response)
        with self._serial:

            def forward(operation: str, params: dict[str, Any]) -> tuple[int, Any]:
                return self._moto(environ, call.service, operation, params)

            answer = self._standins.serve(call, forward)
            if answer is not None:
                status, payload = answer
                return _respond(call.service, status, payload, start_response)
            return self._forward(environ, start_response)

    def _forward(self, environ: dict[str, Any], start_response: _Start) -> list[bytes]:
        result = self._app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def _moto(
        self, environ: dict[str, Any], service: str, operation: str, params: dict[str, Any]
    ) -> tuple[int, Any]:
        """``operation`` with ``params`` answered by moto, signed as the request ``environ``
        was (moto reads the service and region from the signature's scope)."""
        env = dict(environ)
        if service in _JSON:
            prefix = environ["HTTP_X_AMZ_TARGET"].rpartition(".")[0]
            env["HTTP_X_AMZ_TARGET"] = f"{prefix}.{operation}"
            body = json.dumps(params).encode()
        else:
            version = parse_qs(_body(environ).decode()).get("Version", [""])[0]
            body = standins.query_body(operation, params, version)
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
        seen: dict[str, Any] = {}

        def start(status: str, headers: Any, exc_info: Any = None) -> None:
            seen["status"] = int(status.split()[0])

        answer = self._forward(env, start)[0]
        return seen["status"], standins.decode(service, answer)

    def _take_fault(self, call: Call) -> Fault | None:
        for fault in self._shared.faults:
            if fault.service == call.service and fault.operation in ("", call.operation):
                fault.times -= 1
                if fault.times <= 0:
                    self._shared.faults.remove(fault)
                return fault
        return None


def _body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    stream.seek(0)
    return stream.read()  # type: ignore[no-any-return]


def _call(environ: dict[str, Any], body: bytes) -> Call:
    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = auth.partition("Credential=")[2].partition(",")[0].split("/")
    service = scope[3] if len(scope) > 3 else ""
    region = scope[2] if len(scope) > 2 else REGION
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    params: dict[str, Any]
    if target:
        operation = target.rpartition(".")[2]
        params = json.loads(body or b"{}")
    else:
        flat = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        operation = flat.pop("Action", "")
        flat.pop("Version", None)
        params = flat
    return Call(service, operation, params, scope[0] if scope else "", region)


def _respond(service: str, status: int, payload: Any, start_response: _Start) -> list[bytes]:
    if service in _JSON:
        body, kind = json.dumps(payload).encode(), "application/x-amz-json-1.1"
    else:
        body, kind = str(payload).encode(), "text/xml"
    start_response(
        f"{status} {'OK' if status < 400 else 'Bad Request'}",
        [("Content-Type", kind), ("Content-Length", str(len(body)))],
    )
    return [body]

"""A fake of the local cloud's API (docs/cloud-api.md) beside the interface: an in-memory
``httpx.MockTransport`` handler with the contract's paths, shapes, error bodies and a few of the
server's checks, plus knobs for faults (failing calls, refresh outcomes, slow capacity).

It is not the cloud: instances are counted, not run. The integration tests use the real server.
"""

from __future__ import annotations

import base64
import fnmatch
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx

REGION = "local-1"
ACCOUNT = "000000000000"
VPC = "vpc-0fake0000000000001"
SUBNETS = [
    {"id": "subnet-0aaaaaaaaaaaaaaa1", "vpc_id": VPC, "availability_zone": "local-1a",
     "cidr_block": "127.1.0.0/16", "tags": {}},
    {"id": "subnet-0bbbbbbbbbbbbbbb2", "vpc_id": VPC, "availability_zone": "local-1b",
     "cidr_block": "127.2.0.0/16", "tags": {}},
]  # fmt: skip
IMAGES = [
    {"id": "ami-0static000000001", "name": "gitterra-static-site-2026.11", "owner": "gitterra",
     "description": "static", "kind": "static-site", "architecture": "x86_64",
     "created_at": "2026-11-01T00:00:00Z"},
    {"id": "ami-0static000000000", "name": "gitterra-static-site-2026.10", "owner": "gitterra",
     "description": "static, older", "kind": "static-site", "architecture": "x86_64",
     "created_at": "2026-10-01T00:00:00Z"},
    {"id": "ami-0process00000001", "name": "gitterra-process-2026.11", "owner": "gitterra",
     "description": "process", "kind": "process", "architecture": "x86_64",
     "created_at": "2026-11-01T00:00:00Z"},
]  # fmt: skip

Handler = Callable[[httpx.Request, dict[str, Any] | None, list[str]], Any]


class ApiFault(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def bad(message: str, field: str | None = None) -> ApiFault:
    return ApiFault(400, "ValidationError", message, field)


def missing(what: str) -> ApiFault:
    return ApiFault(404, "NotFound", f"{what} does not exist")


@dataclass
class FakeCloud:
    """State and behaviour; ``transport()`` is what the provider is given."""

    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    asgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    lbs: dict[str, dict[str, Any]] = field(default_factory=dict)
    listeners: dict[str, dict[str, Any]] = field(default_factory=dict)
    tgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    log_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    refreshes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Every request seen: (method, path, body).
    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    #: Faults to inject: a function of (method, path) returning a Response or an exception to
    #: raise, or None to answer normally.
    fault: Callable[[str, str], httpx.Response | Exception | None] | None = None
    #: How refreshes end: "Successful" or "Failed" (after ``refresh_polls`` polls).
    refresh_outcome: str = "Successful"
    refresh_polls: int = 1
    #: Polls of /capacity before the group reaches its desired capacity.
    capacity_polls: int = 0
    token: str = "secret-token"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _capacity_seen: dict[str, int] = field(default_factory=dict)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._ids):017x}"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"

    # ---- dispatch -----------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode().split("?", 1)[0]
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, path, body))
        if self.fault is not None:
            injected = self.fault(request.method, path)
            if isinstance(injected, Exception):
                raise injected
            if injected is not None:
                return injected
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(ApiFault(401, "Unauthorized", "Unauthorized"))
        if not path.startswith("/api/v1/"):
            return _error(missing(path))
        parts = [unquote(p) for p in path[len("/api/v1/") :].split("/")]
        try:
            for method, pattern, handler in self._routes():
                if method == request.method and _match(pattern, parts):
                    result = handler(request, body, parts)
                    status = 201 if method == "POST" and result is not None else 200
                    if result is None:
                        return httpx.Response(204)
                    return httpx.Response(status, json=result)
        except ApiFault as exc:
            return _error(exc)
        return _error(missing(f"{request.method} {path}"))

    def _routes(self) -> list[tuple[str, str, Handler]]:
        from tests.providers.aws import fake_routes

        return fake_routes.routes(self)


def _match(pattern: str, parts: list[str]) -> bool:
    want = pattern.split("/")
    return len(want) == len(parts) and all(
        w == "*" or w == p for w, p in zip(want, parts, strict=False)
    )


def _error(exc: ApiFault) -> httpx.Response:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.field is not None:
        body["field"] = exc.field
    return httpx.Response(exc.status, json={"error": body})


def glob(name: str, pattern: str | None) -> bool:
    return pattern is None or fnmatch.fnmatchcase(name, pattern)


def check_base64(value: Any, field: str) -> None:
    if value is None:
        return
    try:
        base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise bad("user_data must be base64", field) from exc


NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")

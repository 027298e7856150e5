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
    #: CodeBuild: projects and webhooks by project name, source credentials by server type.
    cb_projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    cb_webhooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    cb_credentials: dict[str, dict[str, Any]] = field(default_factory=dict)
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


# ---- CodeBuild: the project document as the cloud completes it (a few of its checks) ----------

CB_LOGS: dict[str, dict[str, Any]] = {
    "cloudwatch_logs": {"status": "ENABLED", "group_name": "", "stream_name": ""},
    "s3_logs": {"status": "DISABLED", "location": "", "encryption_disabled": False},
}
CB_ARTIFACTS = {
    "type": "NO_ARTIFACTS", "location": "", "name": "", "path": "", "packaging": "",
    "namespace_type": "", "encryption_disabled": False, "override_artifact_name": False,
}  # fmt: skip


def cb_project(body: dict[str, Any], arn: str) -> dict[str, Any]:
    """A project document: ``body``'s fields completed with the cloud's defaults."""
    src = dict(body.get("source") or {})
    if src.get("type") == "NO_SOURCE" and "\n" not in (src.get("buildspec") or ""):
        raise bad("a NO_SOURCE project needs its buildspec inline (YAML text)", "source.buildspec")
    if src.get("type") != "NO_SOURCE" and not src.get("location"):
        raise bad("source.location is required", "source.location")
    env = dict(body.get("environment") or {})
    for i, var in enumerate(env.get("environment_variable") or []):
        if var["name"].startswith("CODEBUILD_"):
            raise bad(
                "the CODEBUILD_ prefix is reserved", f"environment.environment_variable.{i}.name"
            )
    logs = body.get("logs_config") or {}
    return {
        "name": body["name"], "arn": arn, "description": body.get("description") or "",
        "source": {"location": "", "git_clone_depth": 0, "buildspec": "",
                   "report_build_status": False, **src},
        "source_version": body.get("source_version") or "",
        "environment": {"privileged_mode": False, "image_pull_credentials_type": "CODEBUILD",
                        **env, "environment_variable": [
                            {"type": "PLAINTEXT", **v} for v in env.get("environment_variable") or []]},
        "build_timeout": body.get("build_timeout") or 60,
        "queued_timeout": body.get("queued_timeout") or 480,
        "concurrent_build_limit": body.get("concurrent_build_limit") or 1,
        "logs_config": {k: {**v, **(logs.get(k) or {})} for k, v in CB_LOGS.items()},
        "artifacts": {**CB_ARTIFACTS, **(body.get("artifacts") or {})},
        "service_role": body.get("service_role") or "", "tags": body.get("tags") or {},
    }  # fmt: skip


def cb_groups(value: Any) -> list[dict[str, Any]]:
    """Filter groups checked as the cloud checks them (an EVENT filter in each group, patterns
    that compile), the first problem named at ``filter_group.<i>[.filter.<j>.<key>]``."""
    for g, group in enumerate(value or []):
        filters = group.get("filter") or []
        if not any(f.get("type") == "EVENT" for f in filters):
            raise bad(f"invalid filter groups:\nfilter_group[{g}]: a filter group needs an "
                      "EVENT filter", f"filter_group.{g}")  # fmt: skip
        for f, flt in enumerate(filters):
            if flt.get("type") != "EVENT":
                try:
                    re.compile(flt["pattern"])
                except re.error as exc:
                    raise bad(f"invalid filter groups:\nfilter_group[{g}].filter[{f}].pattern: "
                              f"not a regular expression: {exc}",
                              f"filter_group.{g}.filter.{f}.pattern") from exc  # fmt: skip
    return [{"filter": list(group.get("filter") or [])} for group in value or []]

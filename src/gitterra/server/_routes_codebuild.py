"""CodeBuild's routes (docs/cloud-api.md, "CodeBuild"): projects, webhooks, source credentials,
secrets, deliveries and builds under ``/api/v1/codebuild``, and the forges' delivery endpoint
``POST /webhooks/<forge>/<webhook id>``.

The delivery endpoint has no bearer token: the webhook's secret signs the body. It refuses a
body over 25 MB from its ``Content-Length`` (or as soon as the stream passes the limit) before
reading it all, and hands the raw bytes to the service, which checks the signature before
anything parses them. Build logs are read by offset, long-polled (``?wait=``) or streamed as
server-sent events.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from gitterra import diag, triggers
from gitterra.cloud import Cloud, NotFound, tokens
from gitterra.cloud.codebuild import CodeBuild

_NO_CONTENT = 204
#: The longest a log request may wait for new lines.
MAX_WAIT = 60.0
#: Server-sent event streams send a comment this often so proxies keep them open.
HEARTBEAT = 15.0


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class SourceIn(_Open):
    type: str | None = Field(
        default=None,
        description="GITHUB, GITLAB, GITEA, BITBUCKET, CODECOMMIT, NO_SOURCE, GITTERRA",
    )
    location: str | None = Field(
        default=None, description="Repository URL, or a git host repository"
    )
    git_clone_depth: int | None = Field(default=None, description="0: the whole history")
    buildspec: str | None = Field(
        default=None, description="A path in the repository, or inline YAML (default buildspec.yml)"
    )
    report_build_status: bool | None = None


class VariableIn(_Open):
    name: str | None = None
    value: str | None = None
    type: str | None = Field(
        default=None, description="PLAINTEXT, PARAMETER_STORE, SECRETS_MANAGER"
    )


class EnvironmentIn(_Open):
    compute_type: str | None = None
    image: str | None = None
    type: str | None = Field(default=None, description="LINUX_CONTAINER ...")
    environment_variable: list[VariableIn] | None = None
    privileged_mode: bool | None = None
    image_pull_credentials_type: str | None = None


class ProjectPatch(_Open):
    description: str | None = None
    source: SourceIn | None = None
    source_version: str | None = None
    environment: EnvironmentIn | None = None
    build_timeout: int | None = Field(default=None, description="Minutes, 5-2160, default 60")
    queued_timeout: int | None = Field(default=None, description="Minutes, 5-480, default 480")
    concurrent_build_limit: int | None = Field(default=None, description="Default 1")
    logs_config: dict[str, Any] | None = None
    artifacts: dict[str, Any] | None = Field(
        default=None, description='{"type": "NO_ARTIFACTS"|"S3"}'
    )
    service_role: str | None = None
    tags: dict[str, str] | None = None


class ProjectIn(ProjectPatch):
    name: str


class FilterIn(_Open):
    type: str | None = None
    pattern: str | None = None
    exclude_matched_pattern: bool | None = None


class FilterGroupIn(_Open):
    filter: list[FilterIn] | None = None


class WebhookPatch(_Open):
    build_type: str | None = Field(default=None, description="BUILD")
    filter_group: list[FilterGroupIn] | None = None


class WebhookIn(WebhookPatch):
    project_name: str


class CredentialIn(_Open):
    server_type: str | None = Field(
        default=None, description="GITHUB, GITHUB_ENTERPRISE, GITEA ..."
    )
    auth_type: str | None = Field(default=None, description="PERSONAL_ACCESS_TOKEN ...")
    token: str | None = Field(default=None, description="Stored; never returned")
    user_name: str | None = None


class SecretIn(_Open):
    name: str
    value: str | None = Field(default=None, description="Stored; never returned")
    description: str | None = None


class SecretValue(_Open):
    value: str | None = None
    description: str | None = None


class BuildIn(_Open):
    project_name: str
    source_version: str | None = Field(
        default=None, description="A commit, branch, tag, pr/N or full ref (default: the project's)"
    )
    environment_variables_override: list[VariableIn] | None = None


def installer(**options: Any) -> Any:
    """An installer whose service gets ``options`` (tests: a git host, a shorter minute)."""

    def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
        svc = cloud.register(CodeBuild(cloud, render=diag.render_text, **options))
        auth = [Depends(authorized)]
        # The pipeline's configuration is the admin's: a project's token that could change it
        # (or make another project) could give its builds more than they have.
        config = [*auth, Depends(_admin_changes)]
        _projects(app, svc, config)
        _webhooks(app, svc, config)
        _credentials(app, svc, config)
        _secrets(app, svc, config)
        _builds(app, svc, auth)
        _logs(app, svc, auth)
        _deliveries(app, svc, auth)

    return install


async def _admin_changes(request: Request) -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        tokens.require_admin("change build projects, webhooks, source credentials and secrets")


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    """Register the CodeBuild service and add its routes."""
    installer()(app, cloud, authorized)


_TAGS: list[str | Enum] = ["codebuild"]


def _dump(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True)


def _projects(app: FastAPI, svc: CodeBuild, auth: list[Any]) -> None:
    base = "/api/v1/codebuild/projects"

    @app.post(base, status_code=201, dependencies=auth, tags=_TAGS)
    async def create_project(body: ProjectIn) -> dict[str, Any]:
        return svc.projects.create(_dump(body))

    @app.get(base, dependencies=auth, tags=_TAGS)
    async def list_projects() -> dict[str, Any]:
        return {"items": svc.projects.find()}

    @app.get(base + "/{name}", dependencies=auth, tags=_TAGS)
    async def get_project(name: str) -> dict[str, Any]:
        return svc.projects.get(name)

    @app.patch(base + "/{name}", dependencies=auth, tags=_TAGS)
    async def update_project(name: str, body: ProjectPatch) -> dict[str, Any]:
        return svc.projects.update(name, _dump(body))

    @app.delete(base + "/{name}", status_code=_NO_CONTENT, dependencies=auth, tags=_TAGS)
    async def delete_project(name: str) -> Response:
        svc.projects.delete(name)
        return Response(status_code=_NO_CONTENT)


def _webhooks(app: FastAPI, svc: CodeBuild, auth: list[Any]) -> None:
    base = "/api/v1/codebuild/webhooks"

    @app.post(base, status_code=201, dependencies=auth, tags=_TAGS)
    async def create_webhook(body: WebhookIn) -> dict[str, Any]:
        return svc.webhooks.create(_dump(body))

    @app.get(base, dependencies=auth, tags=_TAGS)
    async def list_webhooks() -> dict[str, Any]:
        return {"items": svc.webhooks.find()}

    @app.get(base + "/{key}", dependencies=auth, tags=_TAGS)
    async def get_webhook(key: str) -> dict[str, Any]:
        return svc.webhooks.get(key)

    @app.patch(base + "/{key}", dependencies=auth, tags=_TAGS)
    async def update_webhook(key: str, body: WebhookPatch) -> dict[str, Any]:
        return svc.webhooks.update(key, _dump(body))

    @app.delete(base + "/{key}", status_code=_NO_CONTENT, dependencies=auth, tags=_TAGS)
    async def delete_webhook(key: str) -> Response:
        svc.webhooks.delete(key)
        return Response(status_code=_NO_CONTENT)


def _credentials(app: FastAPI, svc: CodeBuild, auth: list[Any]) -> None:
    base = "/api/v1/codebuild/source-credentials"

    @app.post(base, status_code=201, dependencies=auth, tags=_TAGS)
    async def create_source_credential(body: CredentialIn) -> dict[str, Any]:
        return svc.credentials.create(_dump(body))

    @app.get(base, dependencies=auth, tags=_TAGS)
    async def list_source_credentials() -> dict[str, Any]:
        return {"items": svc.credentials.find()}

    @app.get(base + "/{key:path}", dependencies=auth, tags=_TAGS)
    async def get_source_credential(key: str) -> dict[str, Any]:
        return svc.credentials.get(key)

    @app.delete(base + "/{key:path}", status_code=_NO_CONTENT, dependencies=auth, tags=_TAGS)
    async def delete_source_credential(key: str) -> Response:
        svc.credentials.delete(key)
        return Response(status_code=_NO_CONTENT)


def _secrets(app: FastAPI, svc: CodeBuild, auth: list[Any]) -> None:
    base = "/api/v1/codebuild/secrets"

    @app.post(base, status_code=201, dependencies=auth, tags=_TAGS)
    async def create_secret(body: SecretIn) -> dict[str, Any]:
        return svc.secrets.create(_dump(body))

    @app.get(base, dependencies=auth, tags=_TAGS)
    async def list_secrets() -> dict[str, Any]:
        return {"items": svc.secrets.find()}

    @app.get(base + "/{name:path}", dependencies=auth, tags=_TAGS)
    async def get_secret(name: str) -> dict[str, Any]:
        return svc.secrets.get(name)

    @app.put(base + "/{name:path}", dependencies=auth, tags=_TAGS)
    async def replace_secret(name: str, body: SecretValue) -> dict[str, Any]:
        return svc.secrets.replace(name, _dump(body))

    @app.delete(base + "/{name:path}", status_code=_NO_CONTENT, dependencies=auth, tags=_TAGS)
    async def delete_secret(name: str) -> Response:
        svc.secrets.delete(name)
        return Response(status_code=_NO_CONTENT)


def _builds(app: FastAPI, svc: CodeBuild, auth: list[Any]) -> None:
    base = "/api/v1/codebuild/builds"

    @app.post(base, status_code=201, dependencies=auth, tags=_TAGS)
    async def start_build(body: BuildIn) -> dict[str, Any]:
        tokens.check_project(body.project_name, f"a build of project {body.project_name}")
        return _public(svc.queue.start(_dump(body)))

    @app.get(base, dependencies=auth, tags=_TAGS)
    async def list_builds(
        project: str | None = None,
        status: str | None = None,
        limit: int = Query(100, ge=1, le=1000),
    ) -> dict[str, Any]:
        return {"items": [_public(d) for d in svc.queue.find(project, status, limit)]}

    @app.get(base + "/{build_id}", dependencies=auth, tags=_TAGS)
    async def get_build(build_id: str) -> dict[str, Any]:
        return _public(svc.queue.get(build_id))

    @app.post(base + "/{build_id}/stop", dependencies=auth, tags=_TAGS)
    async def stop_build(build_id: str) -> dict[str, Any]:
        tokens.check_project(svc.queue.get(build_id)["project_name"], f"build {build_id}")
        return _public(svc.queue.stop(build_id))

    @app.get(base + "/{build_id}/artifacts", dependencies=auth, tags=_TAGS)
    async def list_artifacts(build_id: str) -> dict[str, Any]:
        doc = svc.queue.get(build_id)
        return {"items": [_artifact(build_id, a) for a in doc["artifacts"]]}

    @app.get(base + "/{build_id}/artifacts/{name:path}", dependencies=auth, tags=_TAGS)
    async def get_artifact(build_id: str, name: str) -> FileResponse:
        doc = svc.queue.get(build_id)
        if not any(a["name"] == name for a in doc["artifacts"]):
            raise NotFound(f"build {build_id} has no artifact {name}")
        return FileResponse(
            _build_dir(svc, build_id) / "artifacts" / name, filename=Path(name).name
        )


def _logs(app: FastAPI, svc: CodeBuild, auth: list[Any]) -> None:
    base = "/api/v1/codebuild/builds/{build_id}/logs"

    @app.get(base, dependencies=auth, tags=_TAGS)
    async def get_build_log(
        build_id: str,
        offset: int = 0,
        wait: float = Query(0, ge=0, le=MAX_WAIT),
    ) -> dict[str, Any]:
        """A page of the log from byte ``offset``; with ``wait``, waits up to that many
        seconds for new lines. ``complete``: the build ended and this page ends its log."""
        svc.queue.get(build_id)
        path = _build_dir(svc, build_id) / "build.log"
        if wait > 0:
            await svc.logs.wait(build_id, path, offset, wait, lambda: _ended(svc, build_id))
        ended = _ended(svc, build_id)
        text, next_offset = svc.logs.read(path, offset)
        size = path.stat().st_size if path.exists() else 0
        return {"text": text, "next_offset": next_offset, "complete": ended and next_offset >= size}

    @app.get(base + "/stream", dependencies=auth, tags=_TAGS)
    async def stream_build_log(build_id: str, offset: int = 0) -> StreamingResponse:
        """The log as server-sent events: one ``line`` event per line (``id``: the offset
        after it), then an ``end`` event with the build's status."""
        svc.queue.get(build_id)
        path = _build_dir(svc, build_id) / "build.log"
        svc.logs.read(path, offset)  # checks the offset before the stream starts
        return StreamingResponse(
            _events(svc, build_id, path, offset),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )


async def _events(svc: CodeBuild, build_id: str, path: Path, offset: int) -> AsyncIterator[str]:
    pending = ""
    while True:
        ended = _ended(svc, build_id)
        text, offset = svc.logs.read(path, offset)
        pending += text
        *lines, pending = pending.split("\n")
        at = offset - len(pending.encode())
        for line in lines:
            yield f"event: line\nid: {at}\ndata: {line}\n\n"
        if ended and not text:
            status = svc.queue.get(build_id)["status"]
            yield f"event: end\ndata: {json.dumps({'status': status})}\n\n"
            return
        if not text:
            await svc.logs.wait(build_id, path, offset, HEARTBEAT, lambda: _ended(svc, build_id))
            if path.exists() and path.stat().st_size <= offset and not _ended(svc, build_id):
                yield ": keep-alive\n\n"


def _deliveries(app: FastAPI, svc: CodeBuild, auth: list[Any]) -> None:
    base = "/api/v1/codebuild/deliveries"

    @app.get(base, dependencies=auth, tags=_TAGS)
    async def list_deliveries(
        project: str | None = None,
        limit: int = Query(100, ge=1, le=1000),
    ) -> dict[str, Any]:
        return {"items": svc.deliveries.find(project, limit)}

    @app.get(base + "/{delivery_id}", dependencies=auth, tags=_TAGS)
    async def get_delivery(delivery_id: str) -> dict[str, Any]:
        return svc.deliveries.get(delivery_id)

    @app.post("/webhooks/{forge}/{webhook_id}", status_code=202, tags=["webhooks"])
    async def deliver(forge: str, webhook_id: str, request: Request) -> JSONResponse:
        """A forge's webhook delivery, signed with the webhook's secret."""
        headers = dict(request.headers)
        if forge not in triggers.FORGES:
            outcome = svc.deliveries.refuse(
                forge, webhook_id, headers, 404, f"unknown forge {forge}"
            )
            return JSONResponse(outcome.body, status_code=outcome.status)
        body = await _read_capped(request)
        if isinstance(body, str):
            outcome = svc.deliveries.refuse(forge, webhook_id, headers, 413, body)
        else:
            outcome = svc.deliveries.receive(forge, webhook_id, headers, body)
        return JSONResponse(outcome.body, status_code=outcome.status)


async def _read_capped(request: Request) -> bytes | str:
    """The body, or why it was refused unread (it is larger than any forge sends)."""
    limit = triggers.MAX_PAYLOAD_BYTES
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return f"the body is {declared} bytes (Content-Length), over the {limit} bytes forges send"
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            return f"the body is over the {limit} bytes forges send"
    return bytes(data)


def _ended(svc: CodeBuild, build_id: str) -> bool:
    doc = svc.cloud.store.get("codebuild_build", build_id)
    return bool(doc and doc["build_complete"]) and not svc.running(build_id)


def _build_dir(svc: CodeBuild, build_id: str) -> Path:
    project, _, uid = build_id.partition(":")
    return svc.cloud.data_dir / "builds" / project / uid


def _artifact(build_id: str, item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "url": f"/api/v1/codebuild/builds/{build_id}/artifacts/{item['name']}"}


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("want", "supersede_key", "start_ms")}

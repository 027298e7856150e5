"""The git host's routes: its API (docs/cloud-api.md, "Git host") and git's smart HTTP at
``/git/<name>.git/...``.

Smart HTTP is served by an ASGI handler of its own (not a JSON route): the request body is
streamed into ``git http-backend`` and its output streamed back as it comes. Reading is
anonymous; a push (receive-pack) needs the server's token as the password of HTTP basic auth
(any user name; ``Authorization: Bearer`` works too) and is answered ``401`` with
``WWW-Authenticate: Basic realm="gitterra"`` without it, so that git asks for credentials.
Wrong credentials are refused on every request, so a stale token is noticed at once.

Who may push: the admin token anywhere; a project's token (a build's, or a scoped one) only to
repositories its project created; a read-only token nowhere (403). The same rule guards the
API's pull request and status calls. Pushes are named ``git.push`` in the audit log.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from enum import Enum
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict
from starlette.types import Receive, Scope, Send

from gitterra.cloud import Cloud, CloudError, ValidationError, tokens
from gitterra.cloud.githost import GitHost, GitRequest, needs_auth
from gitterra.cloud.githost._service import REPOSITORY
from gitterra.server import _auth

log = logging.getLogger("gitterra.server")

_REALM = 'Basic realm="gitterra"'
#: The user name of a caller who authenticated with a bearer token.
_BEARER_USER = "admin"


class RepositoryIn(BaseModel):
    """A new repository: ``name`` (letters, digits, ``._-``; the clone URL adds ``.git``)."""

    model_config = ConfigDict(extra="forbid")
    name: str


class PullIn(BaseModel):
    """A new pull request from branch ``head`` into branch ``base``."""

    model_config = ConfigDict(extra="forbid")
    head: str
    base: str
    title: str | None = None


class StatusIn(BaseModel):
    """A commit status (GitHub's fields); the newest per ``context`` wins."""

    model_config = ConfigDict(extra="forbid")
    state: str
    context: str
    target_url: str | None = None
    description: str | None = None


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    """Register the git host and add its API and smart-HTTP routes."""
    host = cloud.register(GitHost(cloud))
    _install_api(app, host, authorized)

    @app.api_route("/git/{name}.git/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def smart_http(request: Request, name: str, rest: str) -> Response:
        return _AsgiResponse(lambda scope, receive, send: _serve(host, scope, receive, send))


def _may_change(host: GitHost, name: str) -> None:
    """403 unless the caller may change repository ``name`` (an unknown one is the
    service's NotFound)."""
    doc = host.store.get(REPOSITORY, name)
    if doc is not None:
        tokens.check_change(doc, f"repository {name}")


def _install_api(app: FastAPI, host: GitHost, authorized: Any) -> None:
    auth = [Depends(authorized)]
    base = "/api/v1/repositories"
    tags: list[str | Enum] = ["githost"]

    @app.post(base, status_code=201, dependencies=auth, tags=tags)
    async def create_repository(body: RepositoryIn) -> dict[str, Any]:
        return host.create_repository(body.name)

    @app.get(base, dependencies=auth, tags=tags)
    async def list_repositories() -> dict[str, Any]:
        return {"items": host.repositories()}

    @app.get(base + "/{name}", dependencies=auth, tags=tags)
    async def get_repository(name: str) -> dict[str, Any]:
        return host.repository(name)

    @app.get(base + "/{name}/events", dependencies=auth, tags=tags)
    async def list_events(name: str, since: int = 0) -> dict[str, Any]:
        items = host.stored_events(name, since)
        return {"items": items, "next": items[-1]["seq"] if items else since}

    @app.get(base + "/{name}/pulls", dependencies=auth, tags=tags)
    async def list_pulls(name: str, state: str | None = None) -> dict[str, Any]:
        return {"items": host.pull_requests(name, state)}

    @app.post(base + "/{name}/pulls", status_code=201, dependencies=auth, tags=tags)
    async def open_pull(name: str, body: PullIn) -> dict[str, Any]:
        _may_change(host, name)
        return await host.open_pull_request(name, body.head, body.base, body.title)

    @app.get(base + "/{name}/pulls/{number}", dependencies=auth, tags=tags)
    async def get_pull(name: str, number: int) -> dict[str, Any]:
        return host.pull_request(name, number)

    @app.post(base + "/{name}/pulls/{number}/close", dependencies=auth, tags=tags)
    async def close_pull(name: str, number: int) -> dict[str, Any]:
        _may_change(host, name)
        return await host.close_pull_request(name, number)

    @app.post(base + "/{name}/pulls/{number}/reopen", dependencies=auth, tags=tags)
    async def reopen_pull(name: str, number: int) -> dict[str, Any]:
        _may_change(host, name)
        return await host.reopen_pull_request(name, number)

    @app.post(base + "/{name}/pulls/{number}/merge", dependencies=auth, tags=tags)
    async def merge_pull(name: str, number: int) -> dict[str, Any]:
        _may_change(host, name)
        return await host.merge_pull_request(name, number)

    @app.get(base + "/{name}/commits/{sha}/statuses", dependencies=auth, tags=tags)
    async def list_statuses(name: str, sha: str) -> dict[str, Any]:
        return {"items": host.statuses(name, sha)}

    @app.post(
        base + "/{name}/commits/{sha}/statuses", status_code=201, dependencies=auth, tags=tags
    )
    async def set_status(name: str, sha: str, body: StatusIn) -> dict[str, Any]:
        _may_change(host, name)
        host.set_status(
            name, sha, body.context, body.state, body.target_url or "", body.description or ""
        )
        return host.statuses(name, sha)[0]


# -- smart HTTP --------------------------------------------------------------------------------


class _AsgiResponse(Response):
    """A response that runs its own ASGI exchange (streaming both ways)."""

    def __init__(self, run: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        super().__init__()
        self._run = run

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._run(scope, receive, send)


class _Unauthorized(Exception):
    pass


class _Forbidden(Exception):
    pass


def _user(scope: Scope) -> str | None:
    """The authenticated user, None if anonymous; credentials that are wrong, malformed or
    refused (expired, revoked) raise _Unauthorized."""
    headers = _headers(scope)
    header = headers.get("authorization", "")
    if not header:
        return None
    refusal = scope.get(_auth.REFUSAL)
    if scope.get(_auth.PRINCIPAL) is None:
        raise _Unauthorized(refusal or "malformed or wrong credentials")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return _BEARER_USER
    decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    user = decoded.partition(":")[0]
    return "".join(c for c in user if c.isprintable())[:100] or "git"


def _may_push(host: GitHost, scope: Scope, name: str) -> None:
    """A push's own rules (see the module docstring); raises _Forbidden."""
    principal = _auth.principal_of(scope)
    _auth.name_action(scope, "git.push", name, principal.project)
    if principal.read_only:
        raise _Forbidden(f"{tokens.READ_ONLY}: pushing is refused")
    try:
        _may_change(host, name)
    except tokens.Forbidden as exc:
        raise _Forbidden(exc.message) from exc


def _git_request(scope: Scope, user: str | None) -> GitRequest:
    headers = _headers(scope)
    params = scope.get("path_params", {})
    length = headers.get("content-length")
    if length is not None and not length.isdigit():
        raise ValidationError("Content-Length must be a whole number", "Content-Length")
    client = scope.get("client") or ("", 0)
    return GitRequest(
        repository=str(params.get("name", "")),
        path="/" + str(params.get("rest", "")),
        method=str(scope["method"]),
        query=scope.get("query_string", b"").decode("latin-1"),
        content_type=headers.get("content-type", ""),
        content_encoding=headers.get("content-encoding", ""),
        content_length=int(length) if length is not None else None,
        git_protocol=headers.get("git-protocol", ""),
        user=user,
        remote_addr=str(client[0]),
    )


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _serve(host: GitHost, scope: Scope, receive: Receive, send: Send) -> None:
    reply = _Reply(send)
    try:
        user = _user(scope)
        request = _git_request(scope, user)
        if needs_auth(request.path, request.query):
            if user is None:
                raise _Unauthorized("pushing needs the server's token")
            _may_push(host, scope, request.repository)
        await host.serve_git(request, _body(receive), reply)
    except _Unauthorized as exc:
        await reply.text(401, f"{exc}: use any user name and the token as password\n", _REALM)
    except _Forbidden as exc:
        await reply.text(403, f"{exc}\n")
    except CloudError as exc:
        if reply.started:
            log.warning(
                "git request for %s failed after its response began: %s", scope["path"], exc
            )
        else:
            await reply.text(exc.status, exc.message + "\n")
    finally:
        await reply.end()


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    """The request body as it arrives (ends early if the client goes away)."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


class _Reply:
    """The ASGI side of a :class:`~gitterra.cloud.githost.Responder`."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.started = False
        self.ended = False

    async def start(self, status: int, headers: list[tuple[str, str]]) -> None:
        self.started = True
        raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        await self._send({"type": "http.response.start", "status": status, "headers": raw})

    async def body(self, chunk: bytes) -> None:
        await self._send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def text(self, status: int, message: str, challenge: str | None = None) -> None:
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        if challenge:
            headers.append(("WWW-Authenticate", challenge))
        await self.start(status, headers)
        await self.body(message.encode())

    async def end(self) -> None:
        if self.started and not self.ended:
            self.ended = True
            await self._send({"type": "http.response.body", "body": b"", "more_body": False})

"""The server's Terraform state endpoint: ``/state/<project>/<key>``, Terraform's http backend
protocol on top of ``gitterra.backends``' local backend (``DATA_DIR/state/<project>/<key>/``).

A build's ``TF_HTTP_*`` variables point here, so ``backend "http" {}`` keeps its state in the
server, one state per project and key. The protocol (as Terraform's http backend speaks it):

- ``GET`` → 200 with the state (and ``Content-MD5``), 204 when there is none;
- ``POST`` (or ``PUT``) stores the body, a state JSON object; while the state is locked only a
  write carrying ``?ID=<the lock's id>`` is taken, others get 423 and the holder's LockInfo;
- ``DELETE`` removes the state (refused the same way while locked by someone else);
- ``LOCK`` with LockInfo JSON → 200, or 423 with the holder's LockInfo (taking a lock one
  already holds, after a lost answer, is 200); ``UNLOCK`` with the lock's LockInfo → 200, 423
  with the holder when the id is another's, 200 when nothing is locked.

Authentication: HTTP basic auth whose password is a server token (any user name, as
``TF_HTTP_USERNAME``/``TF_HTTP_PASSWORD`` send it), or a bearer token. The admin token reaches
every state; a project's token (a build's, or ``gitterra token create --project P``) only its
project's, and a read-only one (builds of pull requests) may only read it: ``LOCK``, ``UNLOCK``,
``POST``/``PUT`` and ``DELETE`` are answered 403. Each request is named in the audit log
(``state.read``, ``state.write``, ``state.delete``, ``state.lock``, ``state.unlock``).

A request body with a ``Content-MD5`` that does not match is refused (400). Locks live in the
server process (the local backend's ``flock``): a restart releases them, together with the
builds that held them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from gitterra import backends, state
from gitterra.cloud import Cloud, tokens
from gitterra.server import _auth

_PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_]{0,254}")
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._\-]{0,127}")
_STATE_FILE = "terraform.tfstate"
_LOCKED = 423


@dataclass
class _State:
    """One state: its local client, and the lock this server holds on it (if any)."""

    client: backends.LocalClient
    mutex: threading.Lock = field(default_factory=threading.Lock)
    held: state.LockInfo | None = None


class _States:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._states: dict[tuple[str, str], _State] = {}
        self._mutex = threading.Lock()

    def get(self, project: str, key: str) -> _State:
        _check_names(project, key)
        with self._mutex:
            found = self._states.get((project, key))
            if found is None:
                path = self.root / project / key / _STATE_FILE
                found = _State(backends.LocalClient(str(path)))
                self._states[(project, key)] = found
            return found


def install(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    """Add the state endpoint (it needs no service of its own)."""
    del authorized  # the state endpoint reads the principal itself: basic auth, 401 and 403
    states = _States(cloud.data_dir / "state")
    path = "/state/{project}/{key:path}"

    def denied(request: Request, action: str) -> Response | None:
        """None when the request's token may do ``action``; else the 401 or 403 to answer."""
        project, key = request.path_params["project"], request.path_params["key"]
        _auth.name_action(request.scope, f"state.{action}", f"{project}/{key}", project)
        try:
            principal = _auth.principal_of(request.scope)
        except tokens.Unauthorized as exc:
            return _refusal(
                401,
                "Unauthorized",
                f"{exc.message}; the state endpoint needs a server token as the basic auth "
                "password (TF_HTTP_PASSWORD)",
            )
        if principal.is_admin:
            return None
        if principal.project != project:
            mine = f"project {principal.project}" if principal.project else "no project"
            return _refusal(
                403, "Forbidden", f"the state of project {project} is not this token's ({mine})"
            )
        if principal.read_only and action != "read":
            return _refusal(
                403, "Forbidden", f"{tokens.READ_ONLY}: the state cannot be {_DONE[action]}"
            )
        return None

    @app.api_route(path, methods=["GET"], tags=["state"])
    def read_state(project: str, key: str, request: Request) -> Response:
        if (refusal := denied(request, "read")) is not None:
            return refusal
        data = states.get(project, key).client.get()
        if data is None:
            return Response(status_code=204)
        return Response(data, media_type="application/json", headers={"Content-MD5": _md5(data)})

    @app.api_route(path, methods=["POST", "PUT"], tags=["state"])
    async def write_state(project: str, key: str, request: Request) -> Response:
        if (refusal := denied(request, "write")) is not None:
            return refusal
        body = await request.body()
        return await _in_thread(_write, states.get(project, key), request, body)

    @app.api_route(path, methods=["DELETE"], tags=["state"])
    def delete_state(project: str, key: str, request: Request) -> Response:
        if (refusal := denied(request, "delete")) is not None:
            return refusal
        entry = states.get(project, key)
        with entry.mutex:
            refused = _refused_unless_holder(entry, request.query_params.get("ID"))
            if refused is not None:
                return refused
            entry.client.delete()
        return Response(status_code=200)

    @app.api_route(path, methods=["LOCK"], tags=["state"])
    async def lock_state(project: str, key: str, request: Request) -> Response:
        if (refusal := denied(request, "lock")) is not None:
            return refusal
        body = await request.body()
        return await _in_thread(_lock, states.get(project, key), body)

    @app.api_route(path, methods=["UNLOCK"], tags=["state"])
    async def unlock_state(project: str, key: str, request: Request) -> Response:
        if (refusal := denied(request, "unlock")) is not None:
            return refusal
        body = await request.body()
        return await _in_thread(_unlock, states.get(project, key), body)


async def _in_thread(fn: Any, *args: Any) -> Response:
    """File writes and fsyncs happen off the event loop."""
    result: Response = await run_in_threadpool(fn, *args)
    return result


def _write(entry: _State, request: Request, body: bytes) -> Response:
    bad = _check_body(request, body)
    if bad is not None:
        return bad
    with entry.mutex:
        refused = _refused_unless_holder(entry, request.query_params.get("ID"))
        if refused is not None:
            return refused
        entry.client.put(body)
    return Response(status_code=200)


def _lock(entry: _State, body: bytes) -> Response:
    try:
        info = state.LockInfo.from_json(body, source="the LOCK body")
    except state.StateLockError as exc:
        return _error(400, str(exc))
    if not info.id:
        return _error(400, "the LOCK body's LockInfo has no ID")
    with entry.mutex:
        if entry.held is not None:
            if entry.held.id == info.id:
                return Response(status_code=200)
            return _holder(entry.held)
        try:
            entry.client.lock(info)
        except state.StateLockedError as exc:
            return _holder(exc.holder) if exc.holder else _error(_LOCKED, str(exc))
        entry.held = info
    return Response(status_code=200)


def _unlock(entry: _State, body: bytes) -> Response:
    # Only the ID matters here; unlocking clients send the rest as they have it (gitterra's
    # force-unlock sends a zero time that is no RFC 3339 text).
    try:
        doc = json.loads(body)
    except ValueError as exc:
        return _error(400, f"the UNLOCK body is not LockInfo JSON: {exc}")
    lock_id = doc.get("ID") if isinstance(doc, dict) else None
    if not isinstance(lock_id, str):
        return _error(400, "the UNLOCK body's LockInfo has no ID")
    with entry.mutex:
        if entry.held is None:
            return Response(status_code=200)
        if entry.held.id != lock_id:
            return _holder(entry.held)
        entry.client.unlock(lock_id)
        entry.held = None
    return Response(status_code=200)


def _refused_unless_holder(entry: _State, lock_id: str | None) -> Response | None:
    if entry.held is not None and entry.held.id != lock_id:
        return _holder(entry.held)
    return None


def _check_body(request: Request, body: bytes) -> Response | None:
    given = request.headers.get("content-md5")
    if given is not None:
        try:
            expected = base64.b64decode(given, validate=True)
        except (binascii.Error, ValueError):
            return _error(400, "the Content-MD5 header is not base64")
        if hashlib.md5(body, usedforsecurity=False).digest() != expected:
            return _error(400, "the Content-MD5 header does not match the body")
    try:
        doc = json.loads(body)
    except ValueError as exc:
        return _error(400, f"the body is not a state: not valid JSON ({exc})")
    if not isinstance(doc, dict):
        return _error(400, "the body is not a state: a state is a JSON object")
    return None


def _check_names(project: str, key: str) -> None:
    if not _PROJECT.fullmatch(project):
        raise HTTPException(400, f"invalid project name {project!r} in the state path")
    segments = key.split("/")
    if not all(_SEGMENT.fullmatch(s) for s in segments) or len(segments) > 8:
        raise HTTPException(
            400,
            f"invalid state key {key!r}: use up to 8 /-separated names of letters, digits, . - _",
        )


_DONE = {"write": "written", "delete": "deleted", "lock": "locked", "unlock": "unlocked"}


def _refusal(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}})
    headers = {"WWW-Authenticate": 'Basic realm="gitterra state"'} if status == 401 else None
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _holder(info: state.LockInfo) -> Response:
    return Response(info.to_json(), status_code=_LOCKED, media_type="application/json")


def _error(status: int, message: str) -> Response:
    code = "ValidationError" if status == 400 else "Locked"
    body = json.dumps({"error": {"code": code, "message": message}})
    return Response(body, status_code=status, media_type="application/json")


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()

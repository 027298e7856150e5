"""The ``http`` backend: Terraform's REST state protocol, over httpx.

The protocol (Terraform's ``backend/remote-state/http``): ``GET address`` answers 200 with the
state, or 204/404 when there is none; the state is written with ``update_method`` (POST) to
``address``, with ``?ID=<lock id>`` while this client holds the lock; ``DELETE address``
removes it. Locking is on only when ``lock_address`` is set: ``lock_method`` (LOCK) to
``lock_address`` and ``unlock_method`` (UNLOCK) to ``unlock_address``, each with the LockInfo
JSON as body; 200 means done, 409 or 423 means someone else holds the lock and the body is
their LockInfo. Requests with a body carry ``Content-MD5``; a GET answer's ``Content-MD5`` is
checked. Basic authentication when ``username`` is set. Only the default workspace exists.

Requests that fail to connect, time out, or get 429 or a 5xx (except 501) are retried
``retry_max`` times, waiting ``retry_wait_min * 2**attempt`` seconds capped at
``retry_wait_max`` (or the server's ``Retry-After``, within that cap): go-retryablehttp's
policy, which Terraform uses. Every failure is a :class:`BackendError` saying what was being
done, the method and URL, and the status with an excerpt of the body.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from gitterra import state
from gitterra.backends import _http_send

_LOCKED = (409, 423)
_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class HttpConfig:
    """A validated http backend configuration (see :func:`_http_config.from_settings`)."""

    address: str
    update_method: str = "POST"
    lock_address: str | None = None
    lock_method: str = "LOCK"
    unlock_address: str | None = None
    unlock_method: str = "UNLOCK"
    username: str = ""
    password: str = ""
    skip_cert_verification: bool = False
    ca_certificate_pem: str = ""
    retry_max: int = 2
    retry_wait_min: float = 1.0
    retry_wait_max: float = 30.0


class HttpBackend:
    """The http backend: one state at ``address``, in the ``default`` workspace only."""

    def __init__(self, config: HttpConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._sender = _http_send.Sender(
            retry_max=config.retry_max,
            wait_min=config.retry_wait_min,
            wait_max=config.retry_wait_max,
            auth=httpx.BasicAuth(config.username, config.password) if config.username else None,
            verify=_verify(config),
            sleep=sleep,
        )

    def workspaces(self) -> list[str]:
        return [state.DEFAULT_WORKSPACE]

    def client(self, workspace: str) -> HttpClient:
        state.check_workspace_name(workspace)
        if workspace != state.DEFAULT_WORKSPACE:
            raise state.WorkspaceError(
                f"the http backend has only the default workspace, not {workspace!r}"
            )
        return HttpClient(self.config, self._sender)

    def delete_workspace(self, workspace: str) -> None:
        state.check_workspace_name(workspace)
        if workspace == state.DEFAULT_WORKSPACE:
            raise state.WorkspaceError('the "default" workspace cannot be deleted')
        raise state.WorkspaceError("the http backend has only the default workspace")


def _verify(config: HttpConfig) -> ssl.SSLContext | bool:
    if config.skip_cert_verification:
        return False
    if config.ca_certificate_pem:
        return ssl.create_default_context(cadata=config.ca_certificate_pem)
    return True


class HttpClient:
    """One state endpoint. Remembers the lock it took, to send its id with writes."""

    def __init__(self, config: HttpConfig, sender: _http_send.Sender) -> None:
        self._config = config
        self._send = sender.send
        self._lock: state.LockInfo | None = None
        self.location = _http_send.display_url(config.address)

    def get(self) -> bytes | None:
        resp = self._send("GET", self._config.address, "read the state")
        if resp.status_code in (204, 404):
            return None
        if resp.status_code != 200:
            raise _http_send.status_error(resp, "read the state")
        data = resp.content
        _check_md5(resp, data)
        return data or None

    def put(self, data: bytes) -> None:
        params = {"ID": self._lock.id} if self._lock is not None else None
        method = self._config.update_method
        resp = self._send(method, self._config.address, "write the state", data, params)
        if resp.status_code in (200, 201, 204):
            return
        if resp.status_code in _LOCKED:
            holder = _holder(resp)
            who = f" by {holder.who} (lock ID {holder.id})" if holder else ""
            raise state.StateLockedError(
                f"{self.location}: the state is locked{who}; the write was refused", holder
            )
        raise _http_send.status_error(resp, "write the state")

    def delete(self) -> None:
        resp = self._send("DELETE", self._config.address, "delete the state")
        if resp.status_code not in (200, 202, 204, 404):
            raise _http_send.status_error(resp, "delete the state")

    def lock(self, info: state.LockInfo) -> str:
        """Take the lock (``""`` when no lock_address is configured: locking is off)."""
        if self._config.lock_address is None:
            return ""
        address, method = self._config.lock_address, self._config.lock_method
        resp = self._send(method, address, "lock the state", info.to_json())
        if resp.status_code == 200:
            self._lock = info
            return info.id
        if resp.status_code in _LOCKED:
            holder = _holder(resp)
            if holder is not None and holder.id == info.id:
                # Our earlier attempt got through but its answer was lost: we hold it.
                self._lock = info
                return info.id
            raise _locked_error(self.location, resp, holder)
        raise _http_send.status_error(resp, "lock the state")

    def unlock(self, lock_id: str) -> None:
        self._release(lock_id, "unlock the state")

    def force_unlock(self, lock_id: str) -> None:
        self._release(lock_id, "force-unlock the state")

    def _release(self, lock_id: str, what: str) -> None:
        if self._config.unlock_address is None:
            return
        mine = self._lock
        if mine is not None and mine.id == lock_id:
            body = mine
        else:
            body = state.LockInfo(lock_id, "", "", "", "", _ZERO_TIME, "")
        address, method = self._config.unlock_address, self._config.unlock_method
        resp = self._send(method, address, what, body.to_json())
        if resp.status_code in (200, 204):
            if mine is not None and mine.id == lock_id:
                self._lock = None
            return
        if resp.status_code in _LOCKED:
            holder = _holder(resp)
            held = f" ({holder.id}, by {holder.who})" if holder else ""
            raise state.StateLockError(
                f"{self.location}: lock ID {lock_id!r} does not match the lock held{held}"
            )
        raise _http_send.status_error(resp, what)


def _holder(resp: httpx.Response) -> state.LockInfo | None:
    try:
        return state.LockInfo.from_json(resp.content, source="the server's lock information")
    except state.StateLockError:
        return None


def _locked_error(
    location: str, resp: httpx.Response, holder: state.LockInfo | None
) -> state.StateLockedError:
    if holder is None:
        excerpt = _http_send.excerpt(resp)
        return state.StateLockedError(
            f"{location}: the state is locked ({resp.status_code}), but the server's lock "
            f"information could not be read: {excerpt}",
            None,
        )
    return state.StateLockedError(
        f"{location}: the state is locked by {holder.who} for {holder.operation} "
        f"(lock ID {holder.id})",
        holder,
    )


def _check_md5(resp: httpx.Response, data: bytes) -> None:
    header = resp.headers.get("Content-MD5")
    if not header:
        return
    where = f"{_http_send.display_url(str(resp.request.url))}: Content-MD5 {header!r}"
    try:
        expected = base64.b64decode(header, validate=True)
    except ValueError as exc:
        raise state.BackendError(f"{where} is not base64") from exc
    if hashlib.md5(data, usedforsecurity=False).digest() != expected:
        raise state.BackendError(
            f"{where} does not match the body: the state was damaged on the way; try again"
        )

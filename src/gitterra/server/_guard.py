"""The guard: the ASGI middleware every HTTP request passes first.

In order: the per-source rate limit of the request's route family (429 with ``Retry-After``),
the family's body size limit (413, on ``Content-Length`` and again while the body streams), the
token the request presents resolved to its principal (left in the scope for the routes:
:mod:`gitterra.server._auth`), the request served acting as that principal
(``cloud.tokens.acting_as``), and its audit record: every request that may change something
(any method but GET, HEAD and OPTIONS, git pushes among git's requests; webhook deliveries
have their own records), every request made with a build token, and every request whose token
was refused (unknown, expired, revoked). A refused request's record says why: the token's
refusal, else the message of its 401 or 403 answer (a read-only token, another project's
resource). Requests refused for rate are not recorded, so a flood cannot fill the log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gitterra.cloud import tokens
from gitterra.cloud.githost import needs_auth
from gitterra.server import _auth, _limits

log = logging.getLogger("gitterra.server")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Answers whose error message becomes the audit record's detail (why it was refused), and the
#: most of it kept: these messages name principals and resources, never a secret.
_REASONED = frozenset({401, 403})
_REASON_BODY = 4096
_REASON_KEEP = 500


class Guard:
    """The middleware (see the module docstring); ``clock`` is monotonic seconds."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        auth: _auth.Authenticator,
        audit: tokens.AuditLog,
        limits: _limits.Limits,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.auth = auth
        self.audit = audit
        self.limits = limits
        self.rates = _limits.RateLimiter(limits.rates)
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        family = _limits.family(scope["path"])
        source = str((scope.get("client") or ("",))[0])
        wait = self.rates.take(family, source, self.clock())
        if wait:
            rate = self.limits.rates[family]
            assert rate is not None
            message = (
                f"too many requests from {source} to the {family} endpoints (at most "
                f"{rate.per_second:g} a second, bursts of {rate.burst:g}): retry later"
            )
            headers = [("Retry-After", _limits.retry_after(wait))]
            await _answer(send, 429, "LimitExceeded", message, headers)
            return
        cap = self.limits.bodies.get(family)
        declared = _header(scope, "content-length")
        if cap is not None and declared.isdigit() and int(declared) > cap:
            await _answer(send, 413, "PayloadTooLarge", _too_large(family, declared, cap))
            return
        self._authenticate(scope)
        exchange = _Exchange(send, receive, family, cap)
        principal = scope.get(_auth.PRINCIPAL)
        acting = tokens.acting_as(principal) if principal else contextlib.nullcontext()
        try:
            with acting:
                await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            if not exchange.cut:
                raise
            log.debug("request to %s ended after its body was refused", scope["path"])
        finally:
            self._record(scope, family, source, exchange.status, exchange.reason)

    def _authenticate(self, scope: Scope) -> None:
        scope[_auth.PRINCIPAL], scope[_auth.REFUSAL] = None, None
        token = _auth.presented(_headers(scope))
        if token is None:
            return
        try:
            scope[_auth.PRINCIPAL] = self.auth.resolve(token)
        except tokens.Unauthorized as exc:
            scope[_auth.REFUSAL] = exc.message

    def _record(self, scope: Scope, family: str, source: str, status: int, reason: str) -> None:
        principal: tokens.Principal | None = scope.get(_auth.PRINCIPAL)
        if not _audited(scope, family, principal):
            return
        named = scope.get(_auth.AUDIT) or {}
        route = scope.get("route")
        template = getattr(route, "path", None) or scope["path"]
        actor = principal.actor if principal else ("dashboard" if family == "other" else "")
        project = named.get("project") or (principal.project if principal else None)
        self.audit.record(
            tokens.Record(
                actor=actor or "anonymous",
                action=named.get("action") or f"{scope['method']} {template}",
                target=named.get("target") or scope["path"],
                outcome=status,
                source=source,
                project=project,
                detail=str(scope.get(_auth.REFUSAL) or reason),
            )
        )


def _audited(scope: Scope, family: str, principal: tokens.Principal | None) -> bool:
    if (principal is not None and principal.kind == "build") or scope.get(_auth.REFUSAL):
        return True
    if family == "git":  # a push begins with a GET of its refs
        query = scope.get("query_string", b"").decode("latin-1")
        return needs_auth("/" + scope["path"].partition(".git/")[2], query)
    return family != "webhooks" and scope["method"] not in SAFE_METHODS


class _Exchange:
    """The app's side of one request: counts the body against ``cap`` and remembers the
    status. A body over the cap is answered 413 here; the app then sees the client gone and
    whatever it sends is dropped."""

    def __init__(self, send: Send, receive: Receive, family: str, cap: int | None) -> None:
        self._send, self._receive = send, receive
        self.family, self.cap = family, cap
        self.status = 0
        self.reason = ""
        self.received = 0
        self.cut = False

    async def receive(self) -> Message:
        if self.cut:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if self.cap is not None and message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.cap and not self.status:
                self.cut = True
                message_text = _too_large(self.family, f"over {self.cap}", self.cap)
                await _answer(self._send, 413, "PayloadTooLarge", message_text)
                self.status = 413
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.cut:
            return
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        elif message["type"] == "http.response.body" and self.status in _REASONED:
            self.reason = self.reason or _error_message(message.get("body", b""))
        await self._send(message)


def _error_message(body: bytes) -> str:
    """The message of an answer in the API's error shape (``{"error": {"message"}}``), else
    ``""`` (git's plain-text answers, a body too long to be one)."""
    if not body or len(body) > _REASON_BODY:
        return ""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return ""
    message = error.get("message") if isinstance(error, dict) else None
    return message[:_REASON_KEEP] if isinstance(message, str) else ""


def _too_large(family: str, size: str, cap: int) -> str:
    return f"the request body is {size} bytes; the {family} endpoints take at most {cap} bytes"


async def _answer(
    send: Send, status: int, code: str, message: str, headers: Sequence[tuple[str, str]] = ()
) -> None:
    """Answer here, and close the connection: the body, if any, is left unread."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _header(scope: Scope, name: str) -> str:
    wanted = name.encode("latin-1")
    for key, value in scope["headers"]:
        if key.lower() == wanted:
            return str(value.decode("latin-1")).strip()
    return ""

"""Authentication: the admin token, scoped and build tokens, and the principal of a request.

The admin token lives in the data dir (``DIR/token``, mode 0600) and is compared in constant
time. Every other token is the tokens service's (``gitterra.cloud.tokens``): stored hashed,
resolved to a :class:`~gitterra.cloud.tokens.Principal`. The server's guard resolves the token
a request presents (``Authorization: Bearer``, or the password of basic auth as git and
Terraform's http backend send it) once, and leaves the outcome in the ASGI scope: the
principal, or why the token was refused. Routes read it with :func:`principal_of`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import secrets
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from gitterra.cloud import tokens

#: Scope keys the guard fills in for every HTTP request.
PRINCIPAL = "gitterra.principal"
REFUSAL = "gitterra.refusal"
#: A route may set ``scope[AUDIT]`` to a dict of ``action``/``target``/``project`` to name
#: what its request did in the audit log (the state endpoint's ``state.lock``, say).
AUDIT = "gitterra.audit"

NO_TOKEN = "this call needs a token: Authorization: Bearer <token>"


def ensure_admin_token(data_dir: Path) -> str:
    """The admin token, created once (``DIR/token``, readable by its owner only)."""
    path = data_dir / "token"
    try:
        token = path.read_text().strip()
        if token:
            return token
    except FileNotFoundError:
        pass
    token = "gtr_" + secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    return token


class TokenCheck:
    """The admin token, compared in constant time (the dashboard's login uses ``allows``)."""

    def __init__(self, admin_token: str) -> None:
        self._admin = admin_token.encode()

    def allows(self, presented: str | None) -> bool:
        if not presented:
            return False
        return hmac.compare_digest(presented.encode("utf-8", "surrogateescape"), self._admin)


class Authenticator:
    """A presented token's principal: the admin's, or the tokens service's."""

    def __init__(self, admin: TokenCheck, service: tokens.Tokens) -> None:
        self.admin = admin
        self.service = service

    def resolve(self, token: str) -> tokens.Principal:
        """The principal, or ``tokens.Unauthorized`` saying why the token is refused."""
        if self.admin.allows(token):
            return tokens.ADMIN
        return self.service.resolve(token)


def presented(headers: Mapping[str, str]) -> str | None:
    """The token in an ``Authorization`` header (lower-case names): a bearer token, or the
    password of basic auth (any user name). None when there is none."""
    header = headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        return decoded.partition(":")[2] or None
    return None


def principal_of(scope: Mapping[str, Any]) -> tokens.Principal:
    """The request's principal; ``tokens.Unauthorized`` (why) when it has none."""
    principal = scope.get(PRINCIPAL)
    if isinstance(principal, tokens.Principal):
        return principal
    raise tokens.Unauthorized(str(scope.get(REFUSAL) or NO_TOKEN))


def name_action(
    scope: MutableMapping[str, Any], action: str, target: str, project: str | None = None
) -> None:
    """Name what this request does, for its audit record."""
    scope[AUDIT] = {"action": action, "target": target, "project": project}

"""Dashboard sessions: logging in with the admin token, the session cookie, CSRF tokens.

Choice: a random session id kept server side (not a signed cookie). The cookie carries 256
random bits and nothing else; the server keeps, under the id's SHA-256, when the session began,
when it was last used and its CSRF token. So logging out really ends a session (a signed cookie
stays valid until it expires), no signing key has to be kept anywhere, and a stolen copy of the
server's memory holds no usable cookie. Sessions live in the server process: a restart logs
everyone out, which is acceptable for a dashboard.

Rules:

- The admin token is compared in constant time (``TokenCheck``), and only on ``POST /login``.
- The cookie is ``HttpOnly; SameSite=Strict; Path=/`` (``Secure`` when the request came over
  https). It authorises the dashboard's pages only: the JSON API keeps requiring the bearer
  token, so a page on another site can never act with a dashboard session.
- Every POST form carries a CSRF token: the session's own, or before login a double-submit
  token (a short-lived cookie that the form must repeat).
- Sessions end after :data:`IDLE` seconds unused or :data:`LIFETIME` seconds in all; at most
  :data:`LIMIT` are kept (the least recently used go first).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "gitterra_session"
LOGIN_COOKIE = "gitterra_login"
IDLE = 8 * 3600.0
LIFETIME = 7 * 24 * 3600.0
LIMIT = 1000
#: How long the login form's double-submit token is good for.
LOGIN_FORM_AGE = 3600


@dataclass(slots=True)
class Session:
    csrf: str
    created: float
    seen: float


class Sessions:
    """The live sessions of this server process."""

    def __init__(
        self,
        allows: Callable[[str | None], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._allows = allows
        self._clock = clock
        self._live: OrderedDict[str, Session] = OrderedDict()

    def login(self, token: str) -> str | None:
        """A new session id when ``token`` is the admin token, else None."""
        if not self._allows(token):
            return None
        sid = secrets.token_urlsafe(32)
        now = self._clock()
        self._live[_key(sid)] = Session(secrets.token_urlsafe(32), now, now)
        while len(self._live) > LIMIT:
            self._live.popitem(last=False)
        return sid

    def get(self, sid: str | None) -> Session | None:
        """The session of cookie value ``sid`` (marked used), or None."""
        if not sid or len(sid) > 100:
            return None
        key = _key(sid)
        found = self._live.get(key)
        if found is None:
            return None
        now = self._clock()
        if now - found.seen > IDLE or now - found.created > LIFETIME:
            del self._live[key]
            return None
        found.seen = now
        self._live.move_to_end(key)
        return found

    def logout(self, sid: str | None) -> None:
        if sid:
            self._live.pop(_key(sid), None)

    def __len__(self) -> int:
        return len(self._live)


def same(expected: str | None, given: str | None) -> bool:
    """Whether a CSRF token matches, in constant time (missing never matches)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def local_path(value: str | None) -> str:
    """Where to go after logging in: a path on this server, never another site (``//host``,
    ``/\\host`` and absolute URLs become ``/``)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ch in value for ch in "\r\n\\") or len(value) > 2000:
        return "/"
    return value


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()

"""Proof that a delivery comes from the forge that holds the webhook's secret.

GitHub signs the raw body with HMAC-SHA256 and sends ``X-Hub-Signature-256: sha256=<hex>``;
Gitea and Forgejo send the bare hex digest (``X-Gitea-Signature`` / ``X-Forgejo-Signature``);
GitLab sends the secret itself in ``X-Gitlab-Token``. Every comparison is constant-time, and the
check runs on the raw bytes before anything parses them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from gitterra.triggers import _headers
from gitterra.triggers._errors import SignatureError

_HEX = frozenset("0123456789abcdefABCDEF")
_GITHUB = "X-Hub-Signature-256"
_GITEA_HEADERS = ("X-Gitea-Signature", "X-Forgejo-Signature")
_GITLAB = "X-Gitlab-Token"


def _digest(secret: bytes, body: bytes) -> bytes:
    if not secret:
        # Every gitterra webhook has a secret; checking against an empty one would accept
        # anyone who signs with the empty key.
        raise ValueError("a webhook secret must not be empty")
    return hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")


def _check_hex(name: str, given: str, expected: bytes, form: str) -> None:
    if len(given) != 64 or not _HEX.issuperset(given):
        raise SignatureError(f"malformed {name} header: expected {form}")
    if not hmac.compare_digest(given.lower().encode("ascii"), expected):
        raise SignatureError(
            f"{name} does not match: the body was not signed with this webhook's secret"
        )


def _present(name: str, header: str | None) -> str:
    if header is None or not header.strip():
        raise SignatureError(f"missing {name} header: deliveries must be signed")
    return header.strip()


def verify_github(secret: bytes, body: bytes, header: str | None) -> None:
    """Check ``X-Hub-Signature-256`` (``sha256=`` and the hex HMAC-SHA256 of ``body``).

    Raises :class:`SignatureError` with a distinct message when the header is missing, is not
    of that form, or does not match.
    """
    expected = _digest(secret, body)
    value = _present(_GITHUB, header)
    form = "'sha256=' followed by 64 hexadecimal digits"
    if not value.startswith("sha256="):
        raise SignatureError(f"malformed {_GITHUB} header: expected {form}")
    _check_hex(_GITHUB, value[len("sha256=") :], expected, form)


def verify_gitea(
    secret: bytes, body: bytes, header: str | None, *, name: str = "X-Gitea-Signature"
) -> None:
    """Check a Gitea/Forgejo signature: the bare hex HMAC-SHA256 of ``body``. ``name`` is the
    header it came from, for the message."""
    expected = _digest(secret, body)
    _check_hex(name, _present(name, header), expected, "64 hexadecimal digits")


def verify_gitlab(secret: bytes, header: str | None) -> None:
    """Check ``X-Gitlab-Token``, which carries the webhook's secret itself."""
    if not secret:
        raise ValueError("a webhook secret must not be empty")
    value = _present(_GITLAB, header)
    if not hmac.compare_digest(value.encode("utf-8", "surrogatepass"), secret):
        raise SignatureError(f"{_GITLAB} does not match this webhook's secret")


def verify_delivery(forge: str, secret: bytes, headers: Mapping[str, str], body: bytes) -> None:
    """Check a delivery from ``forge`` (``github``, ``gitlab``, ``gitea``) against ``secret``,
    reading the header that forge signs with (names are case-insensitive)."""
    found = _headers.Headers(headers, on_conflict=SignatureError)
    if forge == "github":
        verify_github(secret, body, found.get(_GITHUB))
    elif forge == "gitlab":
        verify_gitlab(secret, found.get(_GITLAB))
    elif forge == "gitea":
        named = found.first(*_GITEA_HEADERS)
        if named is not None:
            verify_gitea(secret, body, named[1], name=named[0])
        elif found.first(_GITHUB) is not None:
            # Gitea and Forgejo also send GitHub's header; a proxy may have kept only that one.
            verify_github(secret, body, found.get(_GITHUB))
        else:
            verify_gitea(secret, body, None)
    else:
        raise ValueError(f"unknown forge {forge!r}")

"""Token text: ``gts_<id>_<secret>`` (scoped) or ``gtb_<id>_<secret>`` (build).

The id finds the stored record; the whole text's SHA-256 is what is stored. Tokens carry 256
random bits, so a fast hash is right (nothing to brute-force), and the stored hash is compared
with :func:`hmac.compare_digest`, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIXES = {"scoped": "gts", "build": "gtb"}
_KINDS = {v: k for k, v in PREFIXES.items()}


def new(kind: str) -> tuple[str, str]:
    """A fresh ``(id, token)`` of ``kind`` (scoped or build)."""
    token_id = secrets.token_hex(8)
    return token_id, f"{PREFIXES[kind]}_{token_id}_{secrets.token_urlsafe(32)}"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def split(token: str) -> tuple[str, str] | None:
    """``(kind, id)`` of a token's text, None when it has no token's shape."""
    prefix, _, rest = token.partition("_")
    token_id, sep, secret = rest.partition("_")
    kind = _KINDS.get(prefix)
    if kind is None or not sep or not secret or len(token_id) != 16:
        return None
    if any(c not in "0123456789abcdef" for c in token_id):
        return None
    return kind, token_id


def matches(token: str, stored: str) -> bool:
    """Whether ``token`` hashes to ``stored`` (constant time)."""
    return hmac.compare_digest(digest(token).encode(), stored.encode())

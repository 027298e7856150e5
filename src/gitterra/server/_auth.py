"""Tokens: the admin token lives in the data dir (mode 0600) and is compared in constant time."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path


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
    def __init__(self, admin_token: str) -> None:
        self._admin = admin_token.encode()

    def allows(self, presented: str | None) -> bool:
        if not presented:
            return False
        return hmac.compare_digest(presented.encode(), self._admin)

"""Identifiers and ARNs in AWS's shapes, for the local region and account."""

from __future__ import annotations

import secrets

REGION = "local-1"
ACCOUNT = "000000000000"
ZONES = ("local-1a", "local-1b")


def new_id(prefix: str) -> str:
    """``sg-0a1b2c3d4e5f60718``: a prefix and 17 hex digits, as EC2 ids."""
    return f"{prefix}-{secrets.token_hex(9)[:17]}"


def short_hash() -> str:
    return secrets.token_hex(8)


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"

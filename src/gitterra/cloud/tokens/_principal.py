"""Who is calling: the principal a presented token resolves to.

``admin`` (the admin token in the data dir) may do anything. ``build`` (minted for one build,
valid while it runs) and ``scoped`` (``gitterra token create``) belong to one project, or to
none for a scoped token made without ``--project``; ``read_only`` tokens may only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["admin", "build", "scoped"]

#: Why a read-only token's change is refused (builds of pull requests get read-only tokens).
READ_ONLY = "this token is read-only: builds of pull requests only plan"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller a request acts for. ``token_id`` is None for the admin; ``build_id`` names
    the build a build token was minted for."""

    kind: Kind
    project: str | None = None
    read_only: bool = False
    token_id: str | None = None
    build_id: str | None = None

    @property
    def actor(self) -> str:
        """``admin``, ``build:<build id>`` or ``token:<token id>``: the audit log's actor."""
        if self.kind == "admin":
            return "admin"
        if self.kind == "build":
            return f"build:{self.build_id}"
        return f"token:{self.token_id}"

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"


ADMIN = Principal("admin")

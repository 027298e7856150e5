"""Tokens and the audit log: least privilege for everything that talks to the server.

Concept: every request acts for a :class:`Principal`. The admin token (``DATA_DIR/token``,
kept by the server) may do anything. Scoped tokens (``gitterra token create``) and build tokens
(minted when a build starts, revoked when it ends, expiring with its timeout) belong to a
project and may be read-only. Rules:

- tokens are stored as SHA-256 hashes and compared in constant time; the text is shown once;
- read-only tokens (builds of pull requests) change nothing: services and the server's routes
  refuse every change with 403 (:data:`READ_ONLY` says why);
- a project token stamps ``owner`` on what it creates and may change only what its project
  owns (:func:`stamp`, :func:`check_change`); the admin and the server's own controllers are
  unrestricted;
- every change made through the API, and every use of a build token, is recorded in the
  :class:`AuditLog`.
"""

from gitterra.cloud.tokens._acting import (
    OWNER,
    acting_as,
    check_change,
    check_project,
    check_use,
    current,
    require_admin,
    stamp,
)
from gitterra.cloud.tokens._audit import VERDICTS, AuditLog, Record, verdict_of
from gitterra.cloud.tokens._errors import Forbidden, Unauthorized
from gitterra.cloud.tokens._principal import ADMIN, READ_ONLY, Kind, Principal
from gitterra.cloud.tokens._service import Tokens, of
from gitterra.cloud.tokens._validate import duration

__all__ = [
    "ADMIN",
    "OWNER",
    "READ_ONLY",
    "VERDICTS",
    "AuditLog",
    "Forbidden",
    "Kind",
    "Principal",
    "Record",
    "Tokens",
    "Unauthorized",
    "acting_as",
    "check_change",
    "check_project",
    "check_use",
    "current",
    "duration",
    "of",
    "require_admin",
    "stamp",
    "verdict_of",
]

"""The tokens service: scoped tokens for people and automation, short-lived build tokens, and
the resolution of a presented token into a :class:`Principal`.

A token's record (store kind ``token``) holds its id, the SHA-256 of its text (never the text),
kind, project, read-only flag, expiry, who made it and whether it was revoked. The text is
returned once, when the token is made. Revoked and expired records stay for a while so the
audit log's actors can be looked up; build tokens that ended are dropped after
:data:`KEEP_ENDED` seconds.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Mapping
from typing import Any

from gitterra.cloud import Cloud, Doc, NotFound, ValidationError
from gitterra.cloud.tokens import _secret, _validate
from gitterra.cloud.tokens._audit import AuditLog, Record
from gitterra.cloud.tokens._errors import Unauthorized
from gitterra.cloud.tokens._principal import Kind, Principal

KIND = "token"
#: Seconds an ended build token's record is kept.
KEEP_ENDED = 86400.0
#: Seconds a build token outlives its build's timeout (the build's end is recorded after it).
BUILD_GRACE = 30.0


class Tokens:
    """The ``tokens`` service (see the module docstring). ``clock`` is wall time in seconds."""

    name = "tokens"

    def __init__(self, cloud: Cloud, clock: Callable[[], float] = time.time) -> None:
        self.cloud = cloud
        self.store = cloud.store
        self.clock = clock
        self.audit = AuditLog(cloud.data_dir / "audit.db")

    async def start(self) -> None:
        """Forget long-ended build tokens; revoke those of builds the last server ran (no
        build runs before this server starts one, and each start mints a new token)."""
        self._drop_ended()
        for doc in self.store.find(KIND, lambda d: d["kind"] == "build" and not d["revoked"]):
            self.revoke_build(doc["build_id"])

    async def stop(self, terminate: bool) -> None:
        del terminate
        self.audit.close()

    # -- making and ending tokens -------------------------------------------------------------

    def create(self, spec: Mapping[str, Any], created_by: str) -> tuple[Doc, str]:
        """A scoped token from an API request; returns its public record and its text."""
        wanted = _validate.request(spec)
        expires = None if wanted.expires_in is None else self.clock() + wanted.expires_in
        doc, token = self._new(
            "scoped", wanted.project, wanted.read_only, expires, wanted.description, created_by
        )
        return public(doc, self.clock()), token

    def mint_build(self, build_id: str, project: str, read_only: bool, seconds: float) -> str:
        """A token for build ``build_id``, valid ``seconds`` (its timeout) plus a grace."""
        self._drop_ended()
        mode = "pull request (read-only)" if read_only else "push"
        doc, token = self._new(
            "build",
            project,
            read_only,
            self.clock() + seconds + BUILD_GRACE,
            f"build {build_id} ({mode})",
            "codebuild",
            build_id=build_id,
        )
        self.audit.record(
            Record("server", "build.token.mint", doc["id"], 201, "", project, f"for {build_id}")
        )
        return token

    def revoke(self, token_id: str) -> Doc:
        """Revoke a token (revoking one twice is no error)."""
        with self.store.transaction():
            doc = self._get(token_id)
            if not doc["revoked"]:
                doc.update(revoked=True, revoked_at=_stamp(self.clock()))
                self.store.put(KIND, token_id, doc)
        return public(doc, self.clock())

    def revoke_build(self, build_id: str) -> None:
        """Revoke the token(s) of build ``build_id`` (its end)."""
        for doc in self.store.find(KIND, lambda d: d.get("build_id") == build_id):
            if not doc["revoked"]:
                doc.update(revoked=True, revoked_at=_stamp(self.clock()))
                self.store.put(KIND, doc["id"], doc)
                self.audit.record(
                    Record(
                        "server",
                        "build.token.revoke",
                        doc["id"],
                        200,
                        "",
                        doc["project"],
                        f"{build_id} ended",
                    )
                )

    def _new(
        self,
        kind: str,
        project: str | None,
        read_only: bool,
        expires: float | None,
        description: str,
        created_by: str,
        build_id: str | None = None,
    ) -> tuple[Doc, str]:
        token_id, token = _secret.new(kind)
        now = self.clock()
        doc: Doc = {
            "id": token_id,
            "kind": kind,
            "hash": _secret.digest(token),
            "project": project,
            "read_only": read_only,
            "description": description,
            "created_at": _stamp(now),
            "created_by": created_by,
            "expires_epoch": expires,
            "expires_at": None if expires is None else _stamp(expires),
            "revoked": False,
            "revoked_at": None,
            "build_id": build_id,
        }
        self.store.put(KIND, token_id, doc)
        return doc, token

    def _drop_ended(self) -> None:
        cutoff = self.clock() - KEEP_ENDED
        for doc in self.store.find(KIND, lambda d: d["kind"] == "build"):
            ended = doc["expires_epoch"] or 0.0
            if doc["revoked"] and doc.get("revoked_at"):
                ended = min(ended, _epoch(doc["revoked_at"]))
            if ended < cutoff:
                self.store.delete(KIND, doc["id"])

    # -- reading ------------------------------------------------------------------------------

    def find(self, include_ended: bool = True) -> list[Doc]:
        """Public records, newest first."""
        now = self.clock()
        docs = sorted(self.store.find(KIND), key=lambda d: d["created_at"], reverse=True)
        views = [public(d, now) for d in docs]
        return [v for v in views if include_ended or v["state"] == "active"]

    def get(self, token_id: str) -> Doc:
        return public(self._get(token_id), self.clock())

    def _get(self, token_id: str) -> Doc:
        if not isinstance(token_id, str) or len(token_id) > 64:
            raise ValidationError("a token id is 16 hex digits", "id")
        doc = self.store.get(KIND, token_id)
        if doc is None:
            raise NotFound(f"token {token_id} does not exist")
        return doc

    def resolve(self, token: str) -> Principal:
        """The principal ``token`` stands for; ``Unauthorized`` saying why it does not."""
        shape = _secret.split(token)
        doc = None if shape is None else self.store.get(KIND, shape[1])
        if doc is None or shape is None or not _secret.matches(token, doc["hash"]):
            raise Unauthorized("the token is not valid for this server")
        if doc["revoked"]:
            raise Unauthorized(f"token {doc['id']} was revoked at {doc['revoked_at']}")
        if doc["expires_epoch"] is not None and doc["expires_epoch"] <= self.clock():
            raise Unauthorized(f"token {doc['id']} expired at {doc['expires_at']}")
        kind: Kind = "build" if doc["kind"] == "build" else "scoped"
        return Principal(kind, doc["project"], doc["read_only"], doc["id"], doc["build_id"])


def public(doc: Mapping[str, Any], now: float) -> Doc:
    """A token's record as the API shows it: no hash, and its state."""
    view = {k: v for k, v in doc.items() if k not in ("hash", "expires_epoch")}
    if doc["revoked"]:
        view["state"] = "revoked"
    elif doc["expires_epoch"] is not None and doc["expires_epoch"] <= now:
        view["state"] = "expired"
    else:
        view["state"] = "active"
    return view


def _stamp(epoch: float) -> str:
    when = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _epoch(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def of(cloud: Cloud) -> Tokens:
    """The cloud's tokens service, registered on first use (every server has one)."""
    found = cloud.services.get(Tokens.name)
    if found is None:
        return cloud.register(Tokens(cloud))
    assert isinstance(found, Tokens)
    return found

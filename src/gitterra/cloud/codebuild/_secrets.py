"""Values builds may use but nobody may read back: secrets and source credentials.

**Secrets** (``/api/v1/codebuild/secrets``) stand in for Parameter Store parameters and Secrets
Manager secrets: a project's ``PARAMETER_STORE`` variable names a secret, a ``SECRETS_MANAGER``
variable names ``secret-id[:json-key]`` (the rest of CodeBuild's reference, version stage and
id, is accepted and must be empty or ``AWSCURRENT``). Values are masked in build logs.

**Source credentials** (``aws_codebuild_source_credential``): one token per server type, used
to post commit statuses to GitHub and Gitea. Neither is ever returned after creation (the API
shows names, types and times).

At rest both are sealed with the data dir's key (``gitterra.cloud._crypto``): the database holds
``sealed_value`` / ``sealed_token``, never the text. A store written by an older server holds
them in clear (``value`` / ``token``); :func:`seal_plaintext` seals those in place at start.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from gitterra.cloud import Conflict, NotFound, Store, crypto, ids
from gitterra.cloud.codebuild import _check as check

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

SECRET = "codebuild_secret"
CREDENTIAL = "codebuild_credential"

SERVER_TYPES = (
    "GITHUB",
    "GITHUB_ENTERPRISE",
    "GITLAB",
    "GITLAB_SELF_MANAGED",
    "BITBUCKET",
    "GITEA",
)
AUTH_TYPES = ("PERSONAL_ACCESS_TOKEN", "BASIC_AUTH", "OAUTH", "CODECONNECTIONS")
MAX_SECRET = 64 * 1024

_SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@\-]{1,512}")
_NAME_RULE = "1 to 512 letters, digits and /_+=.@-"


class Sealed(NamedTuple):
    """Where a kind of document keeps a secret: the field an older server stored it in clear,
    the field that holds it sealed, and the field that is the document's id."""

    plain: str
    sealed: str
    key: str


SEALED = {
    SECRET: Sealed("value", "sealed_value", "name"),
    CREDENTIAL: Sealed("token", "sealed_token", "server_type"),
}


class SecretMissing(Exception):
    """A build refers to a secret that does not exist, to a JSON key it lacks, or to one
    that cannot be decrypted."""


class Secrets:
    def __init__(self, svc: CodeBuild) -> None:
        self.store = svc.cloud.store
        self.svc = svc
        self.sealer = svc.cloud.sealer

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = check.obj(spec, "the secret", ("name", "value", "description"), root=True)
        name = check.string(
            spec.get("name"), "name", max_len=512, pattern=_SECRET_NAME, allowed=_NAME_RULE
        )
        doc = {
            "name": name,
            "sealed_value": self.sealer.seal(
                check.string(spec.get("value"), "value", max_len=MAX_SECRET)
            ),
            "description": check.optional_str(spec.get("description"), "description", 1024),
            "created_at": check.now(),
        }
        doc["updated_at"] = doc["created_at"]
        with self.svc.cloud.store.transaction():
            if self.store.get(SECRET, name) is not None:
                raise Conflict(f"secret {name} already exists (PUT it to change its value)", "name")
            self.store.put(SECRET, name, doc)
        self.svc.cloud.event("codebuild.secret", name, "secret created")
        return _public(doc)

    def replace(self, name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = check.obj(spec, "the secret", ("value", "description"), root=True)
        value = check.string(spec.get("value"), "value", max_len=MAX_SECRET)
        with self.store.transaction():
            doc = self._stored(name)
            doc["sealed_value"] = self.sealer.seal(value)
            if "description" in spec:
                doc["description"] = check.optional_str(
                    spec.get("description"), "description", 1024
                )
            doc["updated_at"] = check.now()
            self.store.put(SECRET, name, doc)
        self.svc.cloud.event("codebuild.secret", name, "secret value replaced")
        return _public(doc)

    def get(self, name: str) -> dict[str, Any]:
        return _public(self._stored(name))

    def find(self) -> list[dict[str, Any]]:
        return [_public(d) for d in self.store.find(SECRET)]

    def delete(self, name: str) -> None:
        with self.store.transaction():
            self._stored(name)
            self.store.delete(SECRET, name)
        self.svc.cloud.event("codebuild.secret", name, "secret deleted")

    def _stored(self, name: str) -> dict[str, Any]:
        doc = self.store.get(SECRET, name)
        if doc is None:
            raise NotFound(f"secret {name} does not exist")
        return doc

    def resolve(self, kind: str, reference: str) -> str:
        """The value a ``PARAMETER_STORE`` or ``SECRETS_MANAGER`` reference stands for."""
        if kind == "PARAMETER_STORE":
            return self._value(reference)
        secret_id, _, rest = reference.partition(":")
        key, _, rest = rest.partition(":")
        stage, _, version = rest.partition(":")
        if stage not in ("", "AWSCURRENT") or version:
            raise SecretMissing(
                f"{reference}: gitterra keeps one version of each secret (stage AWSCURRENT)"
            )
        value = self._value(secret_id)
        if not key:
            return value
        try:
            data = json.loads(value)
        except ValueError as exc:
            raise SecretMissing(f"{reference}: secret {secret_id} is not a JSON object") from exc
        if not isinstance(data, dict) or key not in data:
            raise SecretMissing(f"{reference}: secret {secret_id} has no JSON key {key}")
        found = data[key]
        return found if isinstance(found, str) else json.dumps(found)

    def _value(self, name: str) -> str:
        doc = self.store.get(SECRET, name)
        if doc is None:
            raise SecretMissing(
                f"secret {name} does not exist: create it with POST /api/v1/codebuild/secrets"
            )
        try:
            return self.sealer.unseal(str(doc["sealed_value"]))
        except crypto.UnsealError as exc:
            raise SecretMissing(f"secret {name}: {exc}") from exc


def _public(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("value", "sealed_value")}


class SourceCredentials:
    def __init__(self, svc: CodeBuild) -> None:
        self.store = svc.cloud.store
        self.svc = svc
        self.sealer = svc.cloud.sealer

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = check.obj(
            spec,
            "the source credential",
            ("server_type", "auth_type", "token", "user_name"),
            root=True,
        )
        server = check.choice(spec.get("server_type"), "server_type", SERVER_TYPES, None)
        doc = {
            "arn": ids.arn("codebuild", f"token/{server.lower()}"),
            "server_type": server,
            "auth_type": check.choice(spec.get("auth_type"), "auth_type", AUTH_TYPES, None),
            "user_name": check.optional_str(spec.get("user_name"), "user_name", 255),
            "sealed_token": self.sealer.seal(
                check.string(spec.get("token"), "token", max_len=4096)
            ),
            "created_at": check.now(),
        }
        with self.store.transaction():
            if self.store.get(CREDENTIAL, server) is not None:
                raise Conflict(f"a {server} source credential already exists", "server_type")
            self.store.put(CREDENTIAL, server, doc)
        self.svc.cloud.event("codebuild.credential", server, "source credential created")
        return _hide(doc)

    def find(self) -> list[dict[str, Any]]:
        return [_hide(d) for d in self.store.find(CREDENTIAL)]

    def get(self, key: str) -> dict[str, Any]:
        return _hide(self._stored(key))

    def delete(self, key: str) -> None:
        with self.store.transaction():
            doc = self._stored(key)
            self.store.delete(CREDENTIAL, doc["server_type"])
        self.svc.cloud.event(
            "codebuild.credential", doc["server_type"], "source credential deleted"
        )

    def token(self, *server_types: str) -> str | None:
        """The token of the first of ``server_types`` that has a credential. Raises
        ``UnsealError`` when it cannot be decrypted."""
        for server in server_types:
            doc = self.store.get(CREDENTIAL, server)
            if doc is not None:
                return self.sealer.unseal(str(doc["sealed_token"]))
        return None

    def tokens(self) -> list[str]:
        """Every credential's token that can be decrypted (masked in build logs)."""
        out = []
        for doc in self.store.find(CREDENTIAL):
            with contextlib.suppress(crypto.UnsealError):
                out.append(self.sealer.unseal(str(doc["sealed_token"])))
        return out

    def _stored(self, key: str) -> dict[str, Any]:
        """By server type or ARN."""
        doc = self.store.get(CREDENTIAL, key)
        if doc is None:
            found = self.store.find(CREDENTIAL, lambda d: d["arn"] == key)
            doc = found[0] if found else None
        if doc is None:
            raise NotFound(f"source credential {key} does not exist")
        return doc


def _hide(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("token", "sealed_token")}


def seal_plaintext(store: Store, sealer: crypto.Sealer, kinds: Mapping[str, Sealed]) -> int:
    """Seal in place the secrets an older server stored in clear (see :class:`Sealed`).
    Returns how many were sealed; the WAL is emptied afterwards and deleted content is
    overwritten (the store's ``secure_delete``), so no copy of the text stays on disk."""
    count = 0
    with store.transaction():
        for kind, where in kinds.items():
            for doc in store.find(kind):
                if where.plain not in doc:
                    continue
                doc[where.sealed] = sealer.seal(str(doc.pop(where.plain)))
                store.put(kind, str(doc[where.key]), doc)
                count += 1
    if count:
        store.checkpoint()
    return count

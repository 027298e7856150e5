"""Key pairs: imported OpenSSH public keys, recorded by name.

Instances record the key name they were launched with; there is no ssh into a local instance, so
the key is only checked and fingerprinted, as EC2 does on import: RSA (1024 bits or more) and
ED25519 keys; the fingerprint of an RSA key is the MD5 of the key blob as colon-separated hex
(RFC 4716 section 4), of an ED25519 key the base64 SHA-256 of the blob (as EC2 shows them).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from gitterra.cloud import _ids, tokens
from gitterra.cloud._cloud import Cloud
from gitterra.cloud._errors import Conflict, NotFound, ValidationError
from gitterra.cloud._store import Doc
from gitterra.cloud.ec2 import _fields

KIND = "key_pair"

CREATE_FIELDS = ("name", "public_key", "tags")
UPDATE_FIELDS = ("tags",)

_NAME = re.compile(r"[\x20-\x7e]+")
_KEY_TYPES = {"ssh-rsa": "rsa", "ssh-ed25519": "ed25519"}
_MIN_RSA_BITS = 1024


class KeyPairs:
    """The key pair service (registered as ``"key_pairs"``)."""

    name = "key_pairs"

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.store = cloud.store

    async def start(self) -> None:
        """Nothing to restore: key pairs are records."""

    async def stop(self, terminate: bool) -> None:
        del terminate

    def get(self, id_or_name: str) -> Doc:
        """A key pair by id (``key-…``) or by name, as EC2's describe-key-pairs accepts both."""
        doc = self.store.get(KIND, id_or_name)
        if doc is None:
            doc = next(iter(self.find(id_or_name)), None)
        if doc is None:
            raise NotFound(f"key pair {id_or_name} does not exist")
        return doc

    def find(self, name: str | None = None) -> list[Doc]:
        return self.store.find(KIND, lambda d: name is None or d["name"] == name)

    def create(self, spec: Mapping[str, Any]) -> Doc:
        """Import a public key under a name not yet taken (Conflict otherwise)."""
        spec = _fields.body(spec, "a key pair")
        _fields.only(spec, CREATE_FIELDS, "a key pair is created with")
        name = _fields.string(
            spec.get("name"), "name", max_len=255, pattern=_NAME, allowed="use printable ASCII"
        )
        public_key = _fields.string(spec.get("public_key"), "public_key", max_len=16384).strip()
        key_type, fingerprint = parse_public_key(public_key)
        key_id = _ids.new_id("key")
        doc: Doc = {
            "id": key_id,
            "arn": _ids.arn("ec2", f"key-pair/{name}"),
            "name": name,
            "public_key": public_key,
            "key_type": key_type,
            "fingerprint": fingerprint,
            "tags": _fields.tags(spec.get("tags")),
            "created_at": _fields.now(),
        }
        tokens.stamp(doc)
        with self.store.transaction():
            if self.find(name):
                raise Conflict(f"a key pair named {name!r} already exists", "name")
            self.store.put(KIND, key_id, doc)
        self.cloud.event("key-pair", key_id, f"key pair {name} imported ({fingerprint})")
        return doc

    def update(self, id_or_name: str, changes: Mapping[str, Any]) -> Doc:
        changes = _fields.body(changes, "a key pair update")
        _fields.only(changes, UPDATE_FIELDS, "PATCH may change")
        with self.store.transaction():
            doc = self.get(id_or_name)
            tokens.check_change(doc, f"key pair {doc['name']}")
            if "tags" in changes:
                doc["tags"] = _fields.tags(changes["tags"])
            self.store.put(KIND, doc["id"], doc)
        return doc

    def delete(self, id_or_name: str) -> None:
        """Delete a key pair (instances launched with it keep the name, as in EC2)."""
        with self.store.transaction():
            doc = self.get(id_or_name)
            tokens.check_change(doc, f"key pair {doc['name']}")
            self.store.delete(KIND, doc["id"])
        self.cloud.event("key-pair", doc["id"], f"key pair {doc['name']} deleted")


def parse_public_key(text: str) -> tuple[str, str]:
    """``(key_type, fingerprint)`` of an OpenSSH public key line (``ssh-ed25519 AAAA… comment``);
    ValidationError naming ``public_key`` when it is not one EC2 would import."""
    parts = text.split()
    if len(parts) < 2:
        raise ValidationError(
            "public_key must be an OpenSSH public key line (TYPE BASE64 [COMMENT], as in "
            "~/.ssh/id_ed25519.pub)",
            "public_key",
        )
    kind = parts[0]
    if kind not in _KEY_TYPES:
        raise ValidationError(
            f"public_key is a {kind!r} key: EC2 imports ssh-rsa and ssh-ed25519 keys only",
            "public_key",
        )
    try:
        blob = base64.b64decode(parts[1], validate=True)
        fields = _ssh_strings(blob)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"public_key's key data is malformed: {exc}", "public_key") from exc
    if not fields or fields[0] != kind.encode():
        raise ValidationError(
            f"public_key says {kind} but its key data is not a {kind} key", "public_key"
        )
    if kind == "ssh-rsa":
        modulus = int.from_bytes(fields[2], "big") if len(fields) == 3 else 0
        if modulus.bit_length() < _MIN_RSA_BITS:
            raise ValidationError(
                f"public_key: RSA keys need at least {_MIN_RSA_BITS} bits", "public_key"
            )
        digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
        return "rsa", ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
    if len(fields) != 2 or len(fields[1]) != 32:
        raise ValidationError("public_key: an ED25519 key is 32 bytes", "public_key")
    return "ed25519", base64.b64encode(hashlib.sha256(blob).digest()).decode()


def _ssh_strings(blob: bytes) -> list[bytes]:
    """The length-prefixed strings of an SSH wire-format blob (RFC 4251 section 5)."""
    out: list[bytes] = []
    pos = 0
    while pos < len(blob):
        if pos + 4 > len(blob):
            raise ValueError("truncated length")
        size = int.from_bytes(blob[pos : pos + 4], "big")
        pos += 4
        if pos + size > len(blob):
            raise ValueError("truncated field")
        out.append(blob[pos : pos + size])
        pos += size
    return out

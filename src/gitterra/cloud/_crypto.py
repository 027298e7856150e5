"""Secrets at rest: values sealed with a key kept in the data dir.

Concept: a :class:`Sealer` turns a secret into an opaque string that is safe to store in the
database (``seal``) and back (``unseal``). The cipher is ``cryptography``'s Fernet (AES-128-CBC
with an HMAC-SHA256 over the whole token, a random IV per value): a sealed value cannot be read
without the key and cannot be changed without the change being detected.

Rules:

- The key is ``DATA_DIR/secret.key``, created once (``O_EXCL``: two servers starting at once
  cannot make two keys) with mode 0600. A key file with wider permissions is narrowed to 0600
  and said so; one that is not a Fernet key stops the server with a message naming the file.
- Services store sealed values under field names of their own (``sealed_value``...) so a value
  that is already sealed is never confused with a plaintext one, and a plaintext one left by an
  older server is sealed in place at start (see ``codebuild``).
- Losing the key loses the secrets (they must be set again); the message says so.

Errors::

    CryptoError            the key file cannot be read or created, or is not a Fernet key
    └── UnsealError        a sealed value does not open with this key (another key, tampering)
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

log = logging.getLogger("gitterra.cloud.crypto")

KEY_FILE = "secret.key"


class CryptoError(Exception):
    """The data dir's key cannot be used."""


class UnsealError(CryptoError):
    """A sealed value cannot be opened with the data dir's key."""


class Sealer:
    """Seals and unseals strings with one Fernet key."""

    def __init__(self, key: bytes, path: Path | None = None) -> None:
        from cryptography.fernet import Fernet  # here: instance runners never load OpenSSL

        self.path = path
        self._fernet: Fernet
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            where = path if path is not None else "the key"
            raise CryptoError(
                f"{where} is not a Fernet key (32 url-safe base64-encoded bytes): {exc}"
            ) from exc

    @classmethod
    def open(cls, data_dir: Path) -> Sealer:
        """The sealer of ``data_dir``'s key, creating the key (0600) if there is none."""
        path = data_dir / KEY_FILE
        key = _read_key(path)
        if key is None:
            key = _create_key(path)
        return cls(key, path)

    def seal(self, text: str) -> str:
        """``text`` encrypted and authenticated (a different string every time)."""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def unseal(self, sealed: str) -> str:
        """The text ``sealed`` was made from. Raises ``UnsealError``."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            where = self.path if self.path is not None else "the key"
            raise UnsealError(
                f"a stored secret cannot be decrypted with {where} (was the key replaced?); "
                "set the secret again"
            ) from exc


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CryptoError(f"cannot read the key file {path}: {exc.strerror}") from exc
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise CryptoError(f"the key file {path} is not a regular file")
    with os.fdopen(fd, "rb") as fh:
        if info.st_mode & 0o077:
            log.warning("%s was readable by others (mode %o): set to 0600", path, info.st_mode)
            os.fchmod(fh.fileno(), 0o600)
        return fh.read().strip()


def _create_key(path: Path) -> bytes:
    """A new key in ``path`` (0600, written before it is visible under its name)."""
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another server made the key meanwhile
        except FileExistsError:
            found = _read_key(path)
            if found is None:
                raise CryptoError(f"the key file {path} vanished while it was created") from None
            return found
    except OSError as exc:
        raise CryptoError(f"cannot create the key file {path}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return key

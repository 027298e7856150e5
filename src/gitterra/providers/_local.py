"""The ``registry.terraform.io/hashicorp/local`` provider: files on this machine.

``local_file`` and ``local_sensitive_file`` write ``filename`` from exactly one of ``content``,
``content_base64`` or ``source`` (a file copied at apply; ``local_file`` also takes the
deprecated ``sensitive_content``). Missing parent directories are created with
``directory_permission``, the file with ``file_permission`` (both before the umask, as
``open(2)`` applies them). The id is the SHA-1 of the bytes written. Every argument forces
replacement. A refresh that finds the file gone, or its bytes no longer those written, reports
the object gone, so the next plan creates it again. Delete removes the file.

The ``local_file`` and ``local_sensitive_file`` data sources read a file's content and hashes.

Relative paths are relative to ``workdir`` when one is given, else to the process's working
directory (the engine runs in the module's directory). File work runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import hashlib
import os
import re
from pathlib import Path
from typing import ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base

SOURCE = "registry.terraform.io/hashicorp/local"

HASH_ATTRS = (
    "content_md5",
    "content_sha1",
    "content_sha256",
    "content_base64sha256",
    "content_sha512",
    "content_base64sha512",
)
_PERMISSION = re.compile(r"[0-7]{3,4}")


def checksums(data: bytes) -> dict[str, lang.Value]:
    """``id`` and the ``content_*`` hashes of ``data``."""
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    sha256, sha512 = hashlib.sha256(data), hashlib.sha512(data)
    values = {
        "id": sha1,
        "content_md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "content_sha1": sha1,
        "content_sha256": sha256.hexdigest(),
        "content_base64sha256": base64.b64encode(sha256.digest()).decode(),
        "content_sha512": sha512.hexdigest(),
        "content_base64sha512": base64.b64encode(sha512.digest()).decode(),
    }
    return {k: lang.string_val(v) for k, v in values.items()}


def _failure(summary: str, what: str, exc: BaseException) -> Diagnostic:
    return Diagnostic.error(
        summary, f"An unexpected error occurred while {what}\n\nOriginal Error: {exc}"
    )


def _hash_attributes() -> dict[str, engine.Attribute]:
    return {
        name: engine.Attribute(lang.STRING, computed=True, description=f"{name} of the content.")
        for name in HASH_ATTRS
    }


def _file_schema(sensitive: bool) -> engine.ResourceSchema:
    """local_file (``sensitive`` False) or local_sensitive_file."""
    mode = "0700" if sensitive else "0777"

    def content(description: str, secret: bool) -> engine.Attribute:
        return engine.Attribute(
            lang.STRING, optional=True, force_new=True, sensitive=secret, description=description
        )

    def permission(of: str) -> engine.Attribute:
        return engine.Attribute(
            lang.STRING,
            optional=True,
            computed=True,
            force_new=True,
            default=lang.string_val(mode),
            description=f"Permissions of {of} (before umask) in octal; default {mode!r}.",
        )

    attrs = {
        "filename": engine.Attribute(
            lang.STRING,
            required=True,
            force_new=True,
            description="The path of the file; missing parent directories are created.",
        ),
        "content": content("Content to store in the file, as UTF-8 text.", sensitive),
        "content_base64": content("Content to store in the file, base64-encoded.", sensitive),
        "source": content("Path to a file whose content is copied.", False),
        "file_permission": permission("the file"),
        "directory_permission": permission("directories created"),
        "id": engine.Attribute(
            lang.STRING, computed=True, description="Hex SHA-1 of the file content."
        ),
        **_hash_attributes(),
    }
    if not sensitive:
        attrs["sensitive_content"] = content("Deprecated: use local_sensitive_file.", True)
    kind = "sensitive " if sensitive else ""
    return engine.ResourceSchema(
        engine.BlockSchema(
            attrs, description=f"Generates a local file with the given {kind}content."
        )
    )


class _Files:
    """Path resolution against an optional working directory."""

    def __init__(self, workdir: Path | None) -> None:
        self.workdir = workdir

    def path(self, name: str) -> Path:
        p = Path(name)
        return self.workdir / p if self.workdir is not None and not p.is_absolute() else p


class LocalFile(_base.ResourceType):
    name = "local_file"
    schema = _file_schema(sensitive=False)
    label: ClassVar[str] = "local file"

    def __init__(self, files: _Files) -> None:
        self._files = files

    @property
    def _sources(self) -> list[str]:
        names = ["content", "sensitive_content", "content_base64", "source"]
        return [n for n in names if n in self.schema.block.attributes]

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = _base.exactly_one_of(config, self._sources)
        if not _base.get(config, "sensitive_content").is_null:
            diags.add(
                Diagnostic.warning(
                    "Attribute Deprecated", "Use the `local_sensitive_file` resource instead"
                )
            )
        filename = _base.get(config, "filename")
        if _base.is_set(filename) and not filename.as_str():
            diags.add(_base.invalid_value("Attribute filename must not be empty"))
        encoded = _base.get(config, "content_base64")
        if _base.is_set(encoded) and _decode_base64(encoded.as_str()) is None:
            diags.add(
                _base.invalid_value("Attribute content_base64 value must be valid base64 text")
            )
        for name in ("file_permission", "directory_permission"):
            diags.extend(_check_permission(config, name))
        return diags

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        return await asyncio.to_thread(self._write, planned, None)

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        return await asyncio.to_thread(self._write, planned, prior)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        return await asyncio.to_thread(self._read, current)

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        return await asyncio.to_thread(self._delete, prior)

    def _content(self, planned: lang.Value) -> bytes:
        for name in ("sensitive_content", "content"):
            value = _base.get(planned, name)
            if _base.is_set(value):
                return value.as_str().encode()
        encoded = _base.get(planned, "content_base64")
        if _base.is_set(encoded):
            data = _decode_base64(encoded.as_str())
            if data is None:
                raise ValueError("content_base64 is not valid base64 text")
            return data
        return self._files.path(_base.str_attr(planned, "source")).read_bytes()

    def _write(self, planned: lang.Value, prior: lang.Value | None) -> engine.ApplyResult:
        """Write the planned file; on failure, the state is what exists (``prior``)."""
        summary = f"{'Create' if prior is None else 'Update'} {self.label} error"
        try:
            data = self._content(planned)
        except (OSError, ValueError) as exc:
            return _failed(prior, _failure(summary, "parsing local file content", exc))
        path = self._files.path(_base.str_attr(planned, "filename"))
        try:
            _make_directories(path.parent, _mode(planned, "directory_permission"))
        except OSError as exc:
            return _failed(prior, _failure(summary, "creating file directory", exc))
        try:
            _write_bytes(path, data, _mode(planned, "file_permission"))
        except OSError as exc:
            return _failed(prior, _failure(summary, "writing the file", exc))
        return engine.ApplyResult(_base.with_attrs(planned, checksums(data)))

    def _read(self, current: lang.Value) -> engine.ReadResult:
        path = self._files.path(_base.str_attr(current, "filename"))
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return engine.ReadResult(None)
        except OSError as exc:
            diag = _failure(f"Read {self.label} error", "reading the file", exc)
            return engine.ReadResult(current, Diagnostics([diag]))
        if checksums(data)["id"] != _base.get(current, "id"):
            return engine.ReadResult(None)  # changed outside: recreate it
        return engine.ReadResult(current)

    def _delete(self, prior: lang.Value) -> engine.ApplyResult:
        path = self._files.path(_base.str_attr(prior, "filename"))
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            diag = _failure(f"Delete {self.label} error", "removing the file", exc)
            return engine.ApplyResult(prior, Diagnostics([diag]))
        return engine.ApplyResult(None)


class LocalSensitiveFile(LocalFile):
    name = "local_sensitive_file"
    schema = _file_schema(sensitive=True)
    label = "local sensitive file"


def _failed(prior: lang.Value | None, diag: Diagnostic) -> engine.ApplyResult:
    return engine.ApplyResult(prior, Diagnostics([diag]))


def _decode_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _check_permission(config: lang.Value, name: str) -> Diagnostics:
    """The local provider's ``FilePermissionType`` validation."""
    value = _base.get(config, name)
    if not _base.is_set(value):
        return Diagnostics()
    text = value.as_str()
    if not 3 <= len(text) <= 4:
        problem = "string length should be 3 or 4 digits"
    elif not _PERMISSION.fullmatch(text) or int(text, 8) > 0o777:
        problem = "string must be expressed in octal numeric notation"
    else:
        return Diagnostics()
    return Diagnostics(
        [
            Diagnostic.error(
                "Invalid File Permission String Value",
                f"Attribute {name}: bad mode permission: {problem}: {text}",
            )
        ]
    )


def _mode(value: lang.Value, name: str) -> int:
    return int(_base.str_attr(value, name, "0777"), 8)


def _make_directories(directory: Path, mode: int) -> None:
    """Create ``directory`` and its missing parents, each with ``mode`` (Go's ``MkdirAll``;
    Python's ``makedirs`` would give the parents the default mode)."""
    missing: list[Path] = []
    while not directory.exists() and directory != directory.parent:
        missing.append(directory)
        directory = directory.parent
    for d in reversed(missing):
        d.mkdir(mode=mode, exist_ok=True)


def _write_bytes(path: Path, data: bytes, mode: int) -> None:
    """Write ``data``, creating the file with ``mode`` (an existing file keeps its mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


class LocalFileData(_base.DataSourceType):
    name = "local_file"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                "filename": engine.Attribute(
                    lang.STRING, required=True, description="Path of the file to read."
                ),
                "content": engine.Attribute(
                    lang.STRING,
                    computed=True,
                    description="The content as UTF-8 text (invalid bytes become U+FFFD).",
                ),
                "content_base64": engine.Attribute(
                    lang.STRING, computed=True, description="The content, base64-encoded."
                ),
                "id": engine.Attribute(
                    lang.STRING, computed=True, description="Hex SHA-1 of the content."
                ),
                **_hash_attributes(),
            },
            description="Reads a file from the local filesystem.",
        )
    )
    label: ClassVar[str] = "local file"

    def __init__(self, files: _Files) -> None:
        self._files = files

    async def read(self, config: lang.Value) -> engine.ReadResult:
        return await asyncio.to_thread(self._read, config)

    def _read(self, config: lang.Value) -> engine.ReadResult:
        filename = _base.get(config, "filename")
        try:
            data = self._files.path(_base.str_attr(config, "filename")).read_bytes()
        except OSError as exc:
            diag = Diagnostic.error(
                f"Read {self.label} data source error",
                f"The file at given path cannot be read.\n\nOriginal Error: {exc}",
            )
            return engine.ReadResult(None, Diagnostics([diag]))
        attrs = {
            "filename": filename,
            "content": lang.string_val(data.decode("utf-8", errors="replace")),
            "content_base64": lang.string_val(base64.b64encode(data).decode()),
            **checksums(data),
        }
        return engine.ReadResult(_base.state_object(self.schema.block, attrs))


class LocalSensitiveFileData(LocalFileData):
    name = "local_sensitive_file"
    schema = engine.ResourceSchema(
        engine.BlockSchema(
            {
                name: (
                    dataclasses.replace(attr, sensitive=True)
                    if name in ("content", "content_base64")
                    else attr
                )
                for name, attr in LocalFileData.schema.block.attributes.items()
            },
            description="Reads a file with sensitive content from the local filesystem.",
        )
    )
    label = "local sensitive file"


def provider(workdir: Path | None = None) -> _base.TableProvider:
    files = _Files(workdir)
    return _base.TableProvider(
        [LocalFile(files), LocalSensitiveFile(files)],
        [LocalFileData(files), LocalSensitiveFileData(files)],
        target="files on this machine",
    )

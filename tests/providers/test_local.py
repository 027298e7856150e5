"""hashicorp/local against real files in tmp_path: writing, permissions, drift, delete, and the
local_file data sources."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from gitterra import engine, lang

from .support import (
    LOCAL,
    attr,
    change,
    config,
    create,
    delete,
    errors,
    import_,
    plan,
    provider,
    read,
)

FILE_TYPES = ["local_file", "local_sensitive_file"]
UNKNOWN_STR = lang.unknown_val(lang.STRING)


@pytest.fixture
def p() -> engine.Provider:
    return provider(LOCAL)


def umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def hashes(data: bytes) -> dict[str, str]:
    sha1 = hashlib.sha1(data).hexdigest()
    return {
        "id": sha1,
        "content_md5": hashlib.md5(data).hexdigest(),
        "content_sha1": sha1,
        "content_sha256": hashlib.sha256(data).hexdigest(),
        "content_base64sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "content_sha512": hashlib.sha512(data).hexdigest(),
        "content_base64sha512": base64.b64encode(hashlib.sha512(data).digest()).decode(),
    }


# ---- validation --------------------------------------------------------------------------------

VALIDATION = [
    (
        {},
        ["No attribute specified when one (and only one) of [content, {s}content_base64, source]"],
    ),
    ({"content": "a", "source": "b"}, ["2 attributes specified when one (and only one) of"]),
    ({"content": "a", "content_base64": "YQ==", "source": "b"}, ["3 attributes specified"]),
    ({"content": "a", "source": UNKNOWN_STR}, []),  # decided once known
    ({"content": "a", "file_permission": "77"}, ["string length should be 3 or 4 digits: 77"]),
    ({"content": "a", "file_permission": "07777"}, ["string length should be 3 or 4 digits"]),
    ({"content": "a", "directory_permission": "0888"}, ["octal numeric notation: 0888"]),
    ({"content": "a", "directory_permission": "1777"}, ["octal numeric notation: 1777"]),
    ({"content": "a", "file_permission": "rwx"}, ["octal numeric notation: rwx"]),
    ({"content": "a", "file_permission": "644"}, []),
    ({"content_base64": "not base64!"}, ["Attribute content_base64 value must be valid base64"]),
    ({"content": "a", "filename": ""}, ["Attribute filename must not be empty"]),
]


@pytest.mark.parametrize("type_", FILE_TYPES)
@pytest.mark.parametrize(("attrs", "expected"), VALIDATION)
def test_validation(
    p: engine.Provider, type_: str, attrs: dict[str, Any], expected: list[str], tmp_path: Path
) -> None:
    attrs = {"filename": str(tmp_path / "f"), **attrs}
    problems = errors(p.validate_resource(type_, config(p, type_, **attrs)))
    sensitive_content = "sensitive_content, " if type_ == "local_file" else ""
    assert len(problems) == len(expected), problems
    for problem, want in zip(problems, expected, strict=True):
        assert want.format(s=sensitive_content) in problem
    for problem in problems:  # each names an attribute
        assert any(n in problem for n in ("content", "source", "permission", "filename"))
    assert list(tmp_path.iterdir()) == []  # validation touches nothing


def test_sensitive_content_is_deprecated(p: engine.Provider, tmp_path: Path) -> None:
    cfg = config(p, "local_file", filename=str(tmp_path / "f"), sensitive_content="s")
    diags = p.validate_resource("local_file", cfg)
    assert not diags.has_errors
    assert [d.detail for d in diags.warnings] == ["Use the `local_sensitive_file` resource instead"]


# ---- plan --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "default_mode"), [("local_file", "0777"), ("local_sensitive_file", "0700")]
)
def test_plan_create_defaults_and_unknown_hashes(
    p: engine.Provider, type_: str, default_mode: str, tmp_path: Path
) -> None:
    cfg = config(p, type_, filename=str(tmp_path / "f"), content="hi")
    planned = plan(p, type_, None, cfg).planned
    assert attr(planned, "file_permission") == default_mode
    assert attr(planned, "directory_permission") == default_mode
    for name in hashes(b""):
        assert planned.items()[name] == UNKNOWN_STR
    assert not (tmp_path / "f").exists()  # planning writes nothing


@pytest.mark.parametrize("type_", FILE_TYPES)
@pytest.mark.parametrize(
    ("changed", "path"),
    [
        ({"content": "other"}, "content"),
        ({"content": None, "content_base64": "aGk="}, "content"),
        ({"file_permission": "0600"}, "file_permission"),
        ({"directory_permission": "0755"}, "directory_permission"),
        ({"filename": "g"}, "filename"),
    ],
)
def test_every_argument_forces_replacement(
    p: engine.Provider, type_: str, changed: dict[str, Any], path: str, tmp_path: Path
) -> None:
    base = {"filename": str(tmp_path / "f"), "content": "hi"}
    prior = create(p, type_, **base)
    assert plan(p, type_, prior, config(p, type_, **base)).planned == prior  # no change
    new = {**base, **changed}
    if "filename" in changed:
        new["filename"] = str(tmp_path / changed["filename"])
    planned, state = change(p, type_, prior, **new)
    assert (path,) in planned.requires_replace
    assert planned.planned.items()["id"] == UNKNOWN_STR
    encoded = new.get("content_base64")
    expected = base64.b64decode(encoded) if encoded else new["content"].encode()
    assert Path(attr(state, "filename")).read_bytes() == expected
    if "filename" in changed:
        assert not (tmp_path / "f").exists()  # the old object's file is gone


# ---- apply -------------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", FILE_TYPES)
@pytest.mark.parametrize(
    ("source_attrs", "data"),
    [
        ({"content": "héllo\n"}, "héllo\n".encode()),
        ({"content_base64": base64.b64encode(b"\x00\xff bin").decode()}, b"\x00\xff bin"),
        ({"source": "SRC"}, b"copied \x01 bytes"),
        ({"content": ""}, b""),
    ],
    ids=["content", "base64", "source", "empty"],
)
def test_create_writes_the_file(
    p: engine.Provider, type_: str, source_attrs: dict[str, Any], data: bytes, tmp_path: Path
) -> None:
    if source_attrs.get("source") == "SRC":
        (tmp_path / "src.bin").write_bytes(data)
        source_attrs = {"source": str(tmp_path / "src.bin")}
    target = tmp_path / "out.txt"
    state = create(p, type_, filename=str(target), **source_attrs)
    assert target.read_bytes() == data
    for name, value in hashes(data).items():
        assert attr(state, name) == value
    assert mode(target) == (0o777 if type_ == "local_file" else 0o700) & ~umask()
    assert read(p, type_, state).state == state


def test_sensitive_content_writes_too(p: engine.Provider, tmp_path: Path) -> None:
    create(p, "local_file", filename=str(tmp_path / "s"), sensitive_content="secret")
    assert (tmp_path / "s").read_text() == "secret"


def test_parent_directories_are_created_with_directory_permission(
    p: engine.Provider, tmp_path: Path
) -> None:
    target = tmp_path / "a" / "b" / "c" / "f.txt"
    create(
        p,
        "local_file",
        filename=str(target),
        content="x",
        file_permission="0640",
        directory_permission="0750",
    )
    assert target.read_text() == "x"
    assert mode(target) == 0o640 & ~umask()
    for d in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert mode(d) == 0o750 & ~umask()


def test_existing_file_is_overwritten(p: engine.Provider, tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_text("a much longer old content")
    create(p, "local_file", filename=str(target), content="new")
    assert target.read_text() == "new"


def test_relative_filenames_follow_workdir_or_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anchored = provider(LOCAL, workdir=tmp_path / "module")
    (tmp_path / "module").mkdir()
    (tmp_path / "module" / "in.txt").write_text("from source")
    state = create(anchored, "local_file", filename="sub/out.txt", source="in.txt")
    assert (tmp_path / "module" / "sub" / "out.txt").read_text() == "from source"
    assert attr(state, "filename") == "sub/out.txt"  # state keeps what the user wrote
    monkeypatch.chdir(tmp_path)
    create(provider(LOCAL), "local_file", filename="here.txt", content="cwd")
    assert (tmp_path / "here.txt").read_text() == "cwd"


@pytest.mark.parametrize(
    ("setup", "attrs", "expected"),
    [
        (None, {"source": "missing.txt"}, "parsing local file content"),
        ("file-as-dir", {"content": "x"}, "creating file directory"),
        ("dir-at-target", {"content": "x"}, "writing the file"),
    ],
)
def test_create_failures_are_diagnostics(
    p: engine.Provider, tmp_path: Path, setup: str | None, attrs: dict[str, Any], expected: str
) -> None:
    target = tmp_path / "out"
    if setup == "file-as-dir":
        (tmp_path / "blocker").write_text("I am a file")
        target = tmp_path / "blocker" / "sub" / "out"
    elif setup == "dir-at-target":
        target.mkdir()
    if "source" in attrs:
        attrs = {"source": str(tmp_path / attrs["source"])}
    cfg = config(p, "local_file", filename=str(target), **attrs)
    planned = plan(p, "local_file", None, cfg).planned
    result = asyncio.run(p.apply_resource("local_file", None, planned, cfg))
    assert result.state is None
    (problem,) = errors(result.diagnostics)
    assert problem.startswith("Create local file error: ")
    assert expected in problem
    assert "Original Error:" in problem


def test_failed_update_keeps_the_prior_state(p: engine.Provider, tmp_path: Path) -> None:
    prior = create(p, "local_file", filename=str(tmp_path / "f"), content="a")
    broken = engine.proposed_new(
        p.schema().resources["local_file"].block,
        prior,
        config(p, "local_file", filename=str(tmp_path / "nodir" / "f"), content="a"),
    )
    (tmp_path / "nodir").write_text("a file, not a directory")
    result = asyncio.run(p.apply_resource("local_file", prior, broken, None))
    assert result.state == prior
    assert "Update local file error" in errors(result.diagnostics)[0]


# ---- drift and delete --------------------------------------------------------------------------


@pytest.mark.parametrize("type_", FILE_TYPES)
@pytest.mark.parametrize(
    "outside",
    ["edit", "delete", "touch-same-content", "chmod"],
)
def test_refresh_sees_changes_made_outside(
    p: engine.Provider, type_: str, outside: str, tmp_path: Path
) -> None:
    target = tmp_path / "f"
    state = create(p, type_, filename=str(target), content="mine")
    if outside == "edit":
        target.write_text("theirs")
    elif outside == "delete":
        target.unlink()
    elif outside == "touch-same-content":
        target.write_text("mine")
    else:
        target.chmod(0o600)
    result = read(p, type_, state)
    assert not result.diagnostics
    gone = outside in ("edit", "delete")
    assert result.state == (None if gone else state)
    if gone:  # the next plan creates it again, and apply puts our content back
        again = create(p, type_, filename=str(target), content="mine")
        assert target.read_text() == "mine"
        assert again == state


def test_refresh_of_an_unreadable_path_is_an_error(p: engine.Provider, tmp_path: Path) -> None:
    target = tmp_path / "f"
    state = create(p, "local_file", filename=str(target), content="x")
    target.unlink()
    target.mkdir()
    result = read(p, "local_file", state)
    assert result.state == state
    assert errors(result.diagnostics)[0].startswith("Read local file error: ")


@pytest.mark.parametrize("type_", FILE_TYPES)
def test_delete_removes_the_file(p: engine.Provider, type_: str, tmp_path: Path) -> None:
    target = tmp_path / "d" / "f"
    state = create(p, type_, filename=str(target), content="x")
    result = delete(p, type_, state)
    assert result.state is None
    assert not result.diagnostics
    assert not target.exists()
    assert (tmp_path / "d").is_dir()  # directories stay, as upstream
    assert delete(p, type_, state).state is None  # already gone: fine


def test_delete_failure_keeps_the_object(p: engine.Provider, tmp_path: Path) -> None:
    target = tmp_path / "f"
    state = create(p, "local_file", filename=str(target), content="x")
    target.unlink()
    target.mkdir()
    (target / "inside").write_text("keeps the directory non-empty")
    result = delete(p, "local_file", state)
    assert result.state == state
    assert errors(result.diagnostics)[0].startswith("Delete local file error: ")


@pytest.mark.parametrize("type_", FILE_TYPES)
def test_import_is_not_supported(p: engine.Provider, type_: str) -> None:
    result = import_(p, type_, "/etc/hostname")
    assert result.states == ()
    assert errors(result.diagnostics)[0].startswith("Resource Import Not Implemented")


# ---- data sources ------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", FILE_TYPES)
@pytest.mark.parametrize(
    ("data", "text"),
    [(b"plain text\n", "plain text\n"), (b"bad \xff utf8", "bad \ufffd utf8"), (b"", "")],
)
def test_data_source_reads_content_and_hashes(
    p: engine.Provider, type_: str, data: bytes, text: str, tmp_path: Path
) -> None:
    (tmp_path / "in").write_bytes(data)
    cfg = config(p, type_, data=True, filename=str(tmp_path / "in"))
    assert not p.validate_data_source(type_, cfg)
    result = asyncio.run(p.read_data_source(type_, cfg))
    assert not result.diagnostics
    assert result.state is not None
    assert attr(result.state, "content") == text
    assert base64.b64decode(attr(result.state, "content_base64")) == data
    assert attr(result.state, "filename") == str(tmp_path / "in")
    for name, value in hashes(data).items():
        assert attr(result.state, name) == value


def test_data_source_missing_file_is_an_error(p: engine.Provider, tmp_path: Path) -> None:
    cfg = config(p, "local_file", data=True, filename=str(tmp_path / "nope"))
    result = asyncio.run(p.read_data_source("local_file", cfg))
    assert result.state is None
    (problem,) = errors(result.diagnostics)
    assert problem.startswith("Read local file data source error: The file at given path")
    assert "nope" in problem

"""Files user code could replace, opened by the server: never through a link, never a FIFO."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitterra.cloud import isolation
from gitterra.cloud.compute import _console, _runner


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text("the server's token\n")
    return path


def test_a_regular_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"0123456789")
    assert isolation.read_regular(path, 4, 2) == b"2345"
    assert isolation.size_regular(path) == 10


@pytest.mark.parametrize("kind", ["link", "fifo", "directory", "missing"])
def test_anything_else_reads_as_missing(tmp_path: Path, secret: Path, kind: str) -> None:
    path = tmp_path / "console.log"
    if kind == "link":
        path.symlink_to(secret)
    elif kind == "fifo":
        os.mkfifo(path)  # opening it to read would block the server forever
    elif kind == "directory":
        path.mkdir()
    assert isolation.read_regular(path, 1024) is None
    assert isolation.size_regular(path) == 0
    with pytest.raises(OSError, match=r"symbolic links|not a regular file|No such file"):
        os.close(isolation.open_regular(path))


def test_the_console_and_exit_record_through_links(tmp_path: Path, secret: Path) -> None:
    (tmp_path / _console.FILENAME).symlink_to(secret)
    (tmp_path / _runner.EXIT).symlink_to(secret)
    assert _console.read(tmp_path / _console.FILENAME, 0) == ("", 0)
    assert _console.size(tmp_path / _console.FILENAME) == 0
    _console.append(tmp_path / _console.FILENAME, "a line the server adds")
    assert secret.read_text() == "the server's token\n"  # not appended to through the link
    assert _runner.read_exit(tmp_path) is None


def test_a_fifo_console_does_not_block_the_server(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / _console.FILENAME)
    _console.append(tmp_path / _console.FILENAME, "no reader: not written, not waited for")
    assert _console.read(tmp_path / _console.FILENAME, 0) == ("", 0)

"""Secrets at rest: the data dir's key and what it seals."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from gitterra.cloud import crypto


def test_the_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    sealer = crypto.Sealer.open(tmp_path)
    key = tmp_path / crypto.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    sealed = sealer.seal("hunter2")
    assert "hunter2" not in sealed
    assert sealed != sealer.seal("hunter2")  # a fresh IV every time
    again = crypto.Sealer.open(tmp_path)
    assert again.unseal(sealed) == "hunter2"
    assert [p.name for p in tmp_path.iterdir()] == [crypto.KEY_FILE]  # no temporary left


def test_servers_starting_together_share_one_key(tmp_path: Path) -> None:
    found: list[crypto.Sealer] = []
    threads = [
        threading.Thread(target=lambda: found.append(crypto.Sealer.open(tmp_path)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sealed = found[0].seal("same")
    assert all(s.unseal(sealed) == "same" for s in found)


def test_a_key_readable_by_others_is_narrowed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crypto.Sealer.open(tmp_path)
    key = tmp_path / crypto.KEY_FILE
    key.chmod(0o644)
    crypto.Sealer.open(tmp_path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "readable by others" in caplog.text


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"not a key\n", "is not a Fernet key"),
        (b"", "is not a Fernet key"),
    ],
)
def test_a_bad_key_file_is_named(tmp_path: Path, content: bytes, says: str) -> None:
    key = tmp_path / crypto.KEY_FILE
    key.write_bytes(content)
    key.chmod(0o600)
    with pytest.raises(crypto.CryptoError, match=says) as caught:
        crypto.Sealer.open(tmp_path)
    assert str(key) in str(caught.value)
    assert key.read_bytes() == content  # nothing changed


def test_a_key_file_that_is_a_link_or_a_directory_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    crypto.Sealer.open(elsewhere)
    data = tmp_path / "data"
    data.mkdir()
    (data / crypto.KEY_FILE).symlink_to(elsewhere / crypto.KEY_FILE)
    with pytest.raises(crypto.CryptoError, match="cannot read the key file"):
        crypto.Sealer.open(data)
    (data / crypto.KEY_FILE).unlink()
    (data / crypto.KEY_FILE).mkdir()
    with pytest.raises(crypto.CryptoError, match="not a regular file"):
        crypto.Sealer.open(data)


def test_a_value_sealed_with_another_key_or_changed_does_not_open(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one, other = crypto.Sealer.open(tmp_path / "a"), crypto.Sealer.open(tmp_path / "b")
    sealed = one.seal("token")
    with pytest.raises(crypto.UnsealError, match="was the key replaced"):
        other.unseal(sealed)
    tampered = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    with pytest.raises(crypto.UnsealError):
        one.unseal(tampered)
    with pytest.raises(crypto.UnsealError):
        one.unseal("plain text, never sealed")


def test_a_data_dir_that_cannot_hold_the_key_is_named(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(crypto.CryptoError, match="cannot create the key file"):
            crypto.Sealer.open(tmp_path)
    finally:
        tmp_path.chmod(0o700)

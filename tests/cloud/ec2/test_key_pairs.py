"""Key pairs through a real server: import, read by id or name, tags, delete; malformed keys and
names refused naming the field, nothing changed. Fingerprints are checked against ssh-keygen."""

from __future__ import annotations

import base64
import hashlib
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cloud.conftest import CloudServer, api_error, running_server

pytestmark = pytest.mark.slow

KP = "/api/v1/key-pairs"


def ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def ed25519_key(comment: str = "me@host") -> str:
    blob = ssh_string(b"ssh-ed25519") + ssh_string(secrets.token_bytes(32))
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def rsa_key(bits: int = 2048) -> str:
    modulus = secrets.randbits(bits) | (1 << (bits - 1)) | 1
    n = modulus.to_bytes(bits // 8 + 1, "big")  # leading zero byte: a positive mpint
    blob = ssh_string(b"ssh-rsa") + ssh_string((65537).to_bytes(3, "big")) + ssh_string(n)
    return f"ssh-rsa {base64.b64encode(blob).decode()}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("kp")) as server:
        yield server


@pytest.fixture
def client(server: CloudServer) -> httpx.Client:
    return server.client


def create(client: httpx.Client, name: str, key: str, **fields: Any) -> dict[str, Any]:
    response = client.post(KP, json={"name": name, "public_key": key, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_import_ed25519(client: httpx.Client) -> None:
    key = ed25519_key()
    doc = create(client, "laptop", key, tags={"owner": "me"})
    assert doc["id"].startswith("key-")
    assert doc["arn"] == "arn:aws:ec2:local-1:000000000000:key-pair/laptop"
    assert (doc["name"], doc["public_key"], doc["key_type"]) == ("laptop", key, "ed25519")
    blob = base64.b64decode(key.split()[1])
    assert doc["fingerprint"] == base64.b64encode(hashlib.sha256(blob).digest()).decode()
    assert doc["tags"] == {"owner": "me"}
    assert client.get(f"{KP}/{doc['id']}").json() == doc
    assert client.get(f"{KP}/laptop").json() == doc
    assert client.get(KP, params={"name": "laptop"}).json()["items"] == [doc]


def test_import_rsa(client: httpx.Client) -> None:
    key = rsa_key()
    doc = create(client, "old-laptop", key)
    blob = base64.b64decode(key.split()[1])
    digest = hashlib.md5(blob).hexdigest()
    assert doc["key_type"] == "rsa"
    assert doc["fingerprint"] == ":".join(digest[i : i + 2] for i in range(0, 32, 2))


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
@pytest.mark.parametrize(("kind", "option"), [("ed25519", "sha256"), ("rsa", "md5")])
def test_fingerprints_match_ssh_keygen(
    client: httpx.Client, tmp_path: Path, kind: str, option: str
) -> None:
    private = tmp_path / "id"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "test", "-f", str(private)], check=True
    )
    key = (tmp_path / "id.pub").read_text()
    doc = create(client, f"generated-{kind}", key)
    shown = subprocess.run(
        ["ssh-keygen", "-l", "-E", option, "-f", str(tmp_path / "id.pub")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[1]
    expected = shown.split(":", 1)[1]
    assert doc["fingerprint"].rstrip("=") == expected
    assert doc["public_key"] == key.strip()


def test_tags_and_delete(client: httpx.Client) -> None:
    doc = create(client, "tagged", ed25519_key())
    response = client.patch(f"{KP}/tagged", json={"tags": {"team": "web"}})
    assert response.status_code == 200, response.text
    assert response.json() == {**doc, "tags": {"team": "web"}}
    assert client.delete(f"{KP}/{doc['id']}").status_code == 204
    api_error(client.get(f"{KP}/tagged"), 404, "NotFound")
    api_error(client.delete(f"{KP}/tagged"), 404, "NotFound")
    api_error(client.patch(f"{KP}/tagged", json={"tags": {}}), 404, "NotFound")


def _blob(*parts: bytes) -> str:
    return base64.b64encode(b"".join(ssh_string(p) for p in parts)).decode()


BAD_KEYS = [
    ({"public_key": ed25519_key()}, "name"),
    ({"name": "", "public_key": ed25519_key()}, "name"),
    ({"name": "tab\there", "public_key": ed25519_key()}, "name"),
    ({"name": "k" * 256, "public_key": ed25519_key()}, "name"),
    ({"name": "k"}, "public_key"),
    ({"name": "k", "public_key": ""}, "public_key"),
    ({"name": "k", "public_key": "ssh-ed25519"}, "public_key"),
    ({"name": "k", "public_key": "ssh-dss AAAAB3NzaC1kc3M="}, "public_key"),
    ({"name": "k", "public_key": "ecdsa-sha2-nistp256 " + _blob(b"ecdsa-sha2-nistp256", b"x")}, "public_key"),
    ({"name": "k", "public_key": "ssh-ed25519 not*base64"}, "public_key"),
    ({"name": "k", "public_key": "ssh-ed25519 " + _blob(b"ssh-rsa", b"\x01", b"\x01")}, "public_key"),
    ({"name": "k", "public_key": "ssh-ed25519 " + _blob(b"ssh-ed25519", b"short")}, "public_key"),
    ({"name": "k", "public_key": "ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x20ssh").decode()}, "public_key"),
    ({"name": "k", "public_key": rsa_key(512)}, "public_key"),
    ({"name": "k", "public_key": ed25519_key(), "key_type": "rsa"}, "key_type"),
    ({"name": "k", "public_key": ed25519_key(), "tags": {"k": None}}, "tags.k"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "field"), BAD_KEYS)
def test_bad_key_pairs_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    before = client.get(KP).json()["items"]
    api_error(client.post(KP, json=body), 400, "ValidationError", field)
    assert client.get(KP).json()["items"] == before


def test_names_are_unique(client: httpx.Client) -> None:
    create(client, "taken", ed25519_key())
    before = client.get(KP).json()["items"]
    api_error(
        client.post(KP, json={"name": "taken", "public_key": ed25519_key()}),
        409,
        "Conflict",
        "name",
    )
    assert client.get(KP).json()["items"] == before


@pytest.mark.parametrize(
    ("body", "field"), [({"name": "renamed"}, "name"), ({"public_key": "x"}, "public_key")]
)
def test_only_tags_change(client: httpx.Client, body: dict[str, Any], field: str) -> None:
    doc = create(client, f"fixed-{field}", ed25519_key())
    api_error(client.patch(f"{KP}/{doc['id']}", json=body), 400, "ValidationError", field)
    assert client.get(f"{KP}/{doc['id']}").json() == doc

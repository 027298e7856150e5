"""Secrets at rest and in logs, against a real server: sealed in the database (its file and
WAL never hold them in clear), never returned by the API after creation (the webhook secret to
the admin only), masked in the stored and the live log, sealed in place when an older server
left them in clear."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import threading
from pathlib import Path

import httpx
import pytest

from tests.isolation.conftest import Server, buildspec, new_server

pytestmark = pytest.mark.slow

S = "/api/v1/codebuild/secrets"
C = "/api/v1/codebuild/source-credentials"
W = "/api/v1/codebuild/webhooks"
DB_FILES = ("cloud.db", "cloud.db-wal", "cloud.db-shm")


def on_disk(data: Path) -> bytes:
    return b"".join((data / n).read_bytes() for n in DB_FILES if (data / n).exists())


def github_project(server: Server, name: str) -> None:
    body = {
        "name": name,
        "source": {"type": "GITHUB", "location": f"https://github.com/o/{name}.git"},
        "environment": {
            "compute_type": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            "type": "LINUX_CONTAINER",
        },
        "artifacts": {"type": "NO_ARTIFACTS"},
        "service_role": "arn:aws:iam::000000000000:role/codebuild",
    }
    assert server.client.post("/api/v1/codebuild/projects", json=body).status_code == 201


def test_sealed_at_rest_and_never_returned(server: Server) -> None:
    client = server.client
    value, token = "db-Passw0rd-7f3a9c", "ghp_SourceCredentialToken1234"
    made = client.post(S, json={"name": "app/db", "value": value})
    assert made.status_code == 201, made.text
    made_cred = client.post(
        C, json={"server_type": "GITHUB", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": token}
    )
    assert made_cred.status_code == 201, made_cred.text
    github_project(server, "hooked")
    hook = client.post(W, json={"project_name": "hooked"}).json()
    secret = hook["secret"]  # shown when created
    assert len(secret) >= 32
    answers = [
        made.text,
        made_cred.text,
        client.get(S).text,
        client.get(f"{S}/app/db").text,
        client.get(C).text,
        client.get(f"{C}/GITHUB").text,
    ]
    for text in answers:
        assert value not in text
        assert token not in text
        assert "sealed" not in text
        assert '"value"' not in text
        assert '"token"' not in text
    assert client.get(f"{W}/hooked").json()["secret"] == secret  # to the admin
    scoped = client.post("/api/v1/tokens", json={"project": "hooked"}).json()["token"]
    other = {"Authorization": f"Bearer {scoped}"}
    for path in (f"{W}/hooked", W):
        r = httpx.get(server.url + path, headers=other)
        assert r.status_code == 200, r.text
        assert secret not in r.text
        assert "secret" not in json.dumps(r.json())
    stored = on_disk(server.data_dir)
    for clear in (value, token, secret):
        assert clear.encode() not in stored


def test_a_secret_printed_is_masked_in_the_stored_and_the_live_log(server: Server) -> None:
    client = server.client
    value = "Live-Secret-0123456789"
    assert client.post(S, json={"name": "live", "value": value}).status_code == 201
    gate_open = threading.Event()
    spec = buildspec(
        'echo "plain=$SECRET"',
        'printf %s "$SECRET" | base64',
        'echo "user:$SECRET" | base64',
        'echo "$GITTERRA_TOKEN"',
        "export EXPORTED=$SECRET",
        "sleep 1",
        extra="env:\n  exported-variables:\n    - EXPORTED",
    )
    server.project(
        "masked",
        spec,
        environment={
            "environment_variable": [{"name": "SECRET", "value": "live", "type": "PARAMETER_STORE"}]
        },
    )
    build = server.start_build("masked")
    path = f"/api/v1/codebuild/builds/{build['id']}/logs"
    streamed: list[str] = []

    def follow() -> None:
        with client.stream("GET", f"{path}/stream", params={"offset": 0}) as r:
            for line in r.iter_lines():
                streamed.append(line)
        gate_open.set()

    reader = threading.Thread(target=follow)
    reader.start()
    polled, offset = "", 0
    while True:  # the live log, page by page as the build writes it
        page = client.get(path, params={"offset": offset, "wait": 30}).json()
        polled, offset = polled + page["text"], page["next_offset"]
        if page["complete"]:
            break
    reader.join(120)
    done = server.wait_build(build["id"])
    assert done["status"] == "SUCCEEDED", polled
    stored = (server.workspace(build["id"]) / "build.log").read_text()
    encodings = [
        base64.b64encode(value.encode()).decode().rstrip("="),
        base64.b64encode(b"user:" + value.encode() + b"\n").decode()[8:28],
    ]
    for text in (stored, polled, "\n".join(streamed)):
        assert "plain=***" in text
        assert value not in text
        for encoded in encodings:
            assert encoded not in text
    assert done["exported_environment_variables"] == [{"name": "EXPORTED", "value": "***"}]


def test_plaintext_an_older_server_left_is_sealed_at_start(sandbox: str, tmp_path: Path) -> None:
    del sandbox
    with httpx.Client(timeout=60) as client:
        server = new_server(tmp_path, client)
        server.start()
        try:
            client.post(S, json={"name": "legacy", "value": "placeholder"})
            client.post(
                C, json={"server_type": "GITEA", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": "x"}
            )
            github_project(server, "old")
            client.post(W, json={"project_name": "old"})
        finally:
            server.stop()
        clear = {"value": "Legacy-Plain-Value-1", "token": "Legacy-Token-2", "secret": "Legacy-3"}
        _as_an_older_server_stored(server.data_dir, clear)
        assert all(v.encode() in on_disk(server.data_dir) for v in clear.values())
        server.start()
        try:
            stored = on_disk(server.data_dir)
            for v in clear.values():
                assert v.encode() not in stored
            digest = hashlib.sha256(clear["value"].encode()).hexdigest()
            server.project(
                "uses-legacy",
                buildspec('printf %s "$S" | sha256sum'),
                environment={
                    "environment_variable": [
                        {"name": "S", "value": "legacy", "type": "PARAMETER_STORE"}
                    ]
                },
            )
            build = server.start_build("uses-legacy")
            done = server.wait_build(build["id"])
            assert done["status"] == "SUCCEEDED"
            assert digest in server.log_of(build["id"])  # the sealed value still opens
            assert client.get(f"{W}/old").json()["secret"] == clear["secret"]
            events = client.get("/api/v1/events", params={"kind": "codebuild.secret"}).json()
            assert any("3 stored in clear now sealed" in e["message"] for e in events["items"])
        finally:
            server.stop()


def _as_an_older_server_stored(data: Path, clear: dict[str, str]) -> None:
    """Rewrite the documents as a server before sealing kept them: the text in clear."""
    db = sqlite3.connect(data / "cloud.db")
    try:
        for kind, plain, sealed in (
            ("codebuild_secret", "value", "sealed_value"),
            ("codebuild_credential", "token", "sealed_token"),
            ("codebuild_webhook", "secret", "sealed_secret"),
        ):
            for key, text in db.execute("SELECT id, doc FROM objects WHERE kind = ?", (kind,)):
                doc = json.loads(text)
                doc.pop(sealed)
                doc[plain] = clear[plain]
                db.execute(
                    "UPDATE objects SET doc = ? WHERE kind = ? AND id = ?",
                    (json.dumps(doc), kind, key),
                )
        db.commit()
    finally:
        db.close()

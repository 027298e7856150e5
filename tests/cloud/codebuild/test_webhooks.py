"""Forge deliveries through the real endpoint (in-process server): GitHub's documented
signature vector, a payload from GitHub's public examples replayed, every kind of refused
delivery stored with its reason and nothing built, and a GitHub (and a Gitea) repository served
by a local fake forge built end to end with its commit statuses posted to the fake's API."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cloud.codebuild.conftest import (
    InProcess,
    P,
    W,
    builds,
    create,
    deliveries,
    in_process,
    log_of,
    project,
    until,
    wait_build,
)
from tests.cloud.codebuild.fake_forge import FakeForge
from tests.cloud.codebuild.gitrepo import Repo

pytestmark = pytest.mark.slow

DATA = Path(__file__).resolve().parent.parent.parent / "triggers" / "testdata" / "deliveries"
VECTOR_SECRET = "It's a Secret to Everybody"
VECTOR_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    with in_process(tmp_path_factory.mktemp("webhooks")) as srv:
        yield srv


@pytest.fixture(scope="module")
def forge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeForge]:
    with FakeForge(tmp_path_factory.mktemp("forge")) as fake:
        yield fake


@pytest.fixture
def client(server: InProcess) -> httpx.Client:
    return server.client


def github_project(client: httpx.Client, name: str, location: str, **source: Any) -> dict[str, Any]:
    src = {"type": "GITHUB", "location": location, **source}
    create(client, P, project(name, source=src))
    groups = [
        {
            "filter": [
                {"type": "EVENT", "pattern": "PUSH"},
                {"type": "HEAD_REF", "pattern": "^refs/heads/(main|master)$"},
            ]
        }
    ]
    return create(client, W, {"project_name": name, "filter_group": groups})


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    client: httpx.Client,
    hook: dict[str, Any],
    body: bytes,
    event: str = "push",
    delivery: str = "d-1",
    signature: str | None = None,
) -> httpx.Response:
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "Content-Type": "application/json",
        "X-Hub-Signature-256": sign(hook["secret"], body) if signature is None else signature,
    }
    if not signature and signature is not None:
        del headers["X-Hub-Signature-256"]
    return client.post(hook["payload_url"], content=body, headers=headers)


def test_webhook_fields(client: httpx.Client, server: InProcess) -> None:
    hook = github_project(client, "fields", "https://github.com/o/r.git")
    assert hook["payload_url"] == f"{server.url}/webhooks/github/{hook['id']}"
    assert hook["url"] == f"{server.url}/api/v1/codebuild/webhooks/fields"
    assert len(hook["secret"]) >= 32
    assert client.get(f"{W}/fields").json()["secret"] == hook["secret"]


def test_githubs_signature_vector_through_the_endpoint(
    client: httpx.Client, server: InProcess
) -> None:
    hook = github_project(client, "vector", "https://github.com/o/r.git")
    stored = server.cloud.store.get("codebuild_webhook", hook["id"])
    assert stored is not None
    sealed = server.cloud.sealer.seal(VECTOR_SECRET)  # stored sealed, as the service stores it
    server.cloud.store.put("codebuild_webhook", hook["id"], {**stored, "sealed_secret": sealed})
    body = b"Hello, World!"
    assert sign(VECTOR_SECRET, body) == VECTOR_SIGNATURE
    r = deliver(client, hook, body, signature=VECTOR_SIGNATURE)
    assert r.status_code == 400, r.text  # signed right: refused only because it is no JSON
    assert "not valid JSON" in r.json()["reason"]
    wrong = deliver(client, hook, body, delivery="d-2", signature=sign("another secret", body))
    assert wrong.status_code == 401
    assert "does not match" in wrong.json()["reason"]
    assert builds(client, "vector") == []


def test_a_github_example_payload_replayed(client: httpx.Client) -> None:
    case = json.loads((DATA / "github-push-forced-two-commits.json").read_text())
    hook = github_project(client, "example", "https://github.com/Codertocat/Hello-World.git")
    body = json.dumps(case["payload"]).encode()
    r = deliver(client, hook, body, delivery=case["headers"]["X-GitHub-Delivery"])
    assert r.status_code == 202, r.text
    [build] = builds(client, "example")
    assert r.json()["builds"] == [build["id"]]
    expected = case["events"][0]
    assert build["trigger"]["commit"] == expected["after"]
    assert build["webhook_variables"]["CODEBUILD_WEBHOOK_HEAD_REF"] == expected["head_ref"]
    assert build["webhook_variables"]["CODEBUILD_WEBHOOK_TRIGGER"] == "branch/master"
    assert build["initiator"] == f"github-webhook/{expected['actor']}"
    record = deliveries(client, "example")[0]
    assert record["status"] == "accepted"
    assert record["http_status"] == 202
    assert record["events"][0]["filter_group"] == 0
    client.post(f"/api/v1/codebuild/builds/{build['id']}/stop")
    wait_build(client, build["id"])


def raw_post(url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """A request that announces a body it never sends: the answer must come unread."""
    parsed = httpx.URL(url)
    with socket.create_connection((parsed.host, parsed.port), timeout=60) as sock:
        head = f"POST {parsed.raw_path.decode()} HTTP/1.1\r\nHost: {parsed.host}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode())
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < int(
            dict(
                line.split(": ", 1)
                for line in data.split(b"\r\n\r\n")[0].decode().split("\r\n")[1:]
            ).get("content-length", "0")
        ):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, json.loads(data.split(b"\r\n\r\n", 1)[1])


def test_refused_deliveries_are_stored_with_their_reason_and_build_nothing(
    client: httpx.Client, server: InProcess
) -> None:
    hook = github_project(client, "refusing", "https://github.com/o/r.git")
    good = json.dumps({"zen": "hi", "hook_id": 1}).encode()
    assert deliver(client, hook, good, event="ping", delivery="ping-1").status_code == 202
    cases = [
        (
            deliver(client, hook, good, delivery="bad-sig", signature="sha256=" + "0" * 64),
            401,
            "does not match",
        ),
        (
            deliver(client, hook, good, delivery="no-sig", signature=""),
            401,
            "missing X-Hub-Signature-256",
        ),
        (deliver(client, hook, good, event="ping", delivery="ping-1"), 200, "already received"),
        (deliver(client, hook, b'{"ref": ', delivery="malformed"), 400, "not valid JSON"),
        (deliver(client, hook, b"[1]", delivery="not-object"), 400, "must be a JSON object"),
        (
            client.post(f"{server.url}/webhooks/github/wh-nope", content=good),
            404,
            "there is no webhook wh-nope",
        ),
        (
            client.post(
                f"{server.url}/webhooks/gitlab/{hook['id']}",
                content=good,
                headers={"X-Gitlab-Token": hook["secret"]},
            ),
            404,
            f"/webhooks/github/{hook['id']}",
        ),
        (
            client.post(f"{server.url}/webhooks/bitbucket/{hook['id']}", content=good),
            404,
            "unknown forge bitbucket",
        ),
    ]
    for response, status, reason in cases:
        assert response.status_code == status, response.text
        assert reason in response.json()["reason"]
    status, body = raw_post(
        hook["payload_url"],
        {
            "Content-Length": str(26 * 1024 * 1024),
            "X-GitHub-Event": "push",
            "X-Hub-Signature-256": VECTOR_SIGNATURE,
        },
    )
    assert status == 413
    assert "over the" in body["reason"]
    records = client.get("/api/v1/codebuild/deliveries", params={"limit": 20}).json()["items"]
    reasons = [(r["http_status"], r["reason"]) for r in records[: len(cases) + 1]]
    for _, status, reason in cases:
        assert any(s == status and reason in text for s, text in reasons), (status, reason, reasons)
    assert reasons[0][0] == 413
    assert all(r["builds"] == [] for r in records[: len(cases) + 1])
    assert builds(client, "refusing") == []


def push_payload(repo: Repo, sha: str, before: str) -> bytes:
    return json.dumps(
        {
            "ref": "refs/heads/main",
            "before": before,
            "after": sha,
            "created": False,
            "deleted": False,
            "forced": False,
            "commits": [
                {
                    "id": sha,
                    "message": "update",
                    "added": [],
                    "removed": [],
                    "modified": ["page.txt"],
                }
            ],
            "head_commit": {
                "id": sha,
                "message": "update",
                "added": [],
                "removed": [],
                "modified": ["page.txt"],
            },
            "pusher": {"name": "octocat"},
            "sender": {"login": "octocat", "id": 583231},
            "repository": {"full_name": "octo/site", "clone_url": str(repo.bare)},
        }
    ).encode()


def test_a_github_repository_built_end_to_end_with_statuses(
    client: httpx.Client, forge: FakeForge
) -> None:
    repo = Repo(forge.root / "octo" / "site.git")
    first = repo.commit(
        {
            "buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - cat page.txt\n",
            "page.txt": "one\n",
        }
    )
    sha = repo.commit({"page.txt": "two\n"})
    forge.publish(repo.bare)
    hook = github_project(
        client,
        "octo-site",
        f"{forge.url}/octo/site.git",
        git_clone_depth=1,
        report_build_status=True,
    )
    create(
        client,
        "/api/v1/codebuild/source-credentials",
        {"server_type": "GITHUB", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": "ghp_token123"},
    )
    r = deliver(client, hook, push_payload(repo, sha, first), delivery="e2e-1")
    assert r.status_code == 202, r.text
    done = wait_build(client, r.json()["builds"][0])
    log = log_of(client, done["id"])
    assert done["status"] == "SUCCEEDED", log
    assert done["resolved_source_version"] == sha
    assert "two" in log
    calls = until(
        lambda: (
            [c for c in forge.calls() if c["path"].endswith(f"/statuses/{sha}")][1:]
            and [c for c in forge.calls() if c["path"].endswith(f"/statuses/{sha}")]
        ),
        "both statuses to be posted",
    )
    assert [c["path"] for c in calls] == [f"/api/v3/repos/octo/site/statuses/{sha}"] * 2
    assert [c["body"]["state"] for c in calls] == ["pending", "success"]
    assert calls[0]["body"]["context"] == "gitterra/octo-site"
    assert calls[1]["body"]["target_url"].endswith(f"/builds/{done['id']}")
    assert calls[0]["headers"]["Authorization"] == "Bearer ghp_token123"
    listed = client.get("/api/v1/codebuild/source-credentials").json()["items"]
    assert listed
    assert all("token" not in c for c in listed)


def test_gitea_statuses_and_a_failing_status_api(client: httpx.Client, forge: FakeForge) -> None:
    repo = Repo(forge.root / "team" / "app.git")
    sha = repo.commit(
        {"buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - 'false'\n"}
    )
    forge.publish(repo.bare)
    create(
        client,
        P,
        project(
            "team-app",
            source={
                "type": "GITEA",
                "location": f"{forge.url}/team/app.git",
                "report_build_status": True,
            },
        ),
    )
    create(
        client,
        "/api/v1/codebuild/source-credentials",
        {"server_type": "GITEA", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": "gitea-tok"},
    )
    forge.data.fail_next.append(500)
    build = create(
        client, "/api/v1/codebuild/builds", {"project_name": "team-app", "source_version": "main"}
    )
    done = wait_build(client, build["id"])
    assert done["status"] == "FAILED"
    path = f"/api/v1/repos/team/app/statuses/{sha}"
    calls = until(
        lambda: (
            [c for c in forge.calls() if c["path"] == path][1:]
            and [c for c in forge.calls() if c["path"] == path]
        ),
        "both statuses to be posted",
    )
    assert [c["body"]["state"] for c in calls] == ["pending", "failure"]
    assert calls[0]["headers"]["Authorization"] == "token gitea-tok"
    assert "Could not post the commit status 'pending'" in log_of(client, done["id"])

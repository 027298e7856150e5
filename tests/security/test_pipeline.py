"""Least privilege end to end: a real server (in this process), a real git push to its git
host, real builds running the real ``gitterra`` with the http backend and the aws provider.

- A build of a pull request whose buildspec runs ``gitterra apply -auto-approve`` fails at its
  first change, the state lock, with 403; with ``-lock=false`` it fails at its first cloud
  change with 403 saying why. State and cloud are unchanged either way.
- The same buildspec on a push to main (the merge) applies.
- A build's token is refused once it expired, and once the build ended (revoked).
- The audit log lists the run's events: who (which build), what, on what, how it ended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cloud.codebuild.conftest import B, P, W, log_of, until, wait_build
from tests.cloud.codebuild.gitrepo import git
from tests.cloud.conftest import gates as gates  # the fixture, for these tests
from tests.security.conftest import Secured

pytestmark = pytest.mark.slow

BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - gitterra init -input=false -no-color
      - gitterra apply -auto-approve -input=false -no-color {flags}
"""

MAIN_TF = """
terraform {{
  backend "http" {{}}
  required_providers {{
    aws = {{ source = "hashicorp/aws" }}
  }}
}}

provider "aws" {{
  region = "eu-west-3"
}}

resource "aws_security_group" "web" {{
  name = "site-web"
  tags = {{ animal = "{animal}" }}
}}
{extra}
"""

LOG_GROUP = """
resource "aws_cloudwatch_log_group" "site" {
  name = "site-logs"
}
"""

GROUPS = [
    {
        "filter": [
            {"type": "EVENT", "pattern": "PUSH"},
            {"type": "HEAD_REF", "pattern": "^refs/heads/main$"},
        ]
    },
    {
        "filter": [
            {"type": "EVENT", "pattern": "PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED"},
            {"type": "BASE_REF", "pattern": "^refs/heads/main$"},
        ]
    },
]


def _pipeline(secured: Secured, work: Path) -> str:
    """The repository ``site``, its project and webhook (made by the admin); ``work`` is a
    clone whose origin pushes with the admin token. Returns the clone URL."""
    client = secured.client
    repo = client.post("/api/v1/repositories", json={"name": "site"})
    assert repo.status_code == 201, repo.text
    url = repo.json()["clone_url"]
    source = {"type": "GITTERRA", "location": url, "git_clone_depth": 1}
    project = {
        "name": "site",
        "source": source,
        "environment": {
            "compute_type": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            "type": "LINUX_CONTAINER",
        },
        "artifacts": {"type": "NO_ARTIFACTS"},
        "service_role": "arn:aws:iam::000000000000:role/codebuild",
    }
    assert client.post(P, json=project).status_code == 201
    assert client.post(W, json={"project_name": "site", "filter_group": GROUPS}).status_code == 201
    work.mkdir()
    git("init", "-q", "-b", "main", ".", cwd=work)
    authed = url.replace("http://", f"http://admin:{secured.token}@")
    git("remote", "add", "origin", authed, cwd=work)
    return str(url)


def _commit(work: Path, animal: str, *, extra: str = "", flags: str = "", branch: str) -> str:
    (work / "main.tf").write_text(MAIN_TF.format(animal=animal, extra=extra))
    (work / "buildspec.yml").write_text(BUILDSPEC.format(flags=flags))
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", f"{animal} {flags}".strip(), cwd=work)
    git("push", "-q", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def _build_of(secured: Secured, sha: str, event: str) -> dict[str, Any]:
    """The build of commit ``sha`` that a webhook event of kind ``event`` started, ended."""

    def found() -> dict[str, Any] | None:
        items = secured.client.get(B, params={"project": "site"}).json()["items"]
        return next(
            (b for b in items if (b["trigger"] or {}).get("commit") == sha
             and b["trigger"]["event"] == event),
            None,
        )  # fmt: skip

    build: dict[str, Any] = until(found, f"a {event} build of {sha[:8]}")
    return wait_build(secured.client, build["id"])


def _world(secured: Secured) -> tuple[bytes, list[dict[str, Any]], list[str]]:
    """The state as stored, the security groups, the log groups' names."""
    state = secured.client.get("/state/site/terraform").content
    groups = secured.client.get("/api/v1/security-groups").json()["items"]
    logs = [g["name"] for g in secured.client.get("/api/v1/log-groups").json()["items"]]
    return state, groups, logs


def test_pull_requests_only_plan_and_pushes_apply(secured: Secured, tmp_path: Path) -> None:
    work = tmp_path / "site"
    _pipeline(secured, work)
    first = _build_of(secured, _commit(work, "fox", branch="main"), "PUSH")
    assert first["status"] == "SUCCEEDED", log_of(secured.client, first["id"])
    before = _world(secured)
    groups = before[1]
    assert [(g["name"], g["tags"], g["owner"]) for g in groups] == [
        ("site-web", {"animal": "fox"}, "site")
    ]

    # a pull request: the same buildspec; apply's first change is the state lock
    git("checkout", "-q", "-b", "topic", cwd=work)
    sha = _commit(work, "bear", extra=LOG_GROUP, branch="topic")
    opened = secured.client.post(
        "/api/v1/repositories/site/pulls", json={"head": "topic", "base": "main"}
    )
    assert opened.status_code == 201, opened.text
    locked = _build_of(secured, sha, "PULL_REQUEST_CREATED")
    log = log_of(secured.client, locked["id"])
    assert locked["status"] == "FAILED", log
    assert "LOCK" in log, log
    assert "403 Forbidden" in log, log
    assert _world(secured) == before, "the state and the cloud are unchanged"

    # whatever the buildspec does: without the lock, its first cloud change is refused
    sha = _commit(work, "bear", extra=LOG_GROUP, flags="-lock=false", branch="topic")
    unlocked = _build_of(secured, sha, "PULL_REQUEST_UPDATED")
    log = log_of(secured.client, unlocked["id"])
    assert unlocked["status"] == "FAILED", log
    assert "this token is read-only: builds of pull requests only plan" in log, log
    assert "Apply complete" not in log
    assert _world(secured) == before, "the state and the cloud are unchanged"

    # merged: the push to main applies the same buildspec
    merged = secured.client.post("/api/v1/repositories/site/pulls/1/merge")
    assert merged.status_code == 200, merged.text
    applied = _build_of(secured, merged.json()["merge_commit_sha"], "PUSH")
    log = log_of(secured.client, applied["id"])
    assert applied["status"] == "SUCCEEDED", log
    _, groups, logs = _world(secured)
    assert [(g["name"], g["tags"]) for g in groups] == [("site-web", {"animal": "bear"})]
    assert logs == ["site-logs"]

    # every build's token ended with it
    ids = {first["id"], locked["id"], unlocked["id"], applied["id"]}
    records = secured.client.get("/api/v1/tokens", params={"state": "revoked"}).json()["items"]
    assert {t["build_id"] for t in records if t["kind"] == "build"} == ids
    modes = {t["build_id"]: t["read_only"] for t in records}
    assert modes == {
        first["id"]: False,
        locked["id"]: True,
        unlocked["id"]: True,
        applied["id"]: False,
    }
    _check_audit(secured, first["id"], locked["id"], unlocked["id"], applied["id"])


def _check_audit(secured: Secured, first: str, locked: str, unlocked: str, applied: str) -> None:
    """The audit log of the run: the admin's setup, each build's token and what it did."""
    items = secured.client.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    seen = [(r["actor"], r["action"], r["outcome"]) for r in items]
    assert ("admin", "POST /api/v1/repositories", 201) in seen
    assert ("admin", "POST /api/v1/codebuild/projects", 201) in seen
    assert ("admin", "git.push", 200) in seen
    assert ("admin", "POST /api/v1/repositories/{name}/pulls/{number}/merge", 200) in seen
    mine = [(a, o) for actor, a, o in seen if actor == f"build:{first}"]
    assert ("state.lock", 200) in mine, mine
    assert ("state.write", 200) in mine, mine
    assert ("state.unlock", 200) in mine, mine
    mine = [(a, o) for actor, a, o in seen if actor == f"build:{applied}"]  # -lock=false
    assert ("state.write", 200) in mine, mine
    assert ("state.lock", 200) not in mine, mine
    assert ("POST /api/v1/security-groups", 201) in [
        (a, o) for actor, a, o in seen if actor == f"build:{first}"
    ]
    assert ("POST /api/v1/log-groups", 201) in [
        (a, o) for actor, a, o in seen if actor == f"build:{applied}"
    ]
    pr_locked = [(a, o) for actor, a, o in seen if actor == f"build:{locked}"]
    assert ("state.lock", 403) in pr_locked, pr_locked
    assert ("state.read", 200) in pr_locked, pr_locked
    assert all(a.startswith(("GET ", "state.read")) for a, o in pr_locked if o < 300)
    pr_unlocked = [(a, o) for actor, a, o in seen if actor == f"build:{unlocked}"]
    refused = [a for a, o in pr_unlocked if o == 403]
    assert refused, pr_unlocked
    assert refused[0].startswith(("POST /api/v1/", "PATCH /api/v1/")), pr_unlocked
    assert all(a.startswith(("GET ", "state.read")) for a, o in pr_unlocked if o < 300)
    servers = [(a, r["target"]) for r in items if (a := r["action"]).startswith("build.token")]
    assert len([a for a, _ in servers if a == "build.token.mint"]) == 4
    assert len([a for a, _ in servers if a == "build.token.revoke"]) == 4
    sources = {r["source"] for r in items if r["actor"] != "server"}
    assert sources == {"127.0.0.1"}


INLINE = """version: 0.2
phases:
  build:
    commands:
      - for i in $(seq 1 3000); do [ -e "{go}" ] && break; sleep 0.1; done
      - gitterra cloud events -kind nothing
"""


def test_an_expired_build_token_is_refused(secured: Secured, gates: Path) -> None:
    go = gates / "go"  # where a confined build can see it (README "Isolation")
    project = {
        "name": "waiter",
        "source": {"type": "NO_SOURCE", "buildspec": INLINE.format(go=go)},
        "environment": {
            "compute_type": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            "type": "LINUX_CONTAINER",
        },
        "artifacts": {"type": "NO_ARTIFACTS"},
        "service_role": "arn:aws:iam::000000000000:role/codebuild",
        "build_timeout": 5,
    }
    assert secured.client.post(P, json=project).status_code == 201
    build = secured.client.post(B, json={"project_name": "waiter"}).json()

    def minted() -> dict[str, Any] | None:
        items = secured.client.get("/api/v1/tokens", params={"state": "active"}).json()["items"]
        return next((t for t in items if t["build_id"] == build["id"]), None)

    token = until(minted, "the build's token")
    assert token["project"] == "waiter"
    assert not token["read_only"]
    secured.clock.advance(5 * 60 + 31)  # past the build's timeout and the grace
    go.write_text("")
    done = wait_build(secured.client, build["id"])
    log = log_of(secured.client, build["id"])
    assert done["status"] == "FAILED", log
    assert "refused the token" in log, log
    refused = secured.client.get("/api/v1/audit", params={"actor": "anonymous"}).json()["items"]
    assert any(f"token {token['id']} expired at" in r["detail"] for r in refused), refused

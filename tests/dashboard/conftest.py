"""The dashboard's fixtures: one real ``gitterra server`` for the module (the pages read what
it holds), and a logged-in client.

``world`` fills the server once per module through its API and git (see world.py): a build
project with a finished build printing a plan and an apply, a site with serving instances and
a Terraform state naming it, a git host repository with a hostile branch name and a pull
request, refused webhook deliveries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.cloud.autoscaling.site import Site
from tests.cloud.codebuild.conftest import create
from tests.cloud.conftest import CloudServer, running_server, wait_for
from tests.dashboard import world

HOSTILE_BRANCH = "<script>alert(1)</script>"
HOSTILE_TITLE = '<img src=x onerror="alert(2)">'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("dashboard")) as running:
        yield running


@pytest.fixture
def dash(server: CloudServer) -> Iterator[httpx.Client]:
    """A client logged in to the dashboard."""
    client = world.login(server.url, server.token)
    try:
        yield client
    finally:
        client.close()


@dataclass
class World:
    build: dict[str, Any]
    site: Site
    pull: dict[str, Any]
    hostile_sha: str


@pytest.fixture(scope="module")
def filled(server: CloudServer, tmp_path_factory: pytest.TempPathFactory) -> World:
    api = server.client
    world.terraform_project(api, "infra")
    build = world.run_build(api, "infra")
    assert build["status"] == "SUCCEEDED", build
    made = world.site(api, "web")
    world.put_state(api, "infra", made, [world.missing_group("gone-group")])
    work = tmp_path_factory.mktemp("git") / "work"
    world.git_repo(api, server.token, "app", work)
    world.githost_project(api, "app", "app")
    sha = world.push_branch(work, HOSTILE_BRANCH, "a hostile branch")
    wait_for(
        lambda: any(
            d["events"] and d["events"][0]["head_ref"] == f"refs/heads/{HOSTILE_BRANCH}"
            for d in api.get("/api/v1/codebuild/deliveries").json()["items"]
        ),
        120,
        "the hostile branch's delivery",
    )
    pull = create(
        api,
        "/api/v1/repositories/app/pulls",
        {"head": HOSTILE_BRANCH, "base": "main", "title": HOSTILE_TITLE},
    )
    wait_for(
        lambda: api.get(f"/api/v1/repositories/app/pulls/{pull['number']}").json()["statuses"],
        120,
        "a status on the pull request",
    )
    hook = world.github_project(api, "forge")
    refused = httpx.post(
        hook["payload_url"],
        content=b"{}",
        headers={
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": "d-1",
            "X-Hub-Signature-256": "sha256=" + "0" * 64,
        },
    )
    assert refused.status_code == 401, refused.text
    return World(build, made, pull, sha)

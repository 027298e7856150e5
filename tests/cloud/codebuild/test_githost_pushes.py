"""Real pushes to the real git host of a real ``gitterra server``: a push to main builds the
pushed commit and its status lands on the commit; a push to another branch builds nothing; a
pull request into main builds its head as ``pr/N`` and shows the status in the pull request."""

from __future__ import annotations

import pytest

from tests.cloud.codebuild.conftest import (
    P,
    W,
    builds,
    create,
    deliveries,
    log_of,
    project,
    until,
    wait_build,
)
from tests.cloud.codebuild.gitrepo import git
from tests.cloud.conftest import CloudServer

pytestmark = pytest.mark.slow

BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo "source=$CODEBUILD_SOURCE_VERSION trigger=$CODEBUILD_WEBHOOK_TRIGGER"
      - echo "repo=$CODEBUILD_SOURCE_REPO_URL"
      - cat page.txt
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


def test_pushes_and_pull_requests_build(cloud_server: CloudServer) -> None:
    client = cloud_server.client
    repo = create(client, "/api/v1/repositories", {"name": "site"})
    source = {
        "type": "GITTERRA",
        "location": "site",  # the name; builds see the clone URL
        "git_clone_depth": 1,
        "report_build_status": True,
    }
    create(client, P, project("site", source=source))
    create(client, W, {"project_name": "site", "filter_group": GROUPS})
    work = cloud_server.data_dir.parent / "work"
    work.mkdir()
    git("init", "-q", "-b", "main", ".", cwd=work)
    remote = repo["clone_url"].replace("http://", f"http://pusher:{cloud_server.token}@")
    git("remote", "add", "origin", remote, cwd=work)
    (work / "buildspec.yml").write_text(BUILDSPEC)
    (work / "page.txt").write_text("fox\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "fox", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    sha = git("rev-parse", "HEAD", cwd=work)

    [build] = until(lambda: builds(client, "site"), "the push to queue a build")
    done = wait_build(client, build["id"])
    log = log_of(client, build["id"])
    assert done["status"] == "SUCCEEDED", log
    assert done["resolved_source_version"] == sha
    assert f"source={sha} trigger=branch/main" in log
    assert f"repo={repo['clone_url']}" in log
    assert done["initiator"] == "githost-webhook/pusher"
    statuses = until(
        lambda: [
            s
            for s in client.get(f"/api/v1/repositories/site/commits/{sha}/statuses").json()["items"]
            if s["state"] == "success"
        ],
        "the success status on the commit",
    )
    assert statuses[0]["context"] == "gitterra/site"
    assert statuses[0]["target_url"] == f"{cloud_server.url}/builds/{build['id']}"

    git("checkout", "-q", "-b", "topic", cwd=work)
    (work / "page.txt").write_text("bear\n")
    git("commit", "-q", "-am", "bear", cwd=work)
    git("push", "-q", "origin", "topic", cwd=work)
    topic = git("rev-parse", "HEAD", cwd=work)
    until(
        lambda: any(
            d["events"] and d["events"][0]["head_ref"] == "refs/heads/topic"
            for d in deliveries(client, "site")
        ),
        "the topic push recorded",
    )
    assert len(builds(client, "site")) == 1

    pull = create(client, "/api/v1/repositories/site/pulls", {"head": "topic", "base": "main"})
    pr_build = until(
        lambda: [b for b in builds(client, "site") if b["id"] != build["id"]],
        "the pull request build",
    )[0]
    done = wait_build(client, pr_build["id"])
    log = log_of(client, pr_build["id"])
    assert done["status"] == "SUCCEEDED", log
    assert done["resolved_source_version"] == topic
    assert f"source=pr/{pull['number']} trigger=pr/{pull['number']}" in log
    assert "bear" in log
    until(
        lambda: (
            client.get(f"/api/v1/repositories/site/pulls/{pull['number']}").json()["status"]
            == "success"
        ),
        "the pull request to show the build's success",
    )

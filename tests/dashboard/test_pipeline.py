"""The timeline and the infrastructure page from a real pipeline: pushes to the server's git
host build a module with ``gitterra init`` and ``apply`` (state in the server through
``backend "http"``, resources on the local cloud through the ``aws`` provider). The first push
creates the site; the second changes the page, which the group rolls out with an instance
refresh during the build. The dashboard shows each commit's plan, apply, rollout and health,
and the state's group with its live instance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cloud.codebuild.conftest import P, W, buildspec, create, project, wait_build
from tests.cloud.codebuild.gitrepo import git
from tests.cloud.conftest import CloudServer, running_server, wait_for
from tests.dashboard import world
from tests.providers.aws.stack import MODULE

pytestmark = pytest.mark.slow

DEADLINE = 600.0
SPEC = buildspec("gitterra init -input=false", "gitterra apply -input=false -auto-approve")


def module(page: str) -> str:
    text = MODULE.replace(
        "  required_providers {", '  backend "http" {}\n\n  required_providers {', 1
    )
    text = text.replace("default = 2", "default = 1", 1)
    return text.replace('default = "Fox"', f'default = "{page}"', 1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CloudServer]:
    base = tmp_path / "server"
    base.mkdir()
    with running_server(base) as running:
        yield running


def push(work: Path, page: str, message: str) -> str:
    (work / "main.tf").write_text(module(page))
    (work / "buildspec.yml").write_text(SPEC)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", message, cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def build_of(api: httpx.Client, sha: str) -> dict[str, object]:
    def found() -> dict[str, object] | None:
        items = api.get("/api/v1/codebuild/builds", params={"project": "site"}).json()["items"]
        return next((b for b in items if b["resolved_source_version"] == sha), None)

    build = wait_for(found, DEADLINE, f"a build of {sha[:7]}")
    return wait_build(api, str(build["id"]), timeout=DEADLINE)


def test_the_timeline_of_two_pushes(server: CloudServer, tmp_path: Path) -> None:
    api = server.client
    work = tmp_path / "work"
    world.git_repo(api, server.token, "site", work)
    source = {"type": "GITTERRA", "location": "site", "report_build_status": True}
    create(api, P, project("site", source=source))
    groups = [{"filter": [{"type": "EVENT", "pattern": "PUSH"}]}]
    create(api, W, {"project_name": "site", "filter_group": groups})

    fox = push(work, "Fox", "the fox page")
    first = build_of(api, fox)
    assert first["status"] == "SUCCEEDED", first["reason"]
    bear = push(work, "Bear", "the bear page")
    second = build_of(api, bear)
    dash = world.login(server.url, server.token)
    try:
        assert second["status"] == "SUCCEEDED", world.page(dash, f"/builds/{second['id']}")
        timeline = world.page(dash, "/timeline")
        rows = timeline.split('<li class="commit">')[1:]
        assert len(rows) == 2  # the two pushes (the first commit came before the project)
        newest, older = rows[0], rows[1]
        assert bear[:7] in newest
        assert "the bear page" in newest
        assert re.search(r"Plan: \d+ to add, \d+ to change, \d+ to destroy\.", newest)
        assert "Apply complete! Resources:" in newest
        assert "web: Successful 100%" in newest  # the instance refresh of this build
        assert "web 1/1 healthy" in newest
        assert fox[:7] in older
        assert "the fox page" in older
        assert "web 1/1 healthy" not in older  # only the newest applied commit is "now"
        assert "Successful" not in older  # creating the group needed no refresh

        infra = world.page(dash, "/infrastructure")
        [instance] = api.get(
            "/api/v1/instances", params={"group": "web", "state": "running"}
        ).json()["items"]
        assert instance["id"] in infra
        for address in ("aws_autoscaling_group.web", "aws_lb.web", "aws_lb_listener.http"):
            assert address in infra
        url = re.search(r'href="(http://127\.0\.0\.1:\d+)"', infra)
        assert url
        assert "Bear" in httpx.get(url.group(1), timeout=30).text
    finally:
        dash.close()

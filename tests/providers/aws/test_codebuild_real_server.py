"""The seed's deployment pipeline on a REAL ``gitterra server``: a repository created through
the git host API holding a buildspec, then ``aws_codebuild_project`` (GITTERRA source) and
``aws_codebuild_webhook`` (the seed's two filter groups) applied with the real engine; a second
plan shows no change; a build started through the API and one started by a push to main both
SUCCEED; the filter groups are updated in place; a webhook deleted outside is planned again;
destroy leaves nothing. Then the API's own refusals (a bad pattern, a group without EVENT)
placed at their attribute, and a source credential's lifecycle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitterra.providers import aws
from tests.cloud.codebuild.conftest import builds, log_of, start, until, wait_build
from tests.cloud.codebuild.gitrepo import git
from tests.cloud.conftest import CloudServer, running_server
from tests.providers.aws.stack import Stack, actions
from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws.test_codebuild_crud import GROUPS
from tests.providers.aws.test_codebuild_schema import PROJECT

pytestmark = pytest.mark.slow

MODULE = r"""
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "eu-west-3"
}

variable "clone_url" {
  type = string
}

variable "branch" {
  type    = string
  default = "main"
}

resource "aws_codebuild_project" "codebuild" {
  name          = "site-codebuild"
  service_role  = "arn:aws:iam::000000000000:role/codebuild"
  build_timeout = 120

  source {
    type                = "GITTERRA"
    location            = var.clone_url
    git_clone_depth     = 1
    report_build_status = true
  }

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/amazonlinux2-x86_64-standard:3.0"
    type         = "LINUX_CONTAINER"

    environment_variable {
      name  = "GREETING"
      value = "hello from the project"
    }
  }

  logs_config {
    cloudwatch_logs {
      group_name  = "site-log-group"
      stream_name = "site"
    }
  }
}

resource "aws_codebuild_webhook" "webhook" {
  project_name = aws_codebuild_project.codebuild.name

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PUSH"
    }

    filter {
      type    = "HEAD_REF"
      pattern = "^refs/heads/${var.branch}$"
    }
  }

  filter_group {
    filter {
      type    = "EVENT"
      pattern = "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"
    }

    filter {
      type    = "BASE_REF"
      pattern = "^refs/heads/${var.branch}$"
    }
  }
}
"""

BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo "greeting=$GREETING"
      - cat page.txt
"""
PROJECT_PATH = "/api/v1/codebuild/projects/site-codebuild"
WEBHOOK_PATH = "/api/v1/codebuild/webhooks/site-codebuild"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CloudServer]:
    with running_server(tmp_path) as running:
        yield running


def provider_for(server: CloudServer) -> aws.AwsProvider:
    env = {"GITTERRA_ENDPOINT": server.url, "GITTERRA_TOKEN": server.token}
    return aws.AwsProvider(env=env, timing=aws.Timing(poll=0.2))


def push_site(server: CloudServer, work: Path, page: str) -> str:
    """Commit ``page`` (and the buildspec) in ``work`` and push it to main; the commit id."""
    (work / "buildspec.yml").write_text(BUILDSPEC)
    (work / "page.txt").write_text(page + "\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", page, cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def test_pipeline_as_code_builds(server: CloudServer, tmp_path: Path) -> None:
    client = server.client
    created = client.post("/api/v1/repositories", json={"name": "site"})
    assert created.status_code == 201, created.text
    clone_url = created.json()["clone_url"]
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", "-b", "main", ".", cwd=work)
    git("remote", "add", "origin", clone_url.replace("http://", f"http://pusher:{server.token}@"),
        cwd=work)  # fmt: skip
    push_site(server, work, "fox")  # before the project exists: builds nothing

    stack = Stack(tmp_path / "pipeline", lambda: provider_for(server), MODULE)
    applied = stack.apply(clone_url=clone_url)
    assert actions(applied) == {
        "aws_codebuild_project.codebuild": "CREATE",
        "aws_codebuild_webhook.webhook": "CREATE",
    }
    project = stack.attributes("aws_codebuild_project.codebuild")
    assert project["id"] == project["arn"]
    assert project["arn"].endswith(":project/site-codebuild")
    hook = stack.attributes("aws_codebuild_webhook.webhook")
    assert hook["id"] == "site-codebuild"
    assert hook["payload_url"] == ""  # GITTERRA: the git host delivers events itself
    assert hook["secret"]
    stored = client.get(WEBHOOK_PATH).json()
    assert sorted(g["filter"][1]["type"] for g in stored["filter_group"]) == [
        "BASE_REF",
        "HEAD_REF",
    ]
    second, diags = stack.plan(clone_url=clone_url)
    assert not diags.has_errors, [str(d) for d in diags]
    assert actions(second) == {}, "a second plan shows no change"

    # a build started through the API
    build = start(client, "site-codebuild")
    done = wait_build(client, build["id"])
    log = log_of(client, build["id"])
    assert done["status"] == "SUCCEEDED", log
    assert "greeting=hello from the project" in log
    assert "fox" in log
    # a push to main: the webhook's first filter group starts a build of that commit
    sha = push_site(server, work, "bear")
    pushed = until(
        lambda: [b for b in builds(client, "site-codebuild") if b["source_version"] == sha],
        "the push to main to start a build",
    )
    done = wait_build(client, pushed[0]["id"])
    assert done["status"] == "SUCCEEDED", log_of(client, pushed[0]["id"])
    assert done["resolved_source_version"] == sha
    assert "bear" in log_of(client, pushed[0]["id"])

    # the filter groups change in place
    updated = stack.apply(clone_url=clone_url, branch="release")
    assert actions(updated) == {"aws_codebuild_webhook.webhook": "UPDATE"}
    patterns = {g["filter"][1]["pattern"] for g in client.get(WEBHOOK_PATH).json()["filter_group"]}
    assert patterns == {"^refs/heads/release$"}

    # drift: the webhook deleted outside is planned again
    assert client.delete(WEBHOOK_PATH).status_code == 204
    drifted, diags = stack.plan(clone_url=clone_url, branch="release")
    assert not diags.has_errors
    assert actions(drifted) == {"aws_codebuild_webhook.webhook": "CREATE"}

    gone = stack.apply(destroy=True, clone_url=clone_url, branch="release")
    assert set(actions(gone).values()) == {"DELETE"}
    assert client.get(PROJECT_PATH).status_code == 404
    assert client.get("/api/v1/codebuild/projects").json()["items"] == []


def test_refusals_and_credentials_against_the_real_api(server: CloudServer) -> None:
    d = Driver(provider_for(server))
    try:
        assert not d.configure().has_errors
        inline = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"
        project = d.create("aws_codebuild_project", **{
            **PROJECT, "source": [{"type": "NO_SOURCE", "buildspec": inline}]})  # fmt: skip
        assert d.read("aws_codebuild_project", project).state == project
        bad = {"filter": [{"type": "EVENT", "pattern": "PUSH"},
                          {"type": "HEAD_REF", "pattern": "^refs/heads/(main$"}]}  # fmt: skip
        result = d.try_create("aws_codebuild_webhook", project_name="site", filter_group=[bad])
        (diag,) = result.diagnostics.errors
        assert diag.attribute == ("filter_group", 0, "filter", 1, "pattern"), diag
        assert 'HEAD_REF "^refs/heads/(main$"' in diag.detail
        # NO_SOURCE projects take no webhook: the API says so, at project_name
        result = d.try_create("aws_codebuild_webhook", project_name="site", filter_group=GROUPS)
        assert [x.attribute for x in result.diagnostics.errors] == [("project_name",)]
        github = {"type": "GITHUB", "location": "https://github.com/o/r.git"}
        d.update("aws_codebuild_project", project, **{**PROJECT, "source": [github]})
        no_event = {"filter": [{"type": "HEAD_REF", "pattern": "^refs/heads/main$"}]}
        result = d.try_create("aws_codebuild_webhook", project_name="site", filter_group=[no_event])
        (diag,) = result.diagnostics.errors
        assert diag.attribute == ("filter_group", 0), diag
        assert server.client.get("/api/v1/codebuild/webhooks").json()["items"] == []
        hook = d.create("aws_codebuild_webhook", project_name="site", filter_group=GROUPS)
        assert "/webhooks/github/" in attr(hook, "payload_url")
        assert d.read("aws_codebuild_webhook", hook).state == hook

        cred = d.create("aws_codebuild_source_credential", server_type="GITHUB",
                        auth_type="PERSONAL_ACCESS_TOKEN", token="ghp_secret")  # fmt: skip
        listed = server.client.get("/api/v1/codebuild/source-credentials").json()["items"]
        assert [c["arn"] for c in listed] == [attr(cred, "id")]
        assert "ghp_secret" not in str(listed)
        assert d.read("aws_codebuild_source_credential", cred).state == cred
        (imported,) = d.import_("aws_codebuild_source_credential", attr(cred, "arn")).states
        assert attr(imported, "server_type") == "GITHUB"
        for type_, state in (
            ("aws_codebuild_source_credential", cred),
            ("aws_codebuild_webhook", hook),
            ("aws_codebuild_project", project),
        ):
            deleted = d.delete(type_, state)
            assert not deleted.diagnostics.has_errors, errors(deleted.diagnostics)
            assert d.read(type_, state).state is None, type_
    finally:
        d.close()

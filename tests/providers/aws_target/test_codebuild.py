"""CodeBuild on the AWS target: projects against moto (create, read, import, delete, drift);
project updates, webhooks and source credentials, which moto lacks, through the stand-ins,
checking the exact requests sent (contract tests); and what only the local cloud has
(GITTERRA sources, GITEA credentials) refused at the attribute before anything is sent."""

from __future__ import annotations

import json
from typing import Any

from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import ACCOUNT, REGION, MotoServer
from tests.providers.aws_target.support import roundtrip

REPO = "https://github.com/example/fox-or-bear"
GROUPS = [
    {"filter": [{"type": "EVENT", "pattern": "PUSH"},
                {"type": "HEAD_REF", "pattern": "^refs/heads/main$"}]},
]  # fmt: skip


def role(d: Driver) -> str:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "codebuild.amazonaws.com"}}]}  # fmt: skip
    made = d.create("aws_iam_role", name="site-codebuild", assume_role_policy=json.dumps(trust))
    return str(attr(made, "arn"))


def project(service_role: str, **more: Any) -> dict[str, Any]:
    return {
        "name": "site",
        "description": "plan and apply",
        "build_timeout": 30,
        "service_role": service_role,
        "source": [{"type": "GITHUB", "location": REPO, "buildspec": "buildspec.yaml"}],
        "artifacts": [{"type": "NO_ARTIFACTS"}],
        "environment": [{"compute_type": "BUILD_GENERAL1_SMALL", "type": "LINUX_CONTAINER",
                         "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
                         "environment_variable": [{"name": "GITTERRA_TARGET", "value": "aws"}]}],
        "logs_config": [{"cloudwatch_logs": [{"group_name": "site-logs", "stream_name": "site"}]}],
        **more,
    }  # fmt: skip


def test_project_lifecycle(driver: Driver, cloud: MotoServer) -> None:
    arn = role(driver)
    made = driver.create("aws_codebuild_project", **project(arn, tags={"app": "fox"}))
    assert attr(made, "arn") == f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/site"
    assert attr(made, "id") == attr(made, "arn")
    (call,) = cloud.calls("codebuild", "CreateProject")
    assert call.params["source"] == {"type": "GITHUB", "location": REPO,
                                     "buildspec": "buildspec.yaml"}  # fmt: skip
    assert call.params["environment"]["environmentVariables"] == [
        {"name": "GITTERRA_TARGET", "value": "aws", "type": "PLAINTEXT"}
    ]
    assert call.params["logsConfig"]["cloudWatchLogs"] == {
        "status": "ENABLED", "groupName": "site-logs", "streamName": "site"}  # fmt: skip
    assert call.params["timeoutInMinutes"] == 30
    assert call.params["serviceRole"] == arn
    read = driver.read("aws_codebuild_project", made)
    assert read.state == made, errors(read.diagnostics)
    imported = driver.import_("aws_codebuild_project", "site")
    assert attr(imported.states[0], "name") == "site"

    cloud.clear()
    changed = driver.update(
        "aws_codebuild_project", made, **project(arn, description="only plan", tags={"app": "fox"})
    )
    (update,) = cloud.calls("codebuild", "UpdateProject")  # contract: moto has no UpdateProject
    assert update.params == {"name": "site", "description": "only plan"}
    assert attr(changed, "description") == "only plan"
    assert driver.read("aws_codebuild_project", changed).state == changed

    cloud.client("codebuild").delete_project(name="site")  # outside gitterra
    assert driver.read("aws_codebuild_project", changed).state is None


def test_gitterra_sources_exist_only_on_the_local_cloud(driver: Driver, cloud: MotoServer) -> None:
    local = project(role(driver), source=[{"type": "GITTERRA", "location": "site"}])
    result = driver.try_create("aws_codebuild_project", **local)
    (diag,) = result.diagnostics.errors
    assert diag.attribute == ("source", 0, "type")
    assert "GITTERRA sources exist only on gitterra's local cloud" in diag.summary
    assert diag.detail.startswith("AWS refused source.0.type")
    assert not cloud.calls("codebuild", "CreateProject")  # nothing was sent


def test_webhook(driver: Driver, cloud: MotoServer) -> None:
    driver.create("aws_codebuild_project", **project(role(driver)))
    hook = driver.create("aws_codebuild_webhook", project_name="site", filter_group=GROUPS)
    (call,) = cloud.calls("codebuild", "CreateWebhook")
    assert call.params == {
        "projectName": "site",
        "filterGroups": [[
            {"type": "EVENT", "pattern": "PUSH", "excludeMatchedPattern": False},
            {"type": "HEAD_REF", "pattern": "^refs/heads/main$", "excludeMatchedPattern": False},
        ]],
    }  # fmt: skip
    assert attr(hook, "id") == "site"
    assert attr(hook, "payload_url").startswith("https://codebuild.")
    assert attr(hook, "secret")
    roundtrip(driver, "aws_codebuild_webhook", hook, "site")

    prs = [{"filter": [{"type": "EVENT", "pattern": "PULL_REQUEST_CREATED"},
                       {"type": "BASE_REF", "pattern": "^refs/heads/main$"}]}]  # fmt: skip
    cloud.clear()
    changed = driver.update("aws_codebuild_webhook", hook, project_name="site",
                            filter_group=GROUPS + prs)  # fmt: skip
    (update,) = cloud.calls("codebuild", "UpdateWebhook")
    assert update.params["projectName"] == "site"
    assert len(update.params["filterGroups"]) == 2
    assert len(attr(changed, "filter_group")) == 2
    assert not driver.delete("aws_codebuild_webhook", changed).diagnostics
    assert cloud.calls("codebuild", "DeleteWebhook")[0].params == {"projectName": "site"}
    assert driver.read("aws_codebuild_webhook", changed).state is None


def test_source_credential(driver: Driver, cloud: MotoServer) -> None:
    cred = driver.create("aws_codebuild_source_credential", server_type="GITHUB",
                         auth_type="PERSONAL_ACCESS_TOKEN", token="ghp_secret")  # fmt: skip
    (call,) = cloud.calls("codebuild", "ImportSourceCredentials")
    assert call.params == {"token": "ghp_secret", "serverType": "GITHUB",
                           "authType": "PERSONAL_ACCESS_TOKEN"}  # fmt: skip
    arn = f"arn:aws:codebuild:{REGION}:{ACCOUNT}:token/github"
    assert attr(cred, "arn") == arn
    assert driver.read("aws_codebuild_source_credential", cred).state == cred
    imported = driver.import_("aws_codebuild_source_credential", arn)
    assert attr(imported.states[0], "server_type") == "GITHUB"
    assert not driver.delete("aws_codebuild_source_credential", cred).diagnostics
    assert cloud.calls("codebuild", "DeleteSourceCredentials")[0].params == {"arn": arn}
    assert driver.read("aws_codebuild_source_credential", cred).state is None

    gitea = driver.try_create("aws_codebuild_source_credential", server_type="GITEA",
                              auth_type="PERSONAL_ACCESS_TOKEN", token="t")  # fmt: skip
    (diag,) = gitea.diagnostics.errors
    assert diag.attribute == ("server_type",)

"""The Fox-or-Bear scaffold's ``infra/`` and ``deployment-pipeline/`` through the real engine,
unchanged, on AWS (moto, through boto3; GITTERRA_TARGET=aws) and on the local target (the fake
API): plan, apply, a plan with no changes, a change (scale; a new site commit rolled out by an
instance refresh; a pipeline setting), and destroy leaving nothing; and the pipeline switched to
AWS CodeBuild by its ``target`` variable alone, pull requests then building in a project of their
own as a role that can only read."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

from gitterra import engine
from gitterra.providers import aws
from tests.providers.aws.fake_cloud import FakeCloud
from tests.providers.aws.support import FAST as LOCAL_FAST
from tests.providers.aws_target.engine import Module, actions, scaffold
from tests.providers.aws_target.moto_server import ACCOUNT, REGION, MotoServer, environment
from tests.providers.aws_target.support import FAST, provider

INFRA = {
    "aws_security_group.web",
    "aws_launch_template.web",
    "aws_autoscaling_group.web",
    "aws_lb.lb",
    "aws_lb_target_group.web",
    "aws_lb_listener.http",
}
PIPELINE = {
    "aws_iam_role.codebuild",
    "aws_iam_role_policy.codebuild",
    "aws_codebuild_project.codebuild",
    "aws_codebuild_webhook.webhook",
}
#: What ``target = "aws"`` adds: pull requests' own project, its role and webhook.
PULL_REQUESTS = {
    "aws_iam_role.pull_requests[0]",
    "aws_iam_role_policy.pull_requests[0]",
    "aws_codebuild_project.pull_requests[0]",
    "aws_codebuild_webhook.pull_requests[0]",
}
#: The webhooks' filter groups, as (type, pattern) pairs.
PUSHES = [("EVENT", "PUSH"), ("HEAD_REF", "^refs/heads/main$")]
PRS = [
    ("EVENT", "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"),
    ("BASE_REF", "^refs/heads/main$"),
]
SITE = {"repository_url": "https://github.com/example/fob.git", "git_sha": "a" * 40}


def on_aws(cloud: MotoServer, path: Path, **variables: str) -> Module:
    return Module(path, lambda: provider(cloud), **variables)


def test_infra_on_aws(cloud: MotoServer, tmp_path: Path) -> None:
    infra = on_aws(cloud, scaffold(tmp_path) / "infra", **SITE)
    first = infra.apply()
    assert actions(first) == dict.fromkeys(INFRA, "CREATE")
    assert first.destinations == {
        "aws": f"AWS account {ACCOUNT} in {REGION} (endpoint {cloud.url})"
    }
    lb = infra.attributes("aws_lb.lb")
    assert infra.output("url") == f"http://{lb['dns_name']}"  # the same output on both targets
    image = infra.attributes("aws_launch_template.web")["image_id"]
    found = cloud.client("ec2").describe_images(ImageIds=[image])["Images"][0]
    assert found["Name"].startswith("al2023-ami-2023.")  # Amazon Linux, not the local image
    tg = cloud.client("elbv2").describe_target_groups(Names=["fob-tg"])["TargetGroups"][0]
    assert (tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"]) == (10, 5)
    group = infra.attributes("aws_autoscaling_group.web")
    assert group["desired_capacity"] == 1

    again, diags = infra.plan()
    assert not diags.has_errors, [str(d) for d in diags]
    assert actions(again) == {}

    listener = infra.attributes("aws_lb_listener.http")["arn"]
    cloud.client("elbv2").delete_listener(ListenerArn=listener)  # deleted outside gitterra
    drifted, _ = infra.plan()
    assert actions(drifted) == {"aws_lb_listener.http": "CREATE"}
    drift = {str(c.addr): c.action.name for c in drifted.drift}
    assert drift["aws_lb_listener.http"] == "DELETE"  # (and the group lost its balancer)
    infra.apply()

    infra.edit("asg.tf", "desired_capacity = 1", "desired_capacity = 2")  # scale
    assert actions(infra.apply()) == {"aws_autoscaling_group.web": "UPDATE"}
    asg = cloud.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["fob"])
    assert len(asg["AutoScalingGroups"][0]["Instances"]) == 2
    assert not cloud.calls("autoscaling", "StartInstanceRefresh")  # scaling replaces nothing

    bear = infra.apply(git_sha="b" * 40)  # a new site commit
    assert actions(bear) == {
        "aws_launch_template.web": "UPDATE",
        "aws_autoscaling_group.web": "UPDATE",
    }
    (start,) = cloud.calls("autoscaling", "StartInstanceRefresh")
    assert start.params["Preferences.MinHealthyPercentage"] == "100"
    assert infra.attributes("aws_autoscaling_group.web")["launch_template"][0]["version"] == "2"

    gone = infra.apply(destroy=True, git_sha="b" * 40)
    assert actions(gone) == dict.fromkeys(INFRA, "DELETE")
    assert not infra.managed()
    assert_nothing_left(cloud)


def assert_nothing_left(cloud: MotoServer) -> None:
    autoscaling, elbv2, ec2 = (cloud.client(s) for s in ("autoscaling", "elbv2", "ec2"))
    assert autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []
    groups = ec2.describe_security_groups()["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["default"] * len(groups)


def test_pipeline_on_aws(cloud: MotoServer, tmp_path: Path) -> None:
    variables = {"source_type": "GITHUB", "repository": "https://github.com/example/fob"}
    pipeline = on_aws(cloud, scaffold(tmp_path) / "deployment-pipeline", **variables)
    assert actions(pipeline.apply()) == dict.fromkeys(PIPELINE, "CREATE")
    role = pipeline.attributes("aws_iam_role.codebuild")
    assert role["arn"] == f"arn:aws:iam::{ACCOUNT}:role/fob-codebuild"
    codebuild = cloud.client("codebuild")
    project = codebuild.batch_get_projects(names=["fob"])["projects"][0]
    assert project["serviceRole"] == role["arn"]
    assert project["source"]["type"] == "GITHUB"
    assert len(cloud.standins.webhooks["fob"]["filterGroups"]) == 2
    policy = cloud.client("iam").get_role_policy(
        RoleName="fob-codebuild", PolicyName="fob-codebuild"
    )
    assert policy["PolicyDocument"]["Statement"][0]["Action"][0] == "logs:CreateLogGroup"

    again, diags = pipeline.plan()
    assert not diags.has_errors, [str(d) for d in diags]
    assert actions(again) == {}

    pipeline.edit("main.tf", "build_timeout = 30", "build_timeout = 45")
    assert actions(pipeline.apply()) == {"aws_codebuild_project.codebuild": "UPDATE"}
    assert cloud.calls("codebuild", "UpdateProject")[-1].params == {
        "name": "fob",
        "timeoutInMinutes": 45,
    }
    assert codebuild.batch_get_projects(names=["fob"])["projects"][0]["timeoutInMinutes"] == 45

    assert actions(pipeline.apply(destroy=True)) == dict.fromkeys(PIPELINE, "DELETE")
    assert codebuild.batch_get_projects(names=["fob"])["projects"] == []
    assert cloud.standins.webhooks == {}
    assert cloud.client("iam").list_roles()["Roles"] == []


def test_the_pipeline_for_the_local_cloud_is_refused_on_aws(
    cloud: MotoServer, tmp_path: Path
) -> None:
    pipeline = on_aws(cloud, scaffold(tmp_path) / "deployment-pipeline")  # source GITTERRA
    the_plan, diags = pipeline.plan()
    assert not diags.has_errors
    diags = pipeline.apply_plan(the_plan)
    (refused,) = diags.errors
    assert refused.attribute == ("source", 0, "type")
    assert "GITTERRA sources exist only on gitterra's local cloud" in refused.summary
    assert not cloud.calls("codebuild", "CreateProject")
    assert pipeline.managed() == {"aws_iam_role.codebuild", "aws_iam_role_policy.codebuild"}


def test_the_same_files_on_the_local_target(tmp_path: Path) -> None:
    fake = FakeCloud()
    env = {"GITTERRA_ENDPOINT": "http://fake", "GITTERRA_TOKEN": fake.token}

    def local() -> engine.Provider:
        return aws.AwsProvider(transport=fake.transport(), env=env, timing=LOCAL_FAST)

    project = scaffold(tmp_path)
    infra = Module(project / "infra", local, **SITE)
    assert actions(infra.apply()) == dict.fromkeys(INFRA, "CREATE")
    tg = next(iter(fake.tgs.values()))
    assert (tg["health_check"]["interval"], tg["health_check"]["timeout"]) == (2, 1)
    assert infra.output("url").startswith("http://127.0.0.1:")
    assert actions(infra.plan()[0]) == {}
    pipeline = Module(project / "deployment-pipeline", local)
    assert actions(pipeline.apply()) == dict.fromkeys(PIPELINE, "CREATE")
    project_doc = fake.cb_projects["fob"]
    assert project_doc["service_role"] == "arn:aws:iam::000000000000:role/fob-codebuild"
    assert project_doc["source"]["type"] == "GITTERRA"
    # One project builds pushes and pull requests: the server gives the latter a read-only token.
    assert list(fake.cb_projects) == ["fob"]
    groups = fake.cb_webhooks["fob"]["filter_group"]  # a set, as in the aws provider
    assert sorted([(f["type"], f["pattern"]) for f in g["filter"]] for g in groups) == [PRS, PUSHES]
    assert "pull_request_project" not in pipeline.state.outputs  # null, as Terraform omits
    assert actions(pipeline.plan()[0]) == {}
    pipeline.apply(destroy=True)
    infra.apply(destroy=True)
    assert not infra.managed()
    assert not pipeline.managed()


#: What ``target = "aws"`` needs besides the repository: how builds install gitterra, the state.
ON_AWS = {
    "target": "aws",
    "repository": "https://github.com/example/fob",
    "gitterra_install": "gitterra @ git+https://github.com/example/gitterra@v0.1.0",
    "state_bucket": "fob-terraform-state",
    "state_lock_table": "fob-locks",
}


def test_the_pipeline_switched_to_aws(cloud: MotoServer, tmp_path: Path) -> None:
    """``target = "aws"`` alone moves the pipeline (no GITTERRA_TARGET): the provider's target,
    a GITHUB source with the whole history, an image with Python 3.11+, what builds need to
    install gitterra and init the s3 state, the role's access to that state, and GitHub's
    credential when a token is given."""
    env = {k: v for k, v in environment(cloud.url).items() if k != "GITTERRA_TARGET"}
    path = scaffold(tmp_path) / "deployment-pipeline"
    pipeline = Module(path, lambda: aws.AwsProvider(env=env, timing=FAST), **ON_AWS)
    applied = pipeline.apply(github_token="ghp_secret")
    credential = "aws_codebuild_source_credential.github[0]"
    assert actions(applied) == dict.fromkeys(PIPELINE | PULL_REQUESTS | {credential}, "CREATE")
    assert applied.destinations == {
        "aws": f"AWS account {ACCOUNT} in {REGION} (endpoint {cloud.url})"
    }
    (imported,) = cloud.calls("codebuild", "ImportSourceCredentials")
    assert imported.params["token"] == "ghp_secret"
    assert imported.params["serverType"] == "GITHUB"
    projects = {c.params["name"]: c for c in cloud.calls("codebuild", "CreateProject")}
    assert sorted(projects) == ["fob", "fob-pr"]
    created, pull_requests = projects["fob"], projects["fob-pr"]
    source, environ = created.params["source"], created.params["environment"]
    assert (source["type"], source["location"]) == ("GITHUB", "https://github.com/example/fob")
    assert source["gitCloneDepth"] == 0
    assert environ["image"] == "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
    assert {v["name"]: v["value"] for v in environ["environmentVariables"]} == {
        "GITTERRA_TARGET": "aws",
        "GITTERRA_INSTALL": "gitterra @ git+https://github.com/example/gitterra@v0.1.0",
        "STATE_BUCKET": "fob-terraform-state",
        "STATE_KEY": "fob/infra.tfstate",
        "STATE_REGION": REGION,
        "STATE_LOCK_TABLE": "fob-locks",
    }
    project = cloud.client("codebuild").batch_get_projects(names=["fob"])["projects"][0]
    assert project["environment"]["image"] == environ["image"]
    # Pull requests: the same source and environment, their own role, logs and webhook.
    assert pull_requests.params["source"] == source
    assert pull_requests.params["environment"] == environ
    assert pull_requests.params["serviceRole"] == f"arn:aws:iam::{ACCOUNT}:role/fob-pr-codebuild"
    assert created.params["serviceRole"] == f"arn:aws:iam::{ACCOUNT}:role/fob-codebuild"
    assert pull_requests.params["logsConfig"]["cloudWatchLogs"]["groupName"] == "fob-pr-log-group"
    assert filter_groups(cloud, "fob") == [PUSHES]
    assert filter_groups(cloud, "fob-pr") == [PRS]
    assert pipeline.output("pull_request_project") == "fob-pr"
    policy = cloud.client("iam").get_role_policy(
        RoleName="fob-codebuild", PolicyName="fob-codebuild"
    )
    state = policy["PolicyDocument"]["Statement"][2:]
    assert state == [
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws:s3:::fob-terraform-state"],
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": [
                "arn:aws:s3:::fob-terraform-state/fob/infra.tfstate",
                "arn:aws:s3:::fob-terraform-state/fob/infra.tfstate.tflock",
            ],
        },
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            "Resource": [f"arn:aws:dynamodb:{REGION}:*:table/fob-locks"],
        },
    ]

    again, diags = pipeline.plan(github_token="ghp_secret")
    assert not diags.has_errors, [str(d) for d in diags]
    assert actions(again) == {}

    gone = pipeline.apply(destroy=True, github_token="ghp_secret")
    assert actions(gone) == dict.fromkeys(PIPELINE | PULL_REQUESTS | {credential}, "DELETE")
    found = cloud.client("codebuild").batch_get_projects(names=["fob", "fob-pr"])
    assert found["projects"] == []
    assert cloud.standins.webhooks == {}
    assert cloud.standins.credentials == {}
    assert cloud.client("iam").list_roles()["Roles"] == []


def filter_groups(cloud: MotoServer, project: str) -> list[list[tuple[str, str]]]:
    """The project's webhook's filter groups as CodeBuild keeps them (sorted: the provider
    sends a set)."""
    groups = cloud.standins.webhooks[project]["filterGroups"]
    return sorted([(f["type"], f["pattern"]) for f in group] for group in groups)


#: Verbs of AWS actions that change something (the PR role's policy must have none, but for
#: writing its own build's logs).
WRITES = re.compile(
    r"^[a-z0-9-]+:(\*|(Put|Create|Delete|Update|Modify|Start|Attach|Register|Run|Terminate|Set)"
    r".*)$"
)


def test_pull_requests_build_as_a_role_that_can_only_read(
    cloud: MotoServer, tmp_path: Path
) -> None:
    """On AWS the buildspec of a pull request comes from the pull request: what keeps it from
    applying is the role of the project it builds in. That role's policy writes nothing but its
    build's logs, reads the state without writing it or its lock, and allows every call the
    provider makes to plan infra/ (moto enforces no IAM: the calls are checked against the
    policy's actions here)."""
    project = scaffold(tmp_path)
    pipeline = on_aws(cloud, project / "deployment-pipeline", **ON_AWS)
    pipeline.apply()
    document = cloud.client("iam").get_role_policy(
        RoleName="fob-pr-codebuild", PolicyName="fob-pr-codebuild"
    )["PolicyDocument"]
    statements: list[dict[str, Any]] = document["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements)
    logs, *others = statements
    assert logs == {
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [  # its own log group only: not the pushes' builds' logs
            f"arn:aws:logs:{REGION}:*:log-group:fob-pr-log-group",
            f"arn:aws:logs:{REGION}:*:log-group:fob-pr-log-group:*",
        ],
    }
    allowed = [a for s in others for a in s["Action"]]
    assert [a for a in allowed if WRITES.match(a)] == []
    assert others == [
        {
            "Effect": "Allow",
            "Action": ["ec2:Describe*", "autoscaling:Describe*", "elasticloadbalancing:Describe*"],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": ["arn:aws:s3:::fob-terraform-state"],
        },
        {  # the state, not its lock object: pull requests plan with -lock=false
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::fob-terraform-state/fob/infra.tfstate"],
        },
        {  # the state's digest, which s3 reads check
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem"],
            "Resource": [f"arn:aws:dynamodb:{REGION}:*:table/fob-locks"],
        },
    ]

    infra = on_aws(cloud, project / "infra", **SITE)
    infra.apply()
    cloud.clear()
    again, diags = infra.plan()  # what a pull request's build runs, after an apply
    assert not diags.has_errors, [str(d) for d in diags]
    assert actions(again) == {}
    made = {f"{c.service}:{c.operation}" for c in cloud.calls()}
    needed = made - {"sts:GetCallerIdentity"}  # allowed to everyone, whatever the policy
    assert needed  # the provider did read
    assert {a for a in needed if not any(fnmatch.fnmatchcase(a, p) for p in allowed)} == set()

    infra.apply(destroy=True)
    pipeline.apply(destroy=True)
    assert cloud.client("iam").list_roles()["Roles"] == []


def test_the_pipeline_on_aws_needs_the_repository(cloud: MotoServer, tmp_path: Path) -> None:
    pipeline = on_aws(cloud, scaffold(tmp_path) / "deployment-pipeline", target="aws")
    _, diags = pipeline.plan()
    assert sorted(str(e.context) for e in diags.errors) == [  # both projects, each named
        'resource "aws_codebuild_project" "codebuild"',
        'resource "aws_codebuild_project" "pull_requests"',
    ]
    for refused in diags.errors:
        assert refused.attribute == ("source", 0, "location")
        assert "`location` is required for GITHUB sources" in refused.detail
    assert not cloud.calls("iam", "CreateRole")

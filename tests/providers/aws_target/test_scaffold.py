"""The Fox-or-Bear scaffold's ``infra/`` and ``deployment-pipeline/`` through the real engine,
unchanged, on AWS (moto, through boto3; GITTERRA_TARGET=aws) and on the local target (the fake
API): plan, apply, a plan with no changes, a change (scale; a new site commit rolled out by an
instance refresh; a pipeline setting), and destroy leaving nothing; and the pipeline switched to
AWS CodeBuild by its ``target`` variable alone."""

from __future__ import annotations

from pathlib import Path

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
    assert actions(applied) == dict.fromkeys(PIPELINE | {credential}, "CREATE")
    assert applied.destinations == {
        "aws": f"AWS account {ACCOUNT} in {REGION} (endpoint {cloud.url})"
    }
    (imported,) = cloud.calls("codebuild", "ImportSourceCredentials")
    assert imported.params["token"] == "ghp_secret"
    assert imported.params["serverType"] == "GITHUB"
    (created,) = cloud.calls("codebuild", "CreateProject")
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
    assert actions(gone) == dict.fromkeys(PIPELINE | {credential}, "DELETE")
    assert cloud.client("codebuild").batch_get_projects(names=["fob"])["projects"] == []
    assert cloud.standins.credentials == {}
    assert cloud.client("iam").list_roles()["Roles"] == []


def test_the_pipeline_on_aws_needs_the_repository(cloud: MotoServer, tmp_path: Path) -> None:
    pipeline = on_aws(cloud, scaffold(tmp_path) / "deployment-pipeline", target="aws")
    _, diags = pipeline.plan()
    (refused,) = diags.errors
    assert refused.attribute == ("source", 0, "location")
    assert "`location` is required for GITHUB sources" in refused.detail
    assert not cloud.calls("iam", "CreateRole")

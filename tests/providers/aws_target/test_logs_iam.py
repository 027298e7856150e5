"""CloudWatch log groups and IAM roles and role policies on the AWS target, against moto
through boto3 (and on the local target, where IAM is recorded in state only)."""

from __future__ import annotations

import json

from tests.providers.aws.fake_cloud import FakeCloud
from tests.providers.aws.support import FAST as LOCAL_FAST
from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import ACCOUNT, REGION, MotoServer
from tests.providers.aws_target.support import roundtrip

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
         "Action": "sts:AssumeRole"}
    ],
}  # fmt: skip
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}  # fmt: skip


def test_log_group(driver: Driver, cloud: MotoServer) -> None:
    group = driver.create(
        "aws_cloudwatch_log_group", name="/aws/codebuild/site", retention_in_days=7,
        tags={"app": "fox"},
    )  # fmt: skip
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/site"
    assert attr(group, "arn") == arn
    roundtrip(driver, "aws_cloudwatch_log_group", group, "/aws/codebuild/site")
    forever = driver.update("aws_cloudwatch_log_group", group, name="/aws/codebuild/site",
                            retention_in_days=0, tags={"app": "bear"})  # fmt: skip
    logs = cloud.client("logs")
    found = logs.describe_log_groups(logGroupNamePrefix="/aws/codebuild/site")["logGroups"][0]
    assert "retentionInDays" not in found
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"app": "bear"}
    assert attr(forever, "retention_in_days") == 0
    logs.delete_log_group(logGroupName="/aws/codebuild/site")  # outside gitterra
    assert driver.read("aws_cloudwatch_log_group", forever).state is None


def test_role_and_policy(driver: Driver, cloud: MotoServer) -> None:
    trust = json.dumps(TRUST, indent=2)  # any spacing: what AWS gives back means the same
    role = driver.create("aws_iam_role", name="site-codebuild", assume_role_policy=trust,
                         description="builds", tags={"app": "fox"})  # fmt: skip
    assert attr(role, "arn") == f"arn:aws:iam::{ACCOUNT}:role/site-codebuild"
    assert attr(role, "assume_role_policy") == trust
    assert attr(role, "unique_id")
    roundtrip(driver, "aws_iam_role", role, "site-codebuild")
    policy = driver.create("aws_iam_role_policy", name="logs", role="site-codebuild",
                           policy=json.dumps(POLICY))  # fmt: skip
    assert attr(policy, "id") == "site-codebuild:logs"
    roundtrip(driver, "aws_iam_role_policy", policy, "site-codebuild:logs")
    iam = cloud.client("iam")
    assert (
        iam.get_role_policy(RoleName="site-codebuild", PolicyName="logs")["PolicyDocument"]
        == POLICY
    )

    wider = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "*"}]}
    driver.update("aws_iam_role_policy", policy, name="logs", role="site-codebuild",
                  policy=json.dumps(wider))  # fmt: skip
    assert (
        iam.get_role_policy(RoleName="site-codebuild", PolicyName="logs")["PolicyDocument"] == wider
    )
    changed = driver.update("aws_iam_role", role, name="site-codebuild",
                            assume_role_policy=trust, description="all builds", tags={})  # fmt: skip
    assert iam.get_role(RoleName="site-codebuild")["Role"]["Description"] == "all builds"
    assert attr(changed, "tags") == {}

    # deleting the role deletes its inline policies first (IAM refuses otherwise)
    assert not driver.delete("aws_iam_role", changed).diagnostics
    assert driver.read("aws_iam_role", changed).state is None
    assert driver.read("aws_iam_role_policy", policy).state is None


def test_a_malformed_policy_is_refused_at_validation(driver: Driver) -> None:
    problems = driver.validate("aws_iam_role", name="r", assume_role_policy="{not json")
    assert problems
    assert problems[0].startswith("Invalid value: assume_role_policy is not valid JSON")
    problems = driver.validate("aws_iam_role_policy", role="r", policy="[]")
    assert problems == ["Invalid value: policy must be a JSON object (an IAM policy)"]


def test_iam_is_recorded_in_state_on_the_local_cloud() -> None:
    from gitterra.providers import aws

    fake = FakeCloud()
    env = {"GITTERRA_ENDPOINT": "http://fake", "GITTERRA_TOKEN": fake.token}
    d = Driver(aws.AwsProvider(transport=fake.transport(), env=env, timing=LOCAL_FAST))
    try:
        assert not d.configure().has_errors
        fake.calls.clear()
        role = d.create("aws_iam_role", name="site-codebuild", assume_role_policy=json.dumps(TRUST))
        assert attr(role, "arn") == "arn:aws:iam::000000000000:role/site-codebuild"
        policy = d.create("aws_iam_role_policy", name="logs", role="site-codebuild",
                          policy=json.dumps(POLICY))  # fmt: skip
        assert not fake.calls  # nothing reached the cloud: recorded, not enforced
        assert d.read("aws_iam_role", role).state == role
        assert d.read("aws_iam_role_policy", policy).state == policy
        imported = d.import_("aws_iam_role", "site-codebuild")
        assert errors(imported.diagnostics)[0].startswith("Cannot import from the local cloud")
        assert d.delete("aws_iam_role_policy", policy).state is None
        assert d.delete("aws_iam_role", role).state is None
    finally:
        d.close()

"""Configuring the aws provider for AWS: the target from GITTERRA_TARGET or the block, what the
plan says the target is, region, credentials, assume_role, endpoints and default_tags, and a
clear error naming the argument or variable for every mistake (nothing is changed)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from gitterra.providers import aws
from tests.providers.aws.support import Driver, attr
from tests.providers.aws_target.moto_server import (
    ACCOUNT,
    FAKE_KEY,
    REGION,
    Fault,
    MotoServer,
    environment,
)
from tests.providers.aws_target.support import FAST, default_network


def driver_for(env: dict[str, str]) -> Driver:
    return Driver(aws.AwsProvider(env=env, timing=FAST))


def configure(env: dict[str, str], **attrs: Any) -> tuple[Driver, list[Any]]:
    d = driver_for(env)
    return d, list(d.configure(**attrs).errors)


def test_gitterra_target_switches_to_aws(cloud: MotoServer) -> None:
    d = driver_for(environment(cloud.url))
    try:
        assert d.provider.describe_target() == f"AWS in {REGION}"  # before configure
        assert not d.configure(region=REGION).has_errors
        assert d.provider.describe_target() == (
            f"AWS account {ACCOUNT} in {REGION} (endpoint {cloud.url})"
        )
        (call,) = cloud.calls("sts", "GetCallerIdentity")
        assert call.access_key == FAKE_KEY
    finally:
        d.close()


def test_the_block_chooses_the_target_too(cloud: MotoServer) -> None:
    env = {k: v for k, v in environment(cloud.url).items() if k != "GITTERRA_TARGET"}
    d, problems = configure(env, target="aws")
    assert not problems
    d.close()
    d, problems = configure({**env, "GITTERRA_TARGET": "aws"}, target="local")
    assert problems[0].summary == "No local cloud to talk to"  # the block wins
    d.close()


@pytest.mark.parametrize(
    ("env", "attrs", "where", "text"),
    [
        ({"GITTERRA_TARGET": "azure"}, {}, (), 'GITTERRA_TARGET is "azure"'),
        ({}, {"target": "gcp"}, ("target",), 'target is "gcp"'),
        ({"AWS_REGION": ""}, {}, ("region",), "needs a region"),
        ({}, {"region": "mars-north-1"}, ("region",), '"mars-north-1" is not an AWS region'),
        ({}, {"endpoints": [{"ec2": "ftp://x"}]}, ("endpoints", 0, "ec2"), "not an http(s) URL"),
        ({"AWS_ENDPOINT_URL": "nope"}, {}, (), 'AWS_ENDPOINT_URL="nope" is not an http(s) URL'),
        ({}, {"endpoint": "http://127.0.0.1:7070"}, ("endpoint",), "the local cloud's URL"),
        ({}, {"access_key": "AKIA"}, ("secret_key",), "secret_key is required"),
        ({}, {"assume_role": [{"role_arn": "admin"}]}, ("assume_role", 0, "role_arn"),
         '"admin" is not an IAM role ARN'),
        ({}, {"assume_role": [{"role_arn": f"arn:aws:iam::{ACCOUNT}:role/x", "duration": "5m"}]},
         ("assume_role", 0, "duration"), "from 15m to 12h"),
        ({}, {"ignore_tags": [{"keys": ["a"]}]}, ("ignore_tags",), "not supported"),
        ({}, {"allowed_account_ids": ["42"]}, ("allowed_account_ids",), "12-digit"),
    ],
)  # fmt: skip
def test_mistakes_are_named(
    cloud: MotoServer, env: dict[str, str], attrs: dict[str, Any], where: tuple[Any, ...], text: str
) -> None:
    d, problems = configure({**environment(cloud.url), **env}, **attrs)
    try:
        assert problems, "expected an error"
        diag = problems[0]
        assert diag.attribute == where, diag
        assert text in diag.detail, diag.detail
        assert d.provider.session.target is None  # not connected
        assert not cloud.calls("ec2")
    finally:
        d.close()


def test_a_forbidden_account_changes_nothing(cloud: MotoServer) -> None:
    d, problems = configure(environment(cloud.url), forbidden_account_ids=[ACCOUNT])
    assert problems[0].summary == f"AWS account {ACCOUNT} is not allowed"
    assert problems[0].attribute == ("forbidden_account_ids",)
    d.close()


def test_refused_and_missing_credentials(cloud: MotoServer) -> None:
    cloud.fail(Fault("sts", "InvalidClientTokenId", "GetCallerIdentity", 403,
                     "The security token included in the request is invalid."))  # fmt: skip
    d, problems = configure(environment(cloud.url))
    assert problems[0].summary == "AWS refused the credentials"
    assert "InvalidClientTokenId" in problems[0].detail
    d.close()
    keyless = {k: v for k, v in environment(cloud.url).items() if not k.startswith("AWS_SECRET")}
    d, problems = configure({k: v for k, v in keyless.items() if k != "AWS_ACCESS_KEY_ID"})
    assert problems[0].summary == "No AWS credentials"
    d.close()


def test_an_unreachable_endpoint(cloud: MotoServer) -> None:
    with socket.socket() as s:  # a port nothing listens on (the OS chose it; now closed)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    d, problems = configure(environment(f"http://127.0.0.1:{port}"))
    assert problems[0].summary == f"AWS ({REGION}) is not reachable"
    d.close()


def test_assume_role(cloud: MotoServer) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/deployer"
    d, problems = configure(
        environment(cloud.url),
        assume_role=[{"role_arn": role, "session_name": "gitterra-test", "external_id": "ext-1"}],
    )
    try:
        assert not problems, problems
        (call,) = cloud.calls("sts", "AssumeRole")
        assert call.params["RoleArn"] == role
        assert call.params["RoleSessionName"] == "gitterra-test"
        assert call.params["ExternalId"] == "ext-1"
        me = d.read_data("aws_caller_identity").state
        assert me is not None
        assert attr(me, "arn") == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/gitterra-test"
        # the role's credentials sign what follows
        assumed = cloud.calls("sts", "GetCallerIdentity")[-1].access_key
        assert assumed != FAKE_KEY
    finally:
        d.close()


def test_default_tags_are_merged_into_tags_all(cloud: MotoServer) -> None:
    d, problems = configure(
        environment(cloud.url), default_tags=[{"tags": {"env": "prod", "team": "ops"}}]
    )
    try:
        assert not problems
        vpc, _ = default_network(d)
        sg = d.create("aws_security_group", name="tagged", vpc_id=vpc, tags={"team": "web"})
        assert attr(sg, "tags") == {"team": "web"}
        assert attr(sg, "tags_all") == {"env": "prod", "team": "web"}
        found = cloud.client("ec2").describe_security_groups(GroupIds=[attr(sg, "id")])
        tags = {t["Key"]: t["Value"] for t in found["SecurityGroups"][0]["Tags"]}
        assert tags == {"env": "prod", "team": "web"}
        assert d.read("aws_security_group", sg).state == sg  # no drift from the defaults
    finally:
        d.close()


def test_the_local_target_still_refuses_aws_blocks(cloud: MotoServer) -> None:
    env = {"GITTERRA_ENDPOINT": "http://127.0.0.1:1", "GITTERRA_TOKEN": "t"}
    d, problems = configure(env, assume_role=[{"role_arn": f"arn:aws:iam::{ACCOUNT}:role/x"}])
    assert problems[0].attribute == ("assume_role",)
    assert "not supported by gitterra's local cloud" in problems[0].detail
    d.close()


def test_a_profile_of_the_shared_files(cloud: MotoServer, tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[prod]\naws_access_key_id = AKIAPROFILEPROFILE01\naws_secret_access_key = s\n"
    )
    env = {**environment(cloud.url), "AWS_SHARED_CREDENTIALS_FILE": str(credentials)}
    d, problems = configure(env, profile="prod")  # the block's profile hides the key variables
    assert not problems, problems
    assert cloud.calls("sts")[-1].access_key == "AKIAPROFILEPROFILE01"
    d.close()
    keyless = {
        k: v for k, v in env.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
    }
    d, problems = configure({**keyless, "AWS_PROFILE": "prod"})
    assert not problems, problems
    assert cloud.calls("sts")[-1].access_key == "AKIAPROFILEPROFILE01"
    d.close()
    d, problems = configure(env, profile="missing")
    assert problems[0].attribute == ("profile",)
    assert problems[0].detail == (
        'the profile "missing" is in none of the shared AWS files '
        f"(/nonexistent/aws-config, {credentials})."
    )
    d.close()


def test_what_gitterra_does_not_implement_is_refused_in_aws_words(driver: Driver) -> None:
    (problem,) = driver.validate(
        "aws_launch_configuration", image_id="ami-1", instance_type="t3.micro",
        associate_public_ip_address=True,
    )  # fmt: skip
    assert problem.startswith("Not supported by gitterra's aws provider: ")
    assert "on AWS as on its local cloud" in problem

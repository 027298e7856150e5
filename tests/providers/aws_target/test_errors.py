"""AWS's errors on the AWS target: each becomes a diagnostic naming the resource, with AWS's
code, message and operation; throttling and 5xx answers are retried with backoff (botocore's
standard mode) and give up with a diagnostic; what eventual consistency makes fail for a while
(an object read just after its creation, a role CodeBuild cannot assume yet) is retried."""

from __future__ import annotations

import json
import socket

from gitterra.providers import aws
from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import Fault, MotoServer, environment
from tests.providers.aws_target.support import FAST, default_network
from tests.providers.aws_target.test_codebuild import project, role


def test_a_taken_name_is_a_diagnostic_naming_the_resource(driver: Driver) -> None:
    vpc, _ = default_network(driver)
    driver.create("aws_security_group", name="dup", vpc_id=vpc)
    result = driver.try_create("aws_security_group", name="dup", vpc_id=vpc)
    assert result.state is None
    (diag,) = result.diagnostics.errors
    assert diag.summary.startswith("creating EC2 Security Group (dup): ")
    assert diag.detail.startswith("AWS answered InvalidGroup.Duplicate: ")
    assert diag.detail.endswith("(CreateSecurityGroup, HTTP 400).")


def test_throttling_is_retried_then_given_up(driver: Driver, cloud: MotoServer) -> None:
    vpc, _ = default_network(driver)
    cloud.clear()
    cloud.fail(
        Fault("ec2", "RequestLimitExceeded", "CreateSecurityGroup", 503, "Request limit exceeded.")
    )
    driver.create("aws_security_group", name="patient", vpc_id=vpc)
    assert len(cloud.calls("ec2", "CreateSecurityGroup")) == 2  # one retry, then success

    cloud.fail(Fault("ec2", "RequestLimitExceeded", "CreateSecurityGroup", 503,
                     "Request limit exceeded.", times=5))  # fmt: skip
    result = driver.try_create("aws_security_group", name="impatient", vpc_id=vpc)
    (error,) = errors(result.diagnostics)
    assert error.startswith("creating EC2 Security Group (impatient): Request limit exceeded.")
    assert "RequestLimitExceeded" in error


def test_a_denied_read_keeps_the_state_and_says_why(driver: Driver, cloud: MotoServer) -> None:
    vpc, _ = default_network(driver)
    sg = driver.create("aws_security_group", name="private", vpc_id=vpc)
    cloud.fail(Fault("ec2", "UnauthorizedOperation", "DescribeSecurityGroups", 403,
                     "You are not authorized to perform this operation."))  # fmt: skip
    result = driver.read("aws_security_group", sg)
    assert result.state == sg  # nothing is forgotten
    (diag,) = result.diagnostics.errors
    assert diag.summary == (
        f"reading EC2 Security Group ({attr(sg, 'id')}): You are not authorized to perform "
        "this operation."
    )


def test_an_object_not_yet_visible_after_create_is_waited_for(
    driver: Driver, cloud: MotoServer
) -> None:
    vpc, _ = default_network(driver)
    cloud.fail(Fault("ec2", "InvalidGroup.NotFound", "DescribeSecurityGroups", 400,
                     "The security group does not exist", times=2))  # fmt: skip
    sg = driver.create("aws_security_group", name="eventually", vpc_id=vpc)
    assert attr(sg, "name") == "eventually"


def test_a_role_codebuild_cannot_assume_yet_is_retried(driver: Driver, cloud: MotoServer) -> None:
    arn = role(driver)
    cloud.fail(Fault("codebuild", "InvalidInputException", "CreateProject", 400,
                     f"CodeBuild is not authorized to perform: sts:AssumeRole on {arn}"))  # fmt: skip
    made = driver.create("aws_codebuild_project", **project(arn))
    assert attr(made, "name") == "site"
    assert len(cloud.calls("codebuild", "CreateProject")) == 2


def test_an_unreachable_service_names_the_resource(cloud: MotoServer) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    d = Driver(aws.AwsProvider(env=environment(cloud.url), timing=FAST))
    try:
        assert not d.configure(endpoints=[{"ec2": closed}]).has_errors  # STS at moto
        result = d.read_data("aws_vpc", default=True)
        (diag,) = result.diagnostics.errors
        assert diag.summary == "reading EC2 VPC: AWS is not reachable"
        assert closed in diag.detail
    finally:
        d.close()


def test_a_policy_aws_refuses_names_the_policy(driver: Driver, cloud: MotoServer) -> None:
    arn = role(driver)
    cloud.fail(Fault("iam", "MalformedPolicyDocument", "PutRolePolicy", 400,
                     "Syntax errors in policy."))  # fmt: skip
    result = driver.try_create("aws_iam_role_policy", name="p", role=arn.rsplit("/", 1)[1],
                               policy=json.dumps({"Version": "2012-10-17"}))  # fmt: skip
    (error,) = errors(result.diagnostics)
    assert error.startswith("creating IAM Role Policy (site-codebuild:p): Syntax errors in policy.")

"""The data sources on the AWS target, against moto: AWS applies the EC2 filters (any filter
AWS knows, such as tag:Name), owners that are not AWS's are left out of the request, and
region, zones and identity come from AWS."""

from __future__ import annotations

from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import ACCOUNT, REGION, MotoServer

SCAFFOLD_AMI = {
    "most_recent": True,
    "owners": ["gitterra", "amazon"],
    "filter": [{"name": "name", "values": ["gitterra-static-site-*", "al2023-ami-2023.*-x86_64"]}],
}


def test_the_scaffolds_image_query_finds_amazon_linux(driver: Driver, cloud: MotoServer) -> None:
    found = driver.read_data("aws_ami", **SCAFFOLD_AMI)
    assert found.state is not None, errors(found.diagnostics)
    assert attr(found.state, "name").startswith("al2023-ami-2023.")
    assert attr(found.state, "name").endswith("-x86_64")
    assert attr(found.state, "architecture") == "x86_64"
    (call,) = cloud.calls("ec2", "DescribeImages")
    assert call.params["Owner.1"] == "amazon"  # "gitterra" owns nothing on AWS: not sent
    assert "Owner.2" not in call.params
    assert call.params["Filter.1.Name"] == "name"


def test_no_image_says_so(driver: Driver, cloud: MotoServer) -> None:
    found = driver.read_data(
        "aws_ami", owners=["gitterra"], filter=[{"name": "name", "values": ["nope-*"]}]
    )
    (error,) = errors(found.diagnostics)
    assert error.startswith("Your query returned no results.")
    assert not cloud.calls("ec2", "DescribeImages")  # only the local cloud's owner: no call
    several = driver.read_data("aws_ami", owners=["amazon"])
    assert "more than one result" in errors(several.diagnostics)[0]


def test_network_data_sources(driver: Driver, cloud: MotoServer) -> None:
    vpc = driver.read_data("aws_vpc", default=True).state
    assert vpc is not None
    assert attr(vpc, "default") is True
    ec2 = cloud.client("ec2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [attr(vpc, "id")]}])
    first = subnets["Subnets"][0]["SubnetId"]
    ec2.create_tags(Resources=[first], Tags=[{"Key": "Name", "Value": "front"}])
    tagged = driver.read_data(
        "aws_subnets", filter=[{"name": "tag:Name", "values": ["front"]}]
    ).state  # a filter only AWS knows
    assert tagged is not None
    assert attr(tagged, "ids") == [first]
    legacy = driver.read_data("aws_subnet_ids", vpc_id=attr(vpc, "id")).state
    assert legacy is not None
    assert len(attr(legacy, "ids")) == len(subnets["Subnets"])
    zones = driver.read_data("aws_availability_zones").state
    assert zones is not None
    assert attr(zones, "names")[0].startswith(REGION)
    missing = driver.read_data("aws_vpc", filter=[{"name": "tag:Name", "values": ["none"]}])
    (error,) = errors(missing.diagnostics)
    assert error == f"no matching EC2 VPC found: No VPC in {REGION} matches the search."


def test_region_and_identity(driver: Driver) -> None:
    region = driver.read_data("aws_region").state
    assert region is not None
    assert (attr(region, "name"), attr(region, "endpoint")) == (
        REGION,
        f"ec2.{REGION}.amazonaws.com",
    )
    assert attr(region, "description") == "Europe (Paris)"
    other = driver.read_data("aws_region", name="us-east-1").state
    assert other is not None
    assert attr(other, "endpoint") == "ec2.us-east-1.amazonaws.com"
    bogus = driver.read_data("aws_region", name="mars-north-1")
    (diag,) = bogus.diagnostics.errors
    assert diag.attribute == ("name",)
    me = driver.read_data("aws_caller_identity").state
    assert me is not None
    assert attr(me, "account_id") == ACCOUNT
    assert attr(me, "arn").startswith(f"arn:aws:sts::{ACCOUNT}:")

"""The data sources against the fake API: images with EC2's filters, the VPC, subnets, zones,
region and account."""

from __future__ import annotations

from typing import Any

import pytest

from tests.providers.aws.support import Driver, attr, errors

NAME_FILTER = [{"name": "name", "values": ["gitterra-static-site-*"]}]


def state(d: Driver, type_: str, **attrs: Any) -> Any:
    result = d.read_data(type_, **attrs)
    assert not result.diagnostics.has_errors, errors(result.diagnostics)
    assert result.state is not None
    return result.state


def test_ami_most_recent_by_name_glob(driver: Driver) -> None:
    ami = state(driver, "aws_ami", most_recent=True, owners=["gitterra"], filter=NAME_FILTER)
    assert attr(ami, "id") == "ami-0static000000001"
    assert attr(ami, "name") == "gitterra-static-site-2026.11"
    assert attr(ami, "arn") == "arn:aws:ec2:local-1::image/ami-0static000000001"
    assert attr(ami, "architecture") == "x86_64"


def test_ami_other_filters_and_regex(driver: Driver) -> None:
    ami = state(
        driver,
        "aws_ami",
        owners=["self"],
        name_regex=r"process",
        filter=[{"name": "virtualization-type", "values": ["hvm"]},
                {"name": "architecture", "values": ["x86_64"]}],
    )  # fmt: skip
    assert attr(ami, "name") == "gitterra-process-2026.11"


def test_ami_without_matches_lists_the_catalogue(driver: Driver) -> None:
    """The seed's Amazon Linux search finds nothing locally: say what exists."""
    result = driver.read_data(
        "aws_ami",
        most_recent=True,
        owners=["amazon"],
        filter=[{"name": "name", "values": ["amzn2-ami-hvm-*-x86_64-ebs"]}],
    )
    (error,) = errors(result.diagnostics)
    assert error.startswith("Your query returned no results.")
    assert "gitterra-static-site-2026.11 (ami-0static000000001)" in error


def test_ami_ambiguous_without_most_recent(driver: Driver) -> None:
    (error,) = errors(driver.read_data("aws_ami", filter=NAME_FILTER).diagnostics)
    assert "more than one result" in error


def test_ami_unknown_filter_is_refused(driver: Driver) -> None:
    result = driver.read_data("aws_ami", filter=[{"name": "block-device-mapping.volume-size",
                                                  "values": ["8"]}])  # fmt: skip
    (diag,) = result.diagnostics.errors
    assert diag.summary == "Not supported by the local cloud"
    assert "block-device-mapping.volume-size" in diag.detail


def test_default_vpc_and_its_subnets(driver: Driver) -> None:
    vpc = state(driver, "aws_vpc", default=True)
    assert attr(vpc, "id") == "vpc-0fake0000000000001"
    assert attr(vpc, "cidr_block") == "127.0.0.0/8"
    subnets = state(driver, "aws_subnets", filter=[{"name": "vpc-id", "values": [attr(vpc, "id")]}])
    assert attr(subnets, "ids") == ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]
    one_zone = state(driver, "aws_subnets",
                     filter=[{"name": "availability-zone", "values": ["local-1b"]}])  # fmt: skip
    assert attr(one_zone, "ids") == ["subnet-0bbbbbbbbbbbbbbb2"]
    legacy = state(driver, "aws_subnet_ids", vpc_id=attr(vpc, "id"))
    assert attr(legacy, "ids") == attr(subnets, "ids")
    assert attr(legacy, "id") == attr(vpc, "id")


def test_no_vpc_matches(driver: Driver) -> None:
    (error,) = errors(driver.read_data("aws_vpc", id="vpc-other").diagnostics)
    assert error.startswith("no matching EC2 VPC found")


def test_subnet_ids_is_deprecated_and_needs_subnets(driver: Driver) -> None:
    cfg = driver.config("aws_subnet_ids", data=True, vpc_id="vpc-x")
    (warning,) = driver.provider.validate_data_source("aws_subnet_ids", cfg).warnings
    assert "Use the aws_subnets data source instead" in warning.detail
    (error,) = errors(driver.read_data("aws_subnet_ids", vpc_id="vpc-x").diagnostics)
    assert error.startswith("no matching subnet found for vpc with id vpc-x")


@pytest.mark.parametrize(
    ("attrs", "names"),
    [
        ({}, ["local-1a", "local-1b"]),
        ({"exclude_names": ["local-1a"]}, ["local-1b"]),
        ({"filter": [{"name": "zone-name", "values": ["*b"]}]}, ["local-1b"]),
    ],
)
def test_availability_zones(driver: Driver, attrs: dict[str, Any], names: list[str]) -> None:
    zones = state(driver, "aws_availability_zones", **attrs)
    assert attr(zones, "names") == names
    assert len(attr(zones, "zone_ids")) == len(names)


def test_region_and_caller_identity(driver: Driver) -> None:
    region = state(driver, "aws_region")
    assert attr(region, "name") == "local-1"
    assert attr(region, "id") == "local-1"
    (error,) = errors(driver.read_data("aws_region", name="eu-west-3").diagnostics)
    assert "is not the local cloud's (local-1)" in error
    me = state(driver, "aws_caller_identity")
    assert attr(me, "account_id") == "000000000000"

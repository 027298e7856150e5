"""EC2 on the AWS target, against moto through boto3: security groups and their rules, ingress
rules on their own, key pairs, launch templates (versions) and launch configurations — create,
read, update, import, delete, and drift (changed or deleted outside)."""

from __future__ import annotations

import base64
import hashlib

from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import ACCOUNT, REGION, MotoServer
from tests.providers.aws_target.support import default_network, roundtrip

RULE = {"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}
ALL = {"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}
SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGt8bxNfZ3mUk4O2iPbD9TA4TIRd2lUz/5jM1rXbIj1J test"


def permissions(cloud: MotoServer, group_id: str, kind: str = "IpPermissions") -> list[tuple]:
    group = cloud.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    return sorted(
        (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), r["CidrIp"], r.get("Description"))
        for p in group[kind]
        for r in p.get("IpRanges", [])
    )


def test_security_group_lifecycle(driver: Driver, cloud: MotoServer) -> None:
    vpc, _ = default_network(driver)
    sg = driver.create(
        "aws_security_group",
        name="web-sg",
        description="web servers",
        vpc_id=vpc,
        ingress=[RULE, {**RULE, "from_port": 8080, "to_port": 8080, "description": "alt"}],
        egress=[ALL],
        tags={"team": "a"},
    )
    gid = attr(sg, "id")
    assert gid.startswith("sg-")
    assert attr(sg, "arn") == f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{gid}"
    assert attr(sg, "owner_id") == ACCOUNT
    assert attr(sg, "tags_all") == {"team": "a"}
    assert permissions(cloud, gid) == [
        ("tcp", 80, 80, "0.0.0.0/0", None),
        ("tcp", 8080, 8080, "0.0.0.0/0", "alt"),
    ]
    roundtrip(driver, "aws_security_group", sg, gid)

    updated = driver.update(
        "aws_security_group", sg, name="web-sg", description="web servers", vpc_id=vpc,
        ingress=[{**RULE, "cidr_blocks": ["10.0.0.0/8"]}], tags={"team": "b"},
    )  # fmt: skip
    assert permissions(cloud, gid) == [("tcp", 80, 80, "10.0.0.0/8", None)]
    assert attr(updated, "egress") == attr(sg, "egress")  # no egress blocks: left alone
    assert cloud.client("ec2").describe_tags(
        Filters=[{"Name": "resource-id", "Values": [gid]}]
    )["Tags"] == [{"Key": "team", "ResourceId": gid, "ResourceType": "security-group",
                   "Value": "b"}]  # fmt: skip

    # a rule added outside gitterra is drift
    cloud.client("ec2").authorize_security_group_ingress(
        GroupId=gid, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                     "IpRanges": [{"CidrIp": "1.2.3.4/32"}]}])  # fmt: skip
    drifted = driver.read("aws_security_group", updated).state
    assert drifted is not None
    assert drifted != updated
    assert {r["from_port"] for r in attr(drifted, "ingress")} == {22, 80}

    assert not driver.delete("aws_security_group", drifted).diagnostics
    assert driver.read("aws_security_group", drifted).state is None  # deleted: plans create


def test_security_group_created_without_rules_loses_aws_default_egress(
    driver: Driver, cloud: MotoServer
) -> None:
    vpc, _ = default_network(driver)
    sg = driver.create("aws_security_group", name="bare", vpc_id=vpc)
    assert attr(sg, "egress") == []
    assert permissions(cloud, attr(sg, "id"), "IpPermissionsEgress") == []


def test_ingress_rule_on_its_own(driver: Driver, cloud: MotoServer) -> None:
    vpc, _ = default_network(driver)
    sg = driver.create("aws_security_group", name="rules", vpc_id=vpc)
    rule = driver.create(
        "aws_vpc_security_group_ingress_rule",
        security_group_id=attr(sg, "id"),
        cidr_ipv4="10.1.0.0/16",
        from_port=443,
        to_port=443,
        ip_protocol="tcp",
        description="https",
    )
    rule_id = attr(rule, "id")
    assert rule_id.startswith("sgr-")
    assert permissions(cloud, attr(sg, "id")) == [("tcp", 443, 443, "10.1.0.0/16", "https")]
    read = driver.read("aws_vpc_security_group_ingress_rule", rule)
    assert read.state == rule
    imported = driver.import_("aws_vpc_security_group_ingress_rule", rule_id)
    assert attr(imported.states[0], "security_group_id") == attr(sg, "id")
    assert not driver.delete("aws_vpc_security_group_ingress_rule", rule).diagnostics
    assert permissions(cloud, attr(sg, "id")) == []
    assert driver.read("aws_vpc_security_group_ingress_rule", rule).state is None


def test_key_pair(driver: Driver, cloud: MotoServer) -> None:
    key = driver.create("aws_key_pair", key_name="deployer", public_key=SSH, tags={"a": "b"})
    assert attr(key, "id") == "deployer"
    assert attr(key, "key_pair_id").startswith("key-")
    assert attr(key, "fingerprint")
    assert attr(key, "arn") == f"arn:aws:ec2:{REGION}:{ACCOUNT}:key-pair/deployer"
    roundtrip(driver, "aws_key_pair", key, "deployer")
    updated = driver.update("aws_key_pair", key, key_name="deployer", public_key=SSH, tags={})
    assert attr(updated, "tags") == {}
    cloud.client("ec2").delete_key_pair(KeyName="deployer")  # outside gitterra
    assert driver.read("aws_key_pair", updated).state is None


def test_launch_template_versions(driver: Driver, cloud: MotoServer) -> None:
    ami = driver.read_data(
        "aws_ami", most_recent=True, owners=["amazon"],
        filter=[{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}],
    ).state  # fmt: skip
    assert ami is not None
    script = base64.b64encode(b"#!/bin/bash\necho fox\n").decode()
    lt = driver.create(
        "aws_launch_template", name="web", image_id=attr(ami, "id"), instance_type="t3.micro",
        user_data=script, update_default_version=True, tags={"app": "fox"},
    )  # fmt: skip
    assert (attr(lt, "latest_version"), attr(lt, "default_version")) == (1, 1)
    assert attr(lt, "arn").endswith(f":launch-template/{attr(lt, 'id')}")
    roundtrip(driver, "aws_launch_template", lt, attr(lt, "id"))

    bear = base64.b64encode(b"#!/bin/bash\necho bear\n").decode()
    planned, result = driver.change(
        "aws_launch_template", lt, name="web", image_id=attr(ami, "id"),
        instance_type="t3.micro", user_data=bear, update_default_version=True,
        tags={"app": "fox"},
    )  # fmt: skip
    assert not planned.planned.items()["latest_version"].is_known
    assert result.state is not None, errors(result.diagnostics)
    assert (attr(result.state, "latest_version"), attr(result.state, "default_version")) == (2, 2)
    versions = cloud.client("ec2").describe_launch_template_versions(
        LaunchTemplateId=attr(lt, "id")
    )["LaunchTemplateVersions"]
    assert {v["VersionNumber"]: v["LaunchTemplateData"]["UserData"] for v in versions} == {
        1: script,
        2: bear,
    }
    assert not driver.delete("aws_launch_template", result.state).diagnostics
    assert driver.read("aws_launch_template", result.state).state is None


def test_launch_configuration(driver: Driver, cloud: MotoServer) -> None:
    vpc, _ = default_network(driver)
    sg = driver.create("aws_security_group", name="lc", vpc_id=vpc)
    ami = cloud.client("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    lc = driver.create(
        "aws_launch_configuration", name_prefix="web-", image_id=ami, instance_type="t3.micro",
        user_data="#!/bin/bash\necho fox\n", security_groups=[attr(sg, "id")],
    )  # fmt: skip
    name = attr(lc, "id")
    found = cloud.client("autoscaling").describe_launch_configurations(
        LaunchConfigurationNames=[name]
    )["LaunchConfigurations"][0]
    assert base64.b64decode(found["UserData"]) == b"#!/bin/bash\necho fox\n"  # sent once encoded
    # state records the SHA-1 of the script, as the AWS provider does
    assert attr(lc, "user_data") == hashlib.sha1(b"#!/bin/bash\necho fox\n").hexdigest()
    roundtrip(driver, "aws_launch_configuration", lc, name)
    assert not driver.delete("aws_launch_configuration", lc).diagnostics
    assert driver.read("aws_launch_configuration", lc).state is None

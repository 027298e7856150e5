"""The aws provider's schemas against the AWS provider's documentation (flags as the docs say:
R required, O optional, C computed, ! forces replacement, S sensitive, =X default), and the
refusal of every argument the local cloud does not support."""

from __future__ import annotations

from typing import Any

import pytest

from gitterra import engine, lang
from gitterra.providers import aws, builtin_registry
from tests.providers.aws.test_codebuild_schema import SUPPORTED as CODEBUILD

SUPPORTED: dict[str, dict[str, str]] = {
    "aws_security_group": {
        "arn": "C", "id": "C", "owner_id": "C", "name": "OC!", "name_prefix": "OC!",
        "description": "O!=Managed by Terraform", "vpc_id": "OC!",
        "revoke_rules_on_delete": "O=False", "tags": "O", "tags_all": "C",
    },
    "aws_vpc_security_group_ingress_rule": {
        "arn": "C", "id": "C", "security_group_rule_id": "C", "security_group_id": "R!",
        "cidr_ipv4": "O!", "description": "O!", "from_port": "O!", "to_port": "O!",
        "ip_protocol": "R!", "tags": "O!", "tags_all": "C",
    },
    "aws_key_pair": {
        "arn": "C", "fingerprint": "C", "id": "C", "key_name": "OC!", "key_name_prefix": "OC!",
        "key_pair_id": "C", "key_type": "C", "public_key": "R!", "tags": "O", "tags_all": "C",
    },
    "aws_launch_configuration": {
        "arn": "C", "id": "C", "name": "OC!", "name_prefix": "OC!", "image_id": "R!",
        "instance_type": "R!", "user_data": "O!", "user_data_base64": "O!",
        "security_groups": "O!", "key_name": "OC!", "enable_monitoring": "O!=True",
    },
    "aws_launch_template": {
        "arn": "C", "id": "C", "name": "OC!", "name_prefix": "OC!", "description": "O",
        "default_version": "OC", "update_default_version": "O", "latest_version": "C",
        "image_id": "O", "instance_type": "O", "user_data": "O", "vpc_security_group_ids": "O",
        "key_name": "O", "tags": "O", "tags_all": "C",
    },
    "aws_autoscaling_group": {
        "arn": "C", "id": "C", "name": "OC!", "name_prefix": "OC!", "min_size": "R",
        "max_size": "R", "desired_capacity": "OC", "default_instance_warmup": "O",
        "launch_configuration": "O", "target_group_arns": "OC", "vpc_zone_identifier": "OC",
        "availability_zones": "OC", "health_check_type": "OC",
        "health_check_grace_period": "O=300", "termination_policies": "O",
        "wait_for_capacity_timeout": "O=10m", "min_elb_capacity": "O",
        "wait_for_elb_capacity": "O", "force_delete": "O=False",
    },
    "aws_lb": {
        "arn": "C", "arn_suffix": "C", "id": "C", "dns_name": "C", "zone_id": "C", "vpc_id": "C",
        "name": "OC!", "name_prefix": "OC!", "internal": "OC!",
        "load_balancer_type": "O!=application", "security_groups": "OC", "subnets": "OC",
        "idle_timeout": "O=60", "ip_address_type": "OC", "enable_deletion_protection": "O=False",
        "gitterra_url": "C", "tags": "O", "tags_all": "C",
    },
    "aws_lb_listener": {
        "arn": "C", "id": "C", "load_balancer_arn": "R!", "port": "O", "protocol": "OC",
        "gitterra_bound_address": "C", "gitterra_url": "C", "tags": "O", "tags_all": "C",
    },
    "aws_lb_target_group": {
        "arn": "C", "arn_suffix": "C", "id": "C", "load_balancer_arns": "C", "name": "OC!",
        "name_prefix": "OC!", "port": "O!", "protocol": "O!", "protocol_version": "OC!",
        "vpc_id": "O!", "target_type": "O!=instance", "deregistration_delay": "O=300",
        "slow_start": "O=0", "load_balancing_algorithm_type": "OC", "tags": "O",
        "tags_all": "C",
    },
    "aws_lb_target_group_attachment": {
        "id": "C", "target_group_arn": "R!", "target_id": "R!", "port": "O!",
    },
    "aws_cloudwatch_log_group": {
        "arn": "C", "id": "C", "name": "OC!", "name_prefix": "OC!", "retention_in_days": "O=0",
        "tags": "O", "tags_all": "C",
    },
}  # fmt: skip
SUPPORTED.update(CODEBUILD)  # the aws_codebuild_* types (their blocks: test_codebuild_schema)
# the aws_iam_* types: recorded in state on the local cloud (tests/providers/aws_target)
SUPPORTED["aws_iam_role"] = {
    "arn": "C", "id": "C", "unique_id": "C", "create_date": "C", "name": "OC!",
    "name_prefix": "OC!", "path": "O!=/", "description": "O", "assume_role_policy": "R",
    "max_session_duration": "O=3600", "force_detach_policies": "O=False", "tags": "O",
    "tags_all": "C",
}  # fmt: skip
SUPPORTED["aws_iam_role_policy"] = {
    "id": "C", "name": "OC!", "name_prefix": "OC!", "role": "R!", "policy": "R",
}  # fmt: skip

NESTED: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("aws_security_group", "ingress"): ("set", {
        "cidr_blocks": "O", "description": "O", "from_port": "R", "protocol": "R",
        "to_port": "R", "self": "O=False"}),
    ("aws_autoscaling_group", "launch_template"): ("list", {
        "id": "OC", "name": "OC", "version": "OC"}),
    ("aws_autoscaling_group", "tag"): ("set", {
        "key": "R", "value": "R", "propagate_at_launch": "R"}),
    ("aws_autoscaling_group", "instance_refresh"): ("list", {"strategy": "R", "triggers": "O"}),
    ("aws_lb_target_group", "health_check"): ("list", {
        "enabled": "O=True", "healthy_threshold": "O=3", "interval": "O=30", "matcher": "OC",
        "path": "OC", "port": "O=traffic-port", "protocol": "O=HTTP", "timeout": "OC",
        "unhealthy_threshold": "O=3"}),
    ("aws_lb_listener", "default_action"): ("list", {
        "type": "R", "target_group_arn": "O", "order": "OC"}),
}  # fmt: skip

DATA_SOURCES = {
    "aws_ami", "aws_vpc", "aws_subnets", "aws_subnet_ids", "aws_availability_zones",
    "aws_region", "aws_caller_identity",
}  # fmt: skip


def flags(a: engine.Attribute) -> str:
    out = ("R" if a.required else "") + ("O" if a.optional else "") + ("C" if a.computed else "")
    out += ("!" if a.force_new else "") + ("S" if a.sensitive else "")
    if a.default is not None:
        out += f"={a.default.to_python()}"
    return out


@pytest.fixture(scope="module")
def schema() -> engine.ProviderSchema:
    factory = builtin_registry().factory(aws.SOURCE)
    assert factory is not None
    return factory().schema()


def test_registered_under_the_hashicorp_source(schema: engine.ProviderSchema) -> None:
    assert aws.SOURCE == "registry.terraform.io/hashicorp/aws"
    assert set(schema.resources) == set(SUPPORTED)
    assert set(schema.data_sources) == DATA_SOURCES


@pytest.mark.parametrize("type_", sorted(SUPPORTED))
def test_supported_attributes_follow_the_aws_provider(
    schema: engine.ProviderSchema, type_: str
) -> None:
    block = schema.resources[type_].block
    got = {n: flags(a) for n, a in block.attributes.items() if n in SUPPORTED[type_]}
    assert got == SUPPORTED[type_]
    # everything else in the schema is a known-but-unsupported argument of the real provider
    # (refused at validation: see below)
    for name, a in block.attributes.items():
        if name not in SUPPORTED[type_]:
            assert a.optional, name
            assert not a.computed, name
    block.implied_type()  # builds


@pytest.mark.parametrize(("type_", "name"), sorted(NESTED))
def test_nested_blocks_follow_the_aws_provider(
    schema: engine.ProviderSchema, type_: str, name: str
) -> None:
    nesting, attrs = NESTED[(type_, name)]
    nb = schema.resources[type_].block.blocks[name]
    assert nb.nesting == nesting
    got = {n: flags(a) for n, a in nb.block.attributes.items() if n in attrs}
    assert got == attrs


def test_provider_block_takes_region_endpoint_and_a_sensitive_token(
    schema: engine.ProviderSchema,
) -> None:
    attrs = schema.provider.attributes
    assert flags(attrs["region"]) == "O"
    assert flags(attrs["endpoint"]) == "O"
    assert flags(attrs["token"]) == "OS"


def _unsupported() -> list[tuple[str, str, Any]]:
    factory = builtin_registry().factory(aws.SOURCE)
    assert factory is not None
    out: list[tuple[str, str, Any]] = []
    for type_, rs in factory().schema().resources.items():
        for name in rs.block.attributes:
            if name not in SUPPORTED[type_]:
                out.append((type_, name, "x"))
        for name, nb in rs.block.blocks.items():
            attrs = nb.block.attributes.values()
            if attrs and all(a.type is lang.DYNAMIC for a in attrs):
                first = next(iter(nb.block.attributes))
                out.append((type_, name, [{first: "x"}]))
    return out


@pytest.mark.parametrize(("type_", "name", "value"), _unsupported())
def test_every_unsupported_argument_is_refused_by_name(type_: str, name: str, value: Any) -> None:
    from tests.providers.aws.support import typed

    provider = aws.AwsProvider(env={})
    block = provider.schema().resources[type_].block
    diags = provider.validate_resource(type_, typed(block, {name: value}))
    refused = [d for d in diags.errors if d.summary == "Not supported by the local cloud"]
    assert refused, [str(d) for d in diags]
    assert refused[0].attribute == (name,)
    assert f'"{name}"' in refused[0].detail

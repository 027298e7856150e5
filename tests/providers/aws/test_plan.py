"""Planning: which changes force replacement and which update in place (per attribute, as the
AWS provider decides), what becomes unknown, and what the plan keeps from the prior state."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gitterra import lang
from tests.providers.aws.support import Driver, attr

SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLEKEYEXAMPLEKEYEXAMPLEKEYEXAMPLEKEY0 me"
B64 = base64.b64encode(b"#!/bin/bash\necho hi\n").decode()


def world(d: Driver) -> dict[str, str]:
    """Objects the other resources refer to."""
    lt = d.create(
        "aws_launch_template", name="web", image_id="ami-0static000000001", instance_type="t2.micro"
    )
    tg = d.create("aws_lb_target_group", name="web", port=80, protocol="HTTP", vpc_id="vpc-1")
    lb = d.create("aws_lb", name="web")
    return {"lt": attr(lt, "id"), "tg": attr(tg, "arn"), "lb": attr(lb, "arn")}


def base(kind: str, w: dict[str, str]) -> dict[str, Any]:
    rule = {"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}
    return {
        "aws_security_group": {"name": "sg1", "ingress": [rule]},
        "aws_vpc_security_group_ingress_rule": {},
        "aws_key_pair": {"key_name": "k1", "public_key": SSH},
        "aws_launch_configuration": {
            "name": "lc1", "image_id": "ami-0static000000001", "instance_type": "t2.micro",
            "user_data": "echo hi",
        },
        "aws_launch_template": {
            "name": "lt1", "image_id": "ami-0static000000001", "instance_type": "t2.micro",
            "user_data": B64,
        },
        "aws_autoscaling_group": {
            "name": "g1", "min_size": 1, "max_size": 3, "desired_capacity": 1,
            "launch_template": [{"id": w.get("lt"), "version": "1"}],
        },
        "aws_lb": {"name": "lb1", "idle_timeout": 60},
        "aws_lb_listener": {
            "load_balancer_arn": w.get("lb"), "port": 8080,
            "default_action": [{"type": "forward", "target_group_arn": w.get("tg")}],
        },
        "aws_lb_target_group": {"name": "tg1", "port": 80, "protocol": "HTTP", "vpc_id": "vpc-1"},
        "aws_lb_target_group_attachment": {"target_group_arn": w.get("tg"), "target_id": "i-1"},
        "aws_cloudwatch_log_group": {"name": "lg1"},
    }[kind]  # fmt: skip


#: (type, change, expected replace paths or None for an in-place update)
CASES: list[tuple[str, dict[str, Any], list[tuple[Any, ...]] | None]] = [
    ("aws_security_group", {"name": "sg2"}, [("name",)]),
    ("aws_security_group", {"description": "other"}, [("description",)]),
    ("aws_security_group", {"tags": {"a": "b"}}, None),
    ("aws_security_group", {"ingress": [{"from_port": 443, "to_port": 443, "protocol": "tcp",
                                         "cidr_blocks": ["0.0.0.0/0"]}]}, None),
    ("aws_security_group", {"revoke_rules_on_delete": True}, None),
    ("aws_key_pair", {"public_key": SSH.replace("me", "you")}, [("public_key",)]),
    ("aws_key_pair", {"tags": {"a": "b"}}, None),
    ("aws_launch_configuration", {"image_id": "ami-0process00000001"}, [("image_id",)]),
    ("aws_launch_configuration", {"user_data": "echo bye"}, [("user_data",)]),
    ("aws_launch_configuration", {"instance_type": "t3.micro"}, [("instance_type",)]),
    ("aws_launch_template", {"instance_type": "t3.micro"}, None),
    ("aws_launch_template", {"name": "lt2"}, [("name",)]),
    ("aws_launch_template", {"tags": {"a": "b"}}, None),
    ("aws_autoscaling_group", {"desired_capacity": 2}, None),
    ("aws_autoscaling_group", {"max_size": 5}, None),
    ("aws_autoscaling_group", {"name": "g2"}, [("name",)]),
    ("aws_autoscaling_group", {"health_check_type": "ELB"}, None),
    ("aws_lb", {"name": "lb2"}, [("name",)]),
    ("aws_lb", {"internal": True}, [("internal",)]),
    ("aws_lb", {"idle_timeout": 30}, None),
    ("aws_lb_listener", {"port": 8081}, None),
    ("aws_lb_listener", {"default_action": [{"type": "fixed-response", "fixed_response": [
        {"content_type": "text/plain", "status_code": "503"}]}]}, None),
    ("aws_lb_target_group", {"port": 8080}, [("port",)]),
    ("aws_lb_target_group", {"name": "tg2"}, [("name",)]),
    ("aws_lb_target_group", {"deregistration_delay": "10"}, None),
    ("aws_lb_target_group", {"health_check": [{"path": "/health"}]}, None),
    ("aws_lb_target_group_attachment", {"target_id": "i-2"}, [("target_id",)]),
    ("aws_cloudwatch_log_group", {"retention_in_days": 7}, None),
    ("aws_cloudwatch_log_group", {"name": "lg2"}, [("name",)]),
]  # fmt: skip


@pytest.mark.parametrize(("type_", "change", "replace"), CASES)
def test_replace_or_update_in_place(
    driver: Driver, type_: str, change: dict[str, Any], replace: list[tuple[Any, ...]] | None
) -> None:
    w = world(driver)
    start = base(type_, w)
    prior = driver.create(type_, **start)
    assert not driver.plan(type_, prior, driver.config(type_, **start)).requires_replace
    planned = driver.plan(type_, prior, driver.config(type_, **{**start, **change}))
    assert list(planned.requires_replace) == (replace or [])
    assert planned.planned != prior
    # and applying it works against the API
    _, result = driver.change(type_, prior, **{**start, **change})
    assert not result.diagnostics.has_errors, [str(x) for x in result.diagnostics]


def test_the_same_configuration_plans_no_change(driver: Driver) -> None:
    w = world(driver)
    for type_ in sorted({c[0] for c in CASES}):
        start = base(type_, w)
        if type_ in ("aws_lb_listener",):
            continue  # one listener per port: created by the case above
        prior = driver.create(type_, **{**start, **_unique(type_)})
        planned = driver.plan(type_, prior, driver.config(type_, **{**start, **_unique(type_)}))
        assert planned.planned == prior, type_
        assert not planned.requires_replace


def _unique(type_: str) -> dict[str, Any]:
    n = {"aws_key_pair": "key_name"}.get(type_, "name")
    if type_ == "aws_lb_target_group_attachment":
        return {"target_id": f"i-{id(type_)}"}
    return {n: f"x{abs(hash(type_)) % 10000}"}


def test_launch_configuration_records_the_user_data_hash_as_the_aws_provider(
    driver: Driver,
) -> None:
    import hashlib

    lc = driver.create("aws_launch_configuration", **base("aws_launch_configuration", {}))
    assert attr(lc, "user_data") == hashlib.sha1(b"echo hi").hexdigest()
    sent = next(b for m, p, b in driver_calls(driver) if p.endswith("/launch-configurations"))
    assert base64.b64decode(sent["user_data"]) == b"echo hi"


def driver_calls(driver: Driver) -> list[tuple[str, str, Any]]:
    from tests.providers.aws.fake_cloud import FakeCloud

    transport = driver.provider._transport
    assert transport is not None
    fake = transport.handler.__self__  # type: ignore[attr-defined]
    assert isinstance(fake, FakeCloud)
    return fake.calls


def test_launch_template_changes_make_a_new_version(driver: Driver) -> None:
    start = {**base("aws_launch_template", {}), "update_default_version": True}
    prior = driver.create("aws_launch_template", **start)
    assert attr(prior, "latest_version") == 1
    start["user_data"] = "ZWNobyBieWU="
    cfg = driver.config("aws_launch_template", **start)
    planned = driver.plan("aws_launch_template", prior, cfg).planned
    assert not planned.items()["latest_version"].is_known
    assert not planned.items()["default_version"].is_known
    new = driver.update("aws_launch_template", prior, **start)
    assert (attr(new, "latest_version"), attr(new, "default_version")) == (2, 2)
    # tags alone make no version
    tagged = driver.plan(
        "aws_launch_template",
        new,
        driver.config("aws_launch_template", **start, tags={"a": "b"}),
    ).planned
    assert attr(tagged, "latest_version") == 2


def test_group_desired_capacity_left_to_the_cloud_is_unknown_when_bounds_move(
    driver: Driver,
) -> None:
    w = world(driver)
    start = {k: v for k, v in base("aws_autoscaling_group", w).items() if k != "desired_capacity"}
    prior = driver.create("aws_autoscaling_group", **start)
    assert attr(prior, "desired_capacity") == 1
    planned = driver.plan(
        "aws_autoscaling_group",
        prior,
        driver.config("aws_autoscaling_group", **{**start, "min_size": 2}),
    ).planned
    assert not planned.items()["desired_capacity"].is_known
    same = driver.plan(
        "aws_autoscaling_group", prior, driver.config("aws_autoscaling_group", **start)
    ).planned
    assert attr(same, "desired_capacity") == 1


def test_security_group_without_rule_blocks_keeps_the_rules_it_has(driver: Driver) -> None:
    start = base("aws_security_group", {})
    prior = driver.create("aws_security_group", **start)
    planned = driver.plan(
        "aws_security_group", prior, driver.config("aws_security_group", name="sg1")
    ).planned
    assert planned == prior  # ingress is optional+computed, as in the AWS provider


def test_target_group_health_check_defaults_are_known_in_the_plan(driver: Driver) -> None:
    cfg = driver.config("aws_lb_target_group", name="t", port=80, protocol="HTTP", vpc_id="v")
    planned = driver.plan("aws_lb_target_group", None, cfg).planned
    check = attr(planned, "health_check")[0]
    assert check == {
        "enabled": True, "healthy_threshold": 3, "interval": 30, "matcher": "200", "path": "/",
        "port": "traffic-port", "protocol": "HTTP", "timeout": 5, "unhealthy_threshold": 3,
    }  # fmt: skip
    partial = driver.config(
        "aws_lb_target_group", name="t", port=80, vpc_id="v", health_check=[{"interval": 2}]
    )
    check = attr(driver.plan("aws_lb_target_group", None, partial).planned, "health_check")[0]
    assert (check["interval"], check["path"], check["matcher"]) == (2, "/", "200")


def test_unknown_configuration_plans_unknown_without_errors(driver: Driver) -> None:
    cfg = driver.config(
        "aws_autoscaling_group",
        min_size=1,
        max_size=2,
        launch_template=[{"id": lang.unknown_val(lang.STRING), "version": "1"}],
        vpc_zone_identifier=lang.unknown_val(lang.SetType(lang.STRING)),
    )
    assert not driver.provider.validate_resource("aws_autoscaling_group", cfg).has_errors
    planned = driver.plan("aws_autoscaling_group", None, cfg)
    assert not planned.diagnostics
    assert not planned.planned.items()["vpc_zone_identifier"].is_known


def test_listener_actions_are_numbered_even_when_their_target_is_unknown(driver: Driver) -> None:
    cfg = driver.config(
        "aws_lb_listener",
        load_balancer_arn=lang.unknown_val(lang.STRING),
        port=80,
        default_action=[{"type": "forward", "target_group_arn": lang.unknown_val(lang.STRING)}],
    )
    planned = driver.plan("aws_lb_listener", None, cfg).planned
    action = planned.items()["default_action"].elements()[0].items()
    assert action["order"] == lang.number_val(1)
    assert not action["target_group_arn"].is_known
    assert planned.items()["protocol"] == lang.string_val("HTTP")

"""Create, read, update, delete and import of every resource type against the fake API: what
is sent, what the state holds, drift (deleted outside: read returns None), and imports by the
AWS provider's ids."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gitterra import lang
from tests.providers.aws.fake_cloud import FakeCloud
from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws.test_plan import SSH, world

RULE = {"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}


def sent(fake: FakeCloud, method: str, suffix: str) -> Any:
    return [b for m, p, b in fake.calls if m == method and p.endswith(suffix)][-1]


def roundtrip(d: Driver, type_: str, state: lang.Value, ident: str) -> None:
    """Refresh gives the same state; import by ``ident`` then refresh gives it too (apart
    from what only the configuration knows)."""
    read = d.read(type_, state)
    assert not read.diagnostics.has_errors, errors(read.diagnostics)
    assert read.state == state
    imported = d.import_(type_, ident)
    assert not imported.diagnostics.has_errors, errors(imported.diagnostics)
    again = d.read(type_, imported.states[0]).state
    assert again is not None
    assert attr(again, "id") == attr(state, "id")


def test_security_group(driver: Driver, fake: FakeCloud) -> None:
    sg = driver.create(
        "aws_security_group",
        name_prefix="web-",
        description="web servers",
        ingress=[RULE, {**RULE, "protocol": "-1", "from_port": 0, "to_port": 0}],
        egress=[{**RULE, "protocol": "6"}],
        tags={"team": "a"},
    )
    body = sent(fake, "POST", "/security-groups")
    assert body["name"].startswith("web-")
    assert len(body["name"]) == len("web-") + 26
    assert body["egress"][0]["protocol"] == "tcp"
    assert attr(sg, "name_prefix") == "web-"
    assert attr(sg, "owner_id") == "000000000000"
    assert attr(sg, "tags_all") == {"team": "a"}
    roundtrip(driver, "aws_security_group", sg, attr(sg, "id"))
    updated = driver.update("aws_security_group", sg, name_prefix="web-",
                            description="web servers", ingress=[RULE], tags={})  # fmt: skip
    assert len(attr(updated, "ingress")) == 1
    assert attr(updated, "egress") == attr(sg, "egress")  # no egress blocks: left alone
    assert not driver.delete("aws_security_group", updated).diagnostics
    assert driver.read("aws_security_group", updated).state is None  # drift: gone


def test_security_group_revokes_rules_before_delete_when_asked(
    driver: Driver, fake: FakeCloud
) -> None:
    sg = driver.create("aws_security_group", name="x", ingress=[RULE], revoke_rules_on_delete=True)
    assert not driver.delete("aws_security_group", sg).diagnostics
    assert ("PATCH", f"/api/v1/security-groups/{attr(sg, 'id')}") in [
        (m, p) for m, p, _ in fake.calls
    ]


def test_security_group_in_use_is_retried_then_reported(driver: Driver, fake: FakeCloud) -> None:
    sg = driver.create("aws_security_group", name="x", timeouts={"delete": "0s"})
    driver.create("aws_lb", name="lb", security_groups=[attr(sg, "id")])
    result = driver.delete("aws_security_group", sg)
    assert result.state == sg
    assert "in use" in errors(result.diagnostics)[0]


def test_ingress_rule(driver: Driver, fake: FakeCloud) -> None:
    sg = driver.create("aws_security_group", name="x")
    rule = driver.create(
        "aws_vpc_security_group_ingress_rule",
        security_group_id=attr(sg, "id"),
        cidr_ipv4="10.0.0.0/8",
        ip_protocol="tcp",
        from_port=80,
        to_port=80,
        description="lan",
    )
    assert attr(rule, "id").startswith("sgr-")
    assert attr(rule, "security_group_rule_id") == attr(rule, "id")
    assert sent(fake, "POST", "/ingress-rules")["cidr_blocks"] == ["10.0.0.0/8"]
    roundtrip(driver, "aws_vpc_security_group_ingress_rule", rule, attr(rule, "id"))
    # the group, written without ingress blocks, does not fight over the rule
    group_now = driver.read("aws_security_group", sg).state
    assert group_now is not None
    assert len(attr(group_now, "ingress")) == 1
    plan = driver.plan(
        "aws_security_group", group_now, driver.config("aws_security_group", name="x")
    )
    assert plan.planned == group_now
    everything = driver.create(
        "aws_vpc_security_group_ingress_rule",
        security_group_id=attr(sg, "id"),
        cidr_ipv4="0.0.0.0/0",
        ip_protocol="-1",
    )
    assert attr(everything, "from_port") is None
    assert not driver.delete("aws_vpc_security_group_ingress_rule", rule).diagnostics
    assert driver.read("aws_vpc_security_group_ingress_rule", rule).state is None


def test_key_pair(driver: Driver, fake: FakeCloud) -> None:
    key = driver.create("aws_key_pair", key_name="deploy", public_key=SSH)
    assert attr(key, "id") == "deploy"
    assert attr(key, "key_pair_id").startswith("key-")
    assert attr(key, "key_type") == "ed25519"
    roundtrip(driver, "aws_key_pair", key, "deploy")
    tagged = driver.update("aws_key_pair", key, key_name="deploy", public_key=SSH, tags={"a": "b"})
    assert attr(tagged, "tags") == {"a": "b"}
    assert not driver.delete("aws_key_pair", tagged).diagnostics
    assert driver.read("aws_key_pair", tagged).state is None


def test_log_group(driver: Driver, fake: FakeCloud) -> None:
    group = driver.create("aws_cloudwatch_log_group", name="/aws/codebuild/site")
    assert attr(group, "retention_in_days") == 0
    roundtrip(driver, "aws_cloudwatch_log_group", group, "/aws/codebuild/site")
    # names with "/" travel as one URL-encoded path segment
    assert ("GET", "/api/v1/log-groups/%2Faws%2Fcodebuild%2Fsite") in [
        (m, p) for m, p, _ in fake.calls
    ]
    kept = driver.update(
        "aws_cloudwatch_log_group", group, name="/aws/codebuild/site", retention_in_days=7
    )
    assert fake.log_groups["/aws/codebuild/site"]["retention_in_days"] == 7
    assert not driver.delete("aws_cloudwatch_log_group", kept).diagnostics
    assert driver.read("aws_cloudwatch_log_group", kept).state is None


def test_launch_configuration(driver: Driver, fake: FakeCloud) -> None:
    lc = driver.create(
        "aws_launch_configuration",
        name="lc",
        image_id="ami-0static000000001",
        instance_type="t2.micro",
        user_data="#!/bin/bash\necho hi\n",
        security_groups=["sg-1"],
    )
    assert fake.configs["lc"]["user_data"] == base64.b64encode(b"#!/bin/bash\necho hi\n").decode()
    roundtrip(driver, "aws_launch_configuration", lc, "lc")
    raw = driver.create(
        "aws_launch_configuration",
        name="lc64",
        image_id="ami-0static000000001",
        instance_type="t2.micro",
        user_data_base64="ZWNobyBoaQ==",
    )
    assert attr(raw, "user_data_base64") == "ZWNobyBoaQ=="
    assert driver.read("aws_launch_configuration", raw).state == raw
    assert not driver.delete("aws_launch_configuration", lc).diagnostics
    assert driver.read("aws_launch_configuration", lc).state is None


def test_launch_template_versions(driver: Driver, fake: FakeCloud) -> None:
    start = {"name": "web-lt", "image_id": "ami-0static000000001", "instance_type": "t2.micro",
             "user_data": "ZWNobyBoaQ==", "vpc_security_group_ids": ["sg-1"]}  # fmt: skip
    lt = driver.create("aws_launch_template", **start)
    assert (attr(lt, "latest_version"), attr(lt, "default_version")) == (1, 1)
    roundtrip(driver, "aws_launch_template", lt, attr(lt, "id"))
    v2 = driver.update("aws_launch_template", lt, **{**start, "instance_type": "t3.micro"})
    assert (attr(v2, "latest_version"), attr(v2, "default_version")) == (2, 1)
    pinned = driver.update(
        "aws_launch_template", v2, **{**start, "instance_type": "t3.micro", "default_version": 2}
    )
    assert attr(pinned, "default_version") == 2
    assert len(fake.templates[attr(lt, "id")]["versions"]) == 2
    assert not driver.delete("aws_launch_template", pinned).diagnostics
    assert driver.read("aws_launch_template", pinned).state is None


def test_autoscaling_group_lifecycle(driver: Driver, fake: FakeCloud) -> None:
    w = world(driver)
    fake.capacity_polls = 2
    start: dict[str, Any] = {
        "name": "web", "min_size": 1, "max_size": 3, "desired_capacity": 2,
        "launch_template": [{"id": w["lt"], "version": "1"}],
        "target_group_arns": [w["tg"]], "vpc_zone_identifier": ["subnet-0aaaaaaaaaaaaaaa1"],
        "health_check_type": "ELB", "wait_for_elb_capacity": 2,
        "tag": [{"key": "Name", "value": "web", "propagate_at_launch": True}],
        "instance_refresh": [{"strategy": "Rolling",
                              "preferences": [{"min_healthy_percentage": 50, "instance_warmup": "5"}]}],
    }  # fmt: skip
    group = driver.create("aws_autoscaling_group", **start)
    capacity_polls = [p for m, p, _ in fake.calls if p.endswith("/capacity")]
    assert len(capacity_polls) == 3  # waited until 2 were in service and healthy
    assert attr(group, "launch_template") == [{"id": w["lt"], "name": "web", "version": "1"}]
    assert attr(group, "availability_zones") == ["local-1a"]
    assert attr(group, "tag") == [{"key": "Name", "value": "web", "propagate_at_launch": True}]
    assert fake.asgs["web"]["tags"] == {"Name": "web"}
    roundtrip(driver, "aws_autoscaling_group", group, "web")
    # a new template version starts a refresh, and apply waits for it
    fake.templates[w["lt"]]["latest_version"] = 2
    v2 = driver.update("aws_autoscaling_group", group,
                       **{**start, "launch_template": [{"id": w["lt"], "version": "2"}]})  # fmt: skip
    assert [r["status"] for r in fake.refreshes["web"]] == ["Successful"]
    assert sent(fake, "POST", "/instance-refreshes") == {
        "strategy": "Rolling",
        "preferences": {"min_healthy_percentage": 50, "max_healthy_percentage": 100,
                        "skip_matching": False, "instance_warmup": 5},
    }  # fmt: skip
    # capacity alone: no refresh
    bigger = driver.update("aws_autoscaling_group", v2,
                           **{**start, "launch_template": [{"id": w["lt"], "version": "2"}],
                              "desired_capacity": 3, "wait_for_elb_capacity": 3})  # fmt: skip
    assert len(fake.refreshes["web"]) == 1
    assert fake.asgs["web"]["desired_capacity"] == 3
    # delete drains first (capacity 0) when not forced
    assert not driver.delete("aws_autoscaling_group", bigger).diagnostics
    assert "web" not in fake.asgs
    assert sent(fake, "PATCH", "/autoscaling-groups/web") == {
        "min_size": 0,
        "max_size": 0,
        "desired_capacity": 0,
    }
    assert driver.read("aws_autoscaling_group", bigger).state is None


def test_autoscaling_group_trigger_attributes_start_a_refresh(
    driver: Driver, fake: FakeCloud
) -> None:
    w = world(driver)
    start: dict[str, Any] = {
        "name": "web", "min_size": 1, "max_size": 2,
        "launch_template": [{"id": w["lt"], "version": "$Latest"}],
        "tag": [{"key": "v", "value": "1", "propagate_at_launch": True}],
        "instance_refresh": [{"strategy": "Rolling", "triggers": ["tag"]}],
        "force_delete": True,
    }  # fmt: skip
    group = driver.create("aws_autoscaling_group", **start)
    tag = [{"key": "v", "value": "2", "propagate_at_launch": True}]
    driver.update("aws_autoscaling_group", group, **{**start, "tag": tag})
    assert len(fake.refreshes["web"]) == 1
    assert not driver.delete("aws_autoscaling_group", group).diagnostics
    assert [p for m, p, _ in fake.calls if m == "DELETE"][-1] == "/api/v1/autoscaling-groups/web"


def test_a_failed_refresh_is_an_apply_error_with_its_reason(
    driver: Driver, fake: FakeCloud
) -> None:
    w = world(driver)
    start: dict[str, Any] = {
        "name": "web", "min_size": 1, "max_size": 2,
        "launch_template": [{"id": w["lt"], "version": "1"}],
        "instance_refresh": [{"strategy": "Rolling"}],
    }  # fmt: skip
    group = driver.create("aws_autoscaling_group", **start)
    fake.refresh_outcome = "Failed"
    _, result = driver.change(
        "aws_autoscaling_group",
        group,
        **{**start, "launch_template": [{"id": w["lt"], "version": "2"}]},
    )
    (error,) = errors(result.diagnostics)
    assert "instance refresh of Auto Scaling Group (web) failed" in error
    assert "new instances did not become healthy" in error
    assert result.state is not None  # the group exists and is recorded


def test_a_refresh_in_progress_is_cancelled_and_replaced(driver: Driver, fake: FakeCloud) -> None:
    w = world(driver)
    start: dict[str, Any] = {
        "name": "web", "min_size": 1, "max_size": 2,
        "launch_template": [{"id": w["lt"], "version": "1"}],
        "instance_refresh": [{"strategy": "Rolling"}],
    }  # fmt: skip
    group = driver.create("aws_autoscaling_group", **start)
    fake.refreshes["web"] = [{"id": "ir-old", "status": "InProgress", "polls": 0}]
    fake.refresh_polls = 5
    driver.update(
        "aws_autoscaling_group",
        group,
        **{**start, "launch_template": [{"id": w["lt"], "version": "2"}]},
    )
    assert [r["status"] for r in fake.refreshes["web"]] == ["Successful", "Cancelled"]


def test_capacity_wait_times_out_with_the_shortfall(driver: Driver, fake: FakeCloud) -> None:
    w = world(driver)
    fake.capacity_polls = 10**6
    result = driver.try_create(
        "aws_autoscaling_group",
        name="web",
        min_size=1,
        max_size=2,
        launch_template=[{"id": w["lt"]}],
        wait_for_capacity_timeout="1ms",
    )
    (error,) = errors(result.diagnostics)
    assert "waiting for Auto Scaling Group (web) capacity satisfied" in error
    assert "want at least 1 healthy instance(s) in Auto Scaling Group, have 0" in error
    assert result.state is not None
    assert attr(result.state, "name") == "web"


def test_wait_for_capacity_zero_does_not_wait(driver: Driver, fake: FakeCloud) -> None:
    w = world(driver)
    fake.capacity_polls = 10**6
    driver.create("aws_autoscaling_group", name="web", min_size=1, max_size=2,
                  launch_template=[{"id": w["lt"]}], wait_for_capacity_timeout="0")  # fmt: skip
    assert not [p for m, p, _ in fake.calls if p.endswith("/capacity")]


def test_launch_template_by_name(driver: Driver, fake: FakeCloud) -> None:
    w = world(driver)
    group = driver.create(
        "aws_autoscaling_group",
        name="web",
        min_size=0,
        max_size=1,
        launch_template=[{"name": "web"}],
    )
    assert attr(group, "launch_template")[0]["id"] == w["lt"]
    assert fake.asgs["web"]["launch_template"] == {"id": w["lt"]}


def test_load_balancer_listener_and_target_group(driver: Driver, fake: FakeCloud) -> None:
    sg = driver.create("aws_security_group", name="lb", ingress=[RULE])
    lb = driver.create("aws_lb", name="web", security_groups=[attr(sg, "id")],
                       subnets=["subnet-0aaaaaaaaaaaaaaa1"])  # fmt: skip
    assert attr(lb, "arn_suffix").startswith("app/web/")
    assert attr(lb, "gitterra_url") is None
    assert attr(lb, "vpc_id") == "vpc-0fake0000000000001"
    tg = driver.create("aws_lb_target_group", name="web", port=8080, protocol="HTTP", vpc_id="v",
                       deregistration_delay="5", health_check=[{"interval": 2, "timeout": 1}])  # fmt: skip
    assert sent(fake, "POST", "/target-groups")["deregistration_delay"] == 5
    assert attr(tg, "arn_suffix").startswith("targetgroup/web/")
    listener = driver.create(
        "aws_lb_listener",
        load_balancer_arn=attr(lb, "arn"),
        port=80,
        default_action=[{"type": "forward", "target_group_arn": attr(tg, "arn")}],
    )
    assert attr(listener, "gitterra_url") == "http://127.0.0.1:40000"
    assert attr(listener, "gitterra_bound_address") == "127.0.0.1:40000"
    assert attr(listener, "protocol") == "HTTP"
    roundtrip(driver, "aws_lb_listener", listener, attr(listener, "arn"))
    # the balancer shows its listener's URL once refreshed
    now = driver.read("aws_lb", lb).state
    assert now is not None
    assert attr(now, "gitterra_url") == "http://127.0.0.1:40000"
    roundtrip(driver, "aws_lb", now, attr(lb, "arn"))
    tg_now = driver.read("aws_lb_target_group", tg).state
    assert tg_now is not None
    assert attr(tg_now, "load_balancer_arns") == [attr(lb, "arn")]
    roundtrip(driver, "aws_lb_target_group", tg_now, attr(tg, "arn"))
    redirected = driver.update(
        "aws_lb_listener",
        listener,
        load_balancer_arn=attr(lb, "arn"),
        port=80,
        default_action=[
            {"type": "redirect", "redirect": [{"status_code": "HTTP_301", "port": "443"}]}
        ],
    )
    assert fake.listeners[attr(listener, "arn")]["default_action"]["port"] == "443"
    for type_, state in (("aws_lb_listener", redirected), ("aws_lb_target_group", tg_now),
                         ("aws_lb", now)):  # fmt: skip
        assert not driver.delete(type_, state).diagnostics, type_
        assert driver.read(type_, state).state is None


def test_load_balancer_deletion_protection(driver: Driver, fake: FakeCloud) -> None:
    lb = driver.create("aws_lb", name="web", enable_deletion_protection=True)
    result = driver.delete("aws_lb", lb)
    assert result.state == lb
    assert "deletion protection is enabled" in errors(result.diagnostics)[0]
    assert fake.lbs


def test_target_group_attachment(driver: Driver, fake: FakeCloud) -> None:
    tg = driver.create("aws_lb_target_group", name="web", port=8080, protocol="HTTP", vpc_id="v")
    att = driver.create(
        "aws_lb_target_group_attachment", target_group_arn=attr(tg, "arn"), target_id="i-1"
    )
    assert attr(att, "id").startswith(attr(tg, "arn") + "-")
    assert driver.read("aws_lb_target_group_attachment", att).state == att
    assert not driver.delete("aws_lb_target_group_attachment", att).diagnostics
    assert driver.read("aws_lb_target_group_attachment", att).state is None
    refused = driver.import_("aws_lb_target_group_attachment", "x")
    assert "does not support import" in errors(refused.diagnostics)[0]


@pytest.mark.parametrize(
    ("type_", "ident"),
    [
        ("aws_security_group", "sg-nope"),
        ("aws_key_pair", "nope"),
        ("aws_launch_template", "lt-nope"),
        ("aws_launch_configuration", "nope"),
        ("aws_autoscaling_group", "nope"),
        ("aws_lb", "arn:aws:elasticloadbalancing:local-1:0:loadbalancer/app/x/1"),
        ("aws_lb_listener", "arn:x"),
        ("aws_lb_target_group", "arn:y"),
        ("aws_cloudwatch_log_group", "nope"),
        ("aws_vpc_security_group_ingress_rule", "sgr-nope"),
    ],
)
def test_importing_what_does_not_exist_says_so(driver: Driver, type_: str, ident: str) -> None:
    result = driver.import_(type_, ident)
    (error,) = errors(result.diagnostics)
    assert error.startswith("Cannot import non-existent remote object")
    assert ident in error

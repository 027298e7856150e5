"""API errors become diagnostics naming the resource and the attribute; retries with backoff
for connection errors, 5xx and 429; a create is not repeated when it may have arrived; bad
configuration is refused at validation with the attribute's path."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gitterra.providers import aws
from tests.providers.aws.fake_cloud import FakeCloud
from tests.providers.aws.support import FAST, Driver, errors
from tests.providers.aws.test_plan import world


def failing(times: int, make: Any, method: str | None = None, path: str | None = None) -> Any:
    """A fault that answers ``make()`` the first ``times`` matching calls."""
    left = [times]

    def fault(m: str, p: str) -> httpx.Response | Exception | None:
        if (method is None or m == method) and (path is None or p.endswith(path)) and left[0]:
            left[0] -= 1
            return make()  # type: ignore[no-any-return]
        return None

    return fault


def test_validation_error_is_placed_at_the_attribute(driver: Driver) -> None:
    w = world(driver)
    result = driver.try_create(
        "aws_autoscaling_group",
        name="g",
        min_size=1,
        max_size=2,
        desired_capacity=2,
        launch_template=[{"id": "lt-missing"}],
    )
    (diag,) = result.diagnostics.errors
    assert diag.summary == "creating Auto Scaling Group (g): no launch template lt-missing"
    assert diag.attribute == ("launch_template", "id")
    assert "launch_template.id" in diag.detail
    assert result.state is None
    del w


@pytest.mark.parametrize(
    ("type_", "attrs", "path"),
    [
        ("aws_lb", {"name": "lb", "security_groups": ["sg-missing"]}, ("security_groups", 0)),
        ("aws_launch_template", {"name": "web", "image_id": "nope", "instance_type": "t2.micro"},
         ("image_id",)),
        ("aws_security_group", {"name": "dup"}, ("name",)),
        ("aws_launch_configuration", {"name": "lc", "image_id": "nope",
                                      "instance_type": "t2.micro", "security_groups": ["x"]},
         ("image_id",)),
    ],
)  # fmt: skip
def test_api_fields_map_to_the_attributes(
    driver: Driver, type_: str, attrs: dict[str, Any], path: tuple[Any, ...]
) -> None:
    if type_ == "aws_security_group":
        driver.create(type_, **attrs)  # then again: the name is taken
    result = driver.try_create(type_, **attrs)
    (diag,) = result.diagnostics.errors
    assert diag.attribute == path, diag


def test_refresh_preference_errors_point_into_the_block(driver: Driver) -> None:
    w = world(driver)
    start: dict[str, Any] = {
        "name": "web", "min_size": 1, "max_size": 2,
        "launch_template": [{"id": w["lt"], "version": "1"}],
        "instance_refresh": [{"strategy": "Rolling", "preferences": [
            {"min_healthy_percentage": 50, "max_healthy_percentage": 200}]}],
    }  # fmt: skip
    group = driver.create("aws_autoscaling_group", **start)
    _, result = driver.change(
        "aws_autoscaling_group",
        group,
        **{**start, "launch_template": [{"id": w["lt"], "version": "2"}]},
    )
    (diag,) = result.diagnostics.errors
    assert diag.summary.startswith("refreshing the instances of Auto Scaling Group (web)")
    assert diag.attribute == ("instance_refresh", 0, "preferences", 0, "max_healthy_percentage")


def test_conflict_on_delete_names_the_user(driver: Driver) -> None:
    tg = driver.create("aws_lb_target_group", name="t", port=80, protocol="HTTP", vpc_id="v")
    lb = driver.create("aws_lb", name="lb")
    from tests.providers.aws.support import attr

    driver.create(
        "aws_lb_listener",
        load_balancer_arn=attr(lb, "arn"),
        port=8080,
        default_action=[{"type": "forward", "target_group_arn": attr(tg, "arn")}],
    )
    result = driver.delete("aws_lb_target_group", tg)
    assert result.state == tg
    (error,) = errors(result.diagnostics)
    assert "is used by a listener" in error
    assert "Conflict" in error


def test_retries_connection_errors_and_5xx_then_succeeds(driver: Driver, fake: FakeCloud) -> None:
    fake.fault = failing(1, lambda: httpx.ConnectError("refused"))
    driver.create("aws_key_pair", key_name="a", public_key="ssh-rsa AAAA x")
    fake.fault = failing(2, lambda: httpx.Response(503), method="GET")
    state = driver.create("aws_cloudwatch_log_group", name="g")
    assert driver.read("aws_cloudwatch_log_group", state).state == state
    fake.fault = failing(1, lambda: httpx.Response(429, headers={"Retry-After": "0"}))
    driver.create("aws_cloudwatch_log_group", name="h")
    assert len(fake.log_groups) == 2


def test_a_create_whose_answer_was_lost_is_not_repeated(driver: Driver, fake: FakeCloud) -> None:
    """The request may have created the object: repeating it could make a second one."""
    fake.fault = failing(1, lambda: httpx.ReadError("connection reset"), "POST", "/log-groups")
    result = driver.try_create("aws_cloudwatch_log_group", name="g")
    (error,) = errors(result.diagnostics)
    assert "not reachable" in error
    assert "connection reset" in error
    assert len([c for c in fake.calls if c[0] == "POST"]) == 1


def test_5xx_on_a_create_is_not_repeated_but_reported(driver: Driver, fake: FakeCloud) -> None:
    fake.fault = failing(
        5,
        lambda: httpx.Response(500, json={"error": {"code": "Internal", "message": "boom"}}),
        "POST",
    )
    result = driver.try_create("aws_cloudwatch_log_group", name="g")
    (diag,) = result.diagnostics.errors
    assert diag.summary == "creating CloudWatch Logs Log Group (g): boom"
    assert len([c for c in fake.calls if c[0] == "POST"]) == 1


def test_retries_give_up_after_the_limit(driver: Driver, fake: FakeCloud) -> None:
    fake.fault = failing(100, lambda: httpx.Response(503), method="GET")
    state = driver.create("aws_cloudwatch_log_group", name="g", retention_in_days=1)
    result = driver.read("aws_cloudwatch_log_group", state)
    (error,) = errors(result.diagnostics)
    assert error.startswith("reading CloudWatch Logs Log Group (g)")
    assert result.state == state  # a failed refresh keeps what state had
    reads = [c for c in fake.calls if c[0] == "GET" and c[1].endswith("/log-groups/g")]
    assert len(reads) == 1 + FAST.retries


def test_non_json_error_bodies_are_reported(driver: Driver, fake: FakeCloud) -> None:
    fake.fault = failing(1, lambda: httpx.Response(400, text="<html>bad gateway</html>"), "POST")
    result = driver.try_create("aws_cloudwatch_log_group", name="g")
    (error,) = errors(result.diagnostics)
    assert "<html>bad gateway</html>" in error


@pytest.mark.parametrize(
    ("type_", "attrs", "path", "words"),
    [
        ("aws_security_group", {"name": "sg-1"}, ("name",), 'cannot begin with "sg-"'),
        ("aws_security_group", {"name": "a", "ingress": [{"from_port": 1, "to_port": 1,
         "protocol": "udp"}]}, ("ingress", "protocol"), "TCP only"),
        ("aws_security_group", {"name": "a", "ingress": [{"from_port": 1, "to_port": 1,
         "protocol": "tcp", "cidr_blocks": ["10.0.0.1/8"]}]}, ("ingress", "cidr_blocks"),
         "not a valid IPv4 CIDR"),
        ("aws_security_group", {"name": "a", "ingress": [{"from_port": 1, "to_port": 1,
         "protocol": "tcp", "self": True}]}, ("ingress", "self"), "IPv4 CIDR blocks only"),
        ("aws_security_group", {"name": "a", "name_prefix": "b"}, ("name",), "conflicts"),
        ("aws_launch_template", {"name": "web", "user_data": "echo hi"}, ("user_data",),
         "base64"),
        ("aws_launch_configuration", {"image_id": "a", "instance_type": "b",
         "user_data_base64": "%%"}, ("user_data_base64",), "base64"),
        ("aws_autoscaling_group", {"min_size": 3, "max_size": 1, "launch_configuration": "x"},
         ("min_size",), "must not be more than max_size"),
        ("aws_autoscaling_group", {"min_size": 1, "max_size": 2, "desired_capacity": 3,
         "launch_configuration": "x"}, ("desired_capacity",), "more than max_size"),
        ("aws_autoscaling_group", {"min_size": 1, "max_size": 2}, ("launch_configuration",),
         "must be specified"),
        ("aws_autoscaling_group", {"min_size": 1, "max_size": 2, "launch_configuration": "x",
         "wait_for_capacity_timeout": "soon"}, ("wait_for_capacity_timeout",), "duration"),
        ("aws_autoscaling_group", {"min_size": 1, "max_size": 2, "launch_configuration": "x",
         "health_check_type": "EBS"}, ("health_check_type",), "one of"),
        ("aws_autoscaling_group", {"min_size": 1, "max_size": 2, "launch_configuration": "x",
         "instance_refresh": [{"strategy": "Rolling", "triggers": ["nope"]}]},
         ("instance_refresh", 0, "triggers"), "cannot trigger"),
        ("aws_autoscaling_group", {"min_size": 1, "max_size": 2, "launch_configuration": "x",
         "instance_refresh": [{"strategy": "Rolling", "preferences": [
             {"min_healthy_percentage": 101}]}]},
         ("instance_refresh", 0, "preferences", 0, "min_healthy_percentage"), "range"),
        ("aws_autoscaling_group", {"min_size": 1, "max_size": 2, "launch_configuration": "x",
         "instance_refresh": [{"strategy": "Rolling", "preferences": [
             {"auto_rollback": True}]}]},
         ("instance_refresh", 0, "preferences", 0, "auto_rollback"), "Not supported"),
        ("aws_lb", {"load_balancer_type": "network"}, ("load_balancer_type",), "application"),
        ("aws_lb", {"name": "x" * 33}, ("name",), "32 characters"),
        ("aws_lb_listener", {"load_balancer_arn": "a", "protocol": "HTTPS",
         "default_action": [{"type": "forward"}]}, ("protocol",), "HTTP only"),
        ("aws_lb_listener", {"load_balancer_arn": "a", "default_action": [
            {"type": "authenticate-oidc"}]}, ("default_action", 0, "type"), "not supported"),
        ("aws_lb_target_group", {"port": 80, "protocol": "TCP", "vpc_id": "v"}, ("protocol",),
         "HTTP only"),
        ("aws_lb_target_group", {"port": 80, "vpc_id": "v"}, ("protocol",), "required"),
        ("aws_lb_target_group", {"port": 80, "protocol": "HTTP", "vpc_id": "v",
         "deregistration_delay": "5m"}, ("deregistration_delay",), "whole number"),
        ("aws_vpc_security_group_ingress_rule", {"security_group_id": "sg", "ip_protocol": "tcp",
         "cidr_ipv4": "0.0.0.0/0"}, ("from_port",), "required"),
        ("aws_cloudwatch_log_group", {"retention_in_days": 2}, ("retention_in_days",), "one of"),
    ],
)  # fmt: skip
def test_bad_configuration_is_refused_at_validation_naming_the_attribute(
    type_: str, attrs: dict[str, Any], path: tuple[Any, ...], words: str
) -> None:
    from tests.providers.aws.support import typed

    provider = aws.AwsProvider(env={})
    block = provider.schema().resources[type_].block
    diags = provider.validate_resource(type_, typed(block, attrs))
    found = [d for d in diags.errors if d.attribute == path]
    assert found, [(d.attribute, str(d)) for d in diags]
    assert words in f"{found[0].summary} {found[0].detail}"


def test_a_long_or_multi_line_answer_gives_a_one_line_summary() -> None:
    from gitterra.providers.aws import _client, _resource

    message = "the policy is not valid:\n  line 3: Action must be a string\n  line 7: bad ARN"
    exc = _client.BadRequestError(400, "MalformedPolicyDocument", message, None)
    diag = _resource.api_diagnostic("IAM Role Policy", {}, exc, "creating", "p")
    assert diag.summary == "creating IAM Role Policy (p): the policy is not valid:"
    assert "line 7: bad ARN" in diag.detail, "the whole answer stays in the detail"
    long = _client.BadRequestError(400, "Invalid", "x" * 500, None)
    summary = _resource.api_diagnostic("Thing", {}, long, "creating", "").summary
    assert summary == "creating Thing: " + "x" * 159 + "…"

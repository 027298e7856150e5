"""ELBv2 on the AWS target, against moto through boto3: load balancers (idle timeout as an
attribute, subnets, security groups), listeners (default actions of the three kinds, and
gitterra_url from the balancer's DNS name), target groups (health check, attributes) and
attachments — create, read, update, import, delete, drift."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.support import Driver, attr
from tests.providers.aws_target.moto_server import MotoServer
from tests.providers.aws_target.support import default_network, roundtrip

CHECK = {"path": "/health", "interval": 10, "timeout": 5, "healthy_threshold": 2,
         "unhealthy_threshold": 2, "matcher": "200-299"}  # fmt: skip


def group(d: Driver, vpc: str, **more: Any) -> Any:
    return d.create(
        "aws_lb_target_group", name="web-tg", port=80, protocol="HTTP", vpc_id=vpc,
        deregistration_delay="5", health_check=[CHECK], **more,
    )  # fmt: skip


def test_target_group(driver: Driver, cloud: MotoServer) -> None:
    vpc, _ = default_network(driver)
    tg = group(driver, vpc, tags={"app": "fox"})
    arn = attr(tg, "arn")
    elbv2 = cloud.client("elbv2")
    found = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]
    assert (found["HealthCheckPath"], found["HealthCheckIntervalSeconds"]) == ("/health", 10)
    assert found["Matcher"] == {"HttpCode": "200-299"}
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    }
    assert attributes["deregistration_delay.timeout_seconds"] == "5"
    assert attr(tg, "health_check")[0]["path"] == "/health"
    roundtrip(driver, "aws_lb_target_group", tg, arn)

    changed = driver.update(
        "aws_lb_target_group", tg, name="web-tg", port=80, protocol="HTTP", vpc_id=vpc,
        deregistration_delay="30", health_check=[{**CHECK, "path": "/"}], tags={},
    )  # fmt: skip
    assert attr(changed, "deregistration_delay") == "30"
    assert attr(changed, "health_check")[0]["path"] == "/"
    assert (
        elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]["HealthCheckPath"]
        == "/"
    )
    elbv2.delete_target_group(TargetGroupArn=arn)  # outside gitterra
    assert driver.read("aws_lb_target_group", changed).state is None


def test_balancer_listener_and_url(driver: Driver, cloud: MotoServer) -> None:
    vpc, subnets = default_network(driver)
    sg = driver.create("aws_security_group", name="lb", vpc_id=vpc)
    tg = group(driver, vpc)
    lb = driver.create(
        "aws_lb", name="web-lb", security_groups=[attr(sg, "id")], subnets=subnets,
        idle_timeout=120, tags={"app": "fox"},
    )  # fmt: skip
    arn, dns = attr(lb, "arn"), attr(lb, "dns_name")
    assert dns
    assert attr(lb, "vpc_id") == vpc
    assert attr(lb, "idle_timeout") == 120
    assert sorted(attr(lb, "subnets")) == sorted(subnets)
    assert attr(lb, "gitterra_url") is None  # no listener yet
    listener = driver.create(
        "aws_lb_listener", load_balancer_arn=arn, port=80, protocol="HTTP",
        default_action=[{"type": "forward", "target_group_arn": attr(tg, "arn")}],
    )  # fmt: skip
    assert attr(listener, "gitterra_url") == f"http://{dns}"
    assert attr(listener, "gitterra_bound_address") == f"{dns}:80"
    roundtrip(driver, "aws_lb_listener", listener, attr(listener, "arn"))
    refreshed = driver.read("aws_lb", lb).state
    assert refreshed is not None
    assert attr(refreshed, "gitterra_url") == f"http://{dns}"
    roundtrip(driver, "aws_lb", refreshed, arn)

    fixed = driver.update(
        "aws_lb_listener", listener, load_balancer_arn=arn, port=8080, protocol="HTTP",
        default_action=[{"type": "fixed-response", "fixed_response": [
            {"content_type": "text/plain", "message_body": "closed", "status_code": "503"}]}],
    )  # fmt: skip
    assert attr(fixed, "gitterra_url") == f"http://{dns}:8080"
    action = cloud.client("elbv2").describe_listeners(ListenerArns=[attr(fixed, "arn")])[
        "Listeners"
    ][0]["DefaultActions"][0]
    assert action["FixedResponseConfig"]["StatusCode"] == "503"

    refreshed = driver.read("aws_lb", refreshed).state  # as a plan refreshes first
    assert refreshed is not None
    assert attr(refreshed, "gitterra_url") == f"http://{dns}:8080"
    smaller = driver.update(
        "aws_lb", refreshed, name="web-lb", security_groups=[attr(sg, "id")], subnets=subnets,
        idle_timeout=60, tags={},
    )  # fmt: skip
    assert attr(smaller, "idle_timeout") == 60
    for type_, state in (("aws_lb_listener", fixed), ("aws_lb", smaller)):
        assert not driver.delete(type_, state).diagnostics
        assert driver.read(type_, state).state is None


def test_redirect_action_round_trips(driver: Driver) -> None:
    _vpc, subnets = default_network(driver)
    lb = driver.create("aws_lb", name="redirect-lb", subnets=subnets)
    listener = driver.create(
        "aws_lb_listener", load_balancer_arn=attr(lb, "arn"), port=81,
        default_action=[{"type": "redirect", "redirect": [
            {"status_code": "HTTP_301", "protocol": "HTTPS", "port": "443"}]}],
    )  # fmt: skip
    assert driver.read("aws_lb_listener", listener).state == listener


def test_attachment_registers_an_instance(driver: Driver, cloud: MotoServer) -> None:
    vpc, _ = default_network(driver)
    tg = group(driver, vpc)
    ec2 = cloud.client("ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0][
        "InstanceId"
    ]
    attachment = driver.create(
        "aws_lb_target_group_attachment", target_group_arn=attr(tg, "arn"), target_id=instance,
        port=80,
    )  # fmt: skip
    health = cloud.client("elbv2").describe_target_health(TargetGroupArn=attr(tg, "arn"))
    assert [d["Target"]["Id"] for d in health["TargetHealthDescriptions"]] == [instance]
    assert driver.read("aws_lb_target_group_attachment", attachment).state == attachment
    assert not driver.delete("aws_lb_target_group_attachment", attachment).diagnostics
    assert driver.read("aws_lb_target_group_attachment", attachment).state is None

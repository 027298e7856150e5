"""The seed-like stack through the real engine against the fake API: the actions each change
plans, a clean second plan, and destroy (fast; test_real_server.py runs it for real)."""

from __future__ import annotations

from pathlib import Path

import httpx

from gitterra import engine
from gitterra.providers import aws
from tests.providers.aws.fake_cloud import FakeCloud
from tests.providers.aws.stack import Stack, actions
from tests.providers.aws.support import FAST

RESOURCES = {
    "aws_security_group.web",
    "aws_launch_template.web",
    "aws_lb_target_group.web",
    "aws_lb.web",
    "aws_lb_listener.http",
    "aws_autoscaling_group.web",
}


def stack(tmp_path: Path, fake: FakeCloud) -> Stack:
    env = {"GITTERRA_ENDPOINT": "http://fake", "GITTERRA_TOKEN": fake.token}
    return Stack(
        tmp_path, lambda: aws.AwsProvider(transport=fake.transport(), env=env, timing=FAST)
    )


def test_stack_lifecycle_against_the_fake(tmp_path: Path, fake: FakeCloud) -> None:
    s = stack(tmp_path, fake)
    created = s.apply()
    assert actions(created) == dict.fromkeys(RESOURCES, "CREATE")
    assert created.destinations == {"aws": "local cloud at http://fake"}
    assert s.output("url") == "http://127.0.0.1:40000"
    group = fake.asgs["web"]
    assert group["desired_capacity"] == 2
    assert group["launch_template"]["version"] == "1"
    assert group["target_group_arns"] == [s.attributes("aws_lb_target_group.web")["arn"]]
    assert group["vpc_zone_identifier"] == ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"]

    again, diags = s.plan()
    assert not diags.has_errors
    assert actions(again) == {}

    bigger = s.apply(desired_capacity=3)
    assert actions(bigger) == {"aws_autoscaling_group.web": "UPDATE"}
    assert fake.asgs["web"]["desired_capacity"] == 3
    assert "web" not in fake.refreshes

    bear = s.apply(desired_capacity=3, page="Bear")
    assert actions(bear) == {
        "aws_launch_template.web": "UPDATE",
        "aws_autoscaling_group.web": "UPDATE",
    }
    assert fake.asgs["web"]["launch_template"]["version"] == "2"
    assert [r["status"] for r in fake.refreshes["web"]] == ["Successful"]
    template = next(iter(fake.templates.values()))
    assert template["default_version"] == 2

    gone = s.apply(destroy=True)
    assert actions(gone) == dict.fromkeys(RESOURCES, "DELETE")
    leftovers = (fake.groups, fake.templates, fake.asgs, fake.lbs, fake.listeners, fake.tgs)
    assert not any(leftovers)
    assert not s.state.resources or all(rs.mode == "data" for rs in s.state.resources.values())


def test_drift_recreates_what_was_deleted_outside(tmp_path: Path, fake: FakeCloud) -> None:
    s = stack(tmp_path, fake)
    s.apply()
    listener_arn = s.attributes("aws_lb_listener.http")["arn"]
    del fake.listeners[listener_arn]  # deleted outside Terraform
    the_plan, diags = s.plan()
    assert not diags.has_errors
    assert actions(the_plan) == {"aws_lb_listener.http": "CREATE"}
    drift = {str(c.addr): c.action.name for c in the_plan.drift}
    assert drift["aws_lb_listener.http"] == "DELETE"


def test_no_server_is_a_plan_error_naming_how_to_start_one(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on (chosen by the OS, then closed)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"GITTERRA_ENDPOINT": f"http://127.0.0.1:{port}", "GITTERRA_TOKEN": "t"}
    timing = aws.Timing(retries=1, backoff=0.0, poll=0.0)
    s = Stack(tmp_path, lambda: aws.AwsProvider(env=env, timing=timing))
    the_plan, diags = s.plan()
    assert the_plan.errored
    messages = [f"{d.summary}: {d.detail}" for d in diags.errors]
    assert any(
        m.startswith(f"the local cloud at http://127.0.0.1:{port} is not reachable")
        and "start it with gitterra server" in m
        for m in messages
    ), messages


def test_a_create_that_fails_after_the_object_exists_leaves_it_tainted(
    tmp_path: Path, fake: FakeCloud
) -> None:
    def never_active(method: str, path: str) -> httpx.Response | None:
        if method == "GET" and path.startswith("/api/v1/load-balancers/"):
            body = {"error": {"code": "Invalid", "message": "provisioning failed"}}
            return httpx.Response(400, json=body)
        return None

    fake.fault = never_active
    s = stack(tmp_path, fake)
    s.apply(failing=True)
    assert any("aws_lb.web" in str(d) or "web-lb" in str(d) for d in s.diags.errors)
    assert status(s, "aws_lb.web") == "tainted"
    assert len(fake.lbs) == 1  # the balancer exists, and the state knows it
    assert s.state.resource("aws_lb_listener.http") is None  # skipped: depends on the failure

    fake.fault = None
    the_plan, diags = s.plan()
    assert not diags.has_errors
    replaced = next(c for c in the_plan.changes if str(c.addr) == "aws_lb.web")
    assert replaced.action is engine.Action.DELETE_THEN_CREATE
    assert replaced.reason is engine.Reason.TAINTED
    s.apply()
    assert len(fake.lbs) == 1
    assert status(s, "aws_lb.web") is None


def status(s: Stack, address: str) -> str | None:
    rs = s.state.resource(address)
    assert rs is not None, address
    current = rs.instances[None].current
    assert current is not None, address
    return current.status

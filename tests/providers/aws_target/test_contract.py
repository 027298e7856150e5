"""Instance refreshes on the AWS target: moto implements none of StartInstanceRefresh,
DescribeInstanceRefreshes and CancelInstanceRefresh, so these are contract tests of the exact
requests sent, answered by the stand-ins as AWS documents them. By default the provider starts
the refresh and returns (the AWS provider's behaviour); with wait_for_instance_refresh it polls
until the refresh ends, and a failed refresh is a diagnostic with AWS's reason."""

from __future__ import annotations

from typing import Any

from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import MotoServer
from tests.providers.aws_target.support import provider
from tests.providers.aws_target.test_autoscaling import group_config, world

REFRESH = [{"strategy": "Rolling", "preferences": [
    {"min_healthy_percentage": 100, "max_healthy_percentage": 200, "instance_warmup": "2"}]}]  # fmt: skip


def rolled(d: Driver, cloud: MotoServer) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """A group with an instance refresh, and the configuration of its next template version."""
    w = world(d, cloud)
    group = d.create("aws_autoscaling_group", **group_config(w, instance_refresh=REFRESH))
    lt = w["lt"]
    new = d.update(
        "aws_launch_template", lt, name="web", image_id=w["image"], instance_type="t3.small",
        update_default_version=True,
    )  # fmt: skip
    config = group_config(
        w, instance_refresh=REFRESH, launch_template=[{"id": attr(new, "id"), "version": "2"}]
    )
    cloud.clear()
    return group, config, w


def test_a_new_version_starts_a_refresh_and_apply_returns(
    driver: Driver, cloud: MotoServer
) -> None:
    group, config, _ = rolled(driver, cloud)
    updated = driver.update("aws_autoscaling_group", group, **config)
    assert attr(updated, "launch_template")[0]["version"] == "2"
    (start,) = cloud.calls("autoscaling", "StartInstanceRefresh")
    assert start.params == {
        "AutoScalingGroupName": "web",
        "Strategy": "Rolling",
        "Preferences.MinHealthyPercentage": "100",
        "Preferences.MaxHealthyPercentage": "200",
        "Preferences.SkipMatching": "false",
        "Preferences.InstanceWarmup": "2",
    }
    assert not cloud.calls("autoscaling", "DescribeInstanceRefreshes")  # not asked to wait


def waiting(cloud: MotoServer) -> Driver:
    d = Driver(provider(cloud))
    assert not d.configure(wait_for_instance_refresh=True).has_errors
    return d


def test_asked_to_wait_it_polls_until_the_refresh_succeeds(cloud: MotoServer) -> None:
    d = waiting(cloud)
    try:
        cloud.standins.refresh_script = [("Pending", ""), ("InProgress", ""), ("Successful", "")]
        group, config, _ = rolled(d, cloud)
        d.update("aws_autoscaling_group", group, **config)
        (_start,) = cloud.calls("autoscaling", "StartInstanceRefresh")
        polls = cloud.calls("autoscaling", "DescribeInstanceRefreshes")
        assert len(polls) == 3
        assert {p.params["AutoScalingGroupName"] for p in polls} == {"web"}
    finally:
        d.close()


def test_a_failed_refresh_is_a_diagnostic_with_the_reason(cloud: MotoServer) -> None:
    d = waiting(cloud)
    try:
        reason = "Instance i-0abc failed its ELB health checks"
        cloud.standins.refresh_script = [("InProgress", ""), ("Failed", reason)]
        group, config, _ = rolled(d, cloud)
        _, result = d.change("aws_autoscaling_group", group, **config)
        (error,) = errors(result.diagnostics)
        assert error.startswith("instance refresh of Auto Scaling Group (web) failed")
        assert f"ended Failed: {reason}" in error
        assert result.state is not None  # the group keeps its new launch settings
    finally:
        d.close()


def test_a_refresh_in_progress_is_cancelled_first(driver: Driver, cloud: MotoServer) -> None:
    group, config, _ = rolled(driver, cloud)
    cloud.client("autoscaling").start_instance_refresh(AutoScalingGroupName="web")  # stand-in
    cloud.clear()
    driver.update("aws_autoscaling_group", group, **config)
    names = [c.operation for c in cloud.calls("autoscaling") if "InstanceRefresh" in c.operation]
    assert names == ["StartInstanceRefresh", "CancelInstanceRefresh", "StartInstanceRefresh"]
    assert cloud.calls("autoscaling", "CancelInstanceRefresh")[0].params == {
        "AutoScalingGroupName": "web"
    }

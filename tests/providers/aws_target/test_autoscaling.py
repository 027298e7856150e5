"""Auto Scaling on the AWS target, against moto through boto3: a group on a launch template
waits for its capacity, scales, switches versions, changes target groups and tags, is
imported, drifts, and drains before it is deleted. (Instance refreshes, which moto lacks, are
contract tests: test_contract.py.)"""

from __future__ import annotations

from typing import Any

from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import MotoServer
from tests.providers.aws_target.support import default_network, roundtrip


def world(d: Driver, cloud: MotoServer) -> dict[str, Any]:
    vpc, subnets = default_network(d)
    image = cloud.client("ec2").describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    lt = d.create("aws_launch_template", name="web", image_id=image, instance_type="t3.micro",
                  update_default_version=True)  # fmt: skip
    tg = d.create("aws_lb_target_group", name="web-tg", port=80, protocol="HTTP", vpc_id=vpc)
    return {"vpc": vpc, "subnets": subnets, "image": image, "lt": lt, "tg": tg}


def group_config(w: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "name": "web",
        "min_size": 1,
        "max_size": 3,
        "desired_capacity": 1,
        "vpc_zone_identifier": w["subnets"],
        "target_group_arns": [attr(w["tg"], "arn")],
        "health_check_type": "ELB",
        "health_check_grace_period": 60,
        "launch_template": [{"id": attr(w["lt"], "id"), "version": "1"}],
        "tag": [{"key": "app", "value": "fox", "propagate_at_launch": True}],
        **more,
    }


def test_group_lifecycle(driver: Driver, cloud: MotoServer) -> None:
    w = world(driver, cloud)
    group = driver.create("aws_autoscaling_group", **group_config(w))
    autoscaling = cloud.client("autoscaling")
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])[
        "AutoScalingGroups"
    ][0]
    assert len(found["Instances"]) == 1
    assert found["LaunchTemplate"]["LaunchTemplateId"] == attr(w["lt"], "id")
    assert sorted(found["VPCZoneIdentifier"].split(",")) == sorted(w["subnets"])
    assert [(t["Key"], t["Value"], t["PropagateAtLaunch"]) for t in found["Tags"]] == [
        ("app", "fox", True)
    ]
    assert cloud.calls("autoscaling", "DescribeAutoScalingGroups")  # capacity was awaited
    roundtrip(driver, "aws_autoscaling_group", group, "web")

    bigger = driver.update(
        "aws_autoscaling_group", group,
        **group_config(w, desired_capacity=2,
                       tag=[{"key": "app", "value": "bear", "propagate_at_launch": False}]),
    )  # fmt: skip
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])[
        "AutoScalingGroups"
    ][0]
    assert (found["DesiredCapacity"], len(found["Instances"])) == (2, 2)
    assert [(t["Key"], t["Value"], t["PropagateAtLaunch"]) for t in found["Tags"]] == [
        ("app", "bear", False)
    ]
    assert attr(bigger, "desired_capacity") == 2

    # scaled outside gitterra: drift
    autoscaling.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=3)
    drifted = driver.read("aws_autoscaling_group", bigger).state
    assert drifted is not None
    assert attr(drifted, "desired_capacity") == 3

    cloud.clear()
    result = driver.delete("aws_autoscaling_group", drifted)
    assert not result.diagnostics.has_errors, errors(result.diagnostics)
    drained = cloud.calls("autoscaling", "UpdateAutoScalingGroup")[0].params
    assert (drained["MinSize"], drained["MaxSize"], drained["DesiredCapacity"]) == ("0", "0", "0")
    assert driver.read("aws_autoscaling_group", drifted).state is None


def test_target_groups_are_attached_and_detached(driver: Driver, cloud: MotoServer) -> None:
    w = world(driver, cloud)
    other = driver.create(
        "aws_lb_target_group", name="other-tg", port=80, protocol="HTTP", vpc_id=w["vpc"]
    )
    group = driver.create("aws_autoscaling_group", **group_config(w))
    cloud.clear()
    moved = driver.update(
        "aws_autoscaling_group", group, **group_config(w, target_group_arns=[attr(other, "arn")])
    )
    assert attr(moved, "target_group_arns") == [attr(other, "arn")]
    attached = cloud.calls("autoscaling", "AttachLoadBalancerTargetGroups")[0].params
    detached = cloud.calls("autoscaling", "DetachLoadBalancerTargetGroups")[0].params
    assert attached["TargetGroupARNs.member.1"] == attr(other, "arn")
    assert detached["TargetGroupARNs.member.1"] == attr(w["tg"], "arn")


def test_force_delete_and_a_group_deleted_outside(driver: Driver, cloud: MotoServer) -> None:
    w = world(driver, cloud)
    group = driver.create("aws_autoscaling_group", **group_config(w, force_delete=True))
    cloud.clear()
    assert not driver.delete("aws_autoscaling_group", group).diagnostics
    (call,) = cloud.calls("autoscaling", "DeleteAutoScalingGroup")
    assert call.params["ForceDelete"] == "true"
    assert not cloud.calls("autoscaling", "UpdateAutoScalingGroup")  # no draining first
    assert driver.read("aws_autoscaling_group", group).state is None


def test_launch_configuration_group(driver: Driver, cloud: MotoServer) -> None:
    w = world(driver, cloud)
    lc = driver.create("aws_launch_configuration", name="web-lc", image_id=w["image"],
                       instance_type="t3.micro")  # fmt: skip
    config = group_config(w, launch_template=[], launch_configuration=attr(lc, "name"))
    group = driver.create("aws_autoscaling_group", **config)
    assert attr(group, "launch_configuration") == "web-lc"
    assert driver.read("aws_autoscaling_group", group).state == group

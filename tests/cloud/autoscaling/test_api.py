"""Launch configurations, groups and instance refreshes through a real server's API: the
documents, sizes and their implicit adjustments, deletion rules, and every bad input (a clear
error naming the field, nothing changed)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.cloud.autoscaling.site import HEALTH, ok, static_site_image
from tests.cloud.conftest import CloudServer, api_error, running_server, wait_for

pytestmark = pytest.mark.slow

LC, GROUPS = "/api/v1/launch-configurations", "/api/v1/autoscaling-groups"
PAGE = base64.b64encode(b'echo hi > "$DOCUMENT_ROOT/index.html"\n').decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("asg")) as server:
        yield server


@pytest.fixture(scope="module")
def world(server: CloudServer) -> dict[str, Any]:
    """A launch template, a launch configuration and a target group to refer to."""
    client = server.client
    image = static_site_image(client)
    body = {"image_id": image, "instance_type": "t3.micro", "user_data": PAGE}
    template = ok(client.post("/api/v1/launch-templates", json={"name": "api", **body}), 201)
    config = ok(client.post(LC, json={"name": "api-lc", **body}), 201)
    tg = ok(
        client.post(
            "/api/v1/target-groups", json={"name": "api", "port": 80, "health_check": HEALTH}
        ),
        201,
    )
    return {"image": image, "template": template, "config": config, "tg": tg}


@pytest.fixture
def client(server: CloudServer) -> httpx.Client:
    return server.client


def group_body(world: dict[str, Any], name: str, **over: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "min_size": 0,
        "max_size": 3,
        "desired_capacity": 0,
        "launch_template": {"id": world["template"]["id"]},
    }
    body.update(over)
    return body


def test_launch_configurations(client: httpx.Client, world: dict[str, Any]) -> None:
    doc = world["config"]
    assert doc["arn"].startswith("arn:aws:autoscaling:local-1:000000000000:launchConfiguration:")
    assert doc["arn"].endswith(":launchConfigurationName/api-lc")
    assert (doc["image_id"], doc["instance_type"], doc["user_data"]) == (
        world["image"],
        "t3.micro",
        PAGE,
    )
    assert ok(client.get(f"{LC}/api-lc")) == doc
    assert doc in ok(client.get(LC))["items"]
    api_error(
        client.post(
            LC, json={"name": "api-lc", "image_id": world["image"], "instance_type": "t3.micro"}
        ),
        409,
        "Conflict",
        "name",
    )


BAD_CONFIGURATIONS = [
    ({"image_id": "ami-00000000000000000"}, 404, "NotFound", "image_id"),
    ({"instance_type": "m5.24xlarge"}, 400, "ValidationError", "instance_type"),
    ({"user_data": "not base64!"}, 400, "ValidationError", "user_data"),
    ({"security_group_ids": ["sg-nope"]}, 404, "NotFound", "security_group_ids.0"),
    ({"name": ""}, 400, "ValidationError", "name"),
    ({"spot_price": "0.1"}, 400, "ValidationError", "spot_price"),
]


@pytest.mark.parametrize(("over", "status", "code", "field"), BAD_CONFIGURATIONS)
def test_bad_launch_configurations_are_refused(
    client: httpx.Client,
    world: dict[str, Any],
    over: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    body = {"name": "bad-lc", "image_id": world["image"], "instance_type": "t3.micro", **over}
    api_error(client.post(LC, json=body), status, code, field)
    assert client.get(f"{LC}/bad-lc").status_code == 404


def test_unknown_image_in_a_launch_template_is_refused(client: httpx.Client) -> None:
    body = {"name": "no-image", "image_id": "ami-00000000000000000", "instance_type": "t3.micro"}
    api_error(client.post("/api/v1/launch-templates", json=body), 404, "NotFound", "image_id")


BAD_GROUPS = [
    ({"min_size": 3, "max_size": 1}, 400, "ValidationError", "min_size"),
    ({"desired_capacity": 5}, 400, "ValidationError", "desired_capacity"),
    ({"max_size": 1000}, 429, "LimitExceeded", "max_size"),
    ({"min_size": -1}, 400, "ValidationError", "min_size"),
    ({"launch_template": None}, 400, "ValidationError", "launch_template"),
    ({"launch_template": {"id": "lt-nope"}}, 404, "NotFound", "launch_template.id"),
    (
        {"launch_template": {"name": "api", "version": "7"}},
        404,
        "NotFound",
        "launch_template.version",
    ),
    (
        {"launch_template": {"name": "api", "version": "$Newest"}},
        400,
        "ValidationError",
        "launch_template.version",
    ),
    ({"launch_configuration": "api-lc"}, 400, "ValidationError", "launch_configuration"),
    ({"target_group_arns": ["arn:nope"]}, 404, "NotFound", "target_group_arns.0"),
    ({"vpc_zone_identifier": ["subnet-nope"]}, 400, "ValidationError", "vpc_zone_identifier.0"),
    ({"health_check_type": "HTTP"}, 400, "ValidationError", "health_check_type"),
    ({"health_check_grace_period": -5}, 400, "ValidationError", "health_check_grace_period"),
    ({"termination_policies": ["Random"]}, 400, "ValidationError", "termination_policies.0"),
    ({"mixed_instances_policy": {}}, 400, "ValidationError", "mixed_instances_policy"),
]


@pytest.mark.parametrize(("over", "status", "code", "field"), BAD_GROUPS)
def test_bad_groups_are_refused_and_change_nothing(
    client: httpx.Client,
    world: dict[str, Any],
    over: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    before = ok(client.get(GROUPS))["items"]
    api_error(client.post(GROUPS, json=group_body(world, "bad", **over)), status, code, field)
    assert ok(client.get(GROUPS))["items"] == before
    assert client.get(f"{GROUPS}/bad").status_code == 404


def test_group_document_sizes_and_patches(client: httpx.Client, world: dict[str, Any]) -> None:
    doc = ok(
        client.post(
            GROUPS,
            json=group_body(
                world,
                "docs",
                min_size=1,
                max_size=3,
                desired_capacity=None,
                target_group_arns=[world["tg"]["arn"]],
            ),
        ),
        201,
    )
    assert doc["arn"].endswith(":autoScalingGroupName/docs")
    assert doc["desired_capacity"] == 1  # defaults to min_size
    assert doc["launch_template"]["id"] == world["template"]["id"]
    assert doc["launch_template"]["version"] == "$Default"
    assert (
        doc["health_check_type"],
        doc["health_check_grace_period"],
        doc["termination_policies"],
    ) == ("EC2", 300, ["Default"])
    assert (doc["status"], doc["target_group_arns"]) == (None, [world["tg"]["arn"]])
    wait_for(
        lambda: ok(client.get(f"{GROUPS}/docs/capacity"))["in_service"] == 1, 120, "in service"
    )
    # a smaller max_size moves the desired capacity along (as AWS)
    changed = ok(client.patch(f"{GROUPS}/docs", json={"min_size": 0, "max_size": 0}))
    assert changed["desired_capacity"] == 0
    api_error(
        client.patch(f"{GROUPS}/docs", json={"desired_capacity": 2}),
        400,
        "ValidationError",
        "desired_capacity",
    )
    api_error(
        client.patch(f"{GROUPS}/docs", json={"name": "other"}), 400, "ValidationError", "name"
    )
    api_error(
        client.patch(f"{GROUPS}/docs", json={"max_size": 2, "min_size": 3}),
        400,
        "ValidationError",
        "min_size",
    )
    assert ok(client.get(f"{GROUPS}/docs"))["max_size"] == 0
    wait_for(lambda: ok(client.get(f"{GROUPS}/docs"))["instances"] == [], 120, "scaled to 0")
    switched = ok(
        client.patch(
            f"{GROUPS}/docs", json={"launch_configuration": "api-lc", "launch_template": None}
        )
    )
    assert (switched["launch_configuration"], switched["launch_template"]) == ("api-lc", None)
    api_error(client.delete(f"{LC}/api-lc"), 409, "Conflict")
    assert client.delete(f"{GROUPS}/docs").status_code == 204  # empty: no force needed
    api_error(client.get(f"{GROUPS}/docs"), 404, "NotFound")


def test_deleting_a_group_with_instances_needs_force(
    client: httpx.Client, world: dict[str, Any]
) -> None:
    ok(client.post(GROUPS, json=group_body(world, "keep", min_size=1, desired_capacity=1)), 201)
    wait_for(lambda: ok(client.get(f"{GROUPS}/keep"))["instances"], 120, "an instance")
    message = api_error(client.delete(f"{GROUPS}/keep"), 409, "Conflict")
    assert "force_delete=true" in message
    assert client.delete(f"{GROUPS}/keep", params={"force_delete": "true"}).status_code == 204
    running = ok(client.get("/api/v1/instances", params={"group": "keep", "state": "running"}))
    assert running["items"] == []


def test_instance_refresh_requests(client: httpx.Client, world: dict[str, Any]) -> None:
    ok(client.post(GROUPS, json=group_body(world, "fresh")), 201)
    path = f"{GROUPS}/fresh/instance-refreshes"
    bad = [
        ({"strategy": "Replace"}, "strategy"),
        ({"preferences": {"min_healthy_percentage": 101}}, "preferences.min_healthy_percentage"),
        ({"preferences": {"max_healthy_percentage": 99}}, "preferences.max_healthy_percentage"),
        (
            {"preferences": {"min_healthy_percentage": 50, "max_healthy_percentage": 200}},
            "preferences.max_healthy_percentage",
        ),
        ({"preferences": {"instance_warmup": -1}}, "preferences.instance_warmup"),
        ({"preferences": {"checkpoint_percentages": [50]}}, "preferences.checkpoint_percentages"),
    ]
    for body, field in bad:
        api_error(client.post(path, json=body), 400, "ValidationError", field)
    assert ok(client.get(path))["items"] == []
    api_error(client.delete(f"{path}/current"), 404, "NotFound")
    started = ok(client.post(path, json={"preferences": {"instance_warmup": 0}}), 201)
    assert started["preferences"] == {
        "min_healthy_percentage": 90,
        "max_healthy_percentage": 100,
        "instance_warmup": 0,
        "skip_matching": False,
    }
    # an empty group has nothing to replace: done at once
    done = wait_for(
        lambda: (
            ok(client.get(path))["items"][0]["status"] == "Successful"
            and ok(client.get(path))["items"][0]
        ),
        60,
        "success",
    )
    assert (done["percentage_complete"], done["ended_at"] is not None) == (100, True)
    api_error(client.post(f"{GROUPS}/nope/instance-refreshes", json={}), 404, "NotFound")

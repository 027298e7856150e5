"""The ec2 services' Python interface, used by the other services: ``allowed_sources`` (the
balancers enforce it), ``resolve`` (auto scaling launches from it), and the in-use check that
asks the compute and other registered services at call time (fakes stand in for them here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitterra.cloud import Cloud, Conflict, NotFound, ValidationError, meta
from gitterra.cloud.ec2 import LaunchTemplates, SecurityGroups, SecurityGroupUser
from gitterra.cloud.ec2 import _rules as rules

IMAGE = meta.IMAGES[1].id


def rule(cidrs: list[str], low: int = 80, high: int = 80, protocol: str = "tcp") -> dict[str, Any]:
    return {"protocol": protocol, "from_port": low, "to_port": high, "cidr_blocks": cidrs}


@pytest.mark.parametrize(
    ("ingress", "port", "expected"),
    [
        ([], 80, []),
        ([rule(["10.0.0.0/8"])], 80, ["10.0.0.0/8"]),
        ([rule(["10.0.0.0/8"])], 81, []),
        ([rule(["10.0.0.0/8"], 1000, 2000)], 1500, ["10.0.0.0/8"]),
        ([rule(["10.0.0.0/8"], 1000, 2000)], 2001, []),
        ([rule(["10.0.0.0/8"]), rule(["127.0.0.1/32", "10.0.0.0/8"], 0, 65535)], 80, ["10.0.0.0/8", "127.0.0.1/32"]),
        ([rule(["0.0.0.0/0"])], 80, None),
        ([rule(["0.0.0.0/0"])], 443, []),
        ([rule(["0.0.0.0/0"], 0, 0, "-1")], 443, None),
        ([rule(["192.168.0.0/16"], 0, 0, "-1"), rule(["0.0.0.0/0"], 22, 22)], 8080, ["192.168.0.0/16"]),
    ],
)  # fmt: skip
def test_allowed_sources(
    ingress: list[dict[str, Any]], port: int, expected: list[str] | None
) -> None:
    assert rules.allowed_sources(ingress, port) == expected


class FakeCompute:
    """The compute service's ``find`` (docs/cloud-api.md instances plus their groups)."""

    name = "compute"

    def __init__(self) -> None:
        self.instances: list[dict[str, Any]] = []

    async def start(self) -> None: ...

    async def stop(self, terminate: bool) -> None: ...

    def find(
        self, group: str | None = None, states: set[str] | None = None
    ) -> list[dict[str, Any]]:
        del group
        return [i for i in self.instances if states is None or i["state"] in states]


class FakeBalancers:
    """A service that uses security groups and says so through ``security_group_users``."""

    name = "elb"

    def __init__(self) -> None:
        self.uses: dict[str, list[str]] = {}

    async def start(self) -> None: ...

    async def stop(self, terminate: bool) -> None: ...

    def security_group_users(self, group_id: str) -> list[str]:
        return self.uses.get(group_id, [])


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[Cloud]:
    cloud = Cloud(tmp_path, "http://127.0.0.1:1")
    cloud.register(SecurityGroups(cloud))
    cloud.register(LaunchTemplates(cloud))
    yield cloud
    cloud.store.close()


def groups(cloud: Cloud) -> SecurityGroups:
    return cloud.service(SecurityGroups.name, SecurityGroups)


def templates(cloud: Cloud) -> LaunchTemplates:
    return cloud.service(LaunchTemplates.name, LaunchTemplates)


def test_service_allowed_sources(cloud: Cloud) -> None:
    web = groups(cloud).create({"name": "web", "ingress": [rule(["10.0.0.0/8"])]})
    admin = groups(cloud).create({"name": "admin", "ingress": [rule(["127.0.0.0/8"], 0, 65535)]})
    assert groups(cloud).allowed_sources([web["id"], admin["id"]], 80) == [
        "10.0.0.0/8",
        "127.0.0.0/8",
    ]
    assert groups(cloud).allowed_sources([web["id"]], 8080) == []
    assert groups(cloud).allowed_sources([web["id"], "sg-gone"], 80) == ["10.0.0.0/8"]
    assert groups(cloud).allowed_sources([], 80) is None
    groups(cloud).add_ingress_rule(web["id"], rule(["0.0.0.0/0"]))
    assert groups(cloud).allowed_sources([web["id"], admin["id"]], 80) is None


def test_require_names_the_missing_group(cloud: Cloud) -> None:
    web = groups(cloud).create({"name": "web"})
    groups(cloud).require([web["id"]], "security_group_ids")
    with pytest.raises(NotFound) as caught:
        groups(cloud).require([web["id"], "sg-gone"], "security_group_ids")
    assert caught.value.field == "security_group_ids.1"


def test_in_use_by_live_instances_and_other_services(cloud: Cloud) -> None:
    web = groups(cloud).create({"name": "web"})
    assert groups(cloud).users(web["id"]) == []  # compute and elb not registered: not asked
    compute = cloud.register(FakeCompute())
    balancers = cloud.register(FakeBalancers())
    assert isinstance(balancers, SecurityGroupUser)
    compute.instances = [
        {"id": "i-1", "state": "running", "security_group_ids": [web["id"]]},
        {"id": "i-2", "state": "terminated", "security_group_ids": [web["id"]]},
        {"id": "i-3", "state": "pending", "security_group_ids": []},
        {"id": "i-4", "state": "shutting-down"},
    ]
    balancers.uses[web["id"]] = ["load balancer site"]
    with pytest.raises(Conflict) as caught:
        groups(cloud).delete(web["id"])
    assert (
        caught.value.message
        == f"security group {web['id']} (web) is in use by instance i-1, load balancer site"
    )
    compute.instances[0]["state"] = "terminated"
    balancers.uses.clear()
    groups(cloud).delete(web["id"])
    assert groups(cloud).find() == []


def test_resolve(cloud: Cloud) -> None:
    doc = templates(cloud).create({"name": "web", "image_id": IMAGE, "instance_type": "t2.micro"})
    templates(cloud).add_version("web", {"image_id": IMAGE, "instance_type": "t3.micro"})
    templates(cloud).add_version(doc["id"], {"image_id": IMAGE, "instance_type": "t3.large"})
    templates(cloud).update("web", {"default_version": 2})

    def resolved(version: str | int | None, template: str = "web") -> tuple[int, str]:
        found = templates(cloud).resolve(template, version)
        assert (found["launch_template_id"], found["launch_template_name"]) == (doc["id"], "web")
        return found["version_number"], found["instance_type"]

    assert resolved(None) == (2, "t3.micro")
    assert resolved("$Default") == (2, "t3.micro")
    assert resolved("$Latest", doc["id"]) == (3, "t3.large")
    assert resolved(1) == (1, "t2.micro")
    assert resolved("3") == (3, "t3.large")
    for bad in ("latest", "0", "-1", 0, True, "1.5"):
        with pytest.raises(ValidationError) as invalid:
            templates(cloud).resolve("web", bad)
        assert invalid.value.field == "version"
    with pytest.raises(NotFound) as missing:
        templates(cloud).resolve("web", 4)
    assert missing.value.field == "version"
    with pytest.raises(NotFound):
        templates(cloud).resolve("lt-gone", 1)


def test_services_refuse_non_objects(cloud: Cloud) -> None:
    for call in (
        lambda: groups(cloud).create(["web"]),  # type: ignore[arg-type]  # the point of the test
        lambda: templates(cloud).update("web", "x"),  # type: ignore[arg-type]  # likewise
    ):
        with pytest.raises(ValidationError):
            call()

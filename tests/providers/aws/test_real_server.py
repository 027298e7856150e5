"""The seed-like stack on a REAL ``gitterra server``: applied with the real engine, the page
fetched through the listener's URL, capacity changed, user_data changed (a rolling instance
refresh that apply waits for), drift, import, and destroy — with nothing left running."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gitterra.providers import aws
from tests.cloud.conftest import CloudServer, running_server
from tests.providers.aws.stack import MODULE, Stack, actions, with_launch_configuration

pytestmark = pytest.mark.slow

#: Generous: instances boot real processes on a loaded 2-core machine.
DEADLINE = 180.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CloudServer]:
    with running_server(tmp_path) as running:
        yield running


def provider_for(server: CloudServer) -> aws.AwsProvider:
    env = {"GITTERRA_ENDPOINT": server.url, "GITTERRA_TOKEN": server.token}
    return aws.AwsProvider(env=env, timing=aws.Timing(poll=0.2))


def page(url: str) -> str | None:
    try:
        response = httpx.get(url, timeout=10)
    except httpx.TransportError:
        return None
    return response.text if response.status_code == 200 else None


class Poller:
    """Fetches ``url`` continuously in a thread, counting answers that are not 200."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: dict[str, int] = {}
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                try:
                    r = client.get(self.url)
                except httpx.TransportError as err:
                    self.failures.append(repr(err))
                    continue
                if r.status_code != 200:
                    self.failures.append(f"{r.status_code} {r.text[:80]}")
                else:
                    self.seen[r.text.strip()] = self.seen.get(r.text.strip(), 0) + 1


def test_seed_stack_on_the_local_cloud(server: CloudServer, tmp_path: Path) -> None:
    stack = Stack(tmp_path / "infra", lambda: provider_for(server))
    created = stack.apply()
    assert set(actions(created).values()) == {"CREATE"}
    url = stack.output("url")
    assert url.startswith("http://127.0.0.1:")
    # apply returned once 2 instances were healthy behind the balancer: the page is served now
    assert "<h1>Fox</h1>" in (page(url) or "")
    group = server.client.get("/api/v1/autoscaling-groups/web").json()
    assert len([i for i in group["instances"] if i["lifecycle_state"] == "InService"]) == 2

    second, diags = stack.plan()
    assert not diags.has_errors, [str(d) for d in diags]
    assert actions(second) == {}, "a second plan shows no change"

    bigger = stack.apply(desired_capacity=3)
    assert actions(bigger) == {"aws_autoscaling_group.web": "UPDATE"}
    capacity = server.client.get("/api/v1/autoscaling-groups/web/capacity").json()
    assert capacity["in_service"] == 3
    assert capacity["healthy_in_target_groups"] == 3

    with Poller(url) as poller:
        bear = stack.apply(desired_capacity=3, page="Bear")
    assert actions(bear) == {
        "aws_launch_template.web": "UPDATE",
        "aws_autoscaling_group.web": "UPDATE",
    }
    # apply waited for the refresh: every instance serves the new page now
    for _ in range(10):
        assert "<h1>Bear</h1>" in (page(url) or "")
    refreshes = server.client.get("/api/v1/autoscaling-groups/web/instance-refreshes").json()
    assert refreshes["items"][0]["status"] == "Successful"
    assert poller.seen, "the poller saw answers during the refresh"
    assert not poller.failures, poller.failures[:5]

    # drift: the listener deleted outside is planned for creation again
    arn = stack.attributes("aws_lb_listener.http")["arn"]
    assert server.client.delete(f"/api/v1/listeners/{_quote(arn)}").status_code == 204
    drifted, diags = stack.plan(desired_capacity=3, page="Bear")
    assert not diags.has_errors
    assert actions(drifted) == {"aws_lb_listener.http": "CREATE"}

    gone = stack.apply(destroy=True)
    assert set(actions(gone).values()) == {"DELETE"}
    for collection in ("autoscaling-groups", "load-balancers", "target-groups",
                       "launch-templates", "security-groups"):  # fmt: skip
        assert server.client.get(f"/api/v1/{collection}").json()["items"] == [], collection
    live = server.client.get("/api/v1/instances", params={"state": "running"}).json()["items"]
    assert live == []


def test_launch_configuration_replaced_before_destroy_rolls_out(
    server: CloudServer, tmp_path: Path
) -> None:
    """The seed's pattern: a launch configuration with create_before_destroy; a new script
    makes a new configuration, the group moves to it with a refresh, the old one goes."""
    module = with_launch_configuration(MODULE)
    stack = Stack(tmp_path / "infra", lambda: provider_for(server), module)
    stack.apply(desired_capacity=1)
    url = stack.output("url")
    assert "<h1>Fox</h1>" in (page(url) or "")
    first = stack.attributes("aws_launch_configuration.web")["name"]
    with Poller(url) as poller:
        bear = stack.apply(desired_capacity=1, page="Bear")
    assert actions(bear) == {
        "aws_launch_configuration.web": "CREATE_THEN_DELETE",
        "aws_autoscaling_group.web": "UPDATE",
    }
    second = stack.attributes("aws_launch_configuration.web")["name"]
    assert second != first
    assert "<h1>Bear</h1>" in (page(url) or "")
    assert server.client.get(f"/api/v1/launch-configurations/{first}").status_code == 404
    assert not poller.failures, poller.failures[:5]
    stack.apply(destroy=True, desired_capacity=1, page="Bear")
    assert server.client.get("/api/v1/autoscaling-groups").json()["items"] == []


def test_import_and_errors_against_the_real_api(server: CloudServer, tmp_path: Path) -> None:
    from tests.providers.aws.support import Driver, attr, errors

    d = Driver(provider_for(server))
    try:
        assert not d.configure().has_errors
        sg = d.create("aws_security_group", name="imported", ingress=[
            {"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}])  # fmt: skip
        imported = d.import_("aws_security_group", attr(sg, "id"))
        assert not imported.diagnostics.has_errors
        refreshed = d.read("aws_security_group", imported.states[0]).state
        assert refreshed is not None
        assert attr(refreshed, "ingress") == attr(sg, "ingress")
        # the server's own validation, mapped to the attribute
        result = d.try_create("aws_security_group", name="imported")
        (diag,) = result.diagnostics.errors
        assert diag.attribute == ("name",)
        missing = d.try_create("aws_launch_template", name="web", image_id="ami-nope",
                               instance_type="t2.micro")  # fmt: skip
        (diag,) = missing.diagnostics.errors
        assert diag.attribute == ("image_id",), diag
        lt = d.create("aws_launch_template", name="web2", instance_type="t2.micro",
                      image_id=_image(server))  # fmt: skip
        bad_group = d.try_create(
            "aws_autoscaling_group", name="g", min_size=1, max_size=1,
            launch_template=[{"id": attr(lt, "id")}], target_group_arns=["arn:nope"],
            wait_for_capacity_timeout="0",
        )  # fmt: skip
        assert errors(bad_group.diagnostics)
        assert bad_group.diagnostics.errors[0].attribute[:1] == ("target_group_arns",)
        # single ingress rules, key pairs and log groups: create, refresh, import, delete
        rule = d.create("aws_vpc_security_group_ingress_rule", security_group_id=attr(sg, "id"),
                        cidr_ipv4="192.168.0.0/16", ip_protocol="tcp", from_port=8080,
                        to_port=8080)  # fmt: skip
        key = d.create("aws_key_pair", key_name="deploy", public_key=_SSH_KEY)
        logs = d.create("aws_cloudwatch_log_group", name="/aws/codebuild/site", retention_in_days=7)
        for type_, state in (
            ("aws_vpc_security_group_ingress_rule", rule),
            ("aws_key_pair", key),
            ("aws_cloudwatch_log_group", logs),
        ):
            assert d.read(type_, state).state == state, type_
            imported = d.import_(type_, attr(state, "id"))
            assert not imported.diagnostics.has_errors, errors(imported.diagnostics)
            again = d.read(type_, imported.states[0]).state
            assert again is not None
            assert attr(again, "id") == attr(state, "id")
            assert not d.delete(type_, state).diagnostics.has_errors, type_
            assert d.read(type_, state).state is None, type_
        for type_, state in (("aws_launch_template", lt), ("aws_security_group", sg)):
            assert not d.delete(type_, state).diagnostics.has_errors
            assert d.read(type_, state).state is None
    finally:
        d.close()


#: An ED25519 public key (the server checks the key's encoding).
_SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test"


def _image(server: CloudServer) -> str:
    items = server.client.get("/api/v1/images", params={"name": "gitterra-static-site-*"})
    return str(items.json()["items"][0]["id"])


def _quote(arn: str) -> str:
    from urllib.parse import quote

    return quote(arn, safe="")

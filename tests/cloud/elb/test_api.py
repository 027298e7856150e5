"""Load balancers, listeners and target groups through a real server's API: the success paths,
ports (privileged ports mapped, requested ports kept, conflicts, ports held by other programs),
the three actions served for real, security groups enforced at listeners, registration by
hand, and every bad input (a clear error naming the field, nothing changed)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.cloud.autoscaling.site import HEALTH, add_group, arn_path, ok, static_site_image
from tests.cloud.conftest import CloudServer, api_error, running_server, wait_for

pytestmark = pytest.mark.slow

LB, LISTENERS, TG = "/api/v1/load-balancers", "/api/v1/listeners", "/api/v1/target-groups"
FIXED = {"type": "fixed-response", "status_code": "200", "message_body": "hello"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("elb")) as server:
        yield server


@pytest.fixture
def client(server: CloudServer) -> httpx.Client:
    return server.client


def balancer(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    return dict(ok(client.post(LB, json={"name": name, **fields}), 201))


def target_group(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    return dict(ok(client.post(TG, json={"name": name, "port": 80, **fields}), 201))


def listener(client: httpx.Client, lb: dict[str, Any], port: int, action: Any) -> httpx.Response:
    body = {"load_balancer_arn": lb["arn"], "port": port, "default_action": action}
    return client.post(LISTENERS, json=body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_load_balancer_lifecycle(client: httpx.Client) -> None:
    doc = balancer(client, "life", tags={"team": "web"})
    assert doc["arn"].startswith(
        "arn:aws:elasticloadbalancing:local-1:000000000000:loadbalancer/app/life/"
    )
    assert doc["dns_name"].startswith("life-")
    assert doc["dns_name"].endswith(".local-1.elb.localhost")
    assert (doc["state"], doc["load_balancer_type"], doc["idle_timeout"]) == (
        "active",
        "application",
        60,
    )
    assert len(doc["subnet_ids"]) == 2
    assert ok(client.get(f"{LB}/{arn_path(doc['arn'])}")) == doc
    assert ok(client.get(LB, params={"name": "life"}))["items"] == [doc]
    changed = ok(client.patch(f"{LB}/{arn_path(doc['arn'])}", json={"idle_timeout": 30}))
    assert changed["idle_timeout"] == 30
    api_error(client.post(LB, json={"name": "life"}), 409, "Conflict", "name")
    assert client.delete(f"{LB}/{arn_path(doc['arn'])}").status_code == 204
    api_error(client.get(f"{LB}/{arn_path(doc['arn'])}"), 404, "NotFound")


BAD_BALANCERS = [
    ({"name": "-web"}, 400, "ValidationError", "name"),
    ({"name": "w" * 33}, 400, "ValidationError", "name"),
    ({"name": "internal-web"}, 400, "ValidationError", "name"),
    (
        {"name": "web", "load_balancer_type": "network"},
        400,
        "ValidationError",
        "load_balancer_type",
    ),
    ({"name": "web", "idle_timeout": 0}, 400, "ValidationError", "idle_timeout"),
    ({"name": "web", "subnet_ids": ["subnet-nope"]}, 404, "NotFound", "subnet_ids.0"),
    ({"name": "web", "security_group_ids": ["sg-nope"]}, 404, "NotFound", "security_group_ids.0"),
    ({"name": "web", "colour": "blue"}, 400, "ValidationError", "colour"),
]


@pytest.mark.parametrize(("body", "status", "code", "field"), BAD_BALANCERS)
def test_bad_balancers_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = ok(client.get(LB))["items"]
    api_error(client.post(LB, json=body), status, code, field)
    assert ok(client.get(LB))["items"] == before


BAD_TARGET_GROUPS = [
    ({"port": 0}, "port"),
    ({"protocol": "HTTPS"}, "protocol"),
    ({"target_type": "ip"}, "target_type"),
    ({"deregistration_delay": 4000}, "deregistration_delay"),
    ({"slow_start": 10}, "slow_start"),
    ({"load_balancing_algorithm_type": "random"}, "load_balancing_algorithm_type"),
    ({"health_check": {"interval": 1, "timeout": 1}}, "health_check.timeout"),
    ({"health_check": {"matcher": "ok"}}, "health_check.matcher"),
    ({"health_check": {"healthy_threshold": 1}}, "health_check.healthy_threshold"),
    ({"health_check": {"path": "health"}}, "health_check.path"),
    ({"health_check": {"port": "8080"}}, "health_check.port"),
    ({"health_check": {"colour": "blue"}}, "health_check.colour"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_TARGET_GROUPS)
def test_bad_target_groups_are_refused_and_change_nothing(
    client: httpx.Client, fields: dict[str, Any], field: str
) -> None:
    before = ok(client.get(TG))["items"]
    api_error(
        client.post(TG, json={"name": "bad", "port": 80, **fields}), 400, "ValidationError", field
    )
    assert ok(client.get(TG))["items"] == before


def test_target_group_settings_and_deletion_rules(client: httpx.Client) -> None:
    tg = target_group(client, "rules", health_check={"path": "/up", "interval": 2, "timeout": 1})
    hc = tg["health_check"]
    assert (hc["path"], hc["interval"], hc["healthy_threshold"], hc["matcher"]) == (
        "/up",
        2,
        5,
        "200",
    )
    assert (tg["deregistration_delay"], tg["load_balancer_arns"]) == (300, [])
    path = f"{TG}/{arn_path(tg['arn'])}"
    changed = ok(
        client.patch(path, json={"health_check": {"matcher": "200-299"}, "slow_start": 30})
    )
    assert (changed["health_check"]["matcher"], changed["health_check"]["path"]) == (
        "200-299",
        "/up",
    )
    api_error(client.patch(path, json={"port": 81}), 400, "ValidationError", "port")
    api_error(client.post(TG, json={"name": "rules", "port": 80}), 409, "Conflict", "name")
    lb = balancer(client, "rules")
    ok(listener(client, lb, 80, {"type": "forward", "target_group_arn": tg["arn"]}), 201)
    assert ok(client.get(path))["load_balancer_arns"] == [lb["arn"]]
    message = api_error(client.delete(path), 409, "Conflict")
    assert "in use by listener" in message
    assert client.delete(f"{LB}/{arn_path(lb['arn'])}").status_code == 204  # listeners go too
    assert ok(client.get(LISTENERS, params={"load_balancer_arn": lb["arn"]}))["items"] == []
    assert client.delete(path).status_code == 204


def test_listener_ports(client: httpx.Client) -> None:
    lb = balancer(client, "ports")
    mapped = ok(listener(client, lb, 80, FIXED), 201)
    host, port = mapped["bound_address"].rsplit(":", 1)
    assert (host, mapped["port"]) == ("127.0.0.1", 80)
    assert int(port) >= 1024
    assert mapped["url"] == f"http://{mapped['bound_address']}"
    wanted = free_port()
    exact = ok(listener(client, lb, wanted, FIXED), 201)
    assert exact["bound_address"] == f"127.0.0.1:{wanted}"
    other = balancer(client, "ports-2")
    api_error(listener(client, other, wanted, FIXED), 409, "Conflict", "port")
    api_error(listener(client, lb, 80, FIXED), 409, "Conflict", "port")
    with socket.socket() as held:  # another program holds the port: a free one instead
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        fallback = ok(listener(client, other, taken, FIXED), 201)
        assert fallback["port"] == taken
        assert fallback["bound_address"] != f"127.0.0.1:{taken}"
    assert httpx.get(fallback["url"]).text == "hello"
    ok(client.delete(f"{LISTENERS}/{arn_path(exact['arn'])}"), 204)
    with pytest.raises(httpx.ConnectError):
        httpx.get(exact["url"])


BAD_LISTENERS = [
    ({"port": 70000}, 400, "ValidationError", "port"),
    ({"protocol": "HTTPS"}, 400, "ValidationError", "protocol"),
    (
        {"default_action": {"type": "authenticate-oidc"}},
        400,
        "ValidationError",
        "default_action.type",
    ),
    (
        {"default_action": {**FIXED, "status_code": "600"}},
        400,
        "ValidationError",
        "default_action.status_code",
    ),
    (
        {"default_action": {**FIXED, "content_type": "image/png"}},
        400,
        "ValidationError",
        "default_action.content_type",
    ),
    (
        {"default_action": {"type": "redirect", "status_code": "HTTP_307"}},
        400,
        "ValidationError",
        "default_action.status_code",
    ),
    (
        {"default_action": {"type": "forward", "target_group_arn": "arn:nope"}},
        404,
        "NotFound",
        "default_action.target_group_arn",
    ),
    ({"load_balancer_arn": "arn:nope"}, 404, "NotFound", "load_balancer_arn"),
]


@pytest.mark.parametrize(("over", "status", "code", "field"), BAD_LISTENERS)
def test_bad_listeners_are_refused_and_change_nothing(
    client: httpx.Client, over: dict[str, Any], status: int, code: str, field: str
) -> None:
    found = ok(client.get(LB, params={"name": "badlisteners"}))["items"]
    lb = found[0] if found else balancer(client, "badlisteners")
    body = {"load_balancer_arn": lb["arn"], "port": 8080, "default_action": FIXED, **over}
    before = ok(client.get(LISTENERS))["items"]
    api_error(client.post(LISTENERS, json=body), status, code, field)
    assert ok(client.get(LISTENERS))["items"] == before


def test_actions_are_served(client: httpx.Client) -> None:
    lb = balancer(client, "actions")
    fixed = ok(
        listener(
            client, lb, 80, {**FIXED, "status_code": "418", "content_type": "application/json"}
        ),
        201,
    )
    r = httpx.get(fixed["url"] + "/anything")
    assert (r.status_code, r.text, r.headers["content-type"].split(";")[0]) == (
        418,
        "hello",
        "application/json",
    )
    redirect = {"type": "redirect", "status_code": "HTTP_301", "protocol": "HTTPS", "port": "443"}
    moved = ok(listener(client, lb, 81, redirect), 201)
    r = httpx.get(moved["url"] + "/a?b=c", headers={"host": "example.test"})
    assert (r.status_code, r.headers["location"]) == (301, "https://example.test/a?b=c")
    empty = target_group(client, "actions")
    nobody = ok(
        listener(client, lb, 82, {"type": "forward", "target_group_arn": empty["arn"]}), 201
    )
    assert httpx.get(nobody["url"]).status_code == 503
    # PATCH swaps the action on the same socket
    path = f"{LISTENERS}/{arn_path(nobody['arn'])}"
    assert (
        ok(client.patch(path, json={"default_action": FIXED}))["bound_address"]
        == nobody["bound_address"]
    )
    assert httpx.get(nobody["url"]).text == "hello"


def test_security_groups_guard_listeners(client: httpx.Client) -> None:
    rule = {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["10.0.0.0/8"]}
    sg = ok(client.post("/api/v1/security-groups", json={"name": "guard", "ingress": [rule]}), 201)
    lb = balancer(client, "guarded", security_group_ids=[sg["id"]])
    doc = ok(listener(client, lb, 80, FIXED), 201)
    with pytest.raises(httpx.TransportError):
        httpx.get(doc["url"])  # 127.0.0.1 is not in 10.0.0.0/8: the connection is closed
    api_error(client.delete(f"/api/v1/security-groups/{sg['id']}"), 409, "Conflict")
    local = {**rule, "cidr_blocks": ["127.0.0.0/8"]}
    ok(client.patch(f"/api/v1/security-groups/{sg['id']}", json={"ingress": [local]}))

    def allowed() -> bool:
        try:
            return httpx.get(doc["url"]).text == "hello"
        except httpx.TransportError:
            return False

    wait_for(allowed, 30, "the new rule to let 127.0.0.1 in")


def test_registering_an_instance_by_hand(client: httpx.Client) -> None:
    image = static_site_image(client)
    page = "ZWNobyBoaSA+ICIkRE9DVU1FTlRfUk9PVC9pbmRleC5odG1sIgo="  # echo hi > index.html
    template = ok(
        client.post(
            "/api/v1/launch-templates",
            json={
                "name": "byhand",
                "image_id": image,
                "instance_type": "t3.micro",
                "user_data": page,
            },
        ),
        201,
    )
    tg = target_group(client, "byhand", deregistration_delay=5, health_check=HEALTH)
    lb = balancer(client, "byhand")
    doc = ok(listener(client, lb, 80, {"type": "forward", "target_group_arn": tg["arn"]}), 201)
    site = type("S", (), {"client": client, "template": template, "target_group": tg})
    add_group(site, "byhand", 1, target_group_arns=[], health_check_type="EC2")  # type: ignore[arg-type]
    instance = wait_for(
        lambda: ok(client.get("/api/v1/instances", params={"group": "byhand", "state": "running"}))[
            "items"
        ],
        120,
        "an instance running",
    )[0]
    targets = f"{TG}/{arn_path(tg['arn'])}/targets"
    api_error(client.post(targets, json={"targets": []}), 400, "ValidationError", "targets")
    api_error(
        client.post(targets, json={"targets": [{"id": "i-nope"}]}), 404, "NotFound", "targets.0.id"
    )
    api_error(
        client.post(f"{targets}/deregister", json={"targets": [{"id": instance["id"]}]}),
        400,
        "ValidationError",
        "targets.0.id",
    )
    assert ok(client.get(targets))["items"] == []
    ok(client.post(targets, json={"targets": [{"id": instance["id"]}]}))
    wait_for(
        lambda: ok(client.get(targets))["items"][0]["state"] == "healthy", 60, "healthy target"
    )
    assert httpx.get(doc["url"]).text.strip() == "hi"
    ok(client.post(f"{targets}/deregister", json={"targets": [{"id": instance["id"]}]}))
    wait_for(lambda: ok(client.get(targets))["items"] == [], 60, "the target drained")
    assert httpx.get(doc["url"]).status_code == 503
    assert client.delete("/api/v1/autoscaling-groups/byhand?force_delete=true").status_code == 204


def test_listeners_come_back_on_their_ports_after_a_restart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with running_server(tmp_path_factory.mktemp("rebind")) as server:
        client = server.client
        lb = balancer(client, "again")
        first = ok(listener(client, lb, 80, FIXED), 201)
        second = ok(listener(client, lb, 81, FIXED), 201)
        server.stop()
        taken = int(second["bound_address"].rsplit(":", 1)[1])
        with socket.socket() as held:  # meanwhile another program took the second port
            held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            held.bind(("127.0.0.1", taken))
            held.listen()
            server.start()
            again = ok(client.get(f"{LISTENERS}/{arn_path(first['arn'])}"))
            assert again["bound_address"] == first["bound_address"]
            assert httpx.get(again["url"]).text == "hello"
            moved = ok(client.get(f"{LISTENERS}/{arn_path(second['arn'])}"))
            assert moved["bound_address"] != second["bound_address"]
            assert httpx.get(moved["url"]).text == "hello"
        events = ok(client.get("/api/v1/events", params={"kind": "elb.listener"}))["items"]
        assert any("was taken by another program" in e["message"] for e in events)

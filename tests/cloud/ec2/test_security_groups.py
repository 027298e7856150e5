"""Security groups and their single ingress rules through a real server's API: every success
path, every bad input (a clear error naming the field, nothing changed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gitterra.cloud import meta
from tests.cloud.conftest import CloudServer, api_error, running_server

pytestmark = pytest.mark.slow

SG = "/api/v1/security-groups"
WEB_RULE = {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["10.0.0.0/8"]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("sg")) as server:
        yield server


@pytest.fixture
def client(server: CloudServer) -> httpx.Client:
    return server.client


def create(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post(SG, json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_read_list(client: httpx.Client) -> None:
    doc = create(
        client,
        "web",
        description="web servers",
        ingress=[WEB_RULE, {"protocol": "-1", "cidr_blocks": ["192.168.1.0/24"]}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
        tags={"Name": "web"},
    )
    assert doc["id"].startswith("sg-")
    assert len(doc["id"]) == 20
    assert doc["arn"] == f"arn:aws:ec2:local-1:000000000000:security-group/{doc['id']}"
    assert doc["vpc_id"] == meta.VPC_ID
    assert doc["description"] == "web servers"
    assert doc["tags"] == {"Name": "web"}
    assert doc["created_at"].endswith("Z")
    first, everything = doc["ingress"]
    assert first["id"].startswith("sgr-")
    assert {k: first[k] for k in WEB_RULE} == WEB_RULE
    assert first["description"] == ""
    assert (everything["protocol"], everything["from_port"], everything["to_port"]) == ("-1", 0, 0)
    assert doc["egress"][0]["cidr_blocks"] == ["0.0.0.0/0"]

    assert client.get(f"{SG}/{doc['id']}").json() == doc
    assert doc in client.get(SG).json()["items"]
    assert client.get(SG, params={"name": "WEB"}).json()["items"] == [doc]
    assert client.get(SG, params={"name": "nope"}).json()["items"] == []
    assert client.get(SG, params={"vpc_id": "vpc-other"}).json()["items"] == []


def test_minimal_group(client: httpx.Client) -> None:
    doc = create(client, "minimal")
    assert (doc["ingress"], doc["egress"], doc["tags"], doc["description"]) == ([], [], {}, "")


BAD_GROUPS = [
    ({}, 400, "ValidationError", "name"),
    ({"name": ""}, 400, "ValidationError", "name"),
    ({"name": "sg-web"}, 400, "ValidationError", "name"),
    ({"name": "web\nservers"}, 400, "ValidationError", "name"),
    ({"name": "x" * 256}, 400, "ValidationError", "name"),
    ({"name": "b", "description": "d" * 256}, 400, "ValidationError", "description"),
    ({"name": "b", "vpc_id": "vpc-elsewhere"}, 404, "NotFound", "vpc_id"),
    ({"name": "b", "bogus": 1}, 400, "ValidationError", "bogus"),
    ({"name": "b", "ingress": {"protocol": "tcp"}}, 400, "ValidationError", "ingress"),
    ({"name": "b", "ingress": [{**WEB_RULE, "protocol": "udp"}]}, 400, "ValidationError", "ingress.0.protocol"),
    ({"name": "b", "ingress": [{**WEB_RULE, "from_port": 70000}]}, 400, "ValidationError", "ingress.0.from_port"),
    ({"name": "b", "ingress": [{**WEB_RULE, "to_port": -1}]}, 400, "ValidationError", "ingress.0.to_port"),
    ({"name": "b", "ingress": [{**WEB_RULE, "from_port": 90}]}, 400, "ValidationError", "ingress.0.from_port"),
    ({"name": "b", "ingress": [{**WEB_RULE, "from_port": "http"}]}, 400, "ValidationError", "ingress.0.from_port"),
    ({"name": "b", "ingress": [{"protocol": "tcp", "to_port": 80}]}, 400, "ValidationError", "ingress.0.from_port"),
    ({"name": "b", "ingress": [{"protocol": "tcp", "from_port": 80}]}, 400, "ValidationError", "ingress.0.to_port"),
    ({"name": "b", "ingress": [{"protocol": "-1", "from_port": 80, "to_port": 80}]}, 400, "ValidationError", "ingress.0.from_port"),
    ({"name": "b", "ingress": [{**WEB_RULE, "cidr_blocks": ["10.0.0.0/33"]}]}, 400, "ValidationError", "ingress.0.cidr_blocks.0"),
    ({"name": "b", "ingress": [{**WEB_RULE, "cidr_blocks": ["10.0.0.0/8", "1.2.3.4/8"]}]}, 400, "ValidationError", "ingress.0.cidr_blocks.1"),
    ({"name": "b", "ingress": [{**WEB_RULE, "cidr_blocks": ["10.0.0.1"]}]}, 400, "ValidationError", "ingress.0.cidr_blocks.0"),
    ({"name": "b", "ingress": [{**WEB_RULE, "cidr_blocks": ["::/0"]}]}, 400, "ValidationError", "ingress.0.cidr_blocks.0"),
    ({"name": "b", "ingress": [{**WEB_RULE, "cidr_blocks": ["10.0.0.0/8", "10.0.0.0/8"]}]}, 400, "ValidationError", "ingress.0.cidr_blocks.1"),
    ({"name": "b", "ingress": [{**WEB_RULE, "bogus": True}]}, 400, "ValidationError", "ingress.0.bogus"),
    ({"name": "b", "ingress": [WEB_RULE, WEB_RULE]}, 400, "ValidationError", "ingress.1"),
    ({"name": "b", "egress": [WEB_RULE, {**WEB_RULE, "protocol": "icmp"}]}, 400, "ValidationError", "egress.1.protocol"),
    ({"name": "b", "ingress": [{**WEB_RULE, "from_port": p, "to_port": p} for p in range(61)]}, 429, "LimitExceeded", "ingress"),
    ({"name": "b", "tags": {"k": 1}}, 400, "ValidationError", "tags.k"),
    ({"name": "b", "tags": {"aws:owner": "me"}}, 400, "ValidationError", "tags.aws:owner"),
    ({"name": "b", "tags": {"k": "v" * 257}}, 400, "ValidationError", "tags.k"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "status", "code", "field"), BAD_GROUPS)
def test_bad_groups_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = client.get(SG).json()["items"]
    api_error(client.post(SG, json=body), status, code, field)
    assert client.get(SG).json()["items"] == before


def test_body_must_be_an_object(client: httpx.Client) -> None:
    before = client.get(SG).json()["items"]
    api_error(client.post(SG, json=["web"]), 400, "ValidationError")
    broken = client.post(SG, content=b"{not json", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "ValidationError"
    assert client.get(SG).json()["items"] == before


def test_names_are_unique_per_vpc_whatever_the_case(client: httpx.Client) -> None:
    create(client, "unique")
    before = client.get(SG).json()["items"]
    message = api_error(client.post(SG, json={"name": "Unique"}), 409, "Conflict", "name")
    assert "Unique" in message
    assert client.get(SG).json()["items"] == before


def test_patch_replaces_rules_keeping_ids_of_unchanged_ones(client: httpx.Client) -> None:
    doc = create(client, "patched", ingress=[WEB_RULE], tags={"a": "1"})
    kept = doc["ingress"][0]["id"]
    ssh = {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.1.0.0/16"]}
    response = client.patch(
        f"{SG}/{doc['id']}", json={"ingress": [ssh, WEB_RULE], "tags": {"b": "2"}}
    )
    assert response.status_code == 200, response.text
    new = response.json()
    assert [r["from_port"] for r in new["ingress"]] == [22, 80]
    assert new["ingress"][1]["id"] == kept
    assert new["ingress"][0]["id"] not in (kept, None)
    assert new["tags"] == {"b": "2"}
    assert new["egress"] == []
    assert new["name"] == "patched"
    # Sending the rules back as read (ids included) changes nothing.
    again = client.patch(f"{SG}/{doc['id']}", json={"ingress": new["ingress"]}).json()
    assert again == new == client.get(f"{SG}/{doc['id']}").json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "renamed"}, "name"),
        ({"description": "new"}, "description"),
        ({"vpc_id": meta.VPC_ID}, "vpc_id"),
        ({"ingress": [{**WEB_RULE, "to_port": 65536}]}, "ingress.0.to_port"),
        ({"egress": [{**WEB_RULE, "cidr_blocks": ["300.0.0.0/8"]}]}, "egress.0.cidr_blocks.0"),
        ({"tags": {"": "empty key"}}, "tags."),
    ],
)
def test_bad_patches_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    doc = create(client, f"patch-{field}", ingress=[WEB_RULE])
    api_error(client.patch(f"{SG}/{doc['id']}", json=body), 400, "ValidationError", field)
    assert client.get(f"{SG}/{doc['id']}").json() == doc


def test_unknown_groups_are_not_found(client: httpx.Client) -> None:
    missing = f"{SG}/sg-00000000000000000"
    api_error(client.get(missing), 404, "NotFound")
    api_error(client.patch(missing, json={"tags": {}}), 404, "NotFound")
    api_error(client.delete(missing), 404, "NotFound")
    api_error(client.post(missing + "/ingress-rules", json=WEB_RULE), 404, "NotFound")


def test_delete(client: httpx.Client) -> None:
    doc = create(client, "doomed")
    response = client.delete(f"{SG}/{doc['id']}")
    assert response.status_code == 204
    assert response.content == b""
    api_error(client.get(f"{SG}/{doc['id']}"), 404, "NotFound")
    assert doc not in client.get(SG).json()["items"]


def test_single_ingress_rules(client: httpx.Client) -> None:
    group = create(client, "rules", ingress=[WEB_RULE])
    rules = f"{SG}/{group['id']}/ingress-rules"
    response = client.post(
        rules, json={**WEB_RULE, "from_port": 443, "to_port": 443, "description": "tls"}
    )
    assert response.status_code == 201, response.text
    rule = response.json()
    assert rule["id"].startswith("sgr-")
    assert rule["security_group_id"] == group["id"]
    assert (rule["from_port"], rule["description"]) == (443, "tls")
    assert client.get(f"{rules}/{rule['id']}").json() == rule
    stored = client.get(f"{SG}/{group['id']}").json()["ingress"]
    assert [r["id"] for r in stored] == [group["ingress"][0]["id"], rule["id"]]

    assert client.delete(f"{rules}/{rule['id']}").status_code == 204
    assert client.get(f"{SG}/{group['id']}").json()["ingress"] == group["ingress"]
    api_error(client.get(f"{rules}/{rule['id']}"), 404, "NotFound")
    api_error(client.delete(f"{rules}/{rule['id']}"), 404, "NotFound")


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({**WEB_RULE, "protocol": "udp"}, 400, "ValidationError", "protocol"),
        ({**WEB_RULE, "from_port": 100}, 400, "ValidationError", "from_port"),
        ({**WEB_RULE, "cidr_blocks": ["0.0.0.0/0", "10.0.0.0/40"]}, 400, "ValidationError", "cidr_blocks.1"),
        ({**WEB_RULE, "id": "sgr-00000000000000000"}, 400, "ValidationError", "id"),
        ({**WEB_RULE, "extra": 1}, 400, "ValidationError", "extra"),
        (WEB_RULE, 409, "Conflict", None),
    ],
)  # fmt: skip
def test_bad_single_rules_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    group = create(client, f"rule-{code}-{field}", ingress=[WEB_RULE])
    api_error(client.post(f"{SG}/{group['id']}/ingress-rules", json=body), status, code, field)
    assert client.get(f"{SG}/{group['id']}").json() == group


def test_single_rules_respect_the_rule_limit(client: httpx.Client) -> None:
    full = [{**WEB_RULE, "from_port": p, "to_port": p} for p in range(1, 61)]
    group = create(client, "full", ingress=full)
    api_error(client.post(f"{SG}/{group['id']}/ingress-rules", json=WEB_RULE), 429, "LimitExceeded")
    assert client.get(f"{SG}/{group['id']}").json() == group


def test_requests_need_the_token(server: CloudServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = httpx.post(server.url + SG, json={"name": "sneaky"}, headers=headers)
        api_error(response, 401, "Unauthorized")
    assert server.client.get(SG, params={"name": "sneaky"}).json()["items"] == []


def test_openapi_documents_the_bodies(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for name in (
        "SecurityGroupIn",
        "SecurityGroupPatch",
        "RuleIn",
        "KeyPairIn",
        "LaunchTemplateIn",
        "VersionIn",
    ):
        assert name in schemas
    assert "/api/v1/security-groups/{group_id}/ingress-rules/{rule_id}" in spec["paths"]


def test_events_record_creates_and_deletes(client: httpx.Client, tmp_path: Path) -> None:
    del tmp_path
    doc = create(client, "evented")
    client.delete(f"{SG}/{doc['id']}")
    events = client.get("/api/v1/events", params={"kind": "security-group"}).json()["items"]
    mine = [e["message"] for e in events if e["subject"] == doc["id"]]
    assert mine == ["security group evented created", "security group evented deleted"]

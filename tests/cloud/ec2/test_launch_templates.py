"""Launch templates through a real server: create, versions, default version, tags, delete;
bad references and fields refused naming the field, nothing changed; a security group named by
a template version cannot be deleted."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gitterra.cloud import meta
from tests.cloud.conftest import CloudServer, api_error, running_server
from tests.cloud.ec2.test_key_pairs import ed25519_key

pytestmark = pytest.mark.slow

LT = "/api/v1/launch-templates"
IMAGE = meta.IMAGES[0].id
_serial = itertools.count()
SCRIPT = base64.b64encode(b"#!/bin/bash\necho hello > $DOCUMENT_ROOT/index.html\n").decode()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("lt")) as server:
        yield server


@pytest.fixture
def client(server: CloudServer) -> httpx.Client:
    return server.client


@pytest.fixture(scope="module")
def group_id(server: CloudServer) -> str:
    response = server.client.post("/api/v1/security-groups", json={"name": "lt-web"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def create(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "image_id": IMAGE, "instance_type": "t2.micro", **fields}
    response = client.post(LT, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_with_first_version(client: httpx.Client, group_id: str) -> None:
    client.post("/api/v1/key-pairs", json={"name": "deployer", "public_key": ed25519_key()})
    doc = create(
        client,
        "web",
        user_data=SCRIPT,
        security_group_ids=[group_id],
        key_name="deployer",
        tags={"Name": "web"},
        version_tags={"role": "web"},
    )
    assert doc["id"].startswith("lt-")
    assert doc["arn"] == f"arn:aws:ec2:local-1:000000000000:launch-template/{doc['id']}"
    assert (doc["name"], doc["default_version"], doc["latest_version"]) == ("web", 1, 1)
    assert doc["tags"] == {"Name": "web"}
    (version,) = doc["versions"]
    assert {k: v for k, v in version.items() if k != "created_at"} == {
        "version_number": 1,
        "image_id": IMAGE,
        "instance_type": "t2.micro",
        "user_data": SCRIPT,
        "security_group_ids": [group_id],
        "key_name": "deployer",
        "tags": {"role": "web"},
    }
    assert client.get(f"{LT}/{doc['id']}").json() == doc
    assert client.get(f"{LT}/web").json() == doc
    assert client.get(LT, params={"name": "web"}).json()["items"] == [doc]


def test_minimal_template(client: httpx.Client) -> None:
    (version,) = create(client, "minimal")["versions"]
    assert (version["user_data"], version["security_group_ids"], version["key_name"]) == (
        "",
        [],
        None,
    )


def test_versions_and_default_version(client: httpx.Client) -> None:
    doc = create(client, "versioned")
    new = base64.b64encode(b"echo v2").decode()
    response = client.post(
        f"{LT}/{doc['id']}/versions",
        json={"image_id": IMAGE, "instance_type": "t3.small", "user_data": new},
    )
    assert response.status_code == 201, response.text
    two = response.json()
    assert (two["latest_version"], two["default_version"]) == (2, 1)
    assert [v["version_number"] for v in two["versions"]] == [1, 2]
    assert two["versions"][1]["user_data"] == new
    three = client.post(
        f"{LT}/versioned/versions", json={"image_id": IMAGE, "instance_type": "t2.nano"}
    ).json()
    assert three["latest_version"] == 3
    response = client.patch(f"{LT}/{doc['id']}", json={"default_version": 2, "tags": {"v": "2"}})
    assert response.status_code == 200, response.text
    assert (response.json()["default_version"], response.json()["tags"]) == (2, {"v": "2"})
    assert client.get(f"{LT}/{doc['id']}").json() == response.json()


def test_delete(client: httpx.Client) -> None:
    doc = create(client, "doomed")
    assert client.delete(f"{LT}/{doc['id']}").status_code == 204
    api_error(client.get(f"{LT}/{doc['id']}"), 404, "NotFound")
    api_error(client.delete(f"{LT}/{doc['id']}"), 404, "NotFound")
    api_error(client.patch(f"{LT}/{doc['id']}", json={"tags": {}}), 404, "NotFound")
    api_error(
        client.post(
            f"{LT}/{doc['id']}/versions", json={"image_id": IMAGE, "instance_type": "t2.micro"}
        ),
        404,
        "NotFound",
    )


BAD_CREATES = [
    ({"name": None}, 400, "ValidationError", "name"),
    ({"name": "ab"}, 400, "ValidationError", "name"),
    ({"name": "web site"}, 400, "ValidationError", "name"),
    ({"name": "n" * 129}, 400, "ValidationError", "name"),
    ({"image_id": "ami-00000000000000000"}, 404, "NotFound", "image_id"),
    ({"image_id": None}, 400, "ValidationError", "image_id"),
    ({"instance_type": "t2.huge"}, 400, "ValidationError", "instance_type"),
    ({"user_data": "echo not base64!"}, 400, "ValidationError", "user_data"),
    ({"user_data": base64.b64encode(b"x" * (16 * 1024 + 1)).decode()}, 400, "ValidationError", "user_data"),
    ({"security_group_ids": ["sg-00000000000000000"]}, 404, "NotFound", "security_group_ids.0"),
    ({"security_group_ids": "sg-1"}, 400, "ValidationError", "security_group_ids"),
    ({"key_name": "nobody"}, 404, "NotFound", "key_name"),
    ({"tags": {"aws:x": "y"}}, 400, "ValidationError", "tags.aws:x"),
    ({"version_tags": {"k": 1}}, 400, "ValidationError", "version_tags.k"),
    ({"default_version": 1}, 400, "ValidationError", "default_version"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "status", "code", "field"), BAD_CREATES)
def test_bad_templates_are_refused_and_change_nothing(
    client: httpx.Client, fields: dict[str, Any], status: int, code: str, field: str
) -> None:
    body = {"name": "bad", "image_id": IMAGE, "instance_type": "t2.micro", **fields}
    before = client.get(LT).json()["items"]
    api_error(client.post(LT, json=body), status, code, field)
    assert client.get(LT).json()["items"] == before


def test_user_data_may_be_exactly_16_kib(client: httpx.Client) -> None:
    big = base64.b64encode(b"#" * (16 * 1024)).decode()
    assert create(client, "biggest", user_data=big)["versions"][0]["user_data"] == big


def test_second_missing_group_is_named(client: httpx.Client, group_id: str) -> None:
    body = {
        "name": "bad",
        "image_id": IMAGE,
        "instance_type": "t2.micro",
        "security_group_ids": [group_id, "sg-1"],
    }
    api_error(client.post(LT, json=body), 404, "NotFound", "security_group_ids.1")


def test_names_are_unique(client: httpx.Client) -> None:
    create(client, "taken")
    before = client.get(LT).json()["items"]
    api_error(
        client.post(LT, json={"name": "taken", "image_id": IMAGE, "instance_type": "t2.micro"}),
        409,
        "Conflict",
        "name",
    )
    assert client.get(LT).json()["items"] == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"instance_type": "t2.micro"}, 400, "ValidationError", "image_id"),
        ({"image_id": IMAGE, "instance_type": "m5.large"}, 400, "ValidationError", "instance_type"),
        ({"image_id": IMAGE, "instance_type": "t2.micro", "user_data": "%%%"}, 400, "ValidationError", "user_data"),
        ({"image_id": IMAGE, "instance_type": "t2.micro", "security_group_ids": ["sg-gone"]}, 404, "NotFound", "security_group_ids.0"),
        ({"image_id": IMAGE, "instance_type": "t2.micro", "name": "other"}, 400, "ValidationError", "name"),
    ],
)  # fmt: skip
def test_bad_versions_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    doc = create(client, f"bad-version-{field}-{code}")
    api_error(client.post(f"{LT}/{doc['id']}/versions", json=body), status, code, field)
    assert client.get(f"{LT}/{doc['id']}").json() == doc


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"default_version": 2}, "default_version"),
        ({"default_version": 0}, "default_version"),
        ({"default_version": "latest"}, "default_version"),
        ({"latest_version": 1}, "latest_version"),
        ({"name": "renamed"}, "name"),
        ({"image_id": IMAGE}, "image_id"),
    ],
)
def test_bad_patches_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    doc = create(client, f"bad-patch-{next(_serial)}")
    api_error(client.patch(f"{LT}/{doc['id']}", json=body), 400, "ValidationError", field)
    assert client.get(f"{LT}/{doc['id']}").json() == doc


def test_groups_named_by_a_version_cannot_be_deleted(client: httpx.Client) -> None:
    sg = client.post("/api/v1/security-groups", json={"name": "held"}).json()
    doc = create(client, "holder")
    client.post(
        f"{LT}/holder/versions",
        json={"image_id": IMAGE, "instance_type": "t2.micro", "security_group_ids": [sg["id"]]},
    )
    message = api_error(client.delete(f"/api/v1/security-groups/{sg['id']}"), 409, "Conflict")
    assert f"launch template holder ({doc['id']}) version 2" in message
    assert client.get(f"/api/v1/security-groups/{sg['id']}").status_code == 200
    assert client.delete(f"{LT}/{doc['id']}").status_code == 204
    assert client.delete(f"/api/v1/security-groups/{sg['id']}").status_code == 204

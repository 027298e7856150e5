"""Log groups through a real server: create, read (names with slashes, encoded or not), list by
prefix, retention and tags, delete, persistence across a restart; bad input refused naming the
field, nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.cloud.conftest import CloudServer, api_error, running_server

pytestmark = pytest.mark.slow

LG = "/api/v1/log-groups"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("logs")) as server:
        yield server


@pytest.fixture
def client(server: CloudServer) -> httpx.Client:
    return server.client


def create(client: httpx.Client, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post(LG, json={"name": name, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_create_read_list(client: httpx.Client) -> None:
    doc = create(client, "/aws/codebuild/site", retention_in_days=14, tags={"app": "site"})
    assert doc["arn"] == "arn:aws:logs:local-1:000000000000:log-group:/aws/codebuild/site"
    assert (doc["retention_in_days"], doc["tags"]) == (14, {"app": "site"})
    assert doc["created_at"].endswith("Z")
    assert client.get(f"{LG}/{quote(doc['name'], safe='')}").json() == doc
    assert client.get(f"{LG}/{doc['name']}").json() == doc  # unencoded, as written
    create(client, "/aws/instances")
    create(client, "plain")
    names = [d["name"] for d in client.get(LG, params={"name_prefix": "/aws/"}).json()["items"]]
    assert names == ["/aws/codebuild/site", "/aws/instances"]
    assert "plain" in [d["name"] for d in client.get(LG).json()["items"]]


def test_retention_defaults_to_never_expire(client: httpx.Client) -> None:
    assert create(client, "forever")["retention_in_days"] == 0


def test_patch_and_delete(client: httpx.Client) -> None:
    create(client, "changing", retention_in_days=1)
    response = client.patch(f"{LG}/changing", json={"retention_in_days": 3653, "tags": {"a": "b"}})
    assert response.status_code == 200, response.text
    assert (response.json()["retention_in_days"], response.json()["tags"]) == (3653, {"a": "b"})
    assert client.get(f"{LG}/changing").json() == response.json()
    assert client.delete(f"{LG}/changing").status_code == 204
    api_error(client.get(f"{LG}/changing"), 404, "NotFound")
    api_error(client.delete(f"{LG}/changing"), 404, "NotFound")
    api_error(client.patch(f"{LG}/changing", json={"tags": {}}), 404, "NotFound")


BAD = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "with space"}, "name"),
    ({"name": "x" * 513}, "name"),
    ({"name": "bad", "retention_in_days": 8}, "retention_in_days"),
    ({"name": "bad", "retention_in_days": -1}, "retention_in_days"),
    ({"name": "bad", "retention_in_days": "a week"}, "retention_in_days"),
    ({"name": "bad", "tags": {"aws:x": "1"}}, "tags.aws:x"),
    ({"name": "bad", "kms_key_id": "k"}, "kms_key_id"),
]


@pytest.mark.parametrize(("body", "field"), BAD)
def test_bad_log_groups_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    before = client.get(LG).json()["items"]
    api_error(client.post(LG, json=body), 400, "ValidationError", field)
    assert client.get(LG).json()["items"] == before


def test_names_are_unique(client: httpx.Client) -> None:
    create(client, "taken")
    before = client.get(LG).json()["items"]
    api_error(client.post(LG, json={"name": "taken"}), 409, "Conflict", "name")
    assert client.get(LG).json()["items"] == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "renamed"}, "name"),
        ({"retention_in_days": 2}, "retention_in_days"),
        ({"arn": "x"}, "arn"),
    ],
)
def test_bad_patches_are_refused_and_change_nothing(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    doc = create(client, f"patched-{field}")
    api_error(client.patch(f"{LG}/{doc['name']}", json=body), 400, "ValidationError", field)
    assert client.get(f"{LG}/{doc['name']}").json() == doc


def test_log_groups_survive_a_restart(cloud_server: CloudServer) -> None:
    client = cloud_server.client
    doc = create(client, "/aws/kept", retention_in_days=30, tags={"k": "v"})
    cloud_server.restart()
    assert client.get(f"{LG}//aws/kept").json() == doc
    api_error(client.post(LG, json={"name": "/aws/kept"}), 409, "Conflict", "name")

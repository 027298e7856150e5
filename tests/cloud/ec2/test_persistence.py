"""What the ec2 services acknowledged survives a server restart (SIGTERM, start again on the same
data dir): the same documents, and their uniqueness and in-use rules still hold."""

from __future__ import annotations

import pytest

from gitterra.cloud import meta
from tests.cloud.conftest import CloudServer, api_error
from tests.cloud.ec2.test_key_pairs import ed25519_key

pytestmark = pytest.mark.slow

RULE = {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["127.0.0.0/8"]}


def test_objects_survive_a_restart(cloud_server: CloudServer) -> None:
    client = cloud_server.client
    sg = client.post("/api/v1/security-groups", json={"name": "web", "ingress": [RULE]}).json()
    rule = client.post(
        f"/api/v1/security-groups/{sg['id']}/ingress-rules",
        json={**RULE, "from_port": 443, "to_port": 443},
    ).json()
    key = client.post("/api/v1/key-pairs", json={"name": "me", "public_key": ed25519_key()}).json()
    version = {"image_id": meta.IMAGES[0].id, "instance_type": "t2.micro"}
    lt = client.post(
        "/api/v1/launch-templates",
        json={"name": "web", **version, "security_group_ids": [sg["id"]]},
    ).json()
    client.post(f"/api/v1/launch-templates/{lt['id']}/versions", json={**version, "key_name": "me"})
    client.patch(f"/api/v1/launch-templates/{lt['id']}", json={"default_version": 2})
    before = {
        path: client.get(path).json()
        for path in (
            f"/api/v1/security-groups/{sg['id']}",
            f"/api/v1/security-groups/{sg['id']}/ingress-rules/{rule['id']}",
            f"/api/v1/key-pairs/{key['id']}",
            f"/api/v1/launch-templates/{lt['id']}",
        )
    }
    events = client.get("/api/v1/events").json()["items"]
    assert before[f"/api/v1/launch-templates/{lt['id']}"]["latest_version"] == 2

    old_pid = cloud_server.process.pid if cloud_server.process else None
    cloud_server.restart()
    assert cloud_server.process is not None
    assert cloud_server.process.pid != old_pid

    for path, doc in before.items():
        assert client.get(path).json() == doc, path
    # Services may record more at start; what was there is kept.
    assert client.get("/api/v1/events").json()["items"][: len(events)] == events
    api_error(client.post("/api/v1/security-groups", json={"name": "web"}), 409, "Conflict", "name")
    api_error(
        client.post("/api/v1/key-pairs", json={"name": "me", "public_key": ed25519_key()}),
        409,
        "Conflict",
        "name",
    )
    api_error(client.delete(f"/api/v1/security-groups/{sg['id']}"), 409, "Conflict")

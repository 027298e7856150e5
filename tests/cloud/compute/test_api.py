"""``/api/v1/instances`` on a real server process, and instances across a server crash and a
clean stop (``kill -9`` of the server, restart, adoption; SIGTERM ends everything)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cloud.compute.conftest import HTTP_SERVER, PAGE, PROCESS, STATIC, LauncherServer, url
from tests.cloud.conftest import api_error, assert_nothing_left, processes_touching

pytestmark = pytest.mark.slow


def test_list_get_and_filters(launcher: LauncherServer) -> None:
    client = launcher.client
    a = launcher.launch(STATIC, PAGE, group="web")
    b = launcher.launch(PROCESS, HTTP_SERVER, group="api")
    launcher.wait_state(a["id"], "running")
    launcher.wait_state(b["id"], "running")
    got = client.get(f"/api/v1/instances/{a['id']}").json()
    assert got["state"] == "running"
    assert got["group"] == "web"
    assert got["private_ip"].startswith("127.0.1.")
    assert set(got) >= {
        "id",
        "state",
        "state_reason",
        "image_id",
        "instance_type",
        "launch_template",
        "launch_configuration",
        "group",
        "private_ip",
        "port",
        "pid",
        "launched_at",
        "terminated_at",
        "health",
        "tags",
        "security_group_ids",
        "key_name",
        "created_at",
    }
    assert httpx.get(url(got)).text == "<h1>Fox</h1>\n"
    web = client.get("/api/v1/instances", params={"group": "web"}).json()["items"]
    assert [i["id"] for i in web] == [a["id"]]
    both = client.get(
        "/api/v1/instances", params=[("state", "running"), ("state", "pending")]
    ).json()["items"]
    assert {a["id"], b["id"]} <= {i["id"] for i in both}
    assert (
        client.get("/api/v1/instances", params={"state": "terminated", "group": "web"}).json()[
            "items"
        ]
        == []
    )
    for doc in (a, b):
        client.post(f"/api/v1/instances/{doc['id']}/terminate")


def test_bad_requests_name_the_field_and_change_nothing(launcher: LauncherServer) -> None:
    client = launcher.client
    doc = launcher.wait_state(launcher.launch(STATIC, PAGE)["id"], "running")
    path = f"/api/v1/instances/{doc['id']}"
    api_error(
        client.get("/api/v1/instances", params={"state": "stopped"}),
        400,
        "ValidationError",
        "state",
    )
    api_error(client.get("/api/v1/instances/i-0123456789abcdef0"), 404, "NotFound")
    api_error(client.post("/api/v1/instances/i-0123456789abcdef0/terminate"), 404, "NotFound")
    api_error(client.get("/api/v1/instances/i-0123456789abcdef0/console"), 404, "NotFound")
    api_error(
        client.get(path + "/console", params={"offset": -1}), 400, "ValidationError", "offset"
    )
    api_error(
        client.get(path + "/console", params={"offset": "abc"}), 400, "ValidationError", "offset"
    )
    api_error(
        client.get(path + "/console", params={"offset": 10**9}), 400, "ValidationError", "offset"
    )
    api_error(
        client.post(path + "/terminate", json={"force": True}), 400, "ValidationError", "force"
    )
    api_error(
        client.post(path + "/terminate", json={"decrement_desired_capacity": "maybe"}),
        400,
        "ValidationError",
        "decrement_desired_capacity",
    )
    message = api_error(
        client.post(path + "/terminate", json={"decrement_desired_capacity": True}),
        400,
        "ValidationError",
        "decrement_desired_capacity",
    )
    assert "no auto-scaling group" in message
    assert httpx.get(f"{launcher.url}/api/v1/instances").status_code == 401
    assert httpx.post(f"{launcher.url}{path}/terminate").status_code == 401
    assert client.get(path).json() == doc  # nothing changed
    assert httpx.get(url(doc)).status_code == 200
    client.post(path + "/terminate")


def test_console_through_the_api(launcher: LauncherServer) -> None:
    client = launcher.client
    doc = launcher.launch(STATIC, b"echo 'first words'\n" + PAGE)
    launcher.wait_state(doc["id"], "running")
    page = client.get(f"/api/v1/instances/{doc['id']}/console").json()
    assert "first words" in page["text"]
    assert page["next_offset"] == len(page["text"].encode())
    again = client.get(
        f"/api/v1/instances/{doc['id']}/console", params={"offset": page["next_offset"]}
    ).json()
    assert again["next_offset"] >= page["next_offset"]
    assert "first words" not in again["text"]
    client.post(f"/api/v1/instances/{doc['id']}/terminate")
    launcher.wait_state(doc["id"], "terminated")
    kept = client.get(f"/api/v1/instances/{doc['id']}/console").json()["text"]
    assert "first words" in kept
    assert "terminated: Client.UserInitiatedShutdown" in kept


def test_terminate_returns_at_once_and_is_idempotent(launcher: LauncherServer) -> None:
    client = launcher.client
    doc = launcher.wait_state(launcher.launch(PROCESS, HTTP_SERVER)["id"], "running")
    r = client.post(
        f"/api/v1/instances/{doc['id']}/terminate", json={"decrement_desired_capacity": False}
    )
    assert r.status_code == 200
    assert r.json()["state"] in ("shutting-down", "terminated")
    ended = launcher.wait_state(doc["id"], "terminated")
    assert ended["state_reason"] == "Client.UserInitiatedShutdown: User initiated shutdown"
    again = client.post(f"/api/v1/instances/{doc['id']}/terminate")
    assert again.status_code == 200
    assert again.json() == ended
    events = client.get("/api/v1/events", params={"kind": "instance"}).json()["items"]
    mine = [e["message"] for e in events if e["subject"] == doc["id"]]
    assert mine[0].startswith("launched gitterra-process")
    assert [m.split(":")[0] for m in mine[1:]] == ["running", "shutting-down", "terminated"]


def test_instances_never_see_the_servers_environment(launcher: LauncherServer) -> None:
    doc = launcher.launch(STATIC, b"env | sed 's/^/ENV /'\n" + PAGE)
    launcher.wait_state(doc["id"], "running")
    text = launcher.client.get(f"/api/v1/instances/{doc['id']}/console").json()["text"]
    assert "ENV INSTANCE_ID=" in text
    assert launcher.token not in text
    assert "must-not-leak" not in text  # the canary variables the launcher's server was given
    launcher.client.post(f"/api/v1/instances/{doc['id']}/terminate")


@pytest.fixture
def crashable(tmp_path: Path) -> Iterator[LauncherServer]:
    with httpx.Client(timeout=30) as client:
        server = LauncherServer(tmp_path / "data", tmp_path / "server.log", client)
        server.start()
        try:
            yield server
        finally:
            try:
                if server.process is None:
                    server.start()  # killed and not restarted: adopt and end the instances
                server.stop()
            finally:
                assert_nothing_left(server.data_dir)


def states(data_dir: Path) -> dict[str, str]:
    """Instance states as stored (readable while no server runs)."""
    with sqlite3.connect(data_dir / "cloud.db") as db:
        rows = db.execute("SELECT doc FROM objects WHERE kind = 'instance'").fetchall()
    return {json.loads(r[0])["id"]: json.loads(r[0])["state"] for r in rows}


def test_kill_9_of_the_server_then_restart_adopts_and_a_clean_stop_ends_all(
    crashable: LauncherServer,
) -> None:
    client = crashable.client
    site = crashable.wait_state(crashable.launch(STATIC, PAGE)["id"], "running")
    proc = crashable.wait_state(crashable.launch(PROCESS, HTTP_SERVER)["id"], "running")
    doomed = crashable.wait_state(crashable.launch(PROCESS, HTTP_SERVER)["id"], "running")

    crashable.kill9()
    # Instances outlive their server: they keep serving.
    assert httpx.get(url(site)).text == "<h1>Fox</h1>\n"
    assert httpx.get(url(proc)).status_code == 200
    os.kill(doomed["pid"], signal.SIGKILL)  # one dies while nobody watches

    crashable.start()
    adopted = client.get(f"/api/v1/instances/{site['id']}").json()
    assert (adopted["state"], adopted["pid"]) == ("running", site["pid"])
    assert client.get(f"/api/v1/instances/{proc['id']}").json()["pid"] == proc["pid"]
    assert httpx.get(url(site)).text == "<h1>Fox</h1>\n"
    dead = client.get(f"/api/v1/instances/{doomed['id']}").json()
    assert dead["state"] == "terminated"
    assert "while the server was not watching" in dead["state_reason"]
    assert not processes_touching(crashable.data_dir / "instances" / doomed["id"])
    events = client.get("/api/v1/events", params={"kind": "instance"}).json()["items"]
    assert any(e["subject"] == site["id"] and e["message"].startswith("adopted") for e in events)
    console = client.get(f"/api/v1/instances/{site['id']}/console").json()["text"]
    assert "adopted by a restarted server" in console

    # An adopted instance is watched like any other: its end is noticed.
    os.kill(proc["pid"], signal.SIGKILL)
    crashable.wait_state(proc["id"], "terminated")

    crashable.stop()  # SIGTERM: every instance ends before the server exits
    assert set(states(crashable.data_dir).values()) == {"terminated"}
    assert_nothing_left(crashable.data_dir)


def test_a_pending_instance_is_adopted_and_still_becomes_running(
    crashable: LauncherServer, gates: Path
) -> None:
    gate = gates / "gate"
    script = f"while [ ! -e {gate} ]; do sleep 0.05; done\n".encode() + PAGE
    doc = crashable.launch(STATIC, script)
    crashable.kill9()
    crashable.start()
    assert crashable.client.get(f"/api/v1/instances/{doc['id']}").json()["state"] == "pending"
    gate.touch()
    running = crashable.wait_state(doc["id"], "running")
    assert running["pid"] == doc["pid"]
    assert httpx.get(url(running)).text == "<h1>Fox</h1>\n"

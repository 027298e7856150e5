"""Tokens, ownership, read-only access, the state endpoint's rules, git pushes and the audit
log through the real server (in this process, real HTTP, real git)."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.cloud.codebuild.gitrepo import ENV, git
from tests.security.conftest import Secured, error_of

T = "/api/v1/tokens"
SG = "/api/v1/security-groups"
STATE = "/state/web/terraform"


def test_a_token_is_shown_once_listed_without_its_text_and_revoked(secured: Secured) -> None:
    r = secured.client.post(
        T, json={"project": "web", "read_only": True, "expires_in": "24h", "description": "ci"}
    )
    assert r.status_code == 201, r.text
    made = r.json()
    text = made.pop("token")
    assert text.startswith(f"gts_{made['id']}_")
    assert made["project"] == "web"
    assert made["read_only"]
    assert made["state"] == "active"
    assert made["created_by"] == "admin"
    assert made["expires_at"]
    listed = secured.client.get(T).json()["items"]
    assert [t["id"] for t in listed] == [made["id"]]
    assert text not in secured.client.get(T).text
    assert "hash" not in listed[0]
    assert secured.client.get(f"{T}/{made['id']}").json() == listed[0]
    assert secured.as_(text).get(SG).status_code == 200

    revoked = secured.client.delete(f"{T}/{made['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["state"] == "revoked"
    message = error_of(secured.as_(text).get(SG), 401, "Unauthorized")
    assert f"token {made['id']} was revoked" in message
    assert secured.client.get(T, params={"state": "revoked"}).json()["items"][0]["id"] == made["id"]
    assert secured.client.get(T, params={"state": "active"}).json()["items"] == []
    audit = secured.client.get("/api/v1/audit").json()["items"]
    named = [(a["actor"], a["action"], a["target"], a["outcome"], a["source"]) for a in audit]
    assert named == [
        ("admin", "token.create", made["id"], 201, "127.0.0.1"),
        ("admin", "token.revoke", made["id"], 200, "127.0.0.1"),
        ("anonymous", f"GET {SG}", SG, 401, "127.0.0.1"),  # a refused token's use
    ]
    assert audit[-1]["detail"] == message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": "../etc"}, "project"),
        ({"read_only": 1}, "read_only"),
        ({"expires_in": "1y"}, "expires_in"),
        ({"expires_in": "0s"}, "expires_in"),
        ({"description": "\x1b[31m"}, "description"),
        ({"admin": True}, "admin"),
    ],
)
def test_bad_token_requests_name_the_field_and_make_nothing(
    secured: Secured, body: dict[str, object], field: str
) -> None:
    r = secured.client.post(T, json=body)
    assert error_of(r, 400, "ValidationError")
    assert r.json()["error"]["field"] == field
    assert secured.client.get(T).json()["items"] == []


def test_malformed_token_calls_are_refused_plainly(secured: Secured) -> None:
    r = secured.client.post(T, content=b"{not json", headers={"Content-Type": "application/json"})
    assert "not valid JSON" in error_of(r, 400, "ValidationError")
    assert error_of(secured.client.post(T, json=["web"]), 400, "ValidationError")
    assert error_of(secured.client.get(T, params={"state": "gone"}), 400, "ValidationError")
    assert "does not exist" in error_of(secured.client.delete(f"{T}/{'0' * 16}"), 404, "NotFound")
    assert secured.client.get(T).json()["items"] == []


def test_only_the_admin_manages_tokens_and_reads_the_audit(secured: Secured) -> None:
    text, _ = secured.new_token(project="web")
    scoped = secured.as_(text)
    for response in (
        scoped.post(T, json={}),
        scoped.get(T),
        scoped.delete(f"{T}/{'0' * 16}"),
        scoped.get("/api/v1/audit"),
    ):
        assert "only the admin token" in error_of(response, 403, "Forbidden")
    assert len(secured.client.get(T).json()["items"]) == 1


def test_read_only_tokens_read_and_change_nothing(secured: Secured) -> None:
    existing = secured.client.post(SG, json={"name": "admins"}).json()
    text, _ = secured.new_token(project="web", read_only=True)
    reader = secured.as_(text)
    assert reader.get(SG).status_code == 200
    assert reader.get("/api/v1/codebuild/projects").status_code == 200
    for response in (
        reader.post(SG, json={"name": "mine"}),
        reader.patch(f"{SG}/{existing['id']}", json={"tags": {"a": "b"}}),
        reader.delete(f"{SG}/{existing['id']}"),
        reader.post("/api/v1/repositories", json={"name": "mine"}),
        reader.post("/api/v1/codebuild/builds", json={"project_name": "web"}),
    ):
        message = error_of(response, 403, "Forbidden")
        assert message == "this token is read-only: builds of pull requests only plan"
    assert [g["name"] for g in secured.client.get(SG).json()["items"]] == ["admins"]
    assert secured.client.get(f"{SG}/{existing['id']}").json()["tags"] == {}


def test_project_tokens_change_only_what_their_project_created(secured: Secured) -> None:
    web = secured.as_(secured.new_token(project="web")[0])
    shop = secured.as_(secured.new_token(project="shop")[0])
    mine = web.post(SG, json={"name": "web-sg"})
    assert mine.status_code == 201, mine.text
    group = mine.json()
    assert group["owner"] == "web"
    assert secured.client.get(f"{SG}/{group['id']}").json()["owner"] == "web"
    for response in (
        shop.patch(f"{SG}/{group['id']}", json={"tags": {"x": "y"}}),
        shop.delete(f"{SG}/{group['id']}"),
    ):
        message = error_of(response, 403, "Forbidden")
        assert message.startswith(f"security group {group['id']} is owned by project web")
        assert "project shop's token may change only resources its project created" in message
    admins = secured.client.post(SG, json={"name": "admin-sg"}).json()
    assert "owner" not in admins
    assert "owned by the admin" in error_of(web.delete(f"{SG}/{admins['id']}"), 403, "Forbidden")
    assert web.patch(f"{SG}/{group['id']}", json={"tags": {"x": "y"}}).status_code == 200
    assert web.delete(f"{SG}/{group['id']}").status_code == 204
    assert secured.client.delete(f"{SG}/{admins['id']}").status_code == 204
    # the pipeline's own configuration is the admin's
    project = {"name": "web", "source": {"type": "NO_SOURCE", "buildspec": "version: 0.2\n"}}
    message = error_of(web.post("/api/v1/codebuild/projects", json=project), 403, "Forbidden")
    assert message == (
        "only the admin token may change build projects, webhooks, source credentials and secrets"
    )
    assert "belongs to project shop" in error_of(
        web.post("/api/v1/codebuild/builds", json={"project_name": "shop"}), 403, "Forbidden"
    )


def test_expired_tokens_are_refused_and_the_refusal_is_recorded(secured: Secured) -> None:
    text, made = secured.new_token(project="web", expires_in="1h")
    client = secured.as_(text)
    assert client.get(SG).status_code == 200
    secured.clock.advance(3601)
    message = error_of(client.post(SG, json={"name": "late"}), 401, "Unauthorized")
    assert f"token {made['id']} expired at {made['expires_at']}" == message
    assert error_of(client.get(SG), 401, "Unauthorized") == message
    refused = secured.client.get("/api/v1/audit", params={"actor": "anonymous"}).json()["items"]
    assert [(r["action"], r["outcome"], r["detail"]) for r in refused] == [
        (f"POST {SG}", 401, message),
        (f"GET {SG}", 401, message),
    ]
    assert secured.client.get(SG).json()["items"] == []


def _basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"codebuild:{token}".encode()).decode()}


def test_the_state_endpoint_is_read_only_for_pull_requests(secured: Secured) -> None:
    http = httpx.Client(base_url=secured.url, timeout=60)
    secured.clients.append(http)
    admin = _basic(secured.token)
    state = b'{"version": 4, "serial": 1, "lineage": "x", "resources": [], "outputs": {}}'
    assert http.post(STATE, content=state, headers=admin).status_code == 200
    lock = b'{"ID": "l1", "Operation": "OperationTypeApply", "Who": "me", "Version": "1"}'
    reader = _basic(secured.new_token(project="web", read_only=True)[0])
    assert http.get(STATE, headers=reader).content == state
    for method, body in (("LOCK", lock), ("POST", state), ("PUT", state), ("DELETE", b""),
                         ("UNLOCK", lock)):  # fmt: skip
        r = http.request(method, STATE, content=body, headers=reader)
        message = error_of(r, 403, "Forbidden")
        assert message.startswith("this token is read-only: builds of pull requests only plan")
    shop = _basic(secured.new_token(project="shop")[0])
    assert "is not this token's (project shop)" in error_of(
        http.get(STATE, headers=shop), 403, "Forbidden"
    )
    web = _basic(secured.new_token(project="web")[0])
    assert http.request("LOCK", STATE, content=lock, headers=web).status_code == 200
    assert http.request("UNLOCK", STATE, content=lock, headers=web).status_code == 200
    r = http.get(STATE, headers=_basic("gts_0123456789abcdef_nope"))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Basic")
    assert "not valid for this server" in r.json()["error"]["message"]
    actions = [
        (a["action"], a["outcome"])
        for a in secured.client.get("/api/v1/audit", params={"project": "web"}).json()["items"]
        if a["action"].startswith("state.")
    ]
    assert actions == [
        ("state.write", 200),
        ("state.lock", 403),
        ("state.write", 403),
        ("state.write", 403),
        ("state.delete", 403),
        ("state.unlock", 403),
        ("state.lock", 200),
        ("state.unlock", 200),
        ("state.read", 401),  # a refused token's use
    ]


def _push(work: Path, url: str, token: str) -> subprocess.CompletedProcess[str]:
    authed = url.replace("http://", f"http://pusher:{token}@")
    env = {**os.environ, **ENV, "HOME": str(work)}
    return subprocess.run(
        ["git", "push", authed, "HEAD:refs/heads/main"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_git_pushes_follow_the_same_rules(secured: Secured, tmp_path: Path) -> None:
    admins = secured.client.post("/api/v1/repositories", json={"name": "admins"}).json()
    web_token = secured.new_token(project="web")[0]
    webs = secured.as_(web_token).post("/api/v1/repositories", json={"name": "webs"}).json()
    assert webs["owner"] == "web"
    reader_token = secured.new_token(project="web", read_only=True)[0]
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", "-b", "main", ".", cwd=work)
    git("commit", "-q", "--allow-empty", "-m", "first", cwd=work)

    refused = _push(work, webs["clone_url"], reader_token)
    assert refused.returncode != 0
    assert "403" in refused.stderr
    refused = _push(work, admins["clone_url"], web_token)
    assert refused.returncode != 0
    assert "403" in refused.stderr
    pushed = _push(work, webs["clone_url"], web_token)
    assert pushed.returncode == 0, pushed.stderr
    assert _push(work, admins["clone_url"], secured.token).returncode == 0
    pushes = secured.client.get("/api/v1/audit").json()["items"]
    named = [(p["action"], p["target"], p["outcome"]) for p in pushes if p["action"] == "git.push"]
    assert ("git.push", "webs", 403) in named
    assert ("git.push", "admins", 403) in named
    assert ("git.push", "webs", 200) in named
    assert ("git.push", "admins", 200) in named


def test_a_listener_is_a_change_of_its_balancer(secured: Secured) -> None:
    lb = secured.client.post("/api/v1/load-balancers", json={"name": "admins"}).json()
    web = secured.as_(secured.new_token(project="web")[0])
    action = {"type": "fixed-response", "status_code": "200", "message_body": "hi"}
    body = {"load_balancer_arn": lb["arn"], "port": 80, "default_action": action}
    message = error_of(web.post("/api/v1/listeners", json=body), 403, "Forbidden")
    assert message.startswith("load balancer admins is owned by the admin (no project)")
    assert secured.client.get("/api/v1/listeners").json()["items"] == []
    mine = web.post("/api/v1/load-balancers", json={"name": "webs"}).json()
    made = web.post("/api/v1/listeners", json={**body, "load_balancer_arn": mine["arn"]})
    assert made.status_code == 201, made.text
    assert made.json()["owner"] == "web"
    arn = made.json()["arn"].replace("/", "%2F")
    assert web.delete(f"/api/v1/listeners/{arn}").status_code == 204


def test_project_tokens_point_only_at_their_projects_resources(secured: Secured) -> None:
    """A token of project web cannot put its instances behind shop's balancer, launch shop's
    user data, or forward its balancer to shop's target group; each refusal names the field
    and makes nothing."""
    web = secured.as_(secured.new_token(project="web")[0])
    shop = secured.as_(secured.new_token(project="shop")[0])
    image = secured.client.get("/api/v1/images").json()["items"][0]["id"]
    lt = {"image_id": image, "instance_type": "t3.micro"}
    shops_lt = shop.post("/api/v1/launch-templates", json={"name": "shop", **lt}).json()
    shops_tg = shop.post("/api/v1/target-groups", json={"name": "shop", "port": 80}).json()
    webs_lt = web.post("/api/v1/launch-templates", json={"name": "web", **lt}).json()
    webs_tg = web.post("/api/v1/target-groups", json={"name": "web", "port": 80}).json()
    webs_lb = web.post("/api/v1/load-balancers", json={"name": "web"}).json()
    group = {"name": "web", "min_size": 0, "max_size": 1, "desired_capacity": 0}
    mine = {"id": webs_lt["id"], "version": "$Latest"}
    groups = "/api/v1/autoscaling-groups"

    def refused(response: httpx.Response, field: str, what: str) -> None:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["field"] == field
        assert error["message"] == (
            f"{what} is owned by project shop: project web's token may refer only to resources "
            "its project created"
        )

    theirs = {"id": shops_lt["id"], "version": "$Latest"}
    refused(
        web.post(groups, json={**group, "launch_template": theirs}),
        "launch_template.id",
        "launch template shop",
    )
    refused(
        web.post(
            groups,
            json={**group, "launch_template": mine, "target_group_arns": [shops_tg["arn"]]},
        ),
        "target_group_arns.0",
        "target group shop",
    )
    forward = {"type": "forward", "target_group_arn": shops_tg["arn"]}
    listener = {"load_balancer_arn": webs_lb["arn"], "port": 80, "default_action": forward}
    refused(
        web.post("/api/v1/listeners", json=listener),
        "default_action.target_group_arn",
        "target group shop",
    )
    assert secured.client.get(groups).json()["items"] == []
    assert secured.client.get("/api/v1/listeners").json()["items"] == []
    # its own resources, and a later change pointing at shop's, refused the same way
    made = web.post(
        groups, json={**group, "launch_template": mine, "target_group_arns": [webs_tg["arn"]]}
    )
    assert made.status_code == 201, made.text
    refused(
        web.patch(f"{groups}/web", json={"target_group_arns": [shops_tg["arn"]]}),
        "target_group_arns.0",
        "target group shop",
    )
    refused(
        web.patch(f"{groups}/web", json={"launch_template": theirs}),
        "launch_template.id",
        "launch template shop",
    )
    doc = secured.client.get(f"{groups}/web").json()
    assert doc["target_group_arns"] == [webs_tg["arn"]]
    assert doc["launch_template"]["id"] == webs_lt["id"]
    # the admin may join anything
    admins = secured.client.patch(f"{groups}/web", json={"target_group_arns": [shops_tg["arn"]]})
    assert admins.status_code == 200, admins.text

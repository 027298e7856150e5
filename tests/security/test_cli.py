"""``gitterra token`` and ``gitterra audit`` against the real server (in this process)."""

from __future__ import annotations

import signal
import subprocess
import threading
from pathlib import Path

import pytest

from tests.cloud.conftest import CliRunner, wait_for
from tests.security.conftest import Secured


@pytest.fixture
def cli(secured: Secured, tmp_path: Path) -> CliRunner:
    return CliRunner.to(secured.url, secured.token, tmp_path)


def test_create_list_and_revoke(cli: CliRunner, secured: Secured) -> None:
    made = cli.run(
        "token", "create", "--project", "web", "--read-only", "--expires", "24h",
        "--description", "nightly plan",
    )  # fmt: skip
    assert made.code == 0, made.err
    text = made.out.strip()
    assert text.startswith("gts_")
    assert "\n" not in text
    token_id = text.split("_")[1]
    assert f"Created token {token_id} (project web, read-only; expires " in made.err
    assert "shown only this once" in made.err
    assert secured.as_(text).get("/api/v1/security-groups").status_code == 200

    other = cli.run("token", "create", "--expires=never")
    assert other.code == 0, other.err
    assert "(no project, read-write; never expires)" in other.err

    listed = cli.run("token", "list")
    assert listed.code == 0, listed.err
    lines = listed.out.splitlines()
    assert lines[0].split() == [
        "ID", "KIND", "PROJECT", "ACCESS", "STATE", "EXPIRES", "CREATED", "BY", "DESCRIPTION"
    ]  # fmt: skip
    row = next(line for line in lines if line.startswith(token_id))
    assert "scoped  web" in row
    assert "read-only" in row
    assert "nightly plan" in row
    assert text not in listed.out

    revoked = cli.run("token", "revoke", token_id)
    assert revoked.code == 0, revoked.err
    assert revoked.out.strip() == f"Revoked token {token_id} (project web, read-only)."
    assert token_id not in cli.run("token", "list").out
    assert "revoked" in cli.run("token", "list", "--all").out
    assert secured.as_(text).get("/api/v1/security-groups").status_code == 401


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("token",), "token needs a subcommand"),
        (("token", "mint"), '"mint" is not a token subcommand'),
        (("token", "list", "extra"), "token list takes no arguments"),
        (("token", "revoke"), "token revoke takes a token ID"),
        (("token", "list", "--project", "web"), "--project is not an option of token list"),
        (("token", "create", "--all"), "--all is not an option of token create"),
        (("token", "create", "--colour"), "colour"),
        (("audit", "extra"), "audit takes no arguments"),
        (("audit", "--limit", "0"), "--limit must be between 1 and 1000"),
    ],
)
def test_usage_mistakes_change_nothing(
    cli: CliRunner, secured: Secured, args: tuple[str, ...], expected: str
) -> None:
    result = cli.run(*args)
    assert result.code == 2, result
    assert expected in result.err
    assert secured.client.get("/api/v1/tokens").json()["items"] == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--expires", "soon"), "ValidationError: expires_in 'soon' is not a duration"),
        (("--expires", "0s"), "between 1s and 3650d (field expires_in)"),
        (("--project", "a b"), "project 'a b' is not a project name"),
        (
            ("--description", "x" * 300),
            "at most 256 printable characters on one line (field description)",
        ),
    ],
)
def test_refused_token_requests_name_the_field_and_make_nothing(
    cli: CliRunner, secured: Secured, args: tuple[str, ...], expected: str
) -> None:
    result = cli.run("token", "create", *args)
    assert result.code == 1, result
    assert expected in result.err
    assert result.out == ""
    assert secured.client.get("/api/v1/tokens").json()["items"] == []


def test_unknown_tokens_and_scoped_tokens_are_told_plainly(
    cli: CliRunner, secured: Secured, tmp_path: Path
) -> None:
    result = cli.run("token", "revoke", "0123456789abcdef")
    assert result.code == 1
    assert "NotFound: token 0123456789abcdef does not exist" in result.err
    scoped = secured.new_token(project="web")[0]
    as_scoped = CliRunner.to(secured.url, scoped, tmp_path)
    for args in (("token", "list"), ("audit",)):
        refused = as_scoped.run(*args)
        assert refused.code == 1
        assert "Forbidden: only the admin token" in refused.err


def test_audit_shows_and_follows_the_log(cli: CliRunner, secured: Secured) -> None:
    assert cli.run("audit").out.strip() == "No audit records."
    secured.client.post("/api/v1/security-groups", json={"name": "web"})
    made = cli.run("token", "create", "--project", "web")
    token_id = made.out.split("_")[1]
    secured.as_(made.out.strip()).post("/api/v1/security-groups", json={"name": "web-2"})
    shown = cli.run("audit")
    assert shown.code == 0, shown.err
    lines = shown.out.splitlines()
    assert len(lines) == 3
    assert (
        "admin  POST /api/v1/security-groups  201  127.0.0.1  /api/v1/security-groups" in lines[0]
    )
    assert f"admin  token.create  201  127.0.0.1  {token_id}" in lines[1]
    assert f"token:{token_id}  POST /api/v1/security-groups  201" in lines[2]
    assert cli.run("audit", "--actor", f"token:{token_id}").out.count("\n") == 1
    assert cli.run("audit", "--project", "web", "--limit", "1").out.count("\n") == 1
    assert cli.run("audit", "--actor", "nobody").out.strip() == "No audit records."

    follower = cli.start("audit", "-f", "--limit", "1")
    lines_seen: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(follower, lines_seen), daemon=True)
    reader.start()
    try:
        wait_for(lambda: lines_seen, 60, "the follower's first record")
        assert f"token:{token_id}" in lines_seen[0]
        secured.client.delete(f"/api/v1/tokens/{token_id}")
        wait_for(lambda: len(lines_seen) > 1, 60, "the follower to print the new record")
        assert "admin  token.revoke  200" in lines_seen[1]
    finally:
        follower.send_signal(signal.SIGINT)
        try:
            code = follower.wait(60)
        except subprocess.TimeoutExpired:
            follower.kill()
            follower.wait(60)
            raise
        finally:
            reader.join(60)
            for pipe in (follower.stdout, follower.stderr):
                if pipe is not None:
                    pipe.close()
    assert code == 0, "Ctrl-C ends following normally"
    assert secured.client.get("/api/v1/tokens", headers={"Authorization": "Bearer gtr_x"})
    refused = cli.run("audit", "--outcome", "refused").out.splitlines()
    assert len(refused) == 1
    assert "anonymous  GET /api/v1/tokens  401" in refused[0]
    assert cli.run("audit", "--outcome", "allowed").out.count("\n") == 4
    assert cli.run("audit", "--outcome", "failed").out.strip() == "No audit records."
    bad = cli.run("audit", "--outcome", "denied")
    assert bad.code != 0
    assert "--outcome must be one of allowed, refused, failed, got 'denied'" in bad.err
    api = secured.client.get("/api/v1/audit", params={"outcome": "denied"})
    assert api.status_code in (400, 422), api.text
    assert "outcome" in api.text


def _read_lines(proc: subprocess.Popen[bytes], into: list[str]) -> None:
    assert proc.stdout is not None
    for raw in proc.stdout:
        into.append(raw.decode())

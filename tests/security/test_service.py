"""The tokens service on a real store: making, resolving, expiring and revoking tokens, what
the store holds (hashes, never texts), build tokens, and the audit log's queries."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from gitterra.cloud import Cloud, ValidationError, tokens
from gitterra.cloud.tokens import _audit
from tests.security.conftest import Clock


@pytest.fixture
def service(tmp_path: Path) -> tuple[tokens.Tokens, Clock]:
    clock = Clock()
    cloud = Cloud(tmp_path, "http://127.0.0.1:9")
    return cloud.register(tokens.Tokens(cloud, clock=clock)), clock


def test_a_scoped_token_resolves_until_it_expires(service: tuple[tokens.Tokens, Clock]) -> None:
    svc, clock = service
    doc, text = svc.create(
        {"project": "web", "read_only": True, "expires_in": "1h", "description": "ci"}, "admin"
    )
    assert doc["state"] == "active"
    assert doc["kind"] == "scoped"
    assert "hash" not in doc
    principal = svc.resolve(text)
    assert principal == tokens.Principal("scoped", "web", True, doc["id"], None)
    assert principal.actor == f"token:{doc['id']}"
    clock.advance(3599)
    assert svc.resolve(text).project == "web"
    clock.advance(2)
    with pytest.raises(tokens.Unauthorized, match=f"token {doc['id']} expired at"):
        svc.resolve(text)
    assert svc.get(doc["id"])["state"] == "expired"


def test_revoked_unknown_and_tampered_tokens_are_refused(
    service: tuple[tokens.Tokens, Clock],
) -> None:
    svc, _ = service
    doc, text = svc.create({"expires_in": "never"}, "admin")
    assert doc["expires_at"] is None
    assert doc["project"] is None
    twin, twin_text = svc.create({}, "admin")
    tampered = text[:-2] + ("xy" if not text.endswith("xy") else "yz")
    foreign_id = f"gts_{'0' * 16}_" + text.rsplit("_", 1)[1]
    for bad in (tampered, foreign_id, "gtr_nonsense", twin_text.replace(twin["id"], doc["id"])):
        with pytest.raises(tokens.Unauthorized, match="not valid for this server"):
            svc.resolve(bad)
    revoked = svc.revoke(doc["id"])
    assert revoked["state"] == "revoked"
    assert revoked["revoked_at"]
    assert svc.revoke(doc["id"])["revoked_at"] == revoked["revoked_at"], "twice: no change"
    with pytest.raises(tokens.Unauthorized, match=f"token {doc['id']} was revoked"):
        svc.resolve(text)
    assert svc.resolve(twin_text).token_id == twin["id"]


def test_the_store_holds_hashes_never_tokens(
    service: tuple[tokens.Tokens, Clock], tmp_path: Path
) -> None:
    svc, _ = service
    _, scoped = svc.create({"project": "web"}, "admin")
    build = svc.mint_build("web:1", "web", False, 60)
    svc.cloud.store.close()
    svc.audit.close()
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("*.db*"))
    for text in (scoped, build):
        assert text.encode() not in stored
        assert text.rsplit("_", 1)[1].encode() not in stored, "not even its secret part"
        assert tokens._secret.digest(text).encode() in stored


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": "no spaces"}, "project"),
        ({"project": 7}, "project"),
        ({"read_only": "yes"}, "read_only"),
        ({"expires_in": "soon"}, "expires_in"),
        ({"description": "two\nlines"}, "description"),
        ({"description": "x" * 300}, "description"),
        ({"scope": "all"}, "scope"),
    ],
)
def test_bad_requests_name_the_field_and_make_nothing(
    service: tuple[tokens.Tokens, Clock], body: dict[str, object], field: str
) -> None:
    svc, _ = service
    with pytest.raises(ValidationError) as caught:
        svc.create(body, "admin")
    assert caught.value.field == field
    assert svc.find() == []


def test_build_tokens_end_with_their_build_or_their_timeout(
    service: tuple[tokens.Tokens, Clock],
) -> None:
    svc, clock = service
    push = svc.mint_build("web:1", "web", False, 300)
    pull = svc.mint_build("web:2", "web", True, 300)
    assert svc.resolve(push) == tokens.Principal(
        "build", "web", False, svc.resolve(push).token_id, "web:1"
    )
    assert svc.resolve(pull).read_only
    assert svc.resolve(pull).actor == "build:web:2"
    svc.revoke_build("web:1")
    with pytest.raises(tokens.Unauthorized, match="revoked"):
        svc.resolve(push)
    clock.advance(300 + 31)
    with pytest.raises(tokens.Unauthorized, match="expired"):
        svc.resolve(pull)
    actions = [(r["action"], r["project"]) for r in svc.audit.find()]
    assert actions == [
        ("build.token.mint", "web"),
        ("build.token.mint", "web"),
        ("build.token.revoke", "web"),
    ]


def test_a_restart_revokes_the_tokens_of_builds_the_last_server_ran(
    service: tuple[tokens.Tokens, Clock],
) -> None:
    svc, clock = service
    running = svc.mint_build("web:3", "web", False, 300)
    _, scoped = svc.create({"project": "web"}, "admin")
    asyncio.run(svc.start())
    with pytest.raises(tokens.Unauthorized, match="revoked"):
        svc.resolve(running)
    assert svc.resolve(scoped).kind == "scoped"
    clock.advance(2 * 86400)
    asyncio.run(svc.start())
    assert [t["kind"] for t in svc.find()] == ["scoped"], "ended build tokens are dropped"


def test_audit_queries(tmp_path: Path) -> None:
    log = _audit.AuditLog(tmp_path / "audit.db", keep=5)
    for i in range(12):
        actor = "admin" if i % 3 == 0 else f"build:web:{i}"
        log.record(
            tokens.Record(actor, "POST /x", f"t{i}", 200, "127.0.0.1", "web" if i % 2 else None)
        )
    newest = log.find(limit=3)
    assert [r["target"] for r in newest] == ["t9", "t10", "t11"], "the newest, oldest first"
    assert [r["seq"] for r in log.find(since=10)] == [11, 12]
    assert {r["actor"] for r in log.find(actor="admin")} == {"admin"}
    assert all(r["actor"].startswith("build:") for r in log.find(actor="build:"))
    assert all(r["project"] == "web" for r in log.find(project="web"))
    assert log.find(actor="build:web:1")[0]["target"] == "t1"
    record = log.find(limit=1)[0]
    assert set(record) == {
        "seq", "time", "actor", "action", "target", "outcome", "source", "project", "detail"
    }  # fmt: skip
    assert record["time"].endswith("Z")
    log._prune()
    assert len(log.find(limit=100)) == 5, "only the newest are kept"
    log.close()


def test_audit_verdicts() -> None:
    verdicts = {
        code: tokens.verdict_of(code) for code in (200, 303, 401, 403, 413, 400, 404, 500, 0)
    }
    assert verdicts == {
        200: "allowed", 303: "allowed",
        401: "refused", 403: "refused", 413: "refused",
        400: "failed", 404: "failed", 500: "failed", 0: "failed",
    }  # fmt: skip


def test_audit_pages_back_and_filters_by_verdict(tmp_path: Path) -> None:
    log = _audit.AuditLog(tmp_path / "audit.db")
    for i, outcome in enumerate([201, 403, 404, 200, 401, 0, 204, 500]):
        log.record(tokens.Record("admin", "POST /x", f"t{i}", outcome, "127.0.0.1"))

    def targets(**query: Any) -> list[str]:
        return [r["target"] for r in log.find(**query)]

    assert targets(before=6, limit=2) == ["t3", "t4"], "the newest two before seq 6, oldest first"
    assert targets(before=3, limit=10) == ["t0", "t1"]
    assert targets(since=2, before=5) == ["t2", "t3"]
    assert targets(verdict="allowed") == ["t0", "t3", "t6"]
    assert targets(verdict="refused") == ["t1", "t4"]
    assert targets(verdict="failed") == ["t2", "t5", "t7"]
    assert targets(verdict="refused", before=5, limit=1) == ["t1"]
    log.close()

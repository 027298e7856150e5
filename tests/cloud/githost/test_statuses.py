"""Commit statuses: per commit and context, the newest wins; every bad field is refused by name
and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.cloud.conftest import CloudServer, api_error
from tests.cloud.githost.conftest import create

SHA = "a" * 40


@pytest.fixture(scope="module")
def statuses(server: CloudServer) -> str:
    create(server, "statuses")
    return f"/api/v1/repositories/statuses/commits/{SHA}/statuses"


def test_newest_status_per_context_wins_and_newest_comes_first(
    server: CloudServer, statuses: str
) -> None:
    sha = "b" * 40
    path = statuses.replace(SHA, sha)
    for context, state in (("ci", "pending"), ("lint", "error"), ("ci", "success")):
        r = server.client.post(path, json={"context": context, "state": state})
        assert r.status_code == 201, r.text
        assert (r.json()["context"], r.json()["state"]) == (context, state)
    items = server.client.get(path).json()["items"]
    assert [(s["context"], s["state"]) for s in items] == [("ci", "success"), ("lint", "error")]
    assert set(items[0]) == {"context", "state", "description", "target_url", "updated_at"}
    upper = server.client.get(path.replace(sha, sha.upper())).json()["items"]
    assert upper == items  # commit ids compare without case
    assert server.client.get(path.replace(sha, "c" * 40)).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"context": "ci", "state": "done"}, "state"),
        ({"context": "ci", "state": "warning"}, "state"),
        ({"context": "", "state": "success"}, "context"),
        ({"context": "a\nb", "state": "success"}, "context"),
        ({"context": "x" * 256, "state": "success"}, "context"),
        ({"context": "ci", "state": "success", "target_url": "javascript:alert(1)"}, "target_url"),
        ({"context": "ci", "state": "success", "target_url": "http://" + "x" * 2050}, "target_url"),
        ({"context": "ci", "state": "success", "description": "d" * 1025}, "description"),
        ({"context": "ci"}, "state"),
        ({"context": "ci", "state": "success", "colour": "red"}, "colour"),
        ({"context": 5, "state": "success"}, "context"),
    ],
)
def test_bad_status_fields_are_refused(
    server: CloudServer, statuses: str, body: dict[str, Any], field: str
) -> None:
    api_error(server.client.post(statuses, json=body), 400, "ValidationError", field)
    assert server.client.get(statuses).json()["items"] == []


def test_bad_commit_ids_and_repositories(server: CloudServer, statuses: str) -> None:
    for sha in ("abc", "g" * 40, "a" * 41):
        path = statuses.replace(SHA, sha)
        api_error(
            server.client.post(path, json={"context": "ci", "state": "success"}),
            400,
            "ValidationError",
            "sha",
        )
        api_error(server.client.get(path), 400, "ValidationError", "sha")
    api_error(
        server.client.post(
            f"/api/v1/repositories/nope/commits/{SHA}/statuses",
            json={"context": "c", "state": "success"},
        ),
        404,
        "NotFound",
    )


def test_statuses_need_the_token(server: CloudServer, statuses: str) -> None:
    r = httpx.post(server.url + statuses, json={"context": "ci", "state": "success"})
    api_error(r, 401, "Unauthorized")
    assert server.client.get(statuses).json()["items"] == []

"""Loading the JSON cases of testdata/ and comparing events with their expected fields."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import urllib.parse
from pathlib import Path
from typing import Any

from gitterra import triggers

TESTDATA = Path(__file__).parent / "testdata"
SECRET = b"It's a Secret to Everybody"

# The header each forge is signed with by default in the delivery cases.
SIGNATURE_HEADERS = {
    "github": "X-Hub-Signature-256",
    "gitea": "X-Gitea-Signature",
    "gitlab": "X-Gitlab-Token",
}


def load(folder: str) -> list[tuple[str, dict[str, Any]]]:
    """Every case of ``testdata/<folder>``, as ``(name, case)``, sorted by name."""
    paths = sorted((TESTDATA / folder).glob("*.json"))
    return [(p.stem, json.loads(p.read_text())) for p in paths]


def body_of(case: dict[str, Any]) -> bytes:
    """The raw body a delivery case sends: its ``body`` text, or its ``payload`` as JSON (as a
    form's ``payload`` field when the case says ``form``)."""
    if "body" in case:
        return str(case["body"]).encode("utf-8")
    text = json.dumps(case["payload"])
    if case.get("form"):
        return urllib.parse.urlencode({"payload": text}).encode("ascii")
    return text.encode("utf-8")


def signed_headers(case: dict[str, Any], body: bytes) -> dict[str, str]:
    """The case's headers plus the signature (or token) its forge sends for ``body``."""
    headers = dict(case["headers"])
    name = case.get("sign_with", SIGNATURE_HEADERS[case["forge"]])
    digest = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if name == "X-Hub-Signature-256":
        headers[name] = "sha256=" + digest
    elif name == "X-Gitlab-Token":
        headers[name] = SECRET.decode()
    else:
        headers[name] = digest
    return headers


def event_fields(event: triggers.Event) -> dict[str, Any]:
    """An event as the JSON cases write it (lists for tuples)."""
    fields = dataclasses.asdict(event)
    fields["changed_files"] = list(fields["changed_files"])
    return fields


def make_event(**overrides: Any) -> triggers.Event:
    """A push of ``refs/heads/main`` by account 42, with ``overrides`` applied (a PR kind gets a
    pull request number and base ref unless given)."""
    fields: dict[str, Any] = {
        "kind": "PUSH",
        "head_ref": "refs/heads/main",
        "base_ref": None,
        "before": "1" * 40,
        "after": "2" * 40,
        "changed_files": (),
        "commit_message": "Change the page",
        "actor_account_id": "42",
        "actor": "alice",
        "repository": "alice/mysite",
        "clone_url": "http://127.0.0.1/git/alice/mysite.git",
        "pull_request": None,
        "deleted": False,
        "created": False,
        "forced": False,
        "delivery_id": "d-1",
        "source": "githost",
    }
    if overrides.get("kind", "PUSH") in triggers.PULL_REQUEST_KINDS:
        fields.update(pull_request=7, base_ref="refs/heads/main", head_ref="refs/heads/topic")
    if overrides.get("kind") in triggers.RELEASE_KINDS:
        fields.update(head_ref="refs/tags/v1", after="", release_name="Version 1")
    fields.update(overrides)
    fields["changed_files"] = tuple(fields["changed_files"])
    return triggers.Event(**fields)

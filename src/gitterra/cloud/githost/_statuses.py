"""Commit statuses: what checks say about a commit (GitHub's status model).

A status is ``{"context", "state", "description", "target_url", "updated_at"}`` kept per
repository, commit and context: setting one for the same context replaces it (the newest
wins). ``state`` is one of :data:`STATES`. Every field is checked before anything is written.
"""

from __future__ import annotations

import re

from gitterra.cloud import Doc, Store, ValidationError
from gitterra.cloud.ec2 import fields

KIND = "githost_status"
STATES = ("pending", "success", "failure", "error")
MAX_CONTEXT = 255
MAX_DESCRIPTION = 1024
MAX_URL = 2048

_SHA = re.compile(r"[0-9a-f]{40}")


def sha(value: object, field: str = "sha") -> str:
    """A full commit id (40 hex digits, any case; returned lowercase)."""
    if not isinstance(value, str) or not _SHA.fullmatch(value.lower()):
        raise ValidationError(f"{field} must be a full commit id (40 hex digits)", field)
    return value.lower()


def check(context: object, state: object, target_url: object, description: object) -> Doc:
    """The status document for these fields, or a ValidationError naming the bad one."""
    if not isinstance(context, str) or not context.strip():
        raise ValidationError("context must be a non-empty string (e.g. gitterra/site)", "context")
    if len(context) > MAX_CONTEXT or any(ord(c) < 32 for c in context):
        raise ValidationError(
            f"context must be one line of at most {MAX_CONTEXT} characters", "context"
        )
    if state not in STATES:
        raise ValidationError(
            f"state {state!r} is not a status state: use one of {', '.join(STATES)}", "state"
        )
    url = "" if target_url is None else target_url
    if not isinstance(url, str) or len(url) > MAX_URL:
        raise ValidationError(
            f"target_url must be a URL of at most {MAX_URL} characters", "target_url"
        )
    if url and not re.match(r"https?://[^\s]+$", url):
        raise ValidationError(f"target_url {url[:80]!r} is not an http(s) URL", "target_url")
    text = "" if description is None else description
    if not isinstance(text, str) or len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            f"description must be text of at most {MAX_DESCRIPTION} characters", "description"
        )
    return {
        "context": context,
        "state": state,
        "target_url": url,
        "description": text,
        "updated_at": fields.now(),
    }


def put(store: Store, repository: str, commit: str, status: Doc) -> None:
    """Record ``status`` for ``commit``, replacing the one of the same context."""
    key = f"{repository}/{commit}"
    with store.transaction():
        doc = store.get(KIND, key) or {"repository": repository, "sha": commit, "statuses": {}}
        doc["statuses"][status["context"]] = {**status, "seq": _next_seq(doc)}
        store.put(KIND, key, doc)


def find(store: Store, repository: str, commit: str) -> list[Doc]:
    """The statuses of ``commit``, the most recently set first."""
    doc = store.get(KIND, f"{repository}/{commit}")
    if doc is None:
        return []
    ordered = sorted(doc["statuses"].values(), key=lambda s: -int(s["seq"]))
    return [{k: v for k, v in s.items() if k != "seq"} for s in ordered]


def combined(statuses: list[Doc]) -> str | None:
    """GitHub's combined state: failure if any failed or errored, pending if any is pending,
    success if all succeeded; None without statuses."""
    states = {s["state"] for s in statuses}
    if not states:
        return None
    if states & {"failure", "error"}:
        return "failure"
    return "pending" if "pending" in states else "success"


def _next_seq(doc: Doc) -> int:
    return max((int(s["seq"]) for s in doc["statuses"].values()), default=0) + 1

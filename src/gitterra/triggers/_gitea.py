"""Gitea and Forgejo deliveries to events.

Their payloads are GitHub-shaped (``ref``, ``before``, ``after``, ``commits``, ``pull_request``
with ``head``/``base``), so the GitHub builders do the work. The differences: the pull request
action for new commits is ``synchronized`` (GitHub: ``synchronize``); a push payload has no
``created``/``deleted``/``forced``; a branch deletion arrives as a ``delete`` event, not a push,
and — like ``create``, ``release`` and everything else CodeBuild has no event for — triggers
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from gitterra.triggers._event import Event, EventKind
from gitterra.triggers._github import pull_request_events, push_event
from gitterra.triggers._payload import Doc

GITEA_PR_ACTIONS: Mapping[str, EventKind] = {
    "opened": "PULL_REQUEST_CREATED",
    "synchronized": "PULL_REQUEST_UPDATED",
    "reopened": "PULL_REQUEST_REOPENED",
}


def gitea_events(event: str, doc: Doc, *, delivery_id: str) -> list[Event]:
    """The events of one Gitea/Forgejo delivery whose ``X-Gitea-Event`` is ``event``."""
    if event == "push":
        return [push_event(doc, source="gitea", delivery_id=delivery_id)]
    if event == "pull_request":
        return pull_request_events(
            doc, actions=GITEA_PR_ACTIONS, source="gitea", delivery_id=delivery_id
        )
    return []

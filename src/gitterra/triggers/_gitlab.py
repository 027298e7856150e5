"""GitLab deliveries to events.

``Push Hook`` and ``Tag Push Hook`` → PUSH (a deleted ref has ``after`` all zeros; GitLab does not
tell forced pushes). ``Merge Request Hook`` by ``object_attributes.action``: ``open`` → CREATED,
``reopen`` → REOPENED, ``merge`` → MERGED, ``close`` → CLOSED, and ``update`` → UPDATED only when
``oldrev`` is present — GitLab sends ``update`` for title or label edits too, and ``oldrev`` is
there exactly when new commits were pushed (GitHub's ``synchronize``). Approvals and every other
hook trigger nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from gitterra.triggers._event import ZERO_SHA, Event, EventKind
from gitterra.triggers._github import branch_ref, changed_files
from gitterra.triggers._payload import Doc

_MR_ACTIONS: Mapping[str, EventKind] = {
    "open": "PULL_REQUEST_CREATED",
    "reopen": "PULL_REQUEST_REOPENED",
    "merge": "PULL_REQUEST_MERGED",
    "close": "PULL_REQUEST_CLOSED",
}


def _push_event(doc: Doc, *, delivery_id: str) -> Event:
    before = doc.commit("before")
    after = doc.commit("after")
    commits = doc.objects("commits")
    # GitLab has no head_commit: the pushed commit is the one whose id is ``after``.
    message = next((c.text("message") for c in commits if c.opt_text("id") == after), "")
    project = doc.obj("project")
    return Event(
        kind="PUSH",
        head_ref=doc.ref("ref"),
        base_ref=None,
        before=before,
        after=after,
        changed_files=changed_files(commits),
        commit_message=message,
        actor_account_id=doc.ident("user_id"),
        # Tag Push Hook payloads may carry only the display name.
        actor=doc.opt_text("user_username") or doc.text("user_name"),
        repository=project.text("path_with_namespace"),
        clone_url=project.text("git_http_url"),
        pull_request=None,
        deleted=after == ZERO_SHA,
        created=before == ZERO_SHA,
        forced=False,
        delivery_id=delivery_id,
        source="gitlab",
    )


def _merge_request_events(doc: Doc, *, delivery_id: str) -> list[Event]:
    attrs = doc.obj("object_attributes")
    action = attrs.text("action")
    found, oldrev = attrs.lookup("oldrev")
    has_oldrev = found and oldrev is not None
    if action == "update" and has_oldrev:
        kind: EventKind = "PULL_REQUEST_UPDATED"
    elif action in _MR_ACTIONS:
        kind = _MR_ACTIONS[action]
    else:
        return []
    last = attrs.obj("last_commit")
    user = doc.obj("user")
    project = doc.obj("project")
    return [
        Event(
            kind=kind,
            head_ref=branch_ref(attrs.ref("source_branch")),
            base_ref=branch_ref(attrs.ref("target_branch")),
            before=attrs.commit("oldrev") if has_oldrev else None,
            after=last.commit("id"),
            changed_files=(),
            commit_message=last.opt_text("message") or "",
            actor_account_id=user.ident("id"),
            actor=user.text("username"),
            repository=project.text("path_with_namespace"),
            clone_url=project.text("git_http_url"),
            pull_request=attrs.number("iid"),
            deleted=False,
            created=False,
            forced=False,
            delivery_id=delivery_id,
            source="gitlab",
        )
    ]


def gitlab_events(event: str, doc: Doc, *, delivery_id: str) -> list[Event]:
    """The events of one GitLab delivery whose ``X-Gitlab-Event`` is ``event``."""
    if event in ("Push Hook", "Tag Push Hook"):
        return [_push_event(doc, delivery_id=delivery_id)]
    if event == "Merge Request Hook":
        return _merge_request_events(doc, delivery_id=delivery_id)
    return []

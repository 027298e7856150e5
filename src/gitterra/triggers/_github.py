"""GitHub deliveries to events, and the GitHub-shaped payloads Gitea and Forgejo share.

CodeBuild's table (REFERENCE.md): ``push`` → PUSH; ``pull_request`` ``opened`` → CREATED,
``synchronize`` → UPDATED, ``reopened`` → REOPENED, ``closed`` → MERGED or CLOSED by
``pull_request.merged``; ``release`` ``released`` / ``prereleased`` → RELEASED / PRERELEASED.
Every other event (``ping``, ``issues`` …) and action (``labeled``, ``edited`` …) triggers nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gitterra.triggers._event import ZERO_SHA, Event, EventKind, Source
from gitterra.triggers._payload import Doc

GITHUB_PR_ACTIONS: Mapping[str, EventKind] = {
    "opened": "PULL_REQUEST_CREATED",
    "synchronize": "PULL_REQUEST_UPDATED",
    "reopened": "PULL_REQUEST_REOPENED",
}
_RELEASE_ACTIONS: Mapping[str, EventKind] = {
    "released": "RELEASED",
    "prereleased": "PRERELEASED",
}


def branch_ref(name: str) -> str:
    """A pull request's branch as a full ref; a forge that already gives a ref keeps it
    (Gitea names a head whose branch is gone ``refs/pull/7/head``)."""
    return name if name.startswith("refs/") else "refs/heads/" + name


def unique(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` without repeats, first occurrence kept (``dict`` keeps insertion order)."""
    return tuple(dict.fromkeys(names))


def changed_files(commits: list[Doc]) -> tuple[str, ...]:
    """Every path a push's commits added, modified or removed, in the order they came."""
    return unique(
        path
        for commit in commits
        for key in ("added", "modified", "removed")
        for path in commit.strings(key)
    )


def _head_message(doc: Doc, commits: list[Doc], after: str) -> str:
    head = doc.opt_obj("head_commit")
    if head is not None:
        return head.text("message")
    for commit in commits:
        if commit.opt_text("id") == after:
            return commit.text("message")
    return ""


def push_event(doc: Doc, *, source: Source, delivery_id: str) -> Event:
    """A GitHub-shaped ``push`` payload. Gitea and Forgejo leave out ``created``, ``deleted``
    and ``forced``: the first two follow from the zero commit ids, a forced push is not told."""
    before = doc.commit("before")
    after = doc.commit("after")
    commits = doc.objects("commits")
    created = doc.opt_boolean("created")
    deleted = doc.opt_boolean("deleted")
    sender = doc.obj("sender")
    repo = doc.obj("repository")
    return Event(
        kind="PUSH",
        head_ref=doc.ref("ref"),
        base_ref=None,
        before=before,
        after=after,
        changed_files=changed_files(commits),
        commit_message=_head_message(doc, commits, after),
        actor_account_id=sender.ident("id"),
        actor=sender.text("login"),
        repository=repo.text("full_name"),
        clone_url=repo.text("clone_url"),
        pull_request=None,
        deleted=after == ZERO_SHA if deleted is None else deleted,
        created=before == ZERO_SHA if created is None else created,
        forced=doc.opt_boolean("forced") or False,
        delivery_id=delivery_id,
        source=source,
    )


def pull_request_events(
    doc: Doc, *, actions: Mapping[str, EventKind], source: Source, delivery_id: str
) -> list[Event]:
    """A GitHub-shaped ``pull_request`` payload; ``actions`` maps the forge's action names
    (``closed`` is decided by ``merged`` for every forge)."""
    action = doc.text("action")
    pr = doc.obj("pull_request")
    kind: EventKind
    if action == "closed":
        kind = "PULL_REQUEST_MERGED" if pr.opt_boolean("merged") else "PULL_REQUEST_CLOSED"
    elif action in actions:
        kind = actions[action]
    else:
        return []
    found, before = doc.lookup("before")  # GitHub's synchronize tells the previous head
    sender = doc.obj("sender")
    repo = doc.obj("repository")
    return [
        Event(
            kind=kind,
            head_ref=branch_ref(pr.ref("head.ref")),
            base_ref=branch_ref(pr.ref("base.ref")),
            before=doc.commit("before") if found and before is not None else None,
            after=pr.commit("head.sha"),
            changed_files=(),
            commit_message="",
            actor_account_id=sender.ident("id"),
            actor=sender.text("login"),
            repository=repo.text("full_name"),
            clone_url=repo.text("clone_url"),
            pull_request=doc.number("number"),
            deleted=False,
            created=False,
            forced=False,
            delivery_id=delivery_id,
            source=source,
        )
    ]


def release_events(doc: Doc, *, delivery_id: str) -> list[Event]:
    """A GitHub ``release`` payload: it names a tag, not a commit, so ``after`` is empty."""
    kind = _RELEASE_ACTIONS.get(doc.text("action"))
    if kind is None:
        return []
    release = doc.obj("release")
    sender = doc.obj("sender")
    repo = doc.obj("repository")
    return [
        Event(
            kind=kind,
            head_ref="refs/tags/" + release.ref("tag_name"),
            base_ref=None,
            before=None,
            after="",
            changed_files=(),
            commit_message="",
            actor_account_id=sender.ident("id"),
            actor=sender.text("login"),
            repository=repo.text("full_name"),
            clone_url=repo.text("clone_url"),
            pull_request=None,
            deleted=False,
            created=False,
            forced=False,
            delivery_id=delivery_id,
            source="github",
            release_name=release.opt_text("name") or "",
        )
    ]


def github_events(event: str, doc: Doc, *, delivery_id: str) -> list[Event]:
    """The events of one GitHub delivery whose ``X-GitHub-Event`` is ``event``."""
    if event == "push":
        return [push_event(doc, source="github", delivery_id=delivery_id)]
    if event == "pull_request":
        return pull_request_events(
            doc, actions=GITHUB_PR_ACTIONS, source="github", delivery_id=delivery_id
        )
    if event == "release":
        return release_events(doc, delivery_id=delivery_id)
    return []

"""From ref changes to events: one PUSH per changed ref, and what it does to pull requests.

The host remembers, per repository, the refs it last announced. After a receive-pack request,
a merge, or a restart (a push the server died in the middle of), :func:`consequences` compares
them with the repository's refs and builds:

- one ``PUSH`` per changed ref (branch, tag, deletion) with before/after (``ZERO_SHA`` for
  creation and deletion), created/deleted/forced, the changed files and the head commit's
  message (see :func:`._refs.describe`);
- for every open pull request whose head branch moved, ``PULL_REQUEST_UPDATED`` with the pull
  request's changed files; whose head or base branch was deleted, ``PULL_REQUEST_CLOSED`` (as
  forges close it); whose base now contains its head (merged by a push, or by a merge the
  server died in), ``PULL_REQUEST_MERGED``; another move of the base only updates the
  recorded ``base_sha``.

It returns the events and the documents to store with them (the pull requests' new state and
the refs now announced), for :meth:`EventLog.record` to write in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gitterra.cloud import Doc
from gitterra.cloud.ec2 import fields
from gitterra.cloud.githost import _refs
from gitterra.cloud.githost._git import Git
from gitterra.triggers import Event, EventKind

REFS = "githost_refs"
PULL = "githost_pull"


@dataclass(slots=True)
class Outcome:
    """Events to record and the documents (kind, id, doc) stored with them."""

    events: list[Event] = field(default_factory=list)
    docs: list[tuple[str, str, Doc]] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.events.extend(other.events)
        self.docs.extend(other.docs)


@dataclass(frozen=True, slots=True)
class Repo:
    """What the event builders need to know about a repository."""

    name: str
    path: Path
    clone_url: str
    default_branch: str


def pull_key(repository: str, number: int) -> str:
    return f"{repository}/{number:08d}"


def make_event(
    kind: EventKind,
    repo: Repo,
    *,
    head_ref: str,
    after: str,
    actor: str,
    before: str | None = None,
    base_ref: str | None = None,
    files: Sequence[str] = (),
    message: str = "",
    pull_request: int | None = None,
    created: bool = False,
    deleted: bool = False,
    forced: bool = False,
) -> Event:
    """An event of the git host, with a fresh ``delivery_id``."""
    return Event(
        kind=kind,
        head_ref=head_ref,
        base_ref=base_ref,
        before=before,
        after=after,
        changed_files=tuple(files),
        commit_message=message,
        actor_account_id=actor,
        actor=actor,
        repository=repo.name,
        clone_url=repo.clone_url,
        pull_request=pull_request,
        deleted=deleted,
        created=created,
        forced=forced,
        delivery_id=str(uuid.uuid4()),
        source="githost",
    )


def pull_event(
    kind: EventKind,
    repo: Repo,
    pr: Doc,
    actor: str,
    *,
    before: str | None = None,
    files: Sequence[str] = (),
    message: str = "",
    forced: bool = False,
) -> Event:
    """A ``PULL_REQUEST_*`` event for the pull request document ``pr`` (``after`` is its head
    commit)."""
    return make_event(
        kind,
        repo,
        head_ref=_refs.HEADS + pr["head"],
        base_ref=_refs.HEADS + pr["base"],
        after=pr["head_sha"],
        before=before,
        actor=actor,
        files=files,
        message=message,
        forced=forced,
        pull_request=int(pr["number"]),
    )


async def pull_files(git: Git, repo: Path, base_sha: str, head_sha: str) -> tuple[str, ...]:
    """A pull request's changed files: from the merge base of base and head to head."""
    start = await _refs.merge_base(git, repo, base_sha, head_sha)
    return await _refs.files_between(git, repo, start, head_sha)


async def consequences(
    git: Git,
    repo: Repo,
    announced: _refs.Snapshot,
    actual: _refs.Snapshot,
    pusher: str,
    open_pulls: list[Doc],
) -> Outcome:
    """The events of the changes from ``announced`` to ``actual`` (module docstring)."""
    found = _refs.changes(announced, actual)
    out = Outcome()
    default_ref = _refs.HEADS + repo.default_branch
    facts_of: dict[str, _refs.ChangeFacts] = {}
    for change in found:
        base = actual.get(default_ref) if change.ref != default_ref else None
        facts = facts_of[change.ref] = await _refs.describe(git, repo.path, change, base)
        out.events.append(
            make_event(
                "PUSH",
                repo,
                head_ref=change.ref,
                before=change.before,
                after=change.after,
                actor=pusher,
                files=facts.files,
                message=facts.message,
                created=change.created,
                deleted=change.deleted,
                forced=facts.forced,
            )
        )
    moved = {c.ref: c for c in found}
    for pr in open_pulls:
        out.add(await _pull_consequence(git, repo, pr, moved, facts_of, pusher))
    out.docs.append((REFS, repo.name, {"repository": repo.name, "refs": actual}))
    return out


async def _pull_consequence(
    git: Git,
    repo: Repo,
    pr: Doc,
    moved: dict[str, _refs.RefChange],
    facts_of: dict[str, _refs.ChangeFacts],
    pusher: str,
) -> Outcome:
    head = moved.get(_refs.HEADS + pr["head"])
    base = moved.get(_refs.HEADS + pr["base"])
    if head is None and base is None:
        return Outcome()
    doc = dict(pr)
    doc["updated_at"] = fields.now()
    gone = (head is not None and head.deleted) or (base is not None and base.deleted)
    if gone:
        doc.update(state="closed", closed_at=doc["updated_at"])
        event = pull_event("PULL_REQUEST_CLOSED", repo, doc, pusher)
        return Outcome([event], [(PULL, pull_key(repo.name, doc["number"]), doc)])
    if base is not None:
        doc["base_sha"] = base.after
        if head is None and await _refs.is_ancestor(git, repo.path, doc["head_sha"], base.after):
            # merged by a push to the base (or a merge the server died in): as forges do
            doc.update(state="merged", merge_commit_sha=base.after)
            doc.update(merged_at=doc["updated_at"], closed_at=doc["updated_at"])
            event = pull_event("PULL_REQUEST_MERGED", repo, doc, pusher)
            return Outcome([event], [(PULL, pull_key(repo.name, doc["number"]), doc)])
    events = []
    if head is not None:
        doc["head_sha"] = head.after
        facts = facts_of[head.ref]
        files = await pull_files(git, repo.path, doc["base_sha"], head.after)
        events.append(
            pull_event(
                "PULL_REQUEST_UPDATED",
                repo,
                doc,
                pusher,
                before=head.before,
                files=files,
                message=facts.message,
                forced=facts.forced,
            )
        )
    return Outcome(events, [(PULL, pull_key(repo.name, doc["number"]), doc)])

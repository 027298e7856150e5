"""Pull requests: a head branch proposed for a base branch, numbered per repository from 1.

Document (``/api/v1/repositories/<name>/pulls/<number>``)::

    {"repository", "number", "title", "state": "open"|"closed"|"merged", "head", "base",
     "head_sha", "base_sha", "merge_commit_sha", "author", "created_at", "updated_at",
     "closed_at", "merged_at"}

Transitions and their events: open → ``PULL_REQUEST_CREATED``; close → ``CLOSED``; reopen →
``REOPENED``; merge → the ``PUSH`` of the base branch, then ``MERGED`` (a fast-forward, or a
merge commit made in the bare repository, see :mod:`._merge`). Pushes to the head branch give
``UPDATED`` (:mod:`._push`). Each transition holds the repository's lock, checks the branches
against the repository's refs, and stores the new state with its events in one transaction.
One open pull request per head and base pair; merged ones stay merged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitterra.cloud import Conflict, Doc, NotFound, ValidationError
from gitterra.cloud.ec2 import fields
from gitterra.cloud.githost import _merge, _names, _push, _refs
from gitterra.triggers import EventKind

if TYPE_CHECKING:
    from gitterra.cloud.githost._service import GitHost

PULL = _push.PULL
COUNTER = "githost_pull_counter"
STATES = ("open", "closed", "merged")
MAX_TITLE = 256


def get(host: GitHost, repository: str, number: int) -> Doc:
    host.repository(repository)
    doc = host.store.get(PULL, _push.pull_key(repository, number))
    if doc is None:
        raise NotFound(f"pull request #{number} does not exist in {repository}")
    return doc


def find(host: GitHost, repository: str, state: str | None = None) -> list[Doc]:
    """A repository's pull requests by number (``state``: only those in it)."""
    host.repository(repository)
    if state is not None and state not in STATES:
        raise ValidationError(f"state {state!r} is not one of {', '.join(STATES)}", "state")
    return host.store.find(
        PULL, lambda d: d["repository"] == repository and state in (None, d["state"])
    )


async def open_(host: GitHost, repository: str, head: object, base: object, title: object) -> Doc:
    head_name = _names.branch_name(head, "head")
    base_name = _names.branch_name(base, "base")
    if head_name == base_name:
        raise ValidationError("head and base are the same branch: nothing to merge", "base")
    text = _title(title)
    repo = host.repo_facts(repository)
    async with host.lock(repository):
        refs = await _refs.snapshot(host.git, repo.path)
        head_sha = _branch_sha(refs, head_name, repository, "head")
        base_sha = _branch_sha(refs, base_name, repository, "base")
        _no_other_open(host, repository, head_name, base_name)
        if await _refs.is_ancestor(host.git, repo.path, head_sha, base_sha):
            raise ValidationError(
                f"{base_name} already has every commit of {head_name}: nothing to merge", "head"
            )
        message = await _refs.message(host.git, repo.path, head_sha)
        files = await _push.pull_files(host.git, repo.path, base_sha, head_sha)
        number = _next_number(host, repository)
        now = fields.now()
        doc: Doc = {
            "repository": repository,
            "number": number,
            "title": text or message.split("\n", 1)[0][:MAX_TITLE] or head_name,
            "state": "open",
            "head": head_name,
            "base": base_name,
            "head_sha": head_sha,
            "base_sha": base_sha,
            "merge_commit_sha": None,
            "author": host.ACTOR,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "merged_at": None,
        }
        event = _push.pull_event(
            "PULL_REQUEST_CREATED", repo, doc, host.ACTOR, files=files, message=message
        )
        host.events.record(
            [event],
            [
                (PULL, _push.pull_key(repository, number), doc),
                (COUNTER, repository, {"repository": repository, "last": number}),
            ],
        )
    return doc


async def close(host: GitHost, repository: str, number: int) -> Doc:
    async with host.lock(repository):
        doc = get(host, repository, number)
        if doc["state"] != "open":
            raise Conflict(f"pull request #{number} is {doc['state']}, not open")
        now = fields.now()
        doc.update(state="closed", closed_at=now, updated_at=now)
        await _transition(host, repository, doc, "PULL_REQUEST_CLOSED")
    return doc


async def reopen(host: GitHost, repository: str, number: int) -> Doc:
    repo = host.repo_facts(repository)
    async with host.lock(repository):
        doc = get(host, repository, number)
        if doc["state"] != "closed":
            raise Conflict(
                f"pull request #{number} is {doc['state']}: only closed ones can be reopened"
            )
        refs = await _refs.snapshot(host.git, repo.path)
        doc["head_sha"] = _branch_sha(refs, doc["head"], repository, "head", reopen=True)
        doc["base_sha"] = _branch_sha(refs, doc["base"], repository, "base", reopen=True)
        _no_other_open(host, repository, doc["head"], doc["base"])
        doc.update(state="open", closed_at=None, updated_at=fields.now())
        await _transition(host, repository, doc, "PULL_REQUEST_REOPENED")
    return doc


async def merge(host: GitHost, repository: str, number: int) -> Doc:
    repo = host.repo_facts(repository)
    async with host.lock(repository):
        doc = get(host, repository, number)
        if doc["state"] != "open":
            raise Conflict(f"pull request #{number} is {doc['state']}: only open ones can merge")
        refs = await _refs.snapshot(host.git, repo.path)
        head_sha = _branch_sha(refs, doc["head"], repository, "head", merging=True)
        base_sha = _branch_sha(refs, doc["base"], repository, "base", merging=True)
        what = f"pull request #{number} ({doc['head']} into {doc['base']})"
        text = f"Merge pull request #{number} from {doc['head']}\n\n{doc['title']}\n"
        merged = await _merge.merge(host.git, repo.path, base_sha, head_sha, text, what)
        moved = await host.git.run(
            repo.path,
            "update-ref",
            "-m",
            f"merge pull request #{number}",
            _refs.HEADS + doc["base"],
            merged.sha,
            base_sha,
            ok=(0, 1, 128),
        )
        if moved.code != 0:
            raise Conflict(f"{doc['base']} moved while {what} was merged: merge again")
        message = await _refs.message(host.git, repo.path, head_sha)
        files = await _push.pull_files(host.git, repo.path, base_sha, head_sha)
        now = fields.now()
        doc.update(
            state="merged",
            head_sha=head_sha,
            base_sha=merged.sha,
            merge_commit_sha=merged.sha,
            merged_at=now,
            closed_at=now,
            updated_at=now,
        )

        def finish(outcome: _push.Outcome) -> None:
            outcome.events.append(
                _push.pull_event(
                    "PULL_REQUEST_MERGED", repo, doc, host.ACTOR, files=files, message=message
                )
            )
            outcome.docs.append((PULL, _push.pull_key(repository, number), doc))

        await host.settle(repository, host.ACTOR, skip=number, finish=finish)
    return doc


async def _transition(host: GitHost, repository: str, doc: Doc, kind: EventKind) -> None:
    repo = host.repo_facts(repository)
    message = await _refs.message(host.git, repo.path, doc["head_sha"])
    files = await _push.pull_files(host.git, repo.path, doc["base_sha"], doc["head_sha"])
    event = _push.pull_event(kind, repo, doc, host.ACTOR, files=files, message=message)
    host.events.record([event], [(PULL, _push.pull_key(repository, doc["number"]), doc)])


def _title(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TITLE or "\n" in value:
        raise ValidationError(f"title must be one line of at most {MAX_TITLE} characters", "title")
    return value.strip()


def _branch_sha(
    refs: _refs.Snapshot,
    branch: str,
    repository: str,
    field: str,
    reopen: bool = False,
    merging: bool = False,
) -> str:
    sha = refs.get(_refs.HEADS + branch)
    if sha is not None:
        return sha
    if reopen or merging:
        raise Conflict(f"the {field} branch {branch!r} no longer exists in {repository}")
    raise ValidationError(
        f"{field} branch {branch!r} does not exist in {repository}: push it first", field
    )


def _no_other_open(host: GitHost, repository: str, head: str, base: str) -> None:
    for other in find(host, repository, "open"):
        if other["head"] == head and other["base"] == base:
            raise Conflict(
                f"pull request #{other['number']} from {head} into {base} is already open"
            )


def _next_number(host: GitHost, repository: str) -> int:
    counter = host.store.get(COUNTER, repository)
    return (int(counter["last"]) if counter else 0) + 1

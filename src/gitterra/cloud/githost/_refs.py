"""What a push changed: ref snapshots, their difference, and the facts of each change.

The host takes a snapshot of every ref (``git for-each-ref``) before and after a receive-pack
request, with the repository's lock held so that no other push or merge interleaves;
:func:`changes` compares the two (pure). :func:`describe` then asks git what each change means:
whether it was forced (the old commit is not an ancestor of the new one), which files it
touched, and the head commit's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitterra.cloud.githost._git import Git
from gitterra.triggers import ZERO_SHA

#: ref name -> object id
Snapshot = dict[str, str]

HEADS = "refs/heads/"


@dataclass(frozen=True, slots=True)
class RefChange:
    """One ref moved: ``before``/``after`` are ``ZERO_SHA`` for a created/deleted ref."""

    ref: str
    before: str
    after: str

    @property
    def created(self) -> bool:
        return self.before == ZERO_SHA

    @property
    def deleted(self) -> bool:
        return self.after == ZERO_SHA

    @property
    def branch(self) -> str | None:
        """The branch name of a ``refs/heads/`` ref, else None."""
        return self.ref[len(HEADS) :] if self.ref.startswith(HEADS) else None


@dataclass(frozen=True, slots=True)
class ChangeFacts:
    """What git says about a change: forced, the files it touched, the head message."""

    forced: bool
    files: tuple[str, ...]
    message: str


async def snapshot(git: Git, repo: Path) -> Snapshot:
    """Every ref of ``repo`` with the object it points at (NUL-separated: names are data)."""
    done = await git.run(repo, "for-each-ref", "--format=%(objectname)%00%(refname)")
    refs: Snapshot = {}
    for line in done.text.splitlines():
        sha, sep, ref = line.partition("\0")
        if sep:
            refs[ref] = sha
    return refs


def changes(old: Snapshot, new: Snapshot) -> list[RefChange]:
    """The refs that differ between two snapshots, ordered by name."""
    return [
        RefChange(ref, old.get(ref, ZERO_SHA), new.get(ref, ZERO_SHA))
        for ref in sorted(old.keys() | new.keys())
        if old.get(ref) != new.get(ref)
    ]


async def peel(git: Git, repo: Path, sha: str) -> str | None:
    """The commit ``sha`` is or points at (an annotated tag's target), None if none."""
    if sha == ZERO_SHA:
        return None
    done = await git.run(repo, "rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}", ok=(0, 1))
    if done.code != 0:
        return None
    return done.text.strip() or None


async def is_ancestor(git: Git, repo: Path, older: str, newer: str) -> bool:
    done = await git.run(repo, "merge-base", "--is-ancestor", older, newer, ok=(0, 1))
    return done.code == 0


async def merge_base(git: Git, repo: Path, one: str, two: str) -> str | None:
    done = await git.run(repo, "merge-base", one, two, ok=(0, 1))
    if done.code != 0:
        return None
    return done.text.strip() or None


async def files_between(git: Git, repo: Path, base: str | None, head: str) -> tuple[str, ...]:
    """Paths that differ from ``base`` to ``head`` (renames as both paths); every path of
    ``head``'s tree when there is no base."""
    if base is None:
        done = await git.run(repo, "ls-tree", "-r", "-z", "--name-only", head)
    else:
        done = await git.run(
            repo, "diff-tree", "-r", "-z", "--name-only", "--no-renames", base, head
        )
    return tuple(p for p in done.text.split("\0") if p)


async def message(git: Git, repo: Path, commit: str) -> str:
    done = await git.run(repo, "log", "-1", "--format=%B", commit)
    return done.text.rstrip("\n")


async def describe(git: Git, repo: Path, change: RefChange, base: str | None) -> ChangeFacts:
    """The facts of ``change``. A created ref's files are those its commits changed relative
    to ``base`` (the default branch's commit; None when the ref is the default branch or
    there is none): from their merge base, or its whole tree when unrelated."""
    after = await peel(git, repo, change.after)
    if after is None:  # deleted, or a tag of something that is no commit
        return ChangeFacts(False, (), "")
    text = await message(git, repo, after)
    if change.created:
        start = await merge_base(git, repo, base, after) if base else None
        return ChangeFacts(False, await files_between(git, repo, start, after), text)
    before = await peel(git, repo, change.before)
    if before is None:
        return ChangeFacts(True, await files_between(git, repo, None, after), text)
    forced = not await is_ancestor(git, repo, before, after)
    return ChangeFacts(forced, await files_between(git, repo, before, after), text)

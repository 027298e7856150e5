"""Merging a pull request inside the bare repository, without a work tree.

A fast-forward when the base is an ancestor of the head; otherwise a real merge commit whose
parents are base then head: ``git merge-tree --write-tree`` computes the merged tree (or the
conflicting paths, which refuse the merge with :class:`MergeConflict`), ``git commit-tree``
makes the commit as ``gitterra``. The ref is moved by the caller with ``git update-ref REF NEW
OLD`` so that it only moves from the commit the merge was computed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitterra.cloud import Conflict
from gitterra.cloud.githost import _refs
from gitterra.cloud.githost._errors import MergeConflict
from gitterra.cloud.githost._git import IDENTITY, Git

#: Conflicting paths listed in the refusal before "and N more".
SHOWN_CONFLICTS = 20


@dataclass(frozen=True, slots=True)
class Merged:
    """The new commit of the base branch, and whether it is the head itself (fast-forward)."""

    sha: str
    fast_forward: bool


async def merge(
    git: Git, repo: Path, base_sha: str, head_sha: str, message: str, what: str
) -> Merged:
    """Merge ``head_sha`` into ``base_sha`` (``what`` names the branches for messages)."""
    if await _refs.is_ancestor(git, repo, head_sha, base_sha):
        raise Conflict(f"nothing to merge: {what} adds no commit the base does not have")
    if await _refs.is_ancestor(git, repo, base_sha, head_sha):
        return Merged(head_sha, True)
    done = await git.run(
        repo,
        "merge-tree",
        "--write-tree",
        "--name-only",
        "--no-messages",
        "-z",
        base_sha,
        head_sha,
        ok=(0, 1),
    )
    tree, *rest = done.text.split("\0")
    if done.code == 1:
        files = [p for p in rest if p]
        shown = ", ".join(files[:SHOWN_CONFLICTS])
        more = f" and {len(files) - SHOWN_CONFLICTS} more" if len(files) > SHOWN_CONFLICTS else ""
        raise MergeConflict(
            f"{what} cannot be merged: these files conflict: {shown}{more}. Merge the base "
            "into the head branch, resolve them, push, and merge again",
            files,
        )
    made = await git.run(
        repo,
        "commit-tree",
        tree.strip(),
        "-p",
        base_sha,
        "-p",
        head_sha,
        "-F",
        "-",
        stdin=message.encode(),
        env=IDENTITY,
    )
    return Merged(made.text.strip(), False)

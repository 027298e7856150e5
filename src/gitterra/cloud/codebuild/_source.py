"""Getting a build's source: a fresh git repository in the workspace, one fetch, one checkout.

Everything runs as ``git`` argument lists (never a shell), with ``--end-of-options`` before
anything that came from outside (refs, commits, URLs), so a branch named ``$(touch /tmp/x)``
or ``--upload-pack=...`` is only ever a name. The exact commit is checked out detached; its id
becomes ``CODEBUILD_RESOLVED_SOURCE_VERSION``. With a clone depth, the commit is fetched by id
(protocol v2 allows it) and, where a server refuses that, through its ref.

Errors::

    SourceError     git failed (the message says which step and git's last words)
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitterra.cloud import CloudError
from gitterra.cloud.codebuild import _projects

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

_SHA = re.compile(r"[0-9a-f]{40}")
_REF = re.compile(r"refs/[^\x00-\x20:~^?*\[\\]+")
_PR = re.compile(r"pr/([0-9]+)")
_TARGET = "refs/gitterra/source"


class SourceError(Exception):
    """The source could not be fetched or checked out."""


@dataclass(frozen=True, slots=True)
class Wanted:
    """What to check out: ``sha`` (a webhook's commit) and/or ``ref`` (where it lives), or
    ``version`` (what a person asked for: a commit, branch, tag, ``pr/N``, a full ref, or
    ``""`` for the default branch)."""

    url: str
    depth: int
    sha: str = ""
    ref: str = ""
    version: str = ""


async def fetch(
    wanted: Wanted, src: Path, env: Mapping[str, str], log: Callable[[str], None]
) -> str:
    """Put the wanted commit in ``src`` (created); its full id."""
    git = _Git(src, env, log)
    src.mkdir(parents=True, exist_ok=True)
    await git.run("initialise the repository", "init", "-q", ".")
    await git.run("add the remote", "remote", "add", "origin", "--end-of-options", wanted.url)
    if wanted.sha:
        if not _SHA.fullmatch(wanted.sha):
            raise SourceError(f"{wanted.sha!r} is not a commit id")
        await _fetch_commit(git, wanted)
        target = wanted.sha
    else:
        target = await _fetch_version(git, wanted)
    # target is a checked commit id or our own ref: nothing from outside reaches checkout.
    await git.run(
        "check out the commit",
        *("-c", "advice.detachedHead=false", "checkout", "-q", "--detach", target),
    )
    return (await git.run("read the commit id", "rev-parse", "HEAD")).strip()


async def _fetch_commit(git: _Git, wanted: Wanted) -> None:
    depth = _depth(wanted.depth)
    if await git.ok("fetch", "-q", "--no-tags", *depth, "--end-of-options", "origin", wanted.sha):
        return
    ref = _valid_ref(wanted.ref) if wanted.ref else ""
    if ref:
        spec = f"+{ref}:{_TARGET}"
        await git.ok("fetch", "-q", "--no-tags", *depth, "--end-of-options", "origin", spec)
        if await git.ok("cat-file", "-e", f"{wanted.sha}^{{commit}}"):
            return
        if depth:
            await git.ok("fetch", "-q", "--no-tags", "--end-of-options", "origin", spec)
            if await git.ok("cat-file", "-e", f"{wanted.sha}^{{commit}}"):
                return
    raise SourceError(
        f"commit {wanted.sha} could not be fetched from {wanted.url}"
        + (f" (nor through {ref})" if ref else "")
        + (f": {git.last_error}" if git.last_error else "")
    )


async def _fetch_version(git: _Git, wanted: Wanted) -> str:
    version = wanted.version.strip()
    depth = _depth(wanted.depth)
    if _SHA.fullmatch(version):
        await _fetch_commit(git, Wanted(wanted.url, wanted.depth, sha=version))
        return version
    if not version:
        candidates = ["HEAD"]
    elif version.startswith("refs/"):
        candidates = [_valid_ref(version)]
    elif (pr := _PR.fullmatch(version)) is not None:
        candidates = [f"refs/pull/{pr.group(1)}/head", f"refs/pull/{pr.group(1)}/merge"]
    else:
        candidates = [_valid_ref(f"refs/heads/{version}"), _valid_ref(f"refs/tags/{version}")]
    for ref in candidates:
        spec = f"+{ref}:{_TARGET}"
        if await git.ok("fetch", "-q", "--no-tags", *depth, "--end-of-options", "origin", spec):
            return _TARGET
    shown = version or "the default branch"
    raise SourceError(
        f"{shown} was not found in {wanted.url}" + (f": {git.last_error}" if git.last_error else "")
    )


def is_sha(text: str) -> bool:
    return _SHA.fullmatch(text) is not None


async def ls_remote(url: str, ref: str, env: Mapping[str, str]) -> tuple[str, str]:
    """The ref ``ref`` resolves to at ``url`` (``HEAD``: the branch it points at) and its
    commit, asked without fetching anything."""
    git = _Git(Path(env.get("HOME", ".")), env, lambda line: None)
    args = ["ls-remote", "--symref"] if ref == "HEAD" else ["ls-remote"]
    target = "HEAD" if ref == "HEAD" else _valid_ref(ref)
    out = await git.run(f"ask {url} for {target}", *args, "--end-of-options", url, target)
    symref, sha = "", ""
    for line in out.splitlines():
        left, _, right = line.partition("\t")
        if left.startswith("ref: ") and right == "HEAD":
            symref = left[len("ref: ") :]
        elif right == target and _SHA.fullmatch(left):
            sha = left
    if not sha:
        raise SourceError(f"{target} was not found in {url}")
    return (symref or target), sha


def fetch_url(svc: CodeBuild, source: Mapping[str, Any]) -> str:
    """Where a project's source is fetched from: the git host's repository for a GITTERRA
    source (its path on this machine), else the location."""
    if source["type"] != "GITTERRA":
        return str(source["location"])
    host = svc.githost
    if host is None:
        raise SourceError("the git host is not running")
    try:
        return str(host.path(_projects.repository_name(source["location"])))
    except CloudError as exc:  # NotFound: the repository is gone
        raise SourceError(f"repository {source['location']}: {exc}") from exc


def _depth(depth: int) -> tuple[str, ...]:
    return (f"--depth={depth}",) if depth > 0 else ()


def _valid_ref(ref: str) -> str:
    if not _REF.fullmatch(ref) or ".." in ref or ref.endswith((".lock", "/", ".")):
        raise SourceError(f"{ref!r} is not a valid git ref")
    return ref


class _Git:
    """``git`` in one directory; its output goes to the build log."""

    def __init__(self, cwd: Path, env: Mapping[str, str], log: Callable[[str], None]) -> None:
        self.cwd = cwd
        self.env = dict(env)
        self.log = log
        self.last_error = ""

    async def ok(self, *args: str) -> bool:
        code, _ = await self._exec(args)
        return code == 0

    async def run(self, what: str, *args: str) -> str:
        code, out = await self._exec(args)
        if code != 0:
            raise SourceError(f"git could not {what}: {self.last_error or f'exit status {code}'}")
        return out

    async def _exec(self, args: tuple[str, ...]) -> tuple[int, str]:
        try:
            proc = await asyncio.create_subprocess_exec(
                "git",
                *args,
                cwd=self.cwd,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise SourceError(f"git cannot be run: {exc}") from exc
        try:
            out, err = await proc.communicate()
        except asyncio.CancelledError:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        lines = err.decode("utf-8", "replace").splitlines()
        for line in lines:
            self.log(line)
        if proc.returncode != 0 and lines:
            self.last_error = lines[-1].removeprefix("fatal: ").removeprefix("error: ")
        return int(proc.returncode or 0), out.decode("utf-8", "replace")

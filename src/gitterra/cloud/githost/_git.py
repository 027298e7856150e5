"""Running git for the host: argument lists and an explicit environment, never a shell.

Every git process the host starts gets the same small environment (:meth:`Git.env`): ``PATH``,
a ``HOME`` of its own, no system or global configuration (so the server user's git settings,
hooks paths or credential helpers never apply), ``C`` messages and no terminal prompts. Branch
names, paths and messages reach git only as separate arguments or on stdin.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from gitterra.cloud.githost._errors import GitError

#: The identity of commits the host makes itself (pull request merges).
IDENTITY = {
    "GIT_AUTHOR_NAME": "gitterra",
    "GIT_AUTHOR_EMAIL": "gitterra@localhost",
    "GIT_COMMITTER_NAME": "gitterra",
    "GIT_COMMITTER_EMAIL": "gitterra@localhost",
}


@dataclass(frozen=True, slots=True)
class Completed:
    """A finished git command."""

    code: int
    out: bytes
    err: bytes

    @property
    def text(self) -> str:
        """stdout as text (undecodable bytes replaced: names and messages are data)."""
        return self.out.decode("utf-8", "replace")


class Git:
    """The git executable with the host's environment (see the module docstring)."""

    def __init__(self, executable: str | None, home: Path) -> None:
        self.executable = executable
        self.home = home

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The whole environment of a git process (nothing else is inherited)."""
        env = {
            "PATH": os.environ.get("PATH") or os.defpath,
            "HOME": str(self.home),
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ATTR_NOSYSTEM": "1",
        }
        env.update(extra or {})
        return env

    def argv(self, repo: Path | None, args: tuple[str, ...]) -> list[str]:
        if self.executable is None:
            raise GitError("git is not installed on the server (install git and restart it)")
        head = [self.executable]
        if repo is not None:
            head.append(f"--git-dir={repo}")
        return [*head, *args]

    async def run(
        self,
        repo: Path | None,
        *args: str,
        stdin: bytes | None = None,
        ok: Collection[int] = (0,),
        env: Mapping[str, str] | None = None,
    ) -> Completed:
        """``git --git-dir=REPO ARGS``; an exit status outside ``ok`` is a :class:`GitError`.
        Cancelled, the process is killed and reaped before the cancellation goes on."""
        proc = await asyncio.create_subprocess_exec(
            *self.argv(repo, args),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env(env),
            cwd=self.home,
        )
        try:
            out, err = await proc.communicate(stdin)
        except BaseException:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        code = proc.returncode
        assert code is not None
        if code not in ok:
            where = f" in {repo.name}" if repo is not None else ""
            raise GitError(f"git {args[0]}{where} exited {code}", err.decode("utf-8", "replace"))
        return Completed(code, out, err)

    def run_sync(self, repo: Path | None, *args: str) -> Completed:
        """The same, blocking: for the few quick commands of synchronous calls (``init``)."""
        try:
            proc = subprocess.run(
                self.argv(repo, args),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                env=self.env(),
                cwd=self.home,
                check=False,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GitError(f"git {args[0]} could not run ({exc})") from exc
        if proc.returncode != 0:
            raise GitError(
                f"git {args[0]} exited {proc.returncode}", proc.stderr.decode("utf-8", "replace")
            )
        return Completed(proc.returncode, proc.stdout, proc.stderr)

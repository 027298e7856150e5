"""Real git repositories for the build service's tests, made with the git CLI in temp dirs.

``Repo(bare)`` holds a bare repository (what a git host or forge serves) and a working clone
to commit in; ``commit`` writes files, commits and pushes, returning the new commit id.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENV = {
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **ENV, "HOME": str(cwd)}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


class Repo:
    """A bare repository at ``bare`` and a clone of it at ``work``."""

    def __init__(self, bare: Path) -> None:
        self.bare = bare
        self.work = bare.parent / (bare.name.removesuffix(".git") + "-work")
        bare.parent.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "--bare", "-b", "main", str(bare), cwd=bare.parent)
        git("init", "-q", "-b", "main", str(self.work), cwd=bare.parent)
        git("remote", "add", "origin", str(bare), cwd=self.work)

    def commit(self, files: dict[str, str], message: str = "change", branch: str = "main") -> str:
        """Write ``files`` on ``branch`` (created from the current commit if new), commit, push."""
        current = git("symbolic-ref", "--short", "HEAD", cwd=self.work)
        if current != branch:
            exists = git("branch", "--list", "--", branch, cwd=self.work)
            if exists:
                git("checkout", "-q", branch, cwd=self.work)
            else:
                git("checkout", "-q", "-b", branch, cwd=self.work)
        for name, text in files.items():
            path = self.work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        git("add", "-A", cwd=self.work)
        git("commit", "-q", "--allow-empty", "-m", message, cwd=self.work)
        git("push", "-q", "origin", f"HEAD:refs/heads/{branch}", cwd=self.work)
        return git("rev-parse", "HEAD", cwd=self.work)

    def sha(self, ref: str = "HEAD") -> str:
        return git("rev-parse", ref, cwd=self.work)

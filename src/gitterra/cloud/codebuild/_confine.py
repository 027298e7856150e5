"""A build's confinement and its secrets' masks: what ``_run`` asks of the isolation.

- The workspace: ``src`` and ``home`` belong to the run user (after the source is fetched as the
  server's user, the checkout is handed over without following its links); the build's own
  root, its log and its artifacts stay the server's and unreadable to it.
- The sandbox: the build's shell runs through ``Cloud.isolation`` (a namespace that shows it
  only its own ``src``, ``home`` and the runner's private directory; the run user), see
  ``gitterra.cloud.isolation``.
- The masks: every secret the build can see — its secret variables, its token, the source
  credentials' tokens — is masked in its log and in its exported variables.
- Artifacts are copied without following a link the build may have put in their place.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gitterra import pipeline
from gitterra.cloud import isolation

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild


def prepare(svc: CodeBuild, root: Path, src: Path, home: Path) -> None:
    """The build's directories: the server's until the source is fetched (git refuses to
    work in a directory another user owns), its files unreadable to the run user."""
    isolation.workspace(svc.cloud.isolation, root, [])
    for path in (src, home):
        path.mkdir(exist_ok=True)
    for own in root.iterdir():
        if own not in (src, home) and not own.is_symlink():
            os.chmod(own, 0o700 if own.is_dir() else 0o600)


def hand_over(svc: CodeBuild, src: Path, home: Path) -> None:
    """Give the fetched checkout (and the home git ran in) to the run user."""
    for path in (src, home):
        isolation.hand_over(svc.cloud.isolation, path)


def sandbox(svc: CodeBuild, src: Path, home: Path) -> pipeline.Sandbox | None:
    """How the build's shell runs (None: as the server runs, level ``none``)."""
    found = svc.cloud.isolation
    if found.level == isolation.NONE:
        return None

    def wrap(argv: list[str], private: Sequence[Path]) -> list[str]:
        return found.command(argv, cwd=src, writable=[src, home, *private])

    return pipeline.Sandbox(found.user.name if found.user else None, wrap)


def masks(svc: CodeBuild, secrets: Iterable[str], token: str) -> list[str]:
    """The values masked in a build's log: its secrets, its token, the source credentials."""
    return [*secrets, token, *svc.credentials.tokens()]


def copy_artifact(source: Path, dest: Path) -> None:
    """Copy a collected artifact file (a regular file, links not followed)."""
    fd = isolation.open_regular(source)
    with os.fdopen(fd, "rb") as fin, dest.open("wb") as fout:
        shutil.copyfileobj(fin, fout)
    os.chmod(dest, 0o600)

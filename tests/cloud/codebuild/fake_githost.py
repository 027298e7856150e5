"""A fake git host beside the ``GitHost`` interface (``gitterra.cloud.codebuild.GitHost``):
real bare repositories under ``DATA_DIR/git/<name>.git``, events emitted by the test, and the
commit statuses it was given, recorded."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from gitterra import triggers
from gitterra.cloud import Cloud, NotFound
from gitterra.cloud.codebuild import EventCallback
from tests.cloud.codebuild.gitrepo import Repo


class FakeGitHost:
    name = "githost"

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.callbacks: list[EventCallback] = []
        self.statuses: list[dict[str, Any]] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._count = 0

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()

    async def stop(self, terminate: bool) -> None:
        del terminate

    def path(self, name: str) -> Path:
        path = self.cloud.data_dir / "git" / f"{name}.git"
        if not path.is_dir():
            raise NotFound(f"repository {name} does not exist")
        return path

    def create(self, name: str) -> Repo:
        return Repo(self.cloud.data_dir / "git" / f"{name}.git")

    def subscribe(self, callback: EventCallback) -> None:
        self.callbacks.append(callback)

    def set_status(
        self, repository: str, sha: str, context: str, state: str, target_url: str, description: str
    ) -> None:
        self.statuses.append(
            {
                "repository": repository,
                "sha": sha,
                "context": context,
                "state": state,
                "target_url": target_url,
                "description": description,
            }
        )

    def event(self, repository: str, **fields: Any) -> triggers.Event:
        """A PUSH of refs/heads/main by default; ``fields`` change it."""
        self._count += 1
        values: dict[str, Any] = {
            "kind": "PUSH",
            "head_ref": "refs/heads/main",
            "base_ref": None,
            "before": triggers.ZERO_SHA,
            "after": "",
            "changed_files": (),
            "commit_message": "change",
            "actor_account_id": "1",
            "actor": "tester",
            "repository": repository,
            "clone_url": f"{self.cloud.endpoint}/git/{repository}.git",
            "pull_request": None,
            "deleted": False,
            "created": False,
            "forced": False,
            "delivery_id": f"githost-{self._count}",
            "source": "githost",
        }
        values.update(fields)
        return triggers.Event(**values)

    def emit(self, event: triggers.Event) -> None:
        """Deliver ``event`` to the subscribers in the server's loop (from the test thread)."""
        assert self.loop is not None

        async def deliver() -> None:
            for callback in self.callbacks:
                await callback(event)

        asyncio.run_coroutine_threadsafe(deliver(), self.loop).result(timeout=60)

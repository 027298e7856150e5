"""What the build service needs from its neighbours, as protocols (STYLE.md §2).

The git host (``gitterra.cloud.githost``, service ``"githost"``) is found on the cloud at start
by shape, not by import: a service with these methods. Tests put a fake beside it
(``tests/cloud/codebuild/fake_githost.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from gitterra import triggers

EventCallback = Callable[[triggers.Event], Awaitable[None]]


@runtime_checkable
class GitHost(Protocol):
    """The git host's interface as the build service uses it.

    Side effects allowed: ``subscribe`` registers a callback the git host awaits for every
    event in order (at-least-once: events not acknowledged before a crash come again);
    ``set_status`` records a commit status; ``path`` only names a directory.
    """

    def path(self, name: str) -> Path:
        """The bare repository on disk (raises the cloud's ``NotFound`` for an unknown one)."""
        ...

    def subscribe(self, callback: EventCallback) -> None: ...

    def set_status(
        self,
        repository: str,
        sha: str,
        context: str,
        state: str,
        target_url: str,
        description: str,
    ) -> None: ...

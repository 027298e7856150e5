"""The normalised event: what happened in a repository, whoever reported it.

A push to gitterra's own git host and a GitHub, GitLab or Gitea webhook delivery become the same
:class:`Event`, in CodeBuild's vocabulary (``PUSH``, ``PULL_REQUEST_UPDATED`` …), so that filter
groups, build variables and the build queue never look at a forge's payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

EventKind = Literal[
    "PUSH",
    "PULL_REQUEST_CREATED",
    "PULL_REQUEST_UPDATED",
    "PULL_REQUEST_REOPENED",
    "PULL_REQUEST_MERGED",
    "PULL_REQUEST_CLOSED",
    "RELEASED",
    "PRERELEASED",
]
Source = Literal["github", "gitlab", "gitea", "githost", "poll"]

EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
PULL_REQUEST_KINDS: frozenset[EventKind] = frozenset(k for k in EVENT_KINDS if "PULL_REQUEST" in k)
RELEASE_KINDS: frozenset[EventKind] = frozenset({"RELEASED", "PRERELEASED"})
SOURCES: tuple[Source, ...] = get_args(Source)

#: The object id git and the forges write for "no commit" (a created ref's ``before``, a
#: deleted ref's ``after``).
ZERO_SHA = "0" * 40

_HEADS = "refs/heads/"
_TAGS = "refs/tags/"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that may start a build.

    ``head_ref`` is a full ref: the pushed ref, a pull request's head branch as
    ``refs/heads/<branch>``, a release's tag as ``refs/tags/<tag>``. ``base_ref`` is the pull
    request's target (``refs/heads/main``), None for anything else. ``after`` is the commit to
    build (the pushed commit, the pull request's head commit; ``ZERO_SHA`` for a deleted ref, ""
    for a release, whose payload names only a tag). ``changed_files`` and ``commit_message`` are
    what the report carried: forges' pull request payloads carry neither, so they are empty
    there. ``delivery_id`` identifies the report (a forge's delivery GUID, reused when the forge
    redelivers) so that a replay is recognised. ``release_name`` is set for releases only.
    """

    kind: EventKind
    head_ref: str
    base_ref: str | None
    before: str | None
    after: str
    changed_files: tuple[str, ...]
    commit_message: str
    actor_account_id: str
    actor: str
    repository: str
    clone_url: str
    pull_request: int | None
    deleted: bool
    created: bool
    forced: bool
    delivery_id: str
    source: Source
    release_name: str | None = None

    def __post_init__(self) -> None:
        # Events are built by our parsers and by the git host: a broken invariant is a bug there.
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}")
        if self.source not in SOURCES:
            raise ValueError(f"unknown event source {self.source!r}")
        if not isinstance(self.changed_files, tuple):
            raise TypeError("Event.changed_files must be a tuple")
        is_pr = self.kind in PULL_REQUEST_KINDS
        if is_pr != (self.pull_request is not None) or is_pr != (self.base_ref is not None):
            raise ValueError(
                f"{self.kind} event: pull_request and base_ref are set for pull requests only"
            )

    @property
    def is_pull_request(self) -> bool:
        return self.kind in PULL_REQUEST_KINDS

    @property
    def is_release(self) -> bool:
        return self.kind in RELEASE_KINDS

    @property
    def webhook_event(self) -> EventKind:
        """``CODEBUILD_WEBHOOK_EVENT``: the event kind."""
        return self.kind

    @property
    def tag_name(self) -> str | None:
        """The tag of ``head_ref`` (``v1`` for ``refs/tags/v1``), None when it is no tag."""
        return self.head_ref[len(_TAGS) :] if self.head_ref.startswith(_TAGS) else None

    @property
    def trigger(self) -> str:
        """``CODEBUILD_WEBHOOK_TRIGGER``: ``pr/7``, ``branch/main`` or ``tag/v1`` (a ref of
        another namespace is given whole, as CodeBuild has no word for it)."""
        if self.pull_request is not None:
            return f"pr/{self.pull_request}"
        if self.head_ref.startswith(_HEADS):
            return "branch/" + self.head_ref[len(_HEADS) :]
        if self.head_ref.startswith(_TAGS):
            return "tag/" + self.head_ref[len(_TAGS) :]
        return self.head_ref

    @property
    def source_version(self) -> str:
        """``CODEBUILD_SOURCE_VERSION``: ``pr/7`` for pull requests, else the commit (a
        release, which names no commit, gives its tag ref)."""
        if self.pull_request is not None:
            return f"pr/{self.pull_request}"
        return self.after or self.head_ref

    def codebuild_variables(self) -> dict[str, str]:
        """The ``CODEBUILD_WEBHOOK_*`` variables (and source version and repository URL) a
        build started by this event sees, with CodeBuild's names and formats."""
        env = {
            "CODEBUILD_WEBHOOK_EVENT": self.kind,
            "CODEBUILD_WEBHOOK_TRIGGER": self.trigger,
            "CODEBUILD_WEBHOOK_HEAD_REF": self.head_ref,
            "CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID": self.actor_account_id,
            "CODEBUILD_SOURCE_VERSION": self.source_version,
            "CODEBUILD_SOURCE_REPO_URL": self.clone_url,
        }
        if self.base_ref is not None:
            env["CODEBUILD_WEBHOOK_BASE_REF"] = self.base_ref
        if self.before and self.before != ZERO_SHA:
            env["CODEBUILD_WEBHOOK_PREV_COMMIT"] = self.before
        return env

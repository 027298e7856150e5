"""The Event value: CodeBuild's view of it (trigger, source version, build variables) and the
invariants every producer (forge parsers, the git host) must keep."""

from __future__ import annotations

import pytest

from gitterra import triggers
from tests.triggers.cases import make_event


@pytest.mark.parametrize(
    ("overrides", "trigger", "source_version"),
    [
        ({}, "branch/main", "2" * 40),
        ({"head_ref": "refs/heads/feature/login"}, "branch/feature/login", "2" * 40),
        ({"head_ref": "refs/tags/v1.2"}, "tag/v1.2", "2" * 40),
        ({"head_ref": "refs/notes/commits"}, "refs/notes/commits", "2" * 40),
        ({"kind": "PULL_REQUEST_UPDATED"}, "pr/7", "pr/7"),
        ({"kind": "RELEASED"}, "tag/v1", "refs/tags/v1"),
    ],
)
def test_codebuild_view(overrides: dict[str, object], trigger: str, source_version: str) -> None:
    event = make_event(**overrides)
    assert event.trigger == trigger
    assert event.source_version == source_version
    assert event.webhook_event == event.kind


def test_variables_of_a_pull_request() -> None:
    event = make_event(kind="PULL_REQUEST_UPDATED", before="3" * 40)
    assert event.codebuild_variables() == {
        "CODEBUILD_WEBHOOK_EVENT": "PULL_REQUEST_UPDATED",
        "CODEBUILD_WEBHOOK_TRIGGER": "pr/7",
        "CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/topic",
        "CODEBUILD_WEBHOOK_BASE_REF": "refs/heads/main",
        "CODEBUILD_WEBHOOK_PREV_COMMIT": "3" * 40,
        "CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID": "42",
        "CODEBUILD_SOURCE_VERSION": "pr/7",
        "CODEBUILD_SOURCE_REPO_URL": "http://127.0.0.1/git/alice/mysite.git",
    }


def test_a_created_branch_has_no_previous_commit() -> None:
    event = make_event(before=triggers.ZERO_SHA, created=True)
    assert "CODEBUILD_WEBHOOK_PREV_COMMIT" not in event.codebuild_variables()


def test_tag_name() -> None:
    assert make_event(head_ref="refs/tags/v1").tag_name == "v1"
    assert make_event().tag_name is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "PUSHED"}, "unknown event kind 'PUSHED'"),
        ({"source": "bitbucket"}, "unknown event source 'bitbucket'"),
        ({"pull_request": 3}, "set for pull requests only"),
        ({"kind": "PULL_REQUEST_CREATED", "pull_request": None}, "set for pull requests only"),
        ({"kind": "PULL_REQUEST_CREATED", "base_ref": None}, "set for pull requests only"),
    ],
)
def test_broken_invariants_are_bugs(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_event(**overrides)


def test_changed_files_must_be_a_tuple() -> None:
    event = make_event()
    fields = {name: getattr(event, name) for name in event.__dataclass_fields__}
    fields["changed_files"] = ["a"]
    with pytest.raises(TypeError, match="tuple"):
        triggers.Event(**fields)  # type: ignore[arg-type]  # the mistake under test


def test_events_are_immutable_and_hashable() -> None:
    event = make_event(changed_files=("a", "b"))
    assert event == make_event(changed_files=("a", "b"))
    assert len({event, make_event(changed_files=("a", "b"))}) == 1
    with pytest.raises(AttributeError):
        event.kind = "PULL_REQUEST_CREATED"  # type: ignore[misc]  # frozen: the point of the test

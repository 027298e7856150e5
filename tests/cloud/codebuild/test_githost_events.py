"""Git host events through the build service, with a fake git host (real bare repositories,
events emitted by the test) until the real one lands: filter groups deciding which pushes and
pull requests build, the exact commit checked out with the webhook variables set, branch names
and commit messages that never run, a redelivered event built once, newer pushes superseding
queued builds, and commit statuses through ``set_status``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cloud.codebuild.conftest import (
    InProcess,
    P,
    W,
    builds,
    create,
    deliveries,
    in_process,
    log_of,
    project,
    until,
    wait_build,
)
from tests.cloud.codebuild.gitrepo import Repo

pytestmark = pytest.mark.slow

BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - echo "resolved=$CODEBUILD_RESOLVED_SOURCE_VERSION"
      - echo "source=$CODEBUILD_SOURCE_VERSION"
      - echo "trigger=$CODEBUILD_WEBHOOK_TRIGGER"
      - echo "event=$CODEBUILD_WEBHOOK_EVENT"
      - echo "head=$CODEBUILD_WEBHOOK_HEAD_REF"
      - echo "base=$CODEBUILD_WEBHOOK_BASE_REF"
      - echo "prev=$CODEBUILD_WEBHOOK_PREV_COMMIT"
      - echo "actor=$CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID"
      - echo "initiator=$CODEBUILD_INITIATOR"
      - echo "message=$(git log -1 --format=%s)"
      - echo "content=$(cat page.txt)"
"""

GROUPS = [
    {
        "filter": [
            {"type": "EVENT", "pattern": "PUSH"},
            {"type": "HEAD_REF", "pattern": "^refs/heads/main$"},
        ]
    },
    {
        "filter": [
            {"type": "EVENT", "pattern": "PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED"},
            {"type": "BASE_REF", "pattern": "^refs/heads/main$"},
        ]
    },
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    with in_process(tmp_path_factory.mktemp("githost")) as srv:
        yield srv


@pytest.fixture
def client(server: InProcess) -> httpx.Client:
    return server.client


def site(server: InProcess, name: str, groups: list[dict[str, object]] = GROUPS) -> Repo:
    repo = server.githost.create(name)
    source = {
        "type": "GITTERRA",
        "location": name,
        "git_clone_depth": 1,
        "report_build_status": True,
    }
    create(server.client, P, project(name, source=source))
    create(server.client, W, {"project_name": name, "filter_group": groups})
    return repo


def values(log: str) -> dict[str, str]:
    return dict(
        line.split("=", 1) for line in log.splitlines() if "=" in line and not line.startswith("[")
    )


def test_filter_groups_decide_what_builds(server: InProcess, client: httpx.Client) -> None:
    repo = site(server, "fox")
    first = repo.commit({"buildspec.yml": BUILDSPEC, "page.txt": "fox"}, "first")
    second = repo.commit({"page.txt": "fox 2"}, "second")
    host = server.githost
    host.emit(host.event("fox", after=second, before=first))
    [build] = until(lambda: builds(client, "fox"), "the push to main to queue a build")
    done = wait_build(client, build["id"])
    log = log_of(client, build["id"])
    assert done["status"] == "SUCCEEDED", log
    seen = values(log)
    assert seen["resolved"] == second == done["resolved_source_version"]
    assert seen["source"] == second
    assert (seen["trigger"], seen["event"], seen["head"]) == (
        "branch/main",
        "PUSH",
        "refs/heads/main",
    )
    assert seen["prev"] == first
    assert seen["initiator"] == "githost-webhook/tester"
    assert seen["content"] == "fox 2"
    [record] = [d for d in deliveries(client, "fox") if d["delivery_id"] == "githost-1"] or [
        deliveries(client, "fox")[0]
    ]
    assert record["status"] == "accepted"
    assert record["events"][0]["filter_group"] == 0
    assert "filter_group[0] matched" in record["events"][0]["explanation"]

    topic = repo.commit({"page.txt": "topic"}, "on a topic branch", branch="topic")
    host.emit(host.event("fox", after=topic, head_ref="refs/heads/topic"))
    ignored = deliveries(client, "fox")[0]
    assert ignored["status"] == "ignored"
    assert ignored["builds"] == []
    assert "no filter group matched" in ignored["events"][0]["explanation"]
    assert len(builds(client, "fox")) == 1

    host.emit(
        host.event(
            "fox",
            kind="PULL_REQUEST_CREATED",
            after=topic,
            head_ref="refs/heads/topic",
            base_ref="refs/heads/main",
            pull_request=7,
        )
    )
    pr_build = next(b for b in builds(client, "fox") if b["id"] != build["id"])
    done = wait_build(client, pr_build["id"])
    seen = values(log_of(client, pr_build["id"]))
    assert done["status"] == "SUCCEEDED"
    assert (seen["source"], seen["trigger"], seen["event"]) == (
        "pr/7",
        "pr/7",
        "PULL_REQUEST_CREATED",
    )
    assert (seen["head"], seen["base"], seen["resolved"]) == (
        "refs/heads/topic",
        "refs/heads/main",
        topic,
    )
    assert deliveries(client, "fox")[0]["events"][0]["filter_group"] == 1

    def statuses() -> list[tuple[str, str, str]]:
        return [
            (s["sha"], s["state"], s["context"]) for s in host.statuses if s["repository"] == "fox"
        ]

    # The final status is posted once the build has ended, not before its status is readable.
    until(lambda: len(statuses()) >= 4, "the pull request build's final status")
    assert statuses() == [
        (second, "pending", "gitterra/fox"),
        (second, "success", "gitterra/fox"),
        (topic, "pending", "gitterra/fox"),
        (topic, "success", "gitterra/fox"),
    ]
    assert host.statuses[-1]["target_url"] == f"{server.url}/builds/{pr_build['id']}"


def test_a_redelivered_event_is_built_once(server: InProcess, client: httpx.Client) -> None:
    repo = site(server, "again")
    sha = repo.commit({"buildspec.yml": BUILDSPEC, "page.txt": "x"})
    event = server.githost.event("again", after=sha)
    server.githost.emit(event)
    server.githost.emit(event)
    [build] = builds(client, "again")
    wait_build(client, build["id"])
    records = deliveries(client, "again")
    assert [r["status"] for r in records] == ["duplicate", "accepted"]
    assert "already received" in records[0]["reason"]
    assert len(builds(client, "again")) == 1


def test_branch_names_and_commit_messages_are_never_executed(
    server: InProcess, client: httpx.Client, tmp_path: Path
) -> None:
    pwned, ticks, dollar = tmp_path / "pwned", tmp_path / "ticks", tmp_path / "dollar"
    groups = [{"filter": [{"type": "EVENT", "pattern": "PUSH"}]}]
    repo = site(server, "hostile", groups)
    branch = f"$(touch${{IFS}}{pwned})"
    message = f"`touch {ticks}` $(touch {dollar}); echo ${{HOME}}"
    sha = repo.commit({"buildspec.yml": BUILDSPEC, "page.txt": "x"}, message, branch=branch)
    server.githost.emit(
        server.githost.event(
            "hostile", after=sha, head_ref=f"refs/heads/{branch}", commit_message=message
        )
    )
    [build] = until(lambda: builds(client, "hostile"), "the hostile push to queue a build")
    done = wait_build(client, build["id"])
    log = log_of(client, build["id"])
    assert done["status"] == "SUCCEEDED", log
    seen = values(log)
    assert seen["head"] == f"refs/heads/{branch}"
    assert seen["trigger"] == f"branch/{branch}"
    assert seen["message"] == message
    assert not pwned.exists()
    assert not ticks.exists()
    assert not dollar.exists()


def test_a_newer_push_supersedes_a_queued_build(
    server: InProcess, client: httpx.Client, gates: Path
) -> None:
    gate = gates / "supersede-gate"
    spec = BUILDSPEC + f"      - while [ ! -e {gate} ]; do sleep 0.05; done\n"
    repo = site(server, "busy", [{"filter": [{"type": "EVENT", "pattern": "PUSH"}]}])
    host = server.githost
    shas = [
        repo.commit({"buildspec.yml": spec, "page.txt": str(i)}, f"commit {i}") for i in range(3)
    ]
    host.emit(host.event("busy", after=shas[0]))
    [running] = builds(client, "busy")
    wait_build(client, running["id"], ("IN_PROGRESS",))
    host.emit(host.event("busy", after=shas[1], before=shas[0]))
    host.emit(host.event("busy", after=shas[2], before=shas[1]))
    newest, middle, _ = builds(client, "busy")
    assert middle["status"] == "STOPPED"
    assert middle["reason"] == f"superseded by {shas[2]} (build #3)"
    assert newest["status"] == "QUEUED"
    gate.touch()
    done = wait_build(client, newest["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["resolved_source_version"] == shas[2]
    assert wait_build(client, running["id"])["resolved_source_version"] == shas[0]


def test_events_of_repositories_without_projects_are_recorded(
    server: InProcess, client: httpx.Client
) -> None:
    server.githost.emit(server.githost.event("nobody-builds-this", after="a" * 40))
    record = deliveries(client)[0]
    assert record["status"] == "ignored"
    assert record["reason"] == "no project builds from repository nobody-builds-this"

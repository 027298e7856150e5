"""Polling a source that sends no webhooks: a project tagged ``gitterra:poll-interval`` builds
each new head of its branch once, with the webhook variables of a push; its webhook's filter
groups still apply; a bad interval is refused naming the tag."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.cloud.codebuild.conftest import (
    InProcess,
    P,
    W,
    builds,
    buildspec,
    create,
    log_of,
    project,
    until,
    wait_build,
)
from tests.cloud.conftest import api_error

TAG = "gitterra:poll-interval"
SPEC = buildspec(
    'echo "trigger=$CODEBUILD_WEBHOOK_TRIGGER prev=$CODEBUILD_WEBHOOK_PREV_COMMIT"',
    'echo "initiator=$CODEBUILD_INITIATOR"',
)


def poll(inproc: InProcess, name: str) -> dict[str, Any] | None:
    """One poll of ``name``, in the server's own loop (as its poller does)."""
    loop = inproc.githost.loop
    assert loop is not None
    doc = inproc.svc.projects.get(name)
    future = asyncio.run_coroutine_threadsafe(inproc.svc.poller.poll(doc), loop)
    return future.result(timeout=60)


def polled_project(inproc: InProcess, name: str) -> Any:
    repo = inproc.githost.create(name)
    first = repo.commit({"buildspec.yml": SPEC}, "first")
    source = {"type": "GITTERRA", "location": name}
    # An hour between automatic polls: the test polls by itself.
    create(inproc.client, P, project(name, source=source, tags={TAG: "3600"}))
    return repo, first


def test_a_new_head_builds_once(inproc: InProcess) -> None:
    repo, first = polled_project(inproc, "site")
    poll(inproc, "site")  # the first answer is remembered, not built
    assert builds(inproc.client, "site") == []
    second = repo.commit({"page.txt": "bear"}, "bear")
    queued = poll(inproc, "site")
    assert queued is not None
    done = wait_build(inproc.client, queued["id"])
    log = log_of(inproc.client, queued["id"])
    assert done["status"] == "SUCCEEDED", log
    assert done["resolved_source_version"] == second
    assert f"trigger=branch/main prev={first}" in log
    assert "initiator=codebuild-poll" in log
    assert poll(inproc, "site") is None  # the same head again: nothing more
    assert len(builds(inproc.client, "site")) == 1


def test_the_webhooks_filter_groups_still_apply(inproc: InProcess) -> None:
    repo, _ = polled_project(inproc, "filtered")
    groups = [
        {
            "filter": [
                {"type": "EVENT", "pattern": "PUSH"},
                {"type": "HEAD_REF", "pattern": "^refs/heads/release$"},
            ]
        }
    ]
    create(inproc.client, W, {"project_name": "filtered", "filter_group": groups})
    poll(inproc, "filtered")
    repo.commit({"page.txt": "bear"}, "bear")
    assert poll(inproc, "filtered") is None
    assert builds(inproc.client, "filtered") == []


@pytest.mark.parametrize("value", ["fast", "5", ""])
def test_a_bad_interval_is_refused_naming_the_tag(inproc: InProcess, value: str) -> None:
    body = project("bad", tags={TAG: value})
    response = inproc.client.post(P, json=body)
    message = api_error(response, 400, "ValidationError", f"tags.{TAG}")
    assert "at least 10" in message
    assert inproc.client.get(f"{P}/bad").status_code == 404


def test_the_poller_runs_by_itself(inproc: InProcess) -> None:
    repo = inproc.githost.create("auto")
    repo.commit({"buildspec.yml": SPEC}, "first")
    source = {"type": "GITTERRA", "location": "auto"}
    create(inproc.client, P, project("auto", source=source, tags={TAG: "10"}))

    def watching() -> bool:
        items = inproc.client.get("/api/v1/events", params={"kind": "codebuild.poll"}).json()
        return any("watching refs/heads/main" in e["message"] for e in items["items"])

    until(watching, "the first poll")
    second = repo.commit({"page.txt": "bear"}, "bear")
    (build,) = until(lambda: builds(inproc.client, "auto"), "the next poll to queue a build")
    done = wait_build(inproc.client, build["id"])
    assert done["resolved_source_version"] == second

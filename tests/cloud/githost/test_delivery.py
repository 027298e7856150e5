"""Event delivery: subscribers hear every event after it is stored, in order; an event whose
subscriber had not acknowledged it when the server was killed (``kill -9``) is delivered again
after the restart; a failing subscriber is retried without skipping; concurrent pushes to one
repository are announced one by one with exact before/after commits."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

from tests.cloud.conftest import wait_for
from tests.cloud.githost.conftest import (
    EVENT_DEADLINE,
    GitCli,
    Recorder,
    bare_refs,
    create,
    events,
)

ZERO = "0" * 40


def _start_repo(recorder: Recorder, git: GitCli, tmp_path: Path, name: str) -> Path:
    url = create(recorder, name)["clone_url"]
    git.login(recorder)
    work = tmp_path / "w"
    git("clone", "-q", url, str(work))
    git.commit(work, {"a": "0\n"}, "zero")
    git("push", "-q", "origin", "main", cwd=work)
    return work


def _acked(recorder: Recorder) -> list[dict[str, Any]]:
    return [a for a in recorder.attempts() if a["mode"] == "ok"]


def test_subscribers_hear_every_event_after_it_is_stored_in_order(
    recorder: Recorder, git: GitCli, tmp_path: Path
) -> None:
    work = _start_repo(recorder, git, tmp_path, "ordered")
    git("checkout", "-q", "-b", "topic", cwd=work)
    git.commit(work, {"t": "t\n"}, "t")
    git("push", "-q", "origin", "topic", "HEAD:refs/heads/other", cwd=work)
    r = recorder.client.post(
        "/api/v1/repositories/ordered/pulls", json={"head": "topic", "base": "main"}
    )
    assert r.status_code == 201
    assert recorder.client.post("/api/v1/repositories/ordered/pulls/1/merge").status_code == 200
    stored = events(recorder, "ordered")
    assert len(stored) == 6
    wait_for(lambda: len(_acked(recorder)) == 6, EVENT_DEADLINE, "six deliveries")
    acked = _acked(recorder)
    assert [a["delivery_id"] for a in acked] == [e["delivery_id"] for e in stored]
    assert all(a["stored_first"] for a in acked)
    assert [a["kind"] for a in acked] == [
        "PUSH",
        "PUSH",
        "PUSH",
        "PULL_REQUEST_CREATED",
        "PUSH",
        "PULL_REQUEST_MERGED",
    ]


def test_an_unacknowledged_event_is_delivered_again_after_kill_9(
    recorder: Recorder, git: GitCli, tmp_path: Path
) -> None:
    work = _start_repo(recorder, git, tmp_path, "crashy")
    wait_for(lambda: len(_acked(recorder)) == 1, EVENT_DEADLINE, "the first delivery")
    recorder.mode("hang")
    head = git.commit(work, {"a": "1\n"}, "one")
    git("push", "-q", cwd=work)
    (event,) = events(recorder, "crashy", 1)
    assert event["after"] == head
    wait_for(
        lambda: any(a["delivery_id"] == event["delivery_id"] for a in recorder.attempts()),
        EVENT_DEADLINE,
        "the subscriber to receive the push (and hang)",
    )
    recorder.kill9()  # stored, handed to the subscriber, never acknowledged
    recorder.mode("ok")
    recorder.start()
    wait_for(lambda: len(_acked(recorder)) == 2, EVENT_DEADLINE, "the redelivery")
    redelivered = _acked(recorder)[-1]
    assert redelivered["delivery_id"] == event["delivery_id"]
    assert (redelivered["kind"], redelivered["after"]) == ("PUSH", head)

    # acknowledged means delivered once more at most: a clean restart delivers nothing again
    recorder.restart()
    git.login(recorder)
    git.commit(work, {"a": "2\n"}, "two")
    git("push", "-q", cwd=work)
    wait_for(lambda: len(_acked(recorder)) == 3, EVENT_DEADLINE, "the next push's delivery")
    assert len({a["delivery_id"] for a in _acked(recorder)}) == 3


def test_a_failing_subscriber_is_retried_in_order_and_nothing_is_skipped(
    recorder: Recorder, git: GitCli, tmp_path: Path
) -> None:
    work = _start_repo(recorder, git, tmp_path, "failing")
    wait_for(lambda: len(_acked(recorder)) == 1, EVENT_DEADLINE, "the first delivery")
    recorder.mode("fail")
    git.commit(work, {"a": "1\n"}, "one")
    git("push", "-q", cwd=work)
    git("push", "-q", "origin", "main:refs/heads/later", cwd=work)
    first, second = events(recorder, "failing", 1)
    wait_for(
        lambda: sum(a["mode"] == "fail" for a in recorder.attempts()) >= 3,
        EVENT_DEADLINE,
        "the subscriber to be retried",
    )
    failed = [a for a in recorder.attempts() if a["mode"] == "fail"]
    assert {a["delivery_id"] for a in failed} == {first["delivery_id"]}  # the second waits
    recorder.kill9()
    recorder.mode("ok")
    recorder.start()
    wait_for(lambda: len(_acked(recorder)) == 3, EVENT_DEADLINE, "both deliveries")
    assert [a["delivery_id"] for a in _acked(recorder)[1:]] == [
        first["delivery_id"],
        second["delivery_id"],
    ]


def test_concurrent_pushes_to_one_repository_are_announced_one_by_one(
    recorder: Recorder, git: GitCli, tmp_path: Path
) -> None:
    work = _start_repo(recorder, git, tmp_path, "busy")
    url = f"{recorder.url}/git/busy.git"
    clones = []
    for i in range(6):
        clone = tmp_path / f"c{i}"
        git("clone", "-q", url, str(clone))
        git.commit(clone, {f"f{i}": f"{i}\n"}, f"change {i}")
        clones.append(clone)
    start = max(e["seq"] for e in events(recorder, "busy"))

    def push(i: int) -> tuple[int, int]:
        # four to their own branches, two race for main (one of those may lose)
        target = "main" if i >= 4 else f"b{i}"
        done = git("push", "-q", "origin", f"HEAD:refs/heads/{target}", cwd=clones[i], check=False)
        return i, done.returncode

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = dict(pool.map(push, range(6)))
    assert all(results[i] == 0 for i in range(4)), results
    assert any(results[i] == 0 for i in (4, 5)), results
    found = events(recorder, "busy", start)
    by_ref: dict[str, list[dict[str, Any]]] = {}
    for event in found:
        by_ref.setdefault(event["head_ref"], []).append(event)
    for i in range(4):
        (event,) = by_ref[f"refs/heads/b{i}"]
        assert (event["before"], event["created"]) == (ZERO, True)
        assert event["after"] == git.sha(clones[i], "HEAD")
        assert event["changed_files"] == [f"f{i}"]
    chain = by_ref["refs/heads/main"]
    assert len(chain) == sum(results[i] == 0 for i in (4, 5))
    previous = git.sha(work, "HEAD")
    for event in chain:  # each push's before is exactly the previous push's after
        assert event["before"] == previous
        previous = event["after"]
    assert bare_refs(recorder, "busy")["refs/heads/main"] == previous
    assert len({e["delivery_id"] for e in found}) == len(found)
    wait_for(lambda: len(_acked(recorder)) == 1 + len(found), EVENT_DEADLINE, "all deliveries")

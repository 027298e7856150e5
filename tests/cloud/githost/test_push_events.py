"""Push events: one PUSH per updated ref (branch, tag, deletion, force push) with before/after,
created/deleted/forced, the changed files, the head commit's message and the pusher; names and
messages that look like shell travel as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cloud.conftest import CloudServer, wait_for
from tests.cloud.githost.conftest import GitCli, bare_refs, create, events, last_seq

ZERO = "0" * 40


def _setup(server: CloudServer, git: GitCli, tmp_path: Path, name: str) -> Path:
    url = create(server, name)["clone_url"]
    git.login(server, user="alice")
    work = tmp_path / "w"
    git("clone", "-q", url, str(work))
    return work


def _new(server: CloudServer, repo: str, since: int, count: int) -> list[dict[str, Any]]:
    """The ``count`` events after ``since`` (stored before the push command returned)."""
    found = events(server, repo, since)
    assert len(found) == count, [(e["kind"], e["head_ref"]) for e in found]
    return found


def test_first_push_update_and_new_branch(server: CloudServer, git: GitCli, tmp_path: Path) -> None:
    work = _setup(server, git, tmp_path, "pushes")
    first = git.commit(work, {"index.html": "Fox\n", "README": "r\n"}, "first page")
    git("push", "-q", "origin", "main", cwd=work)
    (created,) = _new(server, "pushes", 0, 1)
    assert created["kind"] == "PUSH"
    assert created["source"] == "githost"
    assert created["head_ref"] == "refs/heads/main"
    assert (created["before"], created["after"]) == (ZERO, first)
    assert (created["created"], created["deleted"], created["forced"]) == (True, False, False)
    assert sorted(created["changed_files"]) == ["README", "index.html"]
    assert created["commit_message"] == "first page"
    assert created["actor"] == created["actor_account_id"] == "alice"
    assert created["repository"] == "pushes"
    assert created["clone_url"] == f"{server.url}/git/pushes.git"
    assert created["pull_request"] is None
    assert created["base_ref"] is None

    git.commit(work, {"index.html": "Bear\n"}, "bear")
    second = git.commit(work, {"css/a.css": "x\n", "README": None}, "style\n\nwith a body")
    git("push", "-q", cwd=work)
    (updated,) = _new(server, "pushes", created["seq"], 1)
    assert (updated["before"], updated["after"]) == (first, second)
    assert sorted(updated["changed_files"]) == ["README", "css/a.css", "index.html"]
    assert updated["commit_message"] == "style\n\nwith a body"
    assert (updated["created"], updated["forced"]) == (False, False)

    git("checkout", "-q", "-b", "topic", cwd=work)
    topic = git.commit(work, {"topic.txt": "t\n"}, "topic work")
    git("push", "-q", "origin", "topic", cwd=work)
    (branch,) = _new(server, "pushes", updated["seq"], 1)
    assert branch["head_ref"] == "refs/heads/topic"
    assert (branch["before"], branch["after"], branch["created"]) == (ZERO, topic, True)
    assert branch["changed_files"] == ["topic.txt"]  # relative to main, not the whole tree


def test_tags_deletions_and_force_pushes(server: CloudServer, git: GitCli, tmp_path: Path) -> None:
    work = _setup(server, git, tmp_path, "refs")
    base = git.commit(work, {"a": "1\n"}, "one")
    git("push", "-q", "origin", "main", cwd=work)
    seq = last_seq(server, "refs")

    git("tag", "v1", cwd=work)
    git("tag", "-a", "v2", "-m", "release two", cwd=work)
    git("push", "-q", "origin", "v1", "v2", cwd=work)
    v1, v2 = _new(server, "refs", seq, 2)
    assert (v1["head_ref"], v1["before"], v1["after"], v1["created"]) == (
        "refs/tags/v1",
        ZERO,
        base,
        True,
    )
    assert v2["head_ref"] == "refs/tags/v2"
    assert v2["after"] == git.sha(work, "v2")
    assert v2["after"] != base
    assert v2["commit_message"] == "one"
    assert v1["changed_files"] == v2["changed_files"] == []  # nothing new relative to main

    git("push", "-q", "origin", ":refs/tags/v1", cwd=work)
    (deleted,) = _new(server, "refs", v2["seq"], 1)
    assert (deleted["head_ref"], deleted["before"], deleted["after"]) == (
        "refs/tags/v1",
        base,
        ZERO,
    )
    assert (deleted["deleted"], deleted["created"], deleted["changed_files"]) == (True, False, [])

    second = git.commit(work, {"a": "2\n", "b": "b\n"}, "two")
    git("push", "-q", cwd=work)
    git("reset", "-q", "--hard", base, cwd=work)
    rewritten = git.commit(work, {"c": "c\n"}, "rewritten history")
    refused = git("push", "origin", "main", cwd=work, check=False)
    assert refused.returncode != 0  # not a fast-forward: git itself refuses without --force
    seq = last_seq(server, "refs")
    git("push", "-q", "--force", "origin", "main", cwd=work)
    (forced,) = _new(server, "refs", seq, 1)
    assert (forced["before"], forced["after"], forced["forced"]) == (second, rewritten, True)
    assert sorted(forced["changed_files"]) == ["a", "b", "c"]
    assert forced["commit_message"] == "rewritten history"

    git("push", "-q", "origin", "main:old", cwd=work)
    seq = last_seq(server, "refs")
    git("push", "-q", "origin", "--delete", "old", cwd=work)
    (gone,) = _new(server, "refs", seq, 1)
    assert (gone["head_ref"], gone["before"], gone["after"]) == ("refs/heads/old", rewritten, ZERO)
    assert gone["deleted"] is True

    # the default branch is protected, as on forges: deleting it is refused and changes nothing
    refused = git("push", "origin", "--delete", "main", cwd=work, check=False)
    assert "refusing to delete the current branch" in refused.stderr
    assert bare_refs(server, "refs") == {"refs/heads/main": rewritten, "refs/tags/v2": v2["after"]}
    assert last_seq(server, "refs") == gone["seq"]


def test_one_push_of_several_refs_gives_one_event_each(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    work = _setup(server, git, tmp_path, "several")
    git.commit(work, {"a": "1\n"}, "one")
    git("push", "-q", "origin", "main", cwd=work)
    seq = last_seq(server, "several")
    for branch in ("b1", "b2", "b3"):
        git("branch", branch, cwd=work)
    git("tag", "t1", cwd=work)
    git("push", "-q", "origin", "b1", "b2", "b3", "t1", cwd=work)
    found = _new(server, "several", seq, 4)
    assert [e["head_ref"] for e in found] == [
        "refs/heads/b1",
        "refs/heads/b2",
        "refs/heads/b3",
        "refs/tags/t1",
    ]
    assert len({e["delivery_id"] for e in found}) == 4


def test_shell_looking_branch_names_and_messages_are_data(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    canary = tmp_path / "pwned"
    # A ref name cannot hold a space, so ${IFS} stands in for it, as an attacker would write.
    branch = f"$(touch${{IFS}}{canary})"
    ticks = f"`touch${{IFS}}{canary}-ticks`"
    message = f"`touch {canary}-msg` $(touch {canary}-msg2); echo 'quoted' \"\\n\""
    work = _setup(server, git, tmp_path, "hostile")
    git.commit(work, {"a": "1\n"}, "one")
    git("push", "-q", "origin", "main", cwd=work)
    seq = last_seq(server, "hostile")
    git("checkout", "-q", "-b", branch, cwd=work)
    head = git.commit(work, {f"{ticks}.txt": "x\n"}, message)
    git("push", "-q", "origin", branch, cwd=work)
    (event,) = _new(server, "hostile", seq, 1)
    assert event["head_ref"] == f"refs/heads/{branch}"
    assert event["after"] == head
    assert event["commit_message"] == message
    assert event["changed_files"] == [f"{ticks}.txt"]
    r = server.client.post(
        "/api/v1/repositories/hostile/pulls", json={"head": branch, "base": "main", "title": ticks}
    )
    assert r.status_code == 201, r.text
    assert r.json()["head"] == branch
    assert r.json()["title"] == ticks
    merged = server.client.post("/api/v1/repositories/hostile/pulls/1/merge")
    assert merged.status_code == 200, merged.text
    wait_for(lambda: len(events(server, "hostile", seq)) == 4, 30, "the PR's events")
    assert not list(tmp_path.glob("pwned*")), "something ran a branch name or message"
    assert not Path("/tmp/pwned").exists()


def test_pushes_made_while_no_server_watched_are_announced_at_start(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    """A push the server died in (refs moved, events not stored) is found at the next start."""
    work = _setup(server, git, tmp_path, "offline")
    first = git.commit(work, {"a": "1\n"}, "one")
    git("push", "-q", "origin", "main", cwd=work)
    seq = last_seq(server, "offline")
    bare = server.data_dir / "git" / "offline.git"
    server.stop()
    second = git.commit(work, {"a": "2\n"}, "two while nobody watched")
    git("push", "-q", str(bare), "main", "main:refs/heads/side", cwd=work)
    server.start()
    main, side = _new(server, "offline", seq, 2)
    assert (main["head_ref"], main["before"], main["after"]) == ("refs/heads/main", first, second)
    assert main["commit_message"] == "two while nobody watched"
    assert (side["head_ref"], side["created"]) == ("refs/heads/side", True)
    assert main["actor"] == "unknown"

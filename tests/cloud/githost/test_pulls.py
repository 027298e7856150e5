"""Pull requests through ``gitterra pr`` and the API: the lifecycle with its events, a real merge
commit (its parents checked with git), fast-forward, conflicts refused with the files named and
nothing changed, statuses in ``pr show``, and the repository found from ``origin``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cloud.conftest import CliRunner, CloudServer, api_error
from tests.cloud.githost.conftest import GitCli, bare_refs, create, events, last_seq

ZERO = "0" * 40


def _repo(server: CloudServer, git: GitCli, tmp_path: Path, name: str) -> Path:
    """A repository with ``main`` (a.txt) and a pushed ``topic`` branch that adds t.txt."""
    url = create(server, name)["clone_url"]
    git.login(server)
    work = tmp_path / "w"
    git("clone", "-q", url, str(work))
    git.commit(work, {"a.txt": "a\n"}, "base")
    git("push", "-q", "origin", "main", cwd=work)
    git("checkout", "-q", "-b", "topic", cwd=work)
    git.commit(work, {"t.txt": "t\n"}, "add t")
    git("push", "-q", "-u", "origin", "topic", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    return work


def _pr(server: CloudServer, repo: str, number: int) -> dict[str, Any]:
    r = server.client.get(f"/api/v1/repositories/{repo}/pulls/{number}")
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def _kinds(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["kind"], e["head_ref"]) for e in found]


def test_lifecycle_with_events_and_a_real_merge_commit(
    server: CloudServer, cli: CliRunner, git: GitCli, tmp_path: Path
) -> None:
    work = _repo(server, git, tmp_path, "life")
    seq = last_seq(server, "life")
    opened = cli.run("pr", "open", "topic", "main", "-title", "Add t", "-repo", "life")
    assert opened.code == 0, opened.err
    assert opened.out.strip() == "Opened pull request #1 in life: topic -> main (Add t)"
    (created,) = events(server, "life", seq)
    assert created["kind"] == "PULL_REQUEST_CREATED"
    assert (created["head_ref"], created["base_ref"]) == ("refs/heads/topic", "refs/heads/main")
    assert created["pull_request"] == 1
    assert created["after"] == git.sha(work, "origin/topic")
    assert created["changed_files"] == ["t.txt"]
    assert created["commit_message"] == "add t"
    assert created["actor"] == "admin"

    # a push to the head updates it; one to main moves the base (for a real merge later)
    git("checkout", "-q", "topic", cwd=work)
    old_head = git.sha(work, "HEAD")
    head = git.commit(work, {"u.txt": "u\n"}, "add u")
    git("push", "-q", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    base = git.commit(work, {"m.txt": "m\n"}, "main moves on")
    git("push", "-q", cwd=work)
    push_topic, updated, push_main = events(server, "life", created["seq"])
    assert push_topic["kind"] == push_main["kind"] == "PUSH"
    assert updated["kind"] == "PULL_REQUEST_UPDATED"
    assert updated["pull_request"] == 1
    assert (updated["before"], updated["after"]) == (old_head, head)
    assert sorted(updated["changed_files"]) == ["t.txt", "u.txt"]
    assert updated["commit_message"] == "add u"
    assert (_pr(server, "life", 1)["head_sha"], _pr(server, "life", 1)["base_sha"]) == (head, base)

    seq = push_main["seq"]
    assert cli.run("pr", "close", "1", "-repo", "life").out.startswith("Closed pull request #1")
    assert cli.run("pr", "reopen", "#1", "-repo", "life").out.startswith("Reopened pull request #1")
    merged = cli.run("pr", "merge", "1", "-repo", "life")
    assert merged.code == 0, merged.err
    assert "Merged pull request #1 into main: merge commit" in merged.out
    closed, reopened, push, done = events(server, "life", seq)
    assert [closed["kind"], reopened["kind"], done["kind"]] == [
        "PULL_REQUEST_CLOSED",
        "PULL_REQUEST_REOPENED",
        "PULL_REQUEST_MERGED",
    ]
    pr = _pr(server, "life", 1)
    assert pr["state"] == "merged"
    assert pr["merge_commit_sha"] == push["after"]
    assert (push["kind"], push["head_ref"], push["before"]) == ("PUSH", "refs/heads/main", base)
    assert sorted(push["changed_files"]) == ["t.txt", "u.txt"]
    assert push["commit_message"] == "Merge pull request #1 from topic\n\nAdd t"

    git("pull", "-q", "--ff-only", cwd=work)
    assert git.sha(work, "HEAD") == push["after"]
    parents = git("show", "-s", "--format=%P", "HEAD", cwd=work).stdout.split()
    assert parents == [base, head]
    assert git("show", "-s", "--format=%an <%ae>", "HEAD", cwd=work).stdout.strip() == (
        "gitterra <gitterra@localhost>"
    )
    assert sorted(git("ls-files", cwd=work).stdout.split()) == ["a.txt", "m.txt", "t.txt", "u.txt"]
    again = cli.run("pr", "merge", "1", "-repo", "life")
    assert again.code == 1
    assert "pull request #1 is merged" in again.err
    assert cli.run("pr", "reopen", "1", "-repo", "life").code == 1


def test_fast_forward_merge(
    server: CloudServer, cli: CliRunner, git: GitCli, tmp_path: Path
) -> None:
    work = _repo(server, git, tmp_path, "ff")
    topic = git.sha(work, "origin/topic")
    main = git.sha(work, "origin/main")
    assert cli.run("pr", "open", "topic", "main", "-repo", "ff").code == 0
    seq = last_seq(server, "ff")
    merged = cli.run("pr", "merge", "1", "-repo", "ff")
    assert f"fast-forward to {topic[:12]}" in merged.out
    push, done = events(server, "ff", seq)
    assert (push["head_ref"], push["before"], push["after"], push["forced"]) == (
        "refs/heads/main",
        main,
        topic,
        False,
    )
    assert push["changed_files"] == ["t.txt"]
    assert push["commit_message"] == "add t"
    assert done["kind"] == "PULL_REQUEST_MERGED"
    assert bare_refs(server, "ff")["refs/heads/main"] == topic
    assert _pr(server, "ff", 1)["title"] == "add t"  # the head commit's subject by default


def test_conflicts_are_refused_with_the_files_and_nothing_changes(
    server: CloudServer, cli: CliRunner, git: GitCli, tmp_path: Path
) -> None:
    work = _repo(server, git, tmp_path, "clash")
    git("checkout", "-q", "topic", cwd=work)
    git.commit(work, {"a.txt": "topic says\n", "same.txt": "x\n"}, "topic edits a")
    git("push", "-q", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    git.commit(work, {"a.txt": "main says\n", "same.txt": "x\n"}, "main edits a")
    git("push", "-q", cwd=work)
    assert cli.run("pr", "open", "topic", "main", "-repo", "clash").code == 0
    refs, seq = bare_refs(server, "clash"), last_seq(server, "clash")

    refused = cli.run("pr", "merge", "1", "-repo", "clash")
    assert refused.code == 1
    assert "Conflict: pull request #1 (topic into main) cannot be merged" in refused.err
    assert "these files conflict: a.txt." in refused.err
    r = server.client.post("/api/v1/repositories/clash/pulls/1/merge")
    api_error(r, 409, "Conflict")
    assert r.json()["error"]["files"] == ["a.txt"]
    assert bare_refs(server, "clash") == refs
    assert last_seq(server, "clash") == seq
    assert _pr(server, "clash", 1)["state"] == "open"


def test_statuses_show_in_pr_show_and_list(
    server: CloudServer, cli: CliRunner, git: GitCli, tmp_path: Path
) -> None:
    work = _repo(server, git, tmp_path, "checks")
    head = git.sha(work, "origin/topic")
    assert cli.run("pr", "open", "topic", "main", "-repo", "checks").code == 0
    base = f"/api/v1/repositories/checks/commits/{head}/statuses"
    for body in (
        {"context": "gitterra/site", "state": "pending", "description": "queued"},
        {"context": "lint", "state": "success"},
        {
            "context": "gitterra/site",
            "state": "failure",
            "description": "plan failed",
            "target_url": "http://127.0.0.1:1/builds/site:7",
        },
    ):
        assert server.client.post(base, json=body).status_code == 201
    shown = cli.run("pr", "show", "1", "-repo", "checks")
    assert shown.code == 0, shown.err
    assert f"head:    topic {head}" in shown.out
    assert "checks:  failure" in shown.out
    lines = shown.out.splitlines()
    site = next(line for line in lines if line.startswith("gitterra/site"))
    assert "failure" in site
    assert "plan failed" in site
    assert "http://127.0.0.1:1/builds/site:7" in site
    assert "pending" not in shown.out  # the newest status per context wins
    assert next(line for line in lines if line.startswith("lint")).split()[1] == "success"
    listed = cli.run("pr", "list", "-repo", "checks")
    assert "#1" in listed.out
    assert "failure" in listed.out
    assert "topic -> main" in listed.out
    assert cli.run("pr", "list", "-repo", "checks", "-state", "merged").out.strip() == (
        "No pull requests."
    )


def test_the_repository_comes_from_origin(server: CloudServer, git: GitCli, tmp_path: Path) -> None:
    work = _repo(server, git, tmp_path, "fromorigin")
    runner = CliRunner(lambda: (server.url, server.token), work)
    opened = runner.process("pr", "open", "topic", "main")
    assert opened.code == 0, opened.err
    assert "in fromorigin" in opened.out
    elsewhere = CliRunner(lambda: (server.url, server.token), tmp_path).process("pr", "list")
    assert elsewhere.code == 1
    assert "no git remote 'origin'" in elsewhere.err
    assert "-repo NAME" in elsewhere.err


def test_head_branch_deleted_closes_and_a_push_that_merges_merges(
    server: CloudServer, cli: CliRunner, git: GitCli, tmp_path: Path
) -> None:
    work = _repo(server, git, tmp_path, "followups")
    git("push", "-q", "origin", "topic:other", cwd=work)
    assert cli.run("pr", "open", "topic", "main", "-repo", "followups").code == 0
    assert cli.run("pr", "open", "other", "main", "-repo", "followups").code == 0
    seq = last_seq(server, "followups")
    git("push", "-q", "origin", "--delete", "other", cwd=work)
    _, closed = events(server, "followups", seq)
    assert (closed["kind"], closed["pull_request"]) == ("PULL_REQUEST_CLOSED", 2)
    assert _pr(server, "followups", 2)["state"] == "closed"

    seq = closed["seq"]
    git("merge", "-q", "--no-ff", "-m", "merged by hand", "origin/topic", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    push, merged = events(server, "followups", seq)
    assert (merged["kind"], merged["pull_request"]) == ("PULL_REQUEST_MERGED", 1)
    assert _pr(server, "followups", 1)["merge_commit_sha"] == push["after"]


def test_bad_pull_requests_are_refused_and_change_nothing(
    server: CloudServer, cli: CliRunner, git: GitCli, tmp_path: Path
) -> None:
    _repo(server, git, tmp_path, "strict")
    pulls = "/api/v1/repositories/strict/pulls"
    seq = last_seq(server, "strict")
    cases: list[tuple[dict[str, Any], str | None]] = [
        ({"head": "nope", "base": "main"}, "head"),
        ({"head": "topic", "base": "nope"}, "base"),
        ({"head": "topic", "base": "topic"}, "base"),
        ({"head": "main", "base": "topic"}, "head"),  # nothing to merge
        ({"head": "", "base": "main"}, "head"),
        ({"head": "topic", "base": "main", "title": "two\nlines"}, "title"),
        ({"head": "topic"}, "base"),
        ({"head": "topic", "base": "main", "draft": True}, "draft"),
    ]
    for body, field in cases:
        api_error(server.client.post(pulls, json=body), 400, "ValidationError", field)
    api_error(
        server.client.post("/api/v1/repositories/nope/pulls", json={"head": "a", "base": "b"}),
        404,
        "NotFound",
    )
    api_error(server.client.get(pulls + "/1"), 404, "NotFound")
    api_error(server.client.get(pulls + "/x"), 400, "ValidationError", "number")
    api_error(server.client.get(pulls, params={"state": "weird"}), 400, "ValidationError", "state")
    assert server.client.get(pulls).json()["items"] == []
    assert last_seq(server, "strict") == seq

    result = cli.run("pr", "open", "nope", "main", "-repo", "strict")
    assert result.code == 1
    assert "head branch 'nope' does not exist in strict: push it first" in result.err
    assert cli.run("pr", "show", "x", "-repo", "strict").code == 2
    assert cli.run("pr", "open", "topic", "-repo", "strict").code == 2
    assert cli.run("pr", "fly", "-repo", "strict").code == 2

    assert cli.run("pr", "open", "topic", "main", "-repo", "strict").code == 0
    again = cli.run("pr", "open", "topic", "main", "-repo", "strict")
    assert again.code == 1
    assert "pull request #1 from topic into main is already open" in again.err

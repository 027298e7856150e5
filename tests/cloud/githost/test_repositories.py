"""Repositories on the git host: created with the CLI and the API, cloned, pushed to and fetched
with the real git CLI from any directory; bad names refused with nothing created."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cloud.conftest import CliRunner, CloudServer, api_error
from tests.cloud.githost.conftest import GitCli, bare_refs, create


def test_repo_create_prints_the_clone_url_and_makes_a_bare_repository(
    server: CloudServer, cli: CliRunner
) -> None:
    result = cli.run("repo", "create", "site")
    assert result.code == 0, result.err
    url = f"{server.url}/git/site.git"
    assert f"clone URL: {url}" in result.out
    assert "token as password" in result.out
    bare = server.data_dir / "git" / "site.git"
    config = subprocess.run(
        ["git", f"--git-dir={bare}", "config", "--get", "core.bare"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1"},
    )
    assert config.stdout.strip() == "true"
    assert (bare / "HEAD").read_text() == "ref: refs/heads/main\n"

    listed = cli.run("repo", "list")
    assert listed.code == 0
    assert "site" in listed.out
    assert url in listed.out

    r = server.client.get("/api/v1/repositories/site")
    assert r.json() == {
        "name": "site",
        "default_branch": "main",
        "clone_url": url,
        "created_at": r.json()["created_at"],
    }


def test_clone_push_fetch_with_the_real_git_cli(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    url = create(server, "roundtrip")["clone_url"]
    git.login(server)
    empty = git("clone", url, str(tmp_path / "a"))
    assert "empty repository" in empty.stderr
    a = tmp_path / "a"
    first = git.commit(a, {"index.html": "<h1>Fox</h1>\n"}, "first page")
    git("push", "origin", "main", cwd=a)
    assert bare_refs(server, "roundtrip") == {"refs/heads/main": first}

    # another person, another directory (no credentials: reading is anonymous)
    reader = GitCli(tmp_path / "reader-home")
    reader("clone", url, str(tmp_path / "b"))
    b = tmp_path / "b"
    assert (b / "index.html").read_text() == "<h1>Fox</h1>\n"

    second = git.commit(a, {"index.html": "<h1>Bear</h1>\n", "css/site.css": "h1 {}\n"}, "bear")
    git("push", cwd=a)
    reader("fetch", cwd=b)
    assert reader.sha(b, "origin/main") == second
    reader("merge", "-q", "--ff-only", "origin/main", cwd=b)
    assert (b / "css" / "site.css").exists()


@pytest.mark.parametrize("protocol", ["0", "2"])
def test_clone_with_many_refs_in_both_protocol_versions(
    server: CloudServer, git: GitCli, tmp_path: Path, protocol: str
) -> None:
    """Enough refs that git's fetch request is over 1 KiB, which git sends gzip-compressed."""
    name = f"many-refs-v{protocol}"
    url = create(server, name)["clone_url"]
    git.login(server)
    work = tmp_path / "work"
    git("init", "-q", str(work))
    git.commit(work, {"a.txt": "a\n"}, "base")
    for i in range(40):
        git.commit(work, {"a.txt": f"{i}\n"}, f"change {i}")
        git("branch", f"feature-{i:02d}", cwd=work)
    git("push", "-q", url, "--all", cwd=work)
    assert len(bare_refs(server, name)) == 41
    git("-c", f"protocol.version={protocol}", "clone", "-q", "--mirror", url, str(tmp_path / "m"))
    mirrored = git("for-each-ref", "--format=%(refname)", cwd=tmp_path / "m").stdout.split()
    assert len(mirrored) == 41


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "../etc"}, "name"),
        ({"name": "a/b"}, "name"),
        ({"name": "a..b"}, "name"),
        ({"name": ".hidden"}, "name"),
        ({"name": "site.git"}, "name"),
        ({"name": "with space"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 7}, "name"),
        ({}, "name"),
        ({"name": "ok", "extra": 1}, "extra"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_created(
    server: CloudServer, body: dict[str, object], field: str
) -> None:
    before = server.client.get("/api/v1/repositories").json()["items"]
    on_disk = sorted(p.name for p in (server.data_dir / "git").iterdir())
    message = api_error(
        server.client.post("/api/v1/repositories", json=body), 400, "ValidationError", field
    )
    assert message
    assert server.client.get("/api/v1/repositories").json()["items"] == before
    assert sorted(p.name for p in (server.data_dir / "git").iterdir()) == on_disk


def test_name_rules_are_explained(server: CloudServer, cli: CliRunner) -> None:
    result = cli.run("repo", "create", "a/b")
    assert result.code == 1
    assert "repository name 'a/b' is invalid: use letters, digits" in result.err
    result = cli.run("repo", "create", "site.git")
    assert "must not end with .git" in result.err
    assert "'site'" in result.err


def test_taken_name_is_a_conflict_and_unknown_names_are_not_found(
    server: CloudServer, cli: CliRunner
) -> None:
    create(server, "taken")
    api_error(
        server.client.post("/api/v1/repositories", json={"name": "taken"}), 409, "Conflict", "name"
    )
    api_error(server.client.get("/api/v1/repositories/nope"), 404, "NotFound")
    result = cli.run("repo", "create", "taken")
    assert result.code == 1
    assert "Conflict: repository taken already exists" in result.err
    assert cli.run("repo").code == 2
    assert cli.run("repo", "create").code == 2
    assert cli.run("repo", "list", "extra").code == 2


def test_smart_http_of_unknown_repositories_and_paths_is_404(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    create(server, "paths")
    for path in (
        "/git/nope.git/info/refs?service=git-upload-pack",
        "/git/paths.git/config",
        "/git/paths.git/objects/%2e%2e/config",
        "/git/paths.git/info/refs/%2e%2e/%2e%2e/config",
        "/git/paths.git/hooks/pre-receive",
    ):
        r = server.client.get(path)
        assert r.status_code == 404, (path, r.status_code, r.text)
    failed = git("clone", f"{server.url}/git/nope.git", str(tmp_path / "x"), check=False)
    assert failed.returncode != 0
    assert "not found" in failed.stderr.lower()


def test_cli_without_a_server_says_what_to_do(tmp_path: Path) -> None:
    runner = CliRunner.to("http://127.0.0.1:9", "gtr_x", tmp_path)
    result = runner.run("repo", "list")
    assert result.code == 1
    assert "cannot reach the gitterra server at http://127.0.0.1:9" in result.err

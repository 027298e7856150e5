"""The git host's pure parts, table-driven: ref snapshot differences, CGI header blocks, which
requests need the token, the CGI environment, names, and combined statuses."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gitterra.cloud import ValidationError
from gitterra.cloud.githost import _names, _refs, _smart_http, _statuses
from gitterra.cloud.githost._errors import GitError

A, B, C = "a" * 40, "b" * 40, "c" * 40
ZERO = "0" * 40


def test_changes_between_snapshots() -> None:
    old = {"refs/heads/main": A, "refs/heads/gone": B, "refs/tags/v1": C}
    new = {"refs/heads/main": B, "refs/tags/v1": C, "refs/heads/new": A}
    found = _refs.changes(old, new)
    assert found == [
        _refs.RefChange("refs/heads/gone", B, ZERO),
        _refs.RefChange("refs/heads/main", A, B),
        _refs.RefChange("refs/heads/new", ZERO, A),
    ]
    assert [(c.created, c.deleted, c.branch) for c in found] == [
        (False, True, "gone"),
        (False, False, "main"),
        (True, False, "new"),
    ]
    assert _refs.changes(new, new) == []
    assert _refs.RefChange("refs/tags/v1", ZERO, A).branch is None


@pytest.mark.parametrize(
    ("block", "status", "headers"),
    [
        (
            b"Content-Type: application/x-git-upload-pack-result\r\nCache-Control: no-cache\r\n\r\n",
            200,
            [
                ("Content-Type", "application/x-git-upload-pack-result"),
                ("Cache-Control", "no-cache"),
            ],
        ),
        (
            b"Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n",
            403,
            [("Content-Type", "text/plain")],
        ),
        (b"Status: garbage\r\n\r\n", 500, []),
        (b"\r\n", 200, []),
    ],
)
def test_cgi_header_blocks(block: bytes, status: int, headers: list[tuple[str, str]]) -> None:
    assert _smart_http.parse_headers(block) == (status, headers)


def test_a_header_line_without_a_colon_is_the_backends_fault() -> None:
    with pytest.raises(GitError, match="malformed header line"):
        _smart_http.parse_headers(b"nonsense\r\n\r\n")


@pytest.mark.parametrize(
    ("path", "query", "needs"),
    [
        ("/info/refs", "service=git-receive-pack", True),
        ("/git-receive-pack", "", True),
        ("/info/refs", "service=git-upload-pack", False),
        ("/info/refs", "", False),  # dumb HTTP reads
        ("/git-upload-pack", "", False),
        ("/info/refs", "service=git-upload-pack&service=git-receive-pack", True),
    ],
)
def test_which_requests_need_the_token(path: str, query: str, needs: bool) -> None:
    assert _smart_http.needs_auth(path, query) is needs


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("/info/refs", True),
        ("/HEAD", True),
        ("/git-upload-pack", True),
        ("/objects/info/packs", True),
        ("/objects/ab/" + "c" * 38, True),
        ("/objects/pack/pack-" + "d" * 40 + ".idx", True),
        ("/config", False),
        ("/hooks/post-update", False),
        ("/objects/../config", False),
        ("/info/refs/", False),
        ("", False),
    ],
)
def test_served_paths(path: str, served: bool) -> None:
    assert _smart_http.served(path) is served


def test_cgi_environment() -> None:
    request = _smart_http.GitRequest(
        repository="site",
        path="/git-receive-pack",
        method="POST",
        query="",
        content_type="application/x-git-receive-pack-request",
        content_length=123,
        git_protocol="version=2",
        user="alice",
        remote_addr="127.0.0.1",
    )
    env = _smart_http.backend_env(Path("/data/git"), request, "/site.git/git-receive-pack")
    assert env == {
        "GIT_PROJECT_ROOT": "/data/git",
        "GIT_HTTP_EXPORT_ALL": "1",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "PATH_INFO": "/site.git/git-receive-pack",
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-git-receive-pack-request",
        "CONTENT_LENGTH": "123",
        "REMOTE_USER": "alice",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_GIT_PROTOCOL": "version=2",
    }
    anonymous_gzip = _smart_http.GitRequest(
        repository="site",
        path="/git-upload-pack",
        method="POST",
        content_encoding="gzip",
        content_length=99,
    )
    env = _smart_http.backend_env(Path("/g"), anonymous_gzip, "/site.git/git-upload-pack")
    assert "REMOTE_USER" not in env  # receive-pack stays off for anonymous callers
    assert "CONTENT_LENGTH" not in env  # inflated: the backend reads to the end
    plain = _smart_http.GitRequest(repository="s", path="/info/refs", method="GET")
    for request, field in (
        (dataclasses.replace(plain, content_encoding="br"), "Content-Encoding"),
        (dataclasses.replace(plain, git_protocol="version=2\nX: y"), "Git-Protocol"),
    ):
        with pytest.raises(ValidationError) as caught:
            _smart_http.backend_env(Path("/g"), request, "/s.git/info/refs")
        assert caught.value.field == field


@pytest.mark.parametrize("name", ["site", "my-site", "site_2", "a", "Site.v2", "x" * 100, "9lives"])
def test_good_repository_names(name: str) -> None:
    assert _names.repository_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        ("-rf", "is invalid"),
        ("a/b", "is invalid"),
        ("a..b", "must not contain '..'"),
        ("site.GIT", "must not end with .git"),
        ("x" * 101, "longer than 100"),
        ("naïve", "is invalid"),
        ("a\nb", "is invalid"),
    ],
)
def test_bad_repository_names(name: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        _names.repository_name(name)
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("states", "combined"),
    [
        ([], None),
        (["success"], "success"),
        (["success", "pending"], "pending"),
        (["pending", "error"], "failure"),
        (["failure", "success"], "failure"),
    ],
)
def test_combined_status(states: list[str], combined: str | None) -> None:
    assert _statuses.combined([{"state": s} for s in states]) == combined

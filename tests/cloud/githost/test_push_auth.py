"""Who may do what over smart HTTP: reading is anonymous, pushing needs the token (HTTP basic
auth, any user name, or a bearer token); a refused push changes nothing; request bodies that
are not what they claim are refused naming the header."""

from __future__ import annotations

import base64
import gzip
import socket
import subprocess
from pathlib import Path

import httpx

from tests.clirun import GITTERRA
from tests.cloud.conftest import CloudServer
from tests.cloud.githost.conftest import GitCli, bare_refs, create, events

UPLOAD = "application/x-git-upload-pack-request"
#: The start of a ref update command line (old id, new id, ref), cut short.
ZERO_LINE = b"0" * 40 + b" " + b"1" * 20


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_anonymous_push_is_refused_with_a_basic_challenge_and_changes_nothing(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    url = create(server, "guarded")["clone_url"]
    git.login(server)
    work = tmp_path / "w"
    git("clone", "-q", url, str(work))
    first = git.commit(work, {"a.txt": "1\n"}, "one")
    git("push", "-q", "origin", "main", cwd=work)
    seen = events(server, "guarded")

    git.logout()
    git.commit(work, {"a.txt": "2\n"}, "two")
    refused = git("push", "origin", "main", cwd=work, check=False)
    assert refused.returncode != 0
    assert "could not read Username" in refused.stderr  # git got a 401 and had no credentials
    assert bare_refs(server, "guarded") == {"refs/heads/main": first}
    assert events(server, "guarded") == seen

    for path in ("/info/refs?service=git-receive-pack", "/git-receive-pack"):
        method = "GET" if "info" in path else "POST"
        r = httpx.request(method, f"{url}{path}", content=b"0000")
        assert r.status_code == 401, (path, r.text)
        assert r.headers["www-authenticate"] == 'Basic realm="gitterra"'
    wrong = httpx.get(f"{url}/info/refs?service=git-receive-pack", headers=_basic("x", "nope"))
    assert wrong.status_code == 401
    assert bare_refs(server, "guarded") == {"refs/heads/main": first}


def test_wrong_credentials_are_refused_even_for_reading(server: CloudServer) -> None:
    url = create(server, "readable")["clone_url"]
    anonymous = httpx.get(f"{url}/info/refs?service=git-upload-pack")
    assert anonymous.status_code == 200
    assert anonymous.headers["content-type"] == "application/x-git-upload-pack-advertisement"
    for headers in (
        _basic("x", "wrong"),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Digest x"},
    ):
        r = httpx.get(f"{url}/info/refs?service=git-upload-pack", headers=headers)
        assert r.status_code == 401, headers
    for headers in (
        _basic("anyone", server.token),
        _basic("", server.token),
        {"Authorization": f"Bearer {server.token}"},
    ):
        r = httpx.get(f"{url}/info/refs?service=git-receive-pack", headers=headers)
        assert r.status_code == 200, headers
        assert r.headers["content-type"] == "application/x-git-receive-pack-advertisement"


def test_push_with_a_bearer_header_records_the_admin_as_pusher(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    url = create(server, "bearer")["clone_url"]
    work = tmp_path / "w"
    git("init", "-q", str(work))
    git.commit(work, {"a": "a\n"}, "a")
    header = f"http.extraHeader=Authorization: Bearer {server.token}"
    git("-c", header, "push", "-q", url, "main", cwd=work)
    assert [e["actor"] for e in events(server, "bearer")] == ["admin"]


def _upload_pack_request(want: str) -> bytes:
    def pkt(text: str) -> bytes:
        return f"{len(text) + 4:04x}{text}".encode()

    return pkt(f"want {want} ofs-delta\n") + b"0000" + pkt("done\n")


def test_gzip_request_bodies_are_inflated_and_bad_ones_refused(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    url = create(server, "zipped")["clone_url"]
    work = tmp_path / "w"
    git("init", "-q", str(work))
    head = git.commit(work, {"a": "a\n"}, "a")
    git("push", "-q", f"http://x:{server.token}@{url.removeprefix('http://')}", "main", cwd=work)
    body = _upload_pack_request(head)

    plain = httpx.post(f"{url}/git-upload-pack", content=body, headers={"Content-Type": UPLOAD})
    zipped = httpx.post(
        f"{url}/git-upload-pack",
        content=gzip.compress(body),
        headers={"Content-Type": UPLOAD, "Content-Encoding": "gzip"},
    )
    for r in (plain, zipped):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/x-git-upload-pack-result"
        assert b"PACK" in r.content
    assert zipped.content == plain.content

    for content, encoding in (
        (b"not gzip at all", "gzip"),
        (gzip.compress(body)[:-12], "gzip"),
        (body, "br"),
    ):
        r = httpx.post(
            f"{url}/git-upload-pack",
            content=content,
            headers={"Content-Type": UPLOAD, "Content-Encoding": encoding},
        )
        assert r.status_code == 400, (encoding, r.text)
        assert "Content-Encoding" in r.text
    r = httpx.get(
        f"{url}/info/refs?service=git-upload-pack", headers={"Git-Protocol": "version=2;$(id)"}
    )
    assert r.status_code == 400
    assert "Git-Protocol" in r.text


def test_a_push_whose_client_vanishes_mid_body_changes_nothing_and_blocks_nobody(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    url = create(server, "vanishing")["clone_url"]
    git.login(server)
    work = tmp_path / "w"
    git("init", "-q", str(work))
    git.commit(work, {"a": "a\n"}, "a")
    auth = base64.b64encode(f"x:{server.token}".encode()).decode()
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            b"POST /git/vanishing.git/git-receive-pack HTTP/1.1\r\n"
            + f"Host: {host}\r\nAuthorization: Basic {auth}\r\n".encode()
            + b"Content-Type: application/x-git-receive-pack-request\r\n"
            + b"Content-Length: 100000\r\n\r\n"
            + b"00a0"
            + ZERO_LINE
        )
    # the half-sent push ended with its connection: the repository is unlocked and unchanged
    git("push", "-q", url, "main", cwd=work)
    assert list(bare_refs(server, "vanishing")) == ["refs/heads/main"]
    assert [e["head_ref"] for e in events(server, "vanishing")] == ["refs/heads/main"]


def test_gitterra_as_git_credential_helper(
    server: CloudServer, git: GitCli, tmp_path: Path
) -> None:
    url = create(server, "helped")["clone_url"]
    work = tmp_path / "w"
    git("init", "-q", str(work))
    git.commit(work, {"a": "a\n"}, "a")
    env = {**git.env(), "GITTERRA_ENDPOINT": server.url, "GITTERRA_TOKEN": server.token}
    helper = f"!{GITTERRA} repo credential"
    done = subprocess.run(
        [
            "git",
            "-c",
            "credential.helper=",
            "-c",
            f"credential.helper={helper}",
            "push",
            "-q",
            url,
            "main",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [e["actor"] for e in events(server, "helped")] == ["gitterra"]

    host = server.url.removeprefix("http://")
    for asked, answer in (
        (f"protocol=http\nhost={host}\n\n", f"username=gitterra\npassword={server.token}\n"),
        ("protocol=http\nhost=example.com\n\n", ""),
        (f"protocol=https\nhost={host}\n\n", ""),
    ):
        out = subprocess.run(
            [str(GITTERRA), "repo", "credential", "get"],
            input=asked,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert out.stdout == answer
    stored = subprocess.run(
        [str(GITTERRA), "repo", "credential", "store"],
        input=f"protocol=http\nhost={host}\nusername=x\npassword=y\n\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert stored.stdout == ""

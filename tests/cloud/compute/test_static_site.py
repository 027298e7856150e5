"""The static-site image's server as its own program (``python -m
gitterra.cloud.images.static_site``) over real HTTP: what a browser and a balancer rely on."""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.cloud.conftest import START_DEADLINE, wait_for

pytestmark = pytest.mark.slow

INDEX = "<!doctype html><h1>Fox</h1>\n"
BIG = 32 * 1024 * 1024


@dataclass
class Site:
    root: Path
    host: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def build_site(base: Path) -> Path:
    root = base / "www"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "sub" / "index.html").write_text("sub\n")
    (root / "style.css").write_text("h1 { color: red }\n")
    (root / "app.js").write_text("console.log(1)\n")
    (root / "data.json").write_text("{}\n")
    (root / "logo.svg").write_text("<svg/>\n")
    (root / "font.woff2").write_bytes(b"wOF2")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "blob.bin").write_bytes(bytes(range(256)) * 4)
    (root / "404.html").write_text("<h1>nothing here</h1>\n")
    (root / "noindex").mkdir()
    (root / "noindex" / "file.txt").write_text("x\n")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET\n")
    os.symlink(outside, root / "link-out")
    os.symlink(outside / "secret.txt", root / "secret-link.txt")
    os.symlink(root / "style.css", root / "alias.css")
    return root


def start_site(base: Path, root: Path) -> Site:
    log = base / f"site-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gitterra.cloud.images.static_site",
                "--root",
                str(root),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def bound() -> re.Match[str] | None:
        assert proc.poll() is None, log.read_text()
        return re.search(r"on http://([\d.]+):(\d+)", log.read_text())

    found = wait_for(bound, START_DEADLINE, "the static server to listen")
    return Site(root, found.group(1), int(found.group(2)), proc, log)


def stop_site(site: Site) -> int:
    site.proc.send_signal(signal.SIGTERM)
    return site.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("site")
    running = start_site(base, build_site(base))
    yield running
    assert stop_site(running) == 0, running.log.read_text()


def raw(site: Site, request: bytes) -> bytes:
    """One request as written (no client-side normalisation of ``..``), the whole answer."""
    with socket.create_connection((site.host, site.port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_index_with_type_length_and_validators(site: Site) -> None:
    r = httpx.get(site.base + "/")
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-length"] == str(len(INDEX))
    assert r.headers["etag"].startswith('"')
    mtime = (site.root / "index.html").stat().st_mtime
    assert email.utils.parsedate_to_datetime(r.headers["last-modified"]).timestamp() == int(mtime)
    assert r.headers["server"] == "gitterra-static-site"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/logo.svg", "image/svg+xml"),
        ("/font.woff2", "font/woff2"),
        ("/photo.png", "image/png"),
        ("/blob.bin", "application/octet-stream"),
    ],
)
def test_content_types(site: Site, path: str, media_type: str) -> None:
    r = httpx.get(site.base + path)
    assert r.status_code == 200
    assert r.headers["content-type"] == media_type


def test_keep_alive_serves_many_requests_on_one_connection(site: Site) -> None:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=30)
    try:
        conn.request("GET", "/")
        first = conn.getresponse()
        assert first.read().decode() == INDEX
        sock = conn.sock
        for path in ("/style.css", "/sub/", "/missing", "/"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.getheader("connection", "keep-alive").lower() != "close"
            assert conn.sock is sock, f"a new connection was opened for {path}"
    finally:
        conn.close()


def test_pipelined_requests_are_answered_in_order(site: Site) -> None:
    answer = raw(
        site,
        b"GET /sub/ HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert answer.count(b"HTTP/1.1 200 OK") == 2
    assert answer.index(b"sub\n") < answer.index(b"<h1>Fox</h1>")


def test_conditional_requests(site: Site) -> None:
    first = httpx.get(site.base + "/style.css")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    same = httpx.get(site.base + "/style.css", headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    assert (
        httpx.get(
            site.base + "/style.css", headers={"If-None-Match": f'"other", {etag}'}
        ).status_code
        == 304
    )
    assert (
        httpx.get(site.base + "/style.css", headers={"If-None-Match": '"other"'}).status_code == 200
    )
    assert (
        httpx.get(site.base + "/style.css", headers={"If-Modified-Since": modified}).status_code
        == 304
    )
    older = email.utils.formatdate(time.time() - 10 * 86400, usegmt=True)
    assert (
        httpx.get(site.base + "/style.css", headers={"If-Modified-Since": older}).status_code == 200
    )


def test_validators_change_with_the_file(tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    (root / "index.html").write_text("one\n")
    site = start_site(tmp_path, root)
    try:
        etag = httpx.get(site.base + "/").headers["etag"]
        (root / "index.html").write_text("two, longer\n")
        r = httpx.get(site.base + "/", headers={"If-None-Match": etag})
        assert (r.status_code, r.text) == (200, "two, longer\n")
        assert r.headers["etag"] != etag
    finally:
        assert stop_site(site) == 0


def test_head_has_headers_and_no_body(site: Site) -> None:
    answer = raw(site, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert f"content-length: {len(INDEX)}".encode() in head.lower()
    assert body == b""


def test_ranges(site: Site) -> None:
    data = (site.root / "blob.bin").read_bytes()
    r = httpx.get(site.base + "/blob.bin", headers={"Range": "bytes=10-19"})
    assert r.status_code == 206
    assert r.content == data[10:20]
    assert r.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = httpx.get(site.base + "/blob.bin", headers={"Range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, data[-5:])
    both = httpx.get(site.base + "/blob.bin", headers={"Range": "bytes=0-1,100-101"})
    assert both.status_code == 206
    assert both.headers["content-type"].startswith("multipart/byteranges")
    assert data[100:102] in both.content
    past = httpx.get(site.base + "/blob.bin", headers={"Range": f"bytes={len(data)}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(data)}"
    etag = httpx.get(site.base + "/blob.bin").headers["etag"]
    same = httpx.get(site.base + "/blob.bin", headers={"Range": "bytes=0-0", "If-Range": etag})
    assert same.status_code == 206
    stale = httpx.get(site.base + "/blob.bin", headers={"Range": "bytes=0-0", "If-Range": '"old"'})
    assert (stale.status_code, stale.content) == (200, data)


def test_directories_and_missing_files(site: Site) -> None:
    assert httpx.get(site.base + "/sub/").text == "sub\n"
    moved = httpx.get(site.base + "/sub")
    assert moved.status_code in (301, 307, 308)
    assert moved.headers["location"].endswith("/sub/")
    missing = httpx.get(site.base + "/nope.html")
    assert missing.status_code == 404
    assert missing.text == "<h1>nothing here</h1>\n"  # the site's own 404 page
    assert httpx.get(site.base + "/noindex/").status_code == 404  # no directory listings
    assert httpx.get(site.base + "/noindex/file.txt").text == "x\n"
    assert httpx.post(site.base + "/").status_code == 405


@pytest.mark.parametrize(
    "target",
    [
        b"/../outside/secret.txt",
        b"/%2e%2e/outside/secret.txt",
        b"/%2E%2E%2Foutside%2Fsecret.txt",
        b"/sub/../../outside/secret.txt",
        b"/sub/%2e%2e/%2e%2e/outside/secret.txt",
        b"/..%5coutside%5csecret.txt",
        b"//etc/passwd",
        b"/link-out/secret.txt",
        b"/secret-link.txt",
        b"/%00/etc/passwd",
    ],
)
def test_no_way_out_of_the_root(site: Site, target: bytes) -> None:
    answer = raw(site, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"SECRET" not in answer
    assert b"root:" not in answer
    assert answer.split(b" ", 2)[1] in (b"400", b"404"), answer[:200]


def test_symlinks_inside_the_root_are_served(site: Site) -> None:
    assert httpx.get(site.base + "/alias.css").text == "h1 { color: red }\n"


def test_sigterm_finishes_in_flight_requests_and_refuses_new_ones(tmp_path: Path) -> None:
    root = tmp_path / "www"
    root.mkdir()
    payload = os.urandom(BIG)
    (root / "big.bin").write_bytes(payload)
    site = start_site(tmp_path, root)
    idle = socket.create_connection((site.host, site.port), timeout=30)  # keep-alive, no request
    with httpx.Client(timeout=60) as client, client.stream("GET", site.base + "/big.bin") as r:
        body = iter(r.iter_bytes(65536))
        received = bytearray(next(body))
        site.proc.send_signal(signal.SIGTERM)

        def refused() -> bool:
            try:
                socket.create_connection((site.host, site.port), timeout=5).close()
            except ConnectionRefusedError:
                return True
            return False

        wait_for(refused, 30, "the server to stop accepting connections")
        assert site.proc.poll() is None, "the server exited with a request in flight"
        for chunk in body:
            received.extend(chunk)
    assert len(received) == BIG
    assert hashlib.sha256(received).digest() == hashlib.sha256(payload).digest()
    assert idle.recv(1) == b""  # the idle connection was closed, not left hanging
    idle.close()
    assert site.proc.wait(timeout=60) == 0


def test_bad_arguments_are_named(tmp_path: Path, site: Site) -> None:
    missing = tmp_path / "nope"
    run = [sys.executable, "-m", "gitterra.cloud.images.static_site", "--host", "127.0.0.1"]
    no_root = subprocess.run(
        [*run, "--root", str(missing), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert no_root.returncode == 1
    assert f"document root {missing} is not a directory" in no_root.stderr
    taken = subprocess.run(
        [*run, "--root", str(site.root), "--port", str(site.port)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert taken.returncode == 1
    assert f"cannot listen on 127.0.0.1:{site.port}" in taken.stderr

"""Proxying: keep-alive on both sides, streaming, forwarded headers, framing, limits."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator

import httpx

from gitterra.cloud.elb import dataplane as dp
from tests.cloud.dataplane.backends import Backend
from tests.cloud.dataplane.helpers import plane_with, raw_connection, read_response, run, wait_until


@run
async def test_keep_alive_is_reused_on_both_sides() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (plane, url):
        before = a.connections
        async with httpx.AsyncClient(base_url=url) as client:
            for _ in range(50):
                r = await client.get("/")
                assert r.status_code == 200
                assert r.text == "a"
            # one client connection to the balancer ...
            assert plane.metrics().listeners["l"].connections == 1
        # ... and one pooled connection to the target carried all 50 requests
        assert a.connections - before == 1
        assert {s.connection for s in a.requests("/")} == {before + 1}
    await a.stop()


@run
async def test_large_bodies_stream_both_ways() -> None:
    a = await Backend("a").start()
    size = 32 * 1024 * 1024
    piece = bytes(range(256)) * 1024
    async with plane_with([a]) as (_, url), httpx.AsyncClient(base_url=url) as client:

        async def upload() -> AsyncIterator[bytes]:
            for i in range(size // len(piece)):
                if i == size // len(piece) // 2:
                    # half sent: the target must already have most of it (nothing buffered whole)
                    await wait_until(
                        lambda: (
                            a.requests("/sink") and a.requests("/sink")[0].body_bytes > size // 4
                        ),
                        "the target receiving the first half of the body",
                    )
                yield piece

        r = await client.post("/sink", content=upload())
        assert r.json() == {
            "bytes": size,
            "sha256": hashlib.sha256(piece * (size // len(piece))).hexdigest(),
        }
        assert a.requests("/sink")[0].header("transfer-encoding") == "chunked"

        # the target sends half and waits: the client gets that half before the rest exists
        async with client.stream("GET", f"/big?n={size}&hold=1") as r:
            assert r.headers["content-length"] == str(size)
            digest = hashlib.sha256()
            n = 0
            async for data in r.aiter_raw():
                n += len(data)
                digest.update(data)
                if n >= size // 2:
                    a.release()
        assert n == size
        assert (
            digest.hexdigest()
            == hashlib.sha256((bytes(range(256)) * 256) * (size // 65536)).hexdigest()
        )

        body = b"y" * 300_000
        r = await client.put("/upload", content=body)  # Content-Length framing upstream
        assert r.content == body
        assert a.requests("/upload")[-1].header("content-length") == str(len(body))
        assert r.headers["transfer-encoding"] == "chunked"
    await a.stop()


@run
async def test_forwarded_headers_host_and_hop_by_hop() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (_, url), httpx.AsyncClient(base_url=url) as client:
        port = url.rsplit(":", 1)[1]
        r = await client.get(
            "/echo?x=1",
            headers={
                "Host": "www.example.com",
                "X-Forwarded-For": "203.0.113.7",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Port": "1",
                "Connection": "keep-alive, X-Secret",
                "X-Secret": "hop",
                "Keep-Alive": "timeout=5",
                "TE": "trailers",
                "X-Kept": "yes",
            },
        )
        seen = {k.lower(): v for k, v in r.json()["headers"]}
        assert r.json()["path"] == "/echo?x=1"
        assert seen["host"] == "www.example.com"
        assert seen["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
        assert seen["x-forwarded-proto"] == "http"
        assert seen["x-forwarded-port"] == port
        assert seen["x-kept"] == "yes"
        for hop in ("connection", "x-secret", "keep-alive", "te"):
            assert hop not in seen
        r = await client.get("/echo")
        seen = {k.lower(): v for k, v in r.json()["headers"]}
        assert seen["x-forwarded-for"] == "127.0.0.1"
    await a.stop()


@run
async def test_http10_clients_and_head_requests() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (_, url), raw_connection(url) as (reader, writer):
        # HTTP/1.0 with keep-alive asked for: kept, with Content-Length and the header
        writer.write(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        status, headers, body = await read_response(reader)
        assert (status, body, headers["connection"]) == (200, b"a", "keep-alive")
        # a chunked answer cannot go to a 1.0 client: raw body, then the connection closes
        writer.write(b"POST /upload HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello")
        status, headers, body = await read_response(reader)
        assert (status, body, headers["connection"]) == (200, b"hello", "close")
        assert "transfer-encoding" not in headers
        assert await reader.read() == b""

    async with plane_with([a]) as (_, url), raw_connection(url) as (reader, writer):
        # HEAD: the head only, then the same connection serves the next request
        writer.write(b"HEAD /big?n=5000 HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body = await read_response(reader, head_request=True)
        assert (status, headers["content-length"], body) == (200, "5000", b"")
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await read_response(reader))[2] == b"a"
    await a.stop()


@run
async def test_pipelined_requests_are_answered_in_order() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (_, url), raw_connection(url) as (reader, writer):
        writer.write(
            b"GET /echo?n=1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /echo?n=3 HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        first = await read_response(reader)
        second = await read_response(reader)
        third = await read_response(reader)
        assert json.loads(first[2])["path"] == "/echo?n=1"
        assert second[2] == b"abc"
        assert json.loads(third[2])["path"] == "/echo?n=3"
    await a.stop()


@run
async def test_expect_100_continue_is_answered_by_the_balancer() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (_, url), raw_connection(url) as (reader, writer):
        writer.write(
            b"PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        )
        assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"data")
        status, _, body = await read_response(reader)
        assert (status, body) == (200, b"data")
        assert a.requests("/upload")[0].header("expect") is None
    await a.stop()


@run
async def test_malformed_and_oversized_requests() -> None:
    a = await Backend("a").start()
    config = dp.ListenerConfig(dp.ForwardAction("tg"), max_body_bytes=1000)
    async with plane_with([a], listener=config) as (plane, url):
        cases = [
            (b"NOT HTTP AT ALL\r\n\r\n", 400),
            (b"GET /" + b"a" * 17000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 70000 + b"\r\n\r\n", 431),
            (b"GET / HTTP/1.1\r\n" + b"X-H: 1\r\n" * 101 + b"\r\n", 431),
            (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", 413),
            (
                b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"3e8\r\n" + b"z" * 1000 + b"\r\n1\r\nz\r\n0\r\n\r\n",
                413,
            ),
            (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ]
        for request, expected in cases:
            async with raw_connection(url) as (reader, writer):
                writer.write(request)
                status, headers, _ = await read_response(reader)
                assert status == expected, (request[:40], status)
                assert headers["connection"] == "close"
                assert await reader.read() == b""
        # the target never saw any of them, and good requests still pass
        assert a.requests("/") == []
        assert a.requests("/upload") == []
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.post("/upload", content=b"q" * 1000)).content == b"q" * 1000
        assert plane.metrics().listeners["l"].responses["4xx"] == len(cases)
    await a.stop()


@run
async def test_idle_client_connections_are_closed() -> None:
    a = await Backend("a").start()
    config = dp.ListenerConfig(dp.ForwardAction("tg"), idle_timeout=0.3)
    async with plane_with([a], listener=config) as (_, url), raw_connection(url) as (reader, w):
        w.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await read_response(reader))[0] == 200
        # nothing more is sent: the balancer closes the connection after the idle timeout
        async with asyncio.timeout(30):
            assert await reader.read() == b""
    await a.stop()


@run
async def test_access_log_records_each_request() -> None:
    a = await Backend("a").start()
    entries: list[dp.AccessLogEntry] = []
    async with (
        plane_with([a], access_log=entries.append) as (_, url),
        httpx.AsyncClient(base_url=url) as client,
    ):
        await client.get("/echo?q=1", headers={"User-Agent": "probe/1"})
    e = entries[-1]
    assert (e.listener_id, e.method, e.url, e.status, e.target_status) == (
        "l",
        "GET",
        "/echo?q=1",
        200,
        200,
    )
    assert (e.tg_id, e.target_id, e.action, e.user_agent) == ("tg", "a", "forward", "probe/1")
    assert e.target_address == f"127.0.0.1:{a.port}"
    assert e.client == "127.0.0.1"
    assert e.http_version == "HTTP/1.1"
    assert e.sent_bytes > 0
    assert 0 <= e.target_processing_time <= e.duration
    await a.stop()

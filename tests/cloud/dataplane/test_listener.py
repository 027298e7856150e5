"""Listeners: allowed sources, fixed responses, redirects, bind errors, live changes, closing."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from gitterra.cloud.elb import dataplane as dp
from tests.cloud.dataplane.backends import Backend
from tests.cloud.dataplane.helpers import (
    FakeClock,
    become_healthy,
    plane_with,
    raw_connection,
    read_response,
    run,
    wait_until,
)


async def _refused(url: str) -> bool:
    """Whether the balancer closes a new connection without answering a request on it."""
    async with raw_connection(url) as (reader, writer):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            await read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            return True
        return False


@run
async def test_allowed_sources_are_enforced_per_connection() -> None:
    a = await Backend("a").start()
    config = dp.ListenerConfig(dp.ForwardAction("tg"), allowed_sources=["10.0.0.0/8"])
    async with plane_with([a], listener=config) as (plane, url):
        assert await _refused(url)
        assert plane.metrics().listeners["l"].denied_connections == 1
        assert a.requests("/") == []
        for sources, refused in [
            (["10.0.0.0/8", "127.0.0.1/32"], False),
            (["::1/128"], True),
            ([], True),  # no ingress rule: nobody
            (None, False),  # everyone
            (["127.0.0.0/8"], False),
        ]:
            plane.configure_listener("l", dp.ListenerConfig(dp.ForwardAction("tg"), sources))
            assert await _refused(url) == refused, sources
        assert plane.metrics().listeners["l"].denied_connections == 3
        assert len(a.requests("/")) == 3
    await a.stop()


@run
async def test_fixed_responses() -> None:
    plane = dp.DataPlane()
    await plane.start()
    action = dp.FixedResponseAction(404, "application/json", '{"error": "nope"}')
    _, port = await plane.bind_listener("l", "127.0.0.1", 0, dp.ListenerConfig(action))
    url = f"http://127.0.0.1:{port}"
    async with raw_connection(url) as (reader, writer):
        # a body is read and ignored; the connection is kept for the next request
        writer.write(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody")
        status, headers, body = await read_response(reader)
        assert (status, headers["content-type"], body) == (
            404,
            "application/json",
            b'{"error": "nope"}',
        )
        writer.write(b"HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n")
        status, headers, body = await read_response(reader, head_request=True)
        assert (status, headers["content-length"], body) == (404, "17", b"")
        writer.write(b"GET /y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        assert (await read_response(reader))[0] == 404
        assert await reader.read() == b""
    assert plane.metrics().listeners["l"].responses["4xx"] == 3
    await plane.stop()


@run
async def test_redirects() -> None:
    plane = dp.DataPlane()
    await plane.start()
    action = dp.RedirectAction(301, protocol="HTTPS", port="443")
    _, port = await plane.bind_listener("l", "127.0.0.1", 0, dp.ListenerConfig(action))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        r = await client.get("/a/b?x=1&y=2", headers={"Host": "www.example.com:8080"})
        assert r.status_code == 301
        assert r.headers["location"] == "https://www.example.com/a/b?x=1&y=2"
        plane.configure_listener(
            "l",
            dp.ListenerConfig(
                dp.RedirectAction(
                    302, host="new.example.com", path="/v2/#{path}", query="from=#{host}"
                )
            ),
        )
        r = await client.get("/old", headers={"Host": "site"})
        assert r.status_code == 302
        assert r.headers["location"] == f"http://new.example.com:{port}/v2/old?from=site"
    await plane.stop()


@run
async def test_bind_errors_name_the_listener_and_the_address() -> None:
    plane = dp.DataPlane()
    await plane.start()
    config = dp.ListenerConfig(dp.FixedResponseAction(200))
    host, port = await plane.bind_listener("first", "127.0.0.1", 0, config)
    with pytest.raises(dp.BindError, match=rf"listener second: .*127.0.0.1:{port}.*already in use"):
        await plane.bind_listener("second", "127.0.0.1", port, config)
    with socket.socket() as other:  # a port some other program holds
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        with pytest.raises(dp.BindError, match="already in use") as info:
            await plane.bind_listener("third", "127.0.0.1", taken, config)
        assert isinstance(info.value.__cause__, OSError)
    with pytest.raises(dp.BindError, match="not an address of this machine"):
        await plane.bind_listener("fourth", "192.0.2.1", 0, config)
    with pytest.raises(
        dp.ConfigError, match=f"listener first: already listening on 127.0.0.1:{port}"
    ):
        await plane.bind_listener("first", "127.0.0.1", 0, config)
    with pytest.raises(dp.ConfigError, match="port 70000"):
        await plane.bind_listener("fifth", "127.0.0.1", 70000, config)
    with pytest.raises(dp.NotFoundError, match="listener nope"):
        plane.configure_listener("nope", config)
    # nothing of the failures is left behind; the first listener still serves
    assert list(plane.listeners) == ["first"]
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"http://{host}:{port}/")).status_code == 200
    await plane.stop()


@run
async def test_configuration_changes_apply_without_rebinding() -> None:
    a = await Backend("a").start()
    clock = FakeClock()
    async with (
        plane_with([a], clock=clock) as (plane, url),
        raw_connection(url) as (reader, writer),
    ):
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await read_response(reader))[2] == b"a"
        plane.configure_listener(
            "l", dp.ListenerConfig(dp.FixedResponseAction(503, body="maintenance"))
        )
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # the same connection
        assert (await read_response(reader))[:3:2] == (503, b"maintenance")
        # meanwhile no listener used the group: its targets were "unused", now checked again
        plane.configure_listener("l", dp.ListenerConfig(dp.ForwardAction("tg")))
        assert plane.target_health("tg")[0].state == "initial"
        await become_healthy(plane, clock, ["a"])
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await read_response(reader))[2] == b"a"
    await a.stop()


@run
async def test_closing_a_listener_lets_requests_in_flight_finish() -> None:
    a = await Backend("a").start()
    async with plane_with([a]) as (plane, url):
        port = int(url.rsplit(":", 1)[1])
        async with raw_connection(url) as (idle_reader, idle_writer):
            idle_writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await read_response(idle_reader)
            async with httpx.AsyncClient(base_url=url) as client:
                held = asyncio.ensure_future(client.get("/hold"))
                await wait_until(lambda: a.in_flight == 1, "a request in flight")
                closing = asyncio.ensure_future(plane.close_listener("l"))
                assert await idle_reader.read() == b""  # the idle connection closes at once
                with pytest.raises(ConnectionRefusedError):
                    await asyncio.open_connection("127.0.0.1", port)
                assert not closing.done()
                a.release()
                r = await held
                assert (r.status_code, r.text, r.headers["connection"]) == (200, "held a", "close")
                await closing
        # the port is free again: a new listener binds it
        config = dp.ListenerConfig(dp.ForwardAction("tg"))
        assert (await plane.bind_listener("again", "127.0.0.1", port, config))[1] == port
    await a.stop()

"""Listening sockets of the server and the static-site image hand asyncio connections with
TCP_NODELAY set: without it a keep-alive response written in two parts (head, then body) waits
for the peer's delayed ACK, 40 ms a request."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest

from gitterra.cloud.images import static_site
from gitterra.server import _run

OPENERS: dict[str, Callable[[str, int], socket.socket]] = {
    "server": _run.bind,
    "static-site": static_site.open_socket,
}


@pytest.mark.parametrize("name", sorted(OPENERS))
def test_accepted_connections_do_not_wait_for_acks(name: str) -> None:
    async def main() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        listener = OPENERS[name]("127.0.0.1", 0)
        server = await asyncio.start_server(handle, sock=listener)
        async with server:
            port = listener.getsockname()[1]
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            nodelay = await asyncio.wait_for(accepted, 30)
            writer.close()
            return nodelay

    assert asyncio.run(main()) != 0

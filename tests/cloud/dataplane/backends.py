"""Real HTTP/1.1 servers for the data plane's tests (asyncio streams on 127.0.0.1:0).

A :class:`Backend` answers by path:

- ``/`` and anything else: 200 with its name as the body (who served the request);
- ``/health``: ``health_status`` (changeable at run time); health checks are counted;
- ``/echo``: the request's method, path and headers as JSON;
- ``/upload``: the request body streamed back as it arrives (chunked), any size;
- ``/sink``: reads the request body as it arrives; answers its size and SHA-256 as JSON;
- ``/big?n=N``: N bytes (a repeating pattern) sent in 64 KiB pieces, with Content-Length
  (``&hold=1``: the second half only after :meth:`release`);
- ``/hold``: waits until :meth:`release` before answering (a request in flight);
- ``/hang``: never answers; ``/drop``: closes the connection without answering.

Options make the awkward backends: ``drop_reused`` closes a kept-alive connection when a
second request arrives on it (as a target that closed it between requests, just as the next
request was sent). :meth:`stop` is graceful: no new connections, idle ones close, requests in
flight finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    headers: list[tuple[str, str]]
    connection: int
    body_bytes: int = 0

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(values) if values else None


@dataclass
class Backend:
    name: str
    health_status: int = 200
    drop_reused: bool = False
    host: str = "127.0.0.1"
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    health_checks: int = 0
    connections: int = 0
    in_flight: int = 0
    _server: asyncio.Server | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    _halt: asyncio.Event = field(default_factory=asyncio.Event)
    _idle: set[asyncio.StreamWriter] = field(default_factory=set)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)
    _stopping: bool = False

    async def start(self) -> Backend:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def release(self) -> None:
        self._released.set()

    def requests(self, path: str | None = None) -> list[Seen]:
        return [s for s in self.seen if path is None or s.path == path]

    async def stop(self, graceful: bool = True) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.close()
        for w in list(self._idle if graceful else self._writers):
            w.close()
        if graceful and self._handlers:  # in-flight requests finish (bounded: 20 s)
            await asyncio.wait(list(self._handlers), timeout=20)
        self._halt.set()  # held and hanging requests end; the rest see their connection close
        for w in list(self._writers):
            w.close()
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=20)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        conn_id = self.connections
        me = asyncio.current_task()
        assert me is not None
        self._handlers.add(me)
        me.add_done_callback(self._handlers.discard)
        self._writers.add(writer)
        uses = 0
        try:
            while not self._stopping:
                self._idle.add(writer)
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                finally:
                    self._idle.discard(writer)
                uses += 1
                if self.drop_reused and uses > 1:
                    return
                self.in_flight += 1
                try:
                    keep = await self._answer(head, reader, writer, conn_id)
                finally:
                    self.in_flight -= 1
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _answer(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, conn: int
    ) -> bool:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
        pairs = (ln.split(":", 1) for ln in lines[1:] if ln)
        headers = [(k.strip(), v.strip()) for k, v in pairs]
        seen = Seen(method, urlsplit(target).path, headers, conn)
        self.seen.append(seen)
        close = (seen.header("connection") or "").lower() == "close" or version == "HTTP/1.0"
        path = seen.path
        if path == "/upload":
            await self._stream_back(seen, reader, writer, close)
            return not close
        if path == "/sink":
            digest = hashlib.sha256()
            async for piece in _body(seen, reader):
                seen.body_bytes += len(piece)
                digest.update(piece)
            result = {"bytes": seen.body_bytes, "sha256": digest.hexdigest()}
            await _send(writer, 200, json.dumps(result).encode(), close, b"application/json")
            return not close
        await _drain_body(seen, reader)
        if path == "/health":
            self.health_checks += 1
            await _send(writer, self.health_status, b"health", close)
        elif path == "/echo":
            body = json.dumps({"method": method, "path": target, "headers": headers}).encode()
            await _send(writer, 200, body, close, b"application/json")
        elif path == "/big":
            query = parse_qs(urlsplit(target).query)
            n = int(query["n"][0])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
            piece = bytes(range(256)) * 256
            sent = 0
            while sent < n:
                if "hold" in query and sent >= n // 2:
                    await self._until(self._released)
                part = piece[: min(len(piece), n - sent)]
                writer.write(part)
                sent += len(part)
                await writer.drain()
        elif path == "/hold":
            await self._until(self._released)
            await _send(writer, 200, b"held " + self.name.encode(), close)
        elif path == "/hang":
            await self._until(self._halt)
            return False
        elif path == "/drop":
            return False
        else:
            await _send(writer, 200, self.name.encode(), close)
        return not close

    async def _until(self, event: asyncio.Event) -> None:
        """Wait for ``event``; a stopping server stops waiting (its connection then closes)."""
        waits = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(self._halt.wait())]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for w in waits:
            w.cancel()
        if self._halt.is_set() and not event.is_set():
            raise ConnectionResetError("the server stopped")

    async def _stream_back(
        self, seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, close: bool
    ) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        async for piece in _body(seen, reader):
            seen.body_bytes += len(piece)
            writer.write(b"%x\r\n%b\r\n" % (len(piece), piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    close: bool,
    ctype: bytes = b"text/plain",
) -> None:
    head = b"HTTP/1.1 %d X\r\nContent-Type: %b\r\nContent-Length: %d\r\n" % (
        status,
        ctype,
        len(body),
    )
    if close:
        head += b"Connection: close\r\n"
    writer.write(head + b"\r\n" + body)
    await writer.drain()


async def _drain_body(seen: Seen, reader: asyncio.StreamReader) -> None:
    async for piece in _body(seen, reader):
        seen.body_bytes += len(piece)


async def _body(seen: Seen, reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    length = seen.header("content-length")
    if length is not None:
        left = int(length)
        while left:
            piece = await reader.read(min(left, 65536))
            if not piece:
                raise asyncio.IncompleteReadError(b"", left)
            left -= len(piece)
            yield piece
    elif "chunked" in (seen.header("transfer-encoding") or "").lower():
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return
            yield await reader.readexactly(size)
            await reader.readexactly(2)

"""Connections from the balancer to targets: one asyncio Protocol each, pooled per target.

An :class:`UpstreamConn` carries one exchange at a time (no pipelining towards targets). It
parses responses with httptools and hands head, body pieces and the end to its exchange;
between exchanges it waits in its member's idle pool, where an end of stream from the target
or :data:`POOL_IDLE_TIMEOUT` closes it. A response to HEAD has no body whatever its headers say,
which llhttp cannot be told, so the parser is replaced after such a head.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, cast

import httptools

from gitterra.cloud.elb.dataplane import _tasks

if TYPE_CHECKING:
    from gitterra.cloud.elb.dataplane._exchange import Exchange
    from gitterra.cloud.elb.dataplane._group import Member

#: How long an unused pooled connection stays open.
POOL_IDLE_TIMEOUT = 30.0
#: At most this many idle connections are kept per target.
POOL_MAX_IDLE = 512


class UpstreamConn(asyncio.Protocol):
    """One connection to a target; the exchange it carries gets the parser's events."""

    __slots__ = (
        "_headers",
        "_loop",
        "_reason",
        "_skip_interim",
        "exchange",
        "got_bytes",
        "member",
        "parser",
        "read_paused",
        "timer",
        "transport",
        "uses",
    )

    def __init__(self, member: Member, loop: asyncio.AbstractEventLoop) -> None:
        self.member = member
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.exchange: Exchange | None = None
        self.uses = 0
        self.got_bytes = False
        self.read_paused = False
        self._reason = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._skip_interim = False
        self.timer = _tasks.IdleTimer(loop, POOL_IDLE_TIMEOUT, self._on_idle)

    # -- state ---------------------------------------------------------------------------

    def usable(self) -> bool:
        t = self.transport
        return t is not None and not t.is_closing()

    def send(self, exchange: Exchange, data: bytes, idle_timeout: float) -> None:
        """Start carrying ``exchange``; ``data`` is its request head (and any body so far)."""
        assert self.transport is not None
        self.exchange = exchange
        self.uses += 1
        self.got_bytes = False
        self.member.busy.add(self)
        self.timer.start(idle_timeout)
        self.transport.write(data)

    def write(self, data: bytes) -> None:
        if self.transport is not None:
            self.timer.last = self._loop.time()
            self.transport.write(data)

    def pause(self, paused: bool) -> None:
        """Stop (or resume) reading the target: the client is not keeping up."""
        t = self.transport
        if t is not None and paused != self.read_paused and not t.is_closing():
            self.read_paused = paused
            if paused:
                t.pause_reading()
            else:
                t.resume_reading()

    def detach(self) -> None:
        """The exchange is over with this connection."""
        self.exchange = None
        self.member.busy.discard(self)
        self.pause(False)

    def close(self) -> None:
        self.timer.stop()
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.timer.stop()
        if self.transport is not None:
            self.transport.abort()

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport but provide its methods
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self.timer.stop()
        ex = self.exchange
        self.exchange = None
        self.member.busy.discard(self)
        if ex is not None:
            ex.upstream_lost(self)
        else:
            with contextlib.suppress(ValueError):
                self.member.idle.remove(self)

    def data_received(self, data: bytes) -> None:
        ex = self.exchange
        if ex is None:  # a target talking out of turn: its next answer could not be trusted
            self.abort()
            return
        self.timer.last = self._loop.time()
        self.got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError:
            raise  # a bug of ours, raised inside a callback: let asyncio report it
        except httptools.HttpParserError:
            if self.exchange is ex:
                ex.upstream_failed(self, "bad_response")
            self.abort()
        ex.client.flush()

    def eof_received(self) -> bool | None:
        return None  # close our side too; connection_lost follows

    def pause_writing(self) -> None:
        if self.exchange is not None:
            self.exchange.client.pause(self.exchange.client.PAUSE_UPSTREAM)

    def resume_writing(self) -> None:
        if self.exchange is not None:
            self.exchange.client.resume(self.exchange.client.PAUSE_UPSTREAM)

    # -- httptools callbacks -------------------------------------------------------------

    def on_status(self, status: bytes) -> None:
        self._reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        headers, reason = self._headers, self._reason
        self._headers, self._reason = [], b""
        if 100 <= status < 200 and status != 101:
            self._skip_interim = True  # 100 Continue, 103 Early Hints: not passed on
            return
        ex = self.exchange
        assert ex is not None
        ex.response_head(self, status, reason, headers, self.parser.should_keep_alive())
        if ex.head_request and self.exchange is ex:
            self.parser = httptools.HttpResponseParser(self)
            ex.response_done(self)

    def on_body(self, body: bytes) -> None:
        ex = self.exchange
        if ex is not None:
            ex.response_body(body)

    def on_message_complete(self) -> None:
        if self._skip_interim:
            self._skip_interim = False
            return
        ex = self.exchange
        if ex is not None:
            ex.response_done(self)

    def _on_idle(self) -> None:
        ex = self.exchange
        if ex is None:
            self.close()
        else:
            ex.upstream_failed(self, "timeout")


async def connect(member: Member, timeout: float) -> UpstreamConn:
    """A new connection to ``member``'s target (raises ``OSError`` or ``TimeoutError``)."""
    loop = asyncio.get_running_loop()
    target = member.target
    async with asyncio.timeout(timeout):
        _, conn = await loop.create_connection(
            lambda: UpstreamConn(member, loop), target.host, target.port
        )
    return conn

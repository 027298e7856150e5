"""Connections from clients to a listener: one asyncio Protocol each.

A :class:`ClientConn` checks the peer against the listener's allowed sources, parses requests
with httptools, and turns each complete head into an :class:`~._exchange.Exchange`. Requests
are answered in order: pipelined ones wait (reading pauses) until those before them are done.
The head sent to the target is built here in one pass over the headers: hop-by-hop headers
and those named in ``Connection`` dropped, ``X-Forwarded-For`` appended to, ``-Proto`` and
``-Port`` set, ``Host`` kept, framing chosen for the target.

Reading from the client pauses for several reasons at once (a bit each): the target's socket
is full, too much body is waiting for a connection, or a pipelined request waits its turn.
Output produced while handling one read is coalesced and written once (:meth:`flush`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, cast

import httptools

from gitterra.cloud.elb.dataplane import _exchange, _http, _tasks

if TYPE_CHECKING:
    from gitterra.cloud.elb.dataplane._listener import Listener

_HOST, _UA, _XFF, _CL, _TE, _EXPECT, _CONNECTION, _SKIP = range(8)
_SPECIAL = {
    b"host": _HOST,
    b"user-agent": _UA,
    b"x-forwarded-for": _XFF,
    b"content-length": _CL,
    b"transfer-encoding": _TE,
    b"expect": _EXPECT,
    b"connection": _CONNECTION,
    b"x-forwarded-proto": _SKIP,
    b"x-forwarded-port": _SKIP,
    **dict.fromkeys(_http.HOP_BY_HOP - {b"connection", b"transfer-encoding"}, _SKIP),
}


class _Reject(Exception):
    """Raised inside a parser callback to stop parsing a request that breaks a limit."""


class ClientConn(asyncio.Protocol):
    """One client connection to a listener."""

    PAUSE_UPSTREAM = 1
    PAUSE_BUFFER = 2
    PAUSE_PIPELINE = 4

    __slots__ = (
        "_eof",
        "_headers",
        "_hsize",
        "_ip",
        "_paused",
        "_reject",
        "_url",
        "closing",
        "listener",
        "loop",
        "out",
        "parser",
        "peer",
        "queue",
        "timer",
        "transport",
        "write_paused",
    )

    def __init__(self, listener: Listener, loop: asyncio.AbstractEventLoop) -> None:
        self.listener = listener
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[_exchange.Exchange] = deque()
        self.out: list[bytes] = []
        self.peer: tuple[str, int] = ("", 0)
        self.closing = False
        self.write_paused = False
        self.timer = _tasks.IdleTimer(loop, listener.config.idle_timeout, self._on_idle)
        self._ip = b""
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._hsize = 0
        self._paused = 0
        self._reject = 0
        self._eof = False

    # -- asyncio.Protocol ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport but provide its methods
        self.transport = t = cast(asyncio.Transport, transport)
        peer = t.get_extra_info("peername")
        self.peer = (str(peer[0]), int(peer[1])) if peer else ("", 0)
        listener = self.listener
        if not listener.allows(self.peer[0]):
            listener.counters.denied += 1
            self.closing = True
            t.abort()
            return
        self._ip = self.peer[0].encode()
        listener.conns.add(self)
        listener.counters.connections += 1
        self.timer.start(listener.config.idle_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.timer.stop()
        self.listener.forget(self)
        queue, self.queue = self.queue, deque()
        for ex in queue:
            ex.client_gone()

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.timer.last = self.loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # Upgrade is not forwarded: the request was handled as a plain one
        except httptools.HttpParserCallbackError as exc:
            if not isinstance(exc.__context__, _Reject):
                raise
            self._bad_request(self._reject)
        except httptools.HttpParserError:
            self._bad_request(400)
        self.flush()

    def eof_received(self) -> bool:
        self._eof = True
        if not self.queue:
            self.close()
        return True  # answer what was asked before closing

    def pause_writing(self) -> None:
        self.write_paused = True
        if self.queue and (conn := self.queue[0].conn) is not None:
            conn.pause(True)

    def resume_writing(self) -> None:
        self.write_paused = False
        if self.queue and (conn := self.queue[0].conn) is not None:
            conn.pause(False)

    # -- httptools callbacks -------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._hsize = 0

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > _http.MAX_URL_BYTES:
            self._reject = 414
            raise _Reject

    def on_header(self, name: bytes, value: bytes) -> None:
        self._hsize += len(name) + len(value) + 4
        headers = self._headers
        headers.append((name, value))
        if self._hsize > _http.MAX_HEADER_BYTES or len(headers) > _http.MAX_HEADERS:
            self._reject = 431
            raise _Reject

    def on_headers_complete(self) -> None:
        if self.closing:
            return
        parser = self.parser
        ex = _exchange.Exchange(self, parser.get_method(), self._url, parser.get_http_version())
        ex.keep_alive = parser.should_keep_alive()
        self._build_head(ex)
        counters = self.listener.counters
        counters.requests += 1
        counters.in_flight += 1
        queue = self.queue
        queue.append(ex)
        if len(queue) == 1:
            ex.activate()
        else:
            self.pause(self.PAUSE_PIPELINE)

    def on_body(self, body: bytes) -> None:
        if self.queue and not self.closing:
            self.queue[-1].request_body(body)

    def on_message_complete(self) -> None:
        if self.queue and not self.closing:
            self.queue[-1].request_complete()

    # -- the request head for the target -------------------------------------------------

    def _build_head(self, ex: _exchange.Exchange) -> None:
        parts = [ex.method, b" ", ex.url, b" HTTP/1.1\r\n"]
        xff = b""
        drop: set[bytes] | None = None
        special = _SPECIAL
        for name, value in self._headers:
            code = special.get(name.lower())
            if code is None:
                parts.append(b"%b: %b\r\n" % (name, value))
            elif code == _HOST:
                ex.host = value
                parts.append(b"%b: %b\r\n" % (name, value))
            elif code == _UA:
                ex.user_agent = value
                parts.append(b"%b: %b\r\n" % (name, value))
            elif code == _XFF:
                if value.strip():
                    xff += value.strip() + b", "
            elif code == _CL:
                ex.content_length = int(value)  # llhttp checked it is a number
            elif code == _TE:
                ex.chunked = ex.chunked or b"chunked" in value.lower()
            elif code == _EXPECT:
                ex.expect_continue = value.strip().lower() == b"100-continue"
            elif code == _CONNECTION:
                drop = _http.connection_tokens(value)
        if drop:
            parts = parts[:1] + [p for p in parts[1:] if p.split(b":", 1)[0].lower() not in drop]
        listener = self.listener
        if not ex.host:
            parts.append(b"Host: %b\r\n" % listener.authority)
        parts.append(
            b"X-Forwarded-For: %b%b\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: %b\r\n"
            % (xff, self._ip, listener.port_bytes)
        )
        if ex.chunked:
            parts.append(b"Transfer-Encoding: chunked\r\n")
        elif ex.content_length is not None:
            parts.append(b"Content-Length: %d\r\n" % ex.content_length)
        parts.append(b"\r\n")
        ex.head = b"".join(parts)
        ex.body_done = not (ex.chunked or (ex.content_length or 0) > 0)
        limit = listener.config.max_body_bytes
        if limit is not None and (ex.content_length or 0) > limit:
            ex.reject = 413

    # -- flow ----------------------------------------------------------------------------

    def exchange_done(self, ex: _exchange.Exchange) -> None:
        """``ex`` (the first in line) is answered: go on with the next request, or close."""
        queue = self.queue
        if queue and queue[0] is ex:
            queue.popleft()
        if self.closing:
            return
        if not ex.keep_alive or not ex.body_done or self.listener.closing:
            self.close()
            return
        if queue:
            if len(queue) == 1:
                self.resume(self.PAUSE_PIPELINE)
            queue[0].activate()
        elif self._reject:
            self._bad_request(self._reject)
        elif self._eof:
            self.close()
        else:
            self.timer.start()

    def _bad_request(self, status: int) -> None:
        """The request being parsed is malformed or too large: answer it and close."""
        self._reject = status or 400
        queue = self.queue
        if queue and not queue[-1].body_done:  # the request whose body broke
            if len(queue) == 1:
                queue[-1].reject_body(self._reject, "bad_request")
            else:
                queue[-1].reject = self._reject  # answered in its turn
                self.pause(self.PAUSE_PIPELINE)
        elif not queue:
            self.listener.counters.error("bad_request")
            self.listener.counters.observe(self._reject, 0.0)
            self.out.append(_http.error_response(self._reject, True, False))
            self.close()
        else:
            self.pause(self.PAUSE_PIPELINE)  # answered when those before it are

    def _on_idle(self) -> None:
        if self.queue and self.queue[0].body_done:
            self.timer.start()  # waiting for the target: its own timer is running
            return
        self.close()

    def pause(self, reason: int) -> None:
        if not self._paused and self.transport is not None and not self.closing:
            self.transport.pause_reading()
        self._paused |= reason

    def resume(self, reason: int) -> None:
        if self._paused & reason:
            self._paused &= ~reason
            if not self._paused and self.transport is not None and not self.closing:
                self.transport.resume_reading()

    def flush(self) -> None:
        out = self.out
        if out:
            data = out[0] if len(out) == 1 else b"".join(out)
            out.clear()
            t = self.transport
            if t is not None and not t.is_closing():
                t.write(data)

    def close(self) -> None:
        """Send what is pending, then close."""
        self.flush()
        self.closing = True
        self.timer.stop()
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Cut the connection after a response that could not be completed."""
        self.close()

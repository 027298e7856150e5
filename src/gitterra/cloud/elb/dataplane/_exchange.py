"""One request and its response, from the client's head to the last byte sent back.

An :class:`Exchange` is created by the client connection when a request head is complete and
carries out the listener's action. For a forward it picks a member, takes a pooled connection
(or opens one), writes the rewritten head and streams the body as it arrives; the target's
response is streamed back with the framing this client needs.

Failures follow ALB: no routable member → 503; connect refused, reset or a bad response → 502;
no answer within the idle timeout (or no connection within the connect timeout) → 504. Before
any response byte went to the client the request is sent again on another member when that is
safe: always when the connection could not be made (nothing was sent), and for idempotent
methods whose body is still held (up to :data:`REPLAY_LIMIT`) when a connection failed after
sending — which covers a pooled keep-alive connection the target closed between requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitterra.cloud.elb.dataplane import _access, _actions, _group, _http, _model, _upstream

if TYPE_CHECKING:
    from gitterra.cloud.elb.dataplane._client import ClientConn

#: Request bodies up to this size are kept so the request can be sent again.
REPLAY_LIMIT = 64 * 1024
#: Attempts per request (the first one included).
MAX_ATTEMPTS = 3

_RAW, _CHUNKED = 0, 1
_HEAD = b"HEAD"


class Exchange:
    """One request/response through the balancer (owned by its client connection)."""

    __slots__ = (
        "_attempts",
        "_out_mode",
        "_sent",
        "_sent_size",
        "_tried",
        "_until_close",
        "_upstream_keep",
        "body_done",
        "chunked",
        "client",
        "conn",
        "content_length",
        "error",
        "expect_continue",
        "finished",
        "group",
        "head",
        "head_request",
        "host",
        "keep_alive",
        "last_member",
        "member",
        "method",
        "pending",
        "pending_size",
        "received",
        "reject",
        "sent_bytes",
        "started",
        "status",
        "t0",
        "t_head",
        "t_sent",
        "target_status",
        "url",
        "user_agent",
        "version",
        "waiting_body",
    )

    def __init__(self, client: ClientConn, method: bytes, url: bytes, version: str) -> None:
        self.client = client
        self.method = method
        self.url = url
        self.version = version
        self.head_request = method == _HEAD
        self.head = b""
        self.host = b""
        self.user_agent = b""
        self.keep_alive = True
        self.chunked = False
        self.content_length: int | None = None
        self.expect_continue = False
        self.body_done = False
        self.reject = 0
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.received = 0
        self._sent: list[bytes] | None = []
        self._sent_size = 0
        self.group: _group.TargetGroup | None = None
        self.member: _group.Member | None = None
        self.last_member: _group.Member | None = None
        self.conn: _upstream.UpstreamConn | None = None
        self._tried: tuple[_group.Member, ...] = ()
        self._attempts = 0
        self._upstream_keep = False
        self._until_close = False
        self._out_mode = _RAW
        self.started = False
        self.finished = False
        self.waiting_body = False
        self.status = 0
        self.target_status = 0
        self.sent_bytes = 0
        self.error = ""
        self.t0 = client.loop.time()
        self.t_sent = -1.0
        self.t_head = -1.0

    # -- the action ----------------------------------------------------------------------

    def activate(self) -> None:
        """Carry out the listener's action (the exchange is now first in its connection)."""
        listener = self.client.listener
        if self.reject:
            self.respond_error(self.reject)
            return
        action = listener.config.default_action
        if isinstance(action, _model.ForwardAction):
            group = listener.plane.groups.get(action.tg_id)
            if group is None:
                self.respond_error(503)
                return
            self.group = group
            group.counters.requests += 1
            self._forward(False)
        elif not self.body_done:
            self.waiting_body = True  # answer once the (ignored) body is in: keep-alive holds
        else:
            self._answer(action)

    def _answer(self, action: _model.FixedResponseAction | _model.RedirectAction) -> None:
        status, data = _actions.answer(
            action,
            host=self.host,
            port=self.client.listener.port,
            url=self.url,
            close=not self.keep_alive or self.client.listener.closing,
            http10=self.version == "1.0",
            head_request=self.head_request,
        )
        self._respond(status, data)

    def respond_error(self, status: int) -> None:
        """Answer with the balancer's own error page."""
        close = not self.keep_alive or not self.body_done or self.client.listener.closing
        data = _http.error_response(status, close, self.version == "1.0", self.head_request)
        self._respond(status, data)

    def _respond(self, status: int, data: bytes) -> None:
        self.status = status
        self.started = True
        self.sent_bytes += len(data)
        self.client.out.append(data)
        self._finish()

    # -- forwarding ----------------------------------------------------------------------

    def _forward(self, force_new: bool) -> None:
        group = self.group
        assert group is not None
        member = group.pick(self._tried)
        last = self.last_member
        if member is None and force_new and last is not None and not last.gone:
            member = last if last.state in ("healthy", "unhealthy") else None
        if member is None:
            self.error = self.error or "no_targets"
            self.respond_error(503 if self._attempts == 0 else 502)
            return
        self._attempts += 1
        self.member = self.last_member = member
        self._tried += (member,)
        group.begin(member)
        conn = None if force_new else member.take_idle()
        if conn is not None:
            self._attach(conn)
        else:
            plane = self.client.listener.plane
            plane.tasks.spawn(f"connect {member.target.id}", self._connect(member))

    async def _connect(self, member: _group.Member) -> None:
        timeout = self.client.listener.config.connect_timeout
        try:
            conn = await _upstream.connect(member, timeout)
        except TimeoutError:
            self._connect_failed(member, "connect_timeout")
            return
        except OSError:
            self._connect_failed(member, "connect")
            return
        if self.member is not member or self.finished:
            conn.close()  # the client went away meanwhile
            return
        self._attach(conn)
        self.client.flush()

    def _connect_failed(self, member: _group.Member, kind: str) -> None:
        if self.member is not member or self.finished:
            return
        self._end_member()
        assert self.group is not None
        self.group.counters.error(kind)
        self.error = kind
        if kind == "connect_timeout":
            self.respond_error(504)
        elif self._attempts < MAX_ATTEMPTS:  # nothing was sent: any request may go again
            self.group.counters.retries += 1
            self._forward(False)
        else:
            self.respond_error(502)

    def _attach(self, conn: _upstream.UpstreamConn) -> None:
        self.conn = conn
        client = self.client
        if self.expect_continue and not self.body_done:
            self.expect_continue = False
            client.out.append(_http.CONTINUE)
        data = [self.head]
        pending = self.pending
        if pending:
            if self.chunked:
                data.extend(_http.chunk(c) for c in pending)
            else:
                data.extend(pending)
            self._keep(pending)
            self.pending = []
            self.pending_size = 0
            client.resume(client.PAUSE_BUFFER)
        if self.body_done and self.chunked:
            data.append(_http.LAST_CHUNK)
        self.t_sent = client.loop.time()
        conn.send(self, b"".join(data), client.listener.config.idle_timeout)
        if client.write_paused:
            conn.pause(True)

    def _keep(self, chunks: list[bytes]) -> None:
        """Keep what was sent, while small enough, to send it again after a failure."""
        sent = self._sent
        if sent is not None:
            sent.extend(chunks)
            self._sent_size += sum(map(len, chunks))
            if self._sent_size > REPLAY_LIMIT:
                self._sent = None

    def request_body(self, data: bytes) -> None:
        """A piece of the request body arrived from the client."""
        self.received += len(data)
        limit = self.client.listener.config.max_body_bytes
        if limit is not None and self.received > limit:
            self.reject_body(413, "body_too_large")
            return
        conn = self.conn
        if conn is not None:
            conn.write(_http.chunk(data) if self.chunked else data)
            if self._sent is not None:
                self._keep([data])
        elif not self.finished:
            self.pending.append(data)
            self.pending_size += len(data)
            if self.pending_size > REPLAY_LIMIT * 4:
                self.client.pause(self.client.PAUSE_BUFFER)

    def request_complete(self) -> None:
        self.body_done = True
        if self.conn is not None and self.chunked:
            self.conn.write(_http.LAST_CHUNK)
        if self.waiting_body:
            self.waiting_body = False
            action = self.client.listener.config.default_action
            assert not isinstance(action, _model.ForwardAction)
            self._answer(action)

    def reject_body(self, status: int, error: str) -> None:
        """The request body cannot be taken (too large, or malformed): 413/400, or cut."""
        self.error = error
        if self.finished:
            return
        if self.conn is not None:
            conn = self.conn
            self._release(conn, False)
            conn.abort()
        else:
            self._end_member()
        if self.started:
            self.client.abort()
        else:
            self.respond_error(status)

    # -- the target's response -----------------------------------------------------------

    def response_head(
        self,
        conn: _upstream.UpstreamConn,
        status: int,
        reason: bytes,
        headers: list[tuple[bytes, bytes]],
        keep_alive: bool,
    ) -> None:
        if status == 101:  # we never forward Upgrade: a target that switches is broken
            self.upstream_failed(conn, "bad_response")
            return
        client = self.client
        self.t_head = client.loop.time()
        self.target_status = self.status = status
        self._upstream_keep = keep_alive
        framing = _http.response_head(
            status,
            reason,
            headers,
            bodyless=self.head_request or status in (204, 304),
            http10=self.version == "1.0",
            close=not self.keep_alive or client.listener.closing,
        )
        head = framing.head
        self._out_mode = _CHUNKED if framing.chunked else _RAW
        self._until_close = framing.until_close
        if framing.close:
            self.keep_alive = False
        self.sent_bytes += len(head)
        self.started = True
        client.out.append(head)

    def response_body(self, data: bytes) -> None:
        self.sent_bytes += len(data)
        self.client.out.append(_http.chunk(data) if self._out_mode == _CHUNKED else data)

    def response_done(self, conn: _upstream.UpstreamConn) -> None:
        if self._out_mode == _CHUNKED:
            self.client.out.append(_http.LAST_CHUNK)
        all_sent = self.body_done and not self.pending
        self._release(conn, self._upstream_keep and all_sent and not self._until_close)
        self._finish()

    # -- failures ------------------------------------------------------------------------

    def upstream_lost(self, conn: _upstream.UpstreamConn) -> None:
        """The target closed the connection while this exchange used it."""
        if self._until_close and self.started:
            self.keep_alive = self.keep_alive and self._out_mode == _CHUNKED
            self.response_done(conn)
            self.client.flush()
            return
        stale = conn.uses > 1 and not conn.got_bytes
        self.upstream_failed(conn, "stale_connection" if stale else "reset")
        self.client.flush()

    def upstream_failed(self, conn: _upstream.UpstreamConn, kind: str) -> None:
        """The connection failed (reset, timeout, unparsable response) during this exchange."""
        if self.finished or self.conn is not conn:
            return
        self._release(conn, False)
        conn.abort()
        group = self.group
        assert group is not None
        group.counters.error(kind)
        self.error = kind
        if self.started:
            self.keep_alive = False
            self.client.abort()
            self._finish()
        elif kind == "timeout":
            self.respond_error(504)
        elif self._can_resend():
            group.counters.retries += 1
            sent = self._sent or []
            self.pending = sent + self.pending
            self.pending_size = sum(map(len, self.pending))
            self._sent = []
            self._sent_size = 0
            self._forward(kind == "stale_connection")
        else:
            self.respond_error(502)

    def _can_resend(self) -> bool:
        return (
            self.method in _http.IDEMPOTENT
            and self._sent is not None
            and self._attempts < MAX_ATTEMPTS
        )

    def client_gone(self) -> None:
        """The client closed its connection: give the target connection up."""
        if self.finished:
            return
        self.error = self.error or "client_closed"
        if self.conn is not None:
            conn = self.conn
            self._release(conn, False)
            conn.abort()
        else:
            self._end_member()
        if self.group is not None:
            self.group.counters.error("client_closed")
        self.status = self.status or 460  # ALB's code for a client that left
        self._finish(notify=False)

    # -- the end -------------------------------------------------------------------------

    def _release(self, conn: _upstream.UpstreamConn, reusable: bool) -> None:
        conn.detach()
        self.conn = None
        member = self.member
        if member is None:
            conn.close()
            return
        if (
            reusable
            and conn.usable()
            and not member.gone
            and member.state != "draining"
            and len(member.idle) < _upstream.POOL_MAX_IDLE
        ):
            conn.timer.start(_upstream.POOL_IDLE_TIMEOUT)
            member.idle.append(conn)
        else:
            conn.close()
        self._end_member()

    def _end_member(self) -> None:
        member = self.member
        if member is not None:
            self.member = None
            assert self.group is not None
            self.group.end(member)

    def _finish(self, notify: bool = True) -> None:
        if self.finished:
            return
        self.finished = True
        client = self.client
        elapsed = client.loop.time() - self.t0
        listener = client.listener
        listener.counters.in_flight -= 1
        listener.counters.observe(self.status, elapsed)
        if self.group is not None:
            self.group.counters.observe(self.status, elapsed)
        if listener.plane.access_log is not None:
            listener.plane.log_access(_access.entry(self, elapsed))
        if notify:
            client.exchange_done(self)

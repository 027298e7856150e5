"""Listeners: a bound socket, its configuration, its connections and its figures.

The listening socket stays open for the listener's whole life: configuration changes swap the
rules it applies to new requests, never the socket. Source addresses are checked against the
allowed CIDRs once per connection (with a small cache of verdicts per address).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
from typing import TYPE_CHECKING

from gitterra.cloud.elb.dataplane import _client, _metrics, _model

if TYPE_CHECKING:
    from gitterra.cloud.elb.dataplane._plane import DataPlane

_VERDICT_CACHE = 4096


class Listener:
    """One bound listener (owned by the data plane)."""

    def __init__(self, plane: DataPlane, listener_id: str, config: _model.ListenerConfig) -> None:
        self.plane = plane
        self.id = listener_id
        self.config = config
        self.server: asyncio.Server | None = None
        self.host = ""
        self.port = 0
        self.port_bytes = b""
        self.authority = b""
        self.conns: set[_client.ClientConn] = set()
        self.counters = _metrics.Counters()
        self.closing = False
        self._verdicts: dict[str, bool] = {}
        self._emptied: asyncio.Event | None = None

    async def bind(self, host: str, port: int) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        try:
            self.server = await loop.create_server(
                lambda: _client.ClientConn(self, loop),
                host,
                port,
                reuse_address=True,
                backlog=1024,
            )
        except OSError as exc:
            raise _model.BindError(exc.errno, _bind_message(self.id, host, port, exc)) from exc
        sockname = self.server.sockets[0].getsockname()
        self.host, self.port = str(sockname[0]), int(sockname[1])
        self.port_bytes = str(self.port).encode()
        self.authority = f"{self.host}:{self.port}".encode()
        return self.host, self.port

    def forget(self, conn: _client.ClientConn) -> None:
        """``conn`` has closed."""
        if conn in self.conns:
            self.conns.discard(conn)
            self.counters.connections -= 1
            if not self.conns and self._emptied is not None:
                self._emptied.set()

    def configure(self, config: _model.ListenerConfig) -> None:
        self.config = config
        self._verdicts.clear()

    def allows(self, ip: str) -> bool:
        """Whether a connection from ``ip`` may come in (security group ingress)."""
        networks = self.config.networks
        if networks is None:
            return True
        verdict = self._verdicts.get(ip)
        if verdict is None:
            verdict = _allowed(ip, networks)
            if len(self._verdicts) >= _VERDICT_CACHE:
                self._verdicts.clear()
            self._verdicts[ip] = verdict
        return verdict

    async def close(self, grace: float) -> None:
        """Stop accepting; close idle connections; let requests in flight end (up to ``grace``)."""
        self.closing = True
        if self.server is not None:
            self.server.close()
        for conn in list(self.conns):
            if not conn.queue:
                conn.close()
        if self.conns:
            self._emptied = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace):
                    await self._emptied.wait()
        for conn in list(self.conns):
            if conn.transport is not None:
                conn.transport.abort()
        if self.server is not None:
            await self.server.wait_closed()


def _allowed(ip: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        addr = ipaddress.ip_address(ip.partition("%")[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return any(addr in net for net in networks)


def _bind_message(listener_id: str, host: str, port: int, exc: OSError) -> str:
    where = f"listener {listener_id}: cannot listen on {host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"{where}: the address is already in use"
    if exc.errno == errno.EACCES:
        return f"{where}: permission denied (ports below 1024 need privileges)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{where}: {host} is not an address of this machine"
    return f"{where}: {exc.strerror or exc}"

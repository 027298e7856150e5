"""Instances' addresses: one loopback address each (127.0.1.x), a free port on it, and the
probe that tells when the instance's server accepts connections.

An address is unique among live instances and reused after termination. Whether the OS lets us
use 127.0.1.x is checked by binding it (Linux routes all of 127/8 to loopback; other systems
only 127.0.0.1): when it refuses, the instance gets 127.0.0.1 and is told apart by its port.
The port is one the OS just handed out on that address; the instance binds it moments later.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterable

PREFIX = "127.0.1."
FIRST, LAST = 2, 254
FALLBACK = "127.0.0.1"


def _free_port(host: str) -> int | None:
    """A port the OS hands out on ``host``, or None when ``host`` cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, 0))
        except OSError:
            return None
        port: int = sock.getsockname()[1]
        return port


def allocate(in_use: Iterable[str]) -> tuple[str, int]:
    """An address no live instance holds, and a free port on it."""
    taken = set(in_use)
    for last in range(FIRST, LAST + 1):
        host = PREFIX + str(last)
        if host in taken:
            continue
        port = _free_port(host)
        if port is None:
            break  # the OS refuses 127.0.1.x: every instance shares 127.0.0.1
        return host, port
    port = _free_port(FALLBACK)
    if port is None:
        raise OSError(f"cannot bind {FALLBACK}")
    return FALLBACK, port


async def accepts(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether (host, port) accepts a TCP connection now."""
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True

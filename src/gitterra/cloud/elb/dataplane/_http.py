"""HTTP/1.1 wire helpers: hop-by-hop headers, framing, and the balancer's own responses.

Pure functions over bytes. The proxy rewrites message heads (RFC 9110 §7.6.1: hop-by-hop
headers and those named in ``Connection`` are removed; framing is chosen per hop) and answers
some requests itself (errors, fixed responses, redirects) with heads built here.
"""

from __future__ import annotations

import functools
from http import HTTPStatus
from typing import NamedTuple

#: Headers that describe one connection, never forwarded (lower case).
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-authenticate",
        b"proxy-authorization",
    }
)
#: Methods that may be sent again after a failed attempt (RFC 9110 §9.2.2, less TRACE).
IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE"})

#: Limits on a request head (ALB's: 16 KiB request line, 64 KiB of headers).
MAX_URL_BYTES = 16 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 100

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
LAST_CHUNK = b"0\r\n\r\n"


def connection_tokens(value: bytes) -> set[bytes]:
    """The lower-case header names a ``Connection`` header value lists, less those dropped
    anyway (``close`` and ``keep-alive`` are the usual values and name no other header)."""
    tokens = {t.strip().lower() for t in value.split(b",")}
    return tokens - HOP_BY_HOP - {b"close", b""}


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return b"%x\r\n%b\r\n" % (len(data), data)


def phrase(status: int) -> bytes:
    try:
        return HTTPStatus(status).phrase.encode()
    except ValueError:
        return b"Unknown"


def connection_header(close: bool, http10: bool) -> bytes:
    """The ``Connection`` header a response to this client needs, if any."""
    if close:
        return b"Connection: close\r\n"
    return b"Connection: keep-alive\r\n" if http10 else b""


@functools.lru_cache(maxsize=64)
def simple_response(
    status: int, content_type: bytes, body: bytes, close: bool, http10: bool, head: bool = False
) -> bytes:
    """A complete response with a fixed body (``head``: the head only, as for HEAD requests)."""
    out = (
        b"HTTP/1.1 %d %b\r\nServer: gitterra-elb\r\nContent-Type: %b\r\nContent-Length: %d\r\n"
        % (
            status,
            phrase(status),
            content_type,
            len(body),
        )
    )
    out += connection_header(close, http10) + b"\r\n"
    return out if head else out + body


def error_response(status: int, close: bool, http10: bool, head: bool = False) -> bytes:
    """The balancer's own error page (ALB's style) for ``status``."""
    title = b"%d %b" % (status, phrase(status))
    body = (
        b"<html>\r\n<head><title>%b</title></head>\r\n<body>\r\n<center><h1>%b</h1></center>\r\n"
        b"</body>\r\n</html>\r\n" % (title, title)
    )
    return simple_response(status, b"text/html", body, close, http10, head)


def redirect_response(status: int, location: bytes, close: bool, http10: bool) -> bytes:
    out = b"HTTP/1.1 %d %b\r\nServer: gitterra-elb\r\nLocation: %b\r\nContent-Length: 0\r\n" % (
        status,
        phrase(status),
        location,
    )
    return out + connection_header(close, http10) + b"\r\n"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class Framing(NamedTuple):
    """A response head for the client and how its body is framed."""

    head: bytes
    chunked: bool  # the body is re-chunked for the client
    until_close: bool  # the target ends the body by closing its connection
    close: bool  # the client connection must close after this response


def response_head(
    status: int,
    reason: bytes,
    headers: list[tuple[bytes, bytes]],
    *,
    bodyless: bool,
    http10: bool,
    close: bool,
) -> Framing:
    """The client's head for a target's response: hop-by-hop headers dropped, framing chosen
    (Content-Length kept; otherwise chunked, or for HTTP/1.0 clients the end of the connection).
    """
    parts = [b"HTTP/1.1 %d %b\r\n" % (status, reason or phrase(status))]
    length = None
    te = False
    drop: set[bytes] | None = None
    for name, value in headers:
        low = name.lower()
        if low in HOP_BY_HOP:
            if low == b"connection":
                drop = connection_tokens(value)
            elif low == b"transfer-encoding":
                te = True
            continue
        if low == b"content-length":
            length = value
        parts.append(b"%b: %b\r\n" % (name, value))
    if drop:
        parts = [p for p in parts if p.split(b":", 1)[0].lower() not in drop]
    until_close = not bodyless and length is None and not te
    chunked = not bodyless and length is None and not http10
    if chunked:
        parts.append(b"Transfer-Encoding: chunked\r\n")
    must_close = close or (not bodyless and length is None and http10)
    parts.append(connection_header(must_close, http10))
    parts.append(b"\r\n")
    return Framing(b"".join(parts), chunked, until_close, must_close)

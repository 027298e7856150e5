"""HTTP/1.1 wire helpers: hop-by-hop headers, framing, and the balancer's own responses.

Pure functions over bytes. The proxy rewrites message heads (RFC 9110 §7.6.1: hop-by-hop
headers and those named in ``Connection`` are removed; framing is chosen per hop) and answers
some requests itself (errors, fixed responses, redirects) with heads built here.
"""

from __future__ import annotations

import functools
from http import HTTPStatus

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
    """The lower-case header names a ``Connection`` header value lists."""
    return {t.strip().lower() for t in value.split(b",") if t.strip()}


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return b"%x\r\n%b\r\n" % (len(data), data)


def reason(status: int) -> bytes:
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
            reason(status),
            content_type,
            len(body),
        )
    )
    out += connection_header(close, http10) + b"\r\n"
    return out if head else out + body


def error_response(status: int, close: bool, http10: bool, head: bool = False) -> bytes:
    """The balancer's own error page (ALB's style) for ``status``."""
    title = b"%d %b" % (status, reason(status))
    body = (
        b"<html>\r\n<head><title>%b</title></head>\r\n<body>\r\n<center><h1>%b</h1></center>\r\n"
        b"</body>\r\n</html>\r\n" % (title, title)
    )
    return simple_response(status, b"text/html", body, close, http10, head)


def redirect_response(status: int, location: bytes, close: bool, http10: bool) -> bytes:
    out = b"HTTP/1.1 %d %b\r\nServer: gitterra-elb\r\nLocation: %b\r\nContent-Length: 0\r\n" % (
        status,
        reason(status),
        location,
    )
    return out + connection_header(close, http10) + b"\r\n"


def status_class(status: int) -> str:
    return f"{status // 100}xx"

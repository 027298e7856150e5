"""Sending one http backend request with retries, and turning failures into messages.

Each request uses a short-lived ``httpx.Client`` (state requests are few; nothing to close
later), sharing one prepared TLS context. Proxy variables of the process environment are not
used (``trust_env=False``): the backend's settings and environment mapping are the only inputs.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
from collections.abc import Callable, Mapping

import httpx

from gitterra import state

_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_EXCERPT = 300


class Sender:
    """Sends requests with go-retryablehttp's retry policy; see the ``_http`` module."""

    def __init__(
        self,
        *,
        retry_max: int,
        wait_min: float,
        wait_max: float,
        auth: httpx.Auth | None,
        verify: ssl.SSLContext | bool,
        sleep: Callable[[float], None],
    ) -> None:
        self._attempts = retry_max + 1
        self._wait_min = wait_min
        self._wait_max = wait_max
        self._auth = auth
        self._verify: ssl.SSLContext | bool | None = None if verify is True else verify
        self._sleep = sleep

    def send(
        self,
        method: str,
        url: str,
        what: str,
        body: bytes | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The response to the last attempt (maybe a 5xx after the retries ran out); raises
        :class:`BackendError` when no attempt got an answer."""
        headers = {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            md5 = hashlib.md5(body, usedforsecurity=False).digest()
            headers["Content-MD5"] = base64.b64encode(md5).decode("ascii")
        for attempt in range(self._attempts):
            last = attempt == self._attempts - 1
            try:
                resp = self._once(method, url, body, headers, params)
            except httpx.TransportError as exc:
                if last or not _retryable(exc):
                    raise _unreachable(method, url, what, exc, attempt + 1) from exc
                self._sleep(self._backoff(attempt, None))
                continue
            except httpx.HTTPError as exc:
                raise _unreachable(method, url, what, exc, attempt + 1) from exc
            if last or not _retry_status(resp.status_code):
                resp.extensions["gitterra.attempts"] = attempt + 1
                return resp
            self._sleep(self._backoff(attempt, resp))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        params: Mapping[str, str] | None,
    ) -> httpx.Response:
        with httpx.Client(
            auth=self._auth,
            verify=self._context(),
            timeout=_TIMEOUT,
            follow_redirects=True,
            trust_env=False,
        ) as client:
            return client.request(method, url, content=body, headers=headers, params=params)

    def _context(self) -> ssl.SSLContext | bool:
        if self._verify is None:
            # httpx's default verification (certifi's CAs), prepared once for all requests.
            self._verify = httpx.create_ssl_context(trust_env=False)
        return self._verify

    def _backoff(self, attempt: int, resp: httpx.Response | None) -> float:
        if resp is not None and resp.status_code in (429, 503):
            after = resp.headers.get("Retry-After", "")
            if after.isdigit():
                return min(float(after), self._wait_max)
        return float(min(self._wait_min * 2**attempt, self._wait_max))


def _retry_status(status: int) -> bool:
    return status == 429 or (status >= 500 and status != 501)


def _retryable(exc: httpx.TransportError) -> bool:
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.ProxyError):
        return False
    return not _tls_untrusted(exc)


def _tls_untrusted(exc: BaseException) -> bool:
    """Whether a certificate check failed somewhere down the chain (httpx wraps httpcore's
    error, which wraps the ssl module's)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unreachable(
    method: str, url: str, what: str, exc: httpx.HTTPError, attempts: int
) -> state.BackendError:
    reason = str(exc) or type(exc).__name__
    if _tls_untrusted(exc):
        reason += (
            " (the server's TLS certificate is not trusted: set client_ca_certificate_pem, "
            "or skip_cert_verification = true for a test server)"
        )
    tries = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
    return state.BackendError(
        f"cannot reach the http backend to {what}: {method} {display_url(url)}: {reason}{tries}"
    )


def status_error(resp: httpx.Response, what: str) -> state.BackendError:
    """The error for an answer that is not what the protocol allows."""
    request = resp.request
    status = f"{resp.status_code} {resp.reason_phrase}".rstrip()
    head = f"the http backend could not {what}: {request.method} {display_url(str(request.url))}"
    if resp.status_code == 401:
        advice = (
            "the endpoint requires authentication: set username and password "
            "(or TF_HTTP_USERNAME and TF_HTTP_PASSWORD)"
        )
        return state.BackendError(f"{head} answered {status}: {advice}")
    if resp.status_code == 403:
        said = server_message(resp)
        why = f" ({said})" if said else ""
        return state.BackendError(f"{head} answered {status}: the credentials were refused{why}")
    attempts = resp.extensions.get("gitterra.attempts", 1)
    tries = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
    return state.BackendError(f"{head} answered {status}{tries}: {excerpt(resp)}")


def server_message(resp: httpx.Response) -> str:
    """What the server said, for a refusal: a JSON error's ``message`` (gitterra's and most
    APIs' shape, ``{"error": {"message": …}}`` or ``{"message": …}``), else a body excerpt, ""
    for an empty body."""
    try:
        doc = resp.json()
    except ValueError:
        return "" if not resp.content.strip() else excerpt(resp)
    error = doc.get("error") if isinstance(doc, dict) else None
    for holder in (error, doc):
        if isinstance(holder, dict) and isinstance(holder.get("message"), str):
            return " ".join(holder["message"].split())[: _EXCERPT * 2]
    return excerpt(resp)


def excerpt(resp: httpx.Response) -> str:
    """The start of a response body on one line, for messages."""
    text = " ".join(resp.content[: _EXCERPT * 4].decode("utf-8", "replace").split())
    if not text:
        return "(empty body)"
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."


def display_url(url: str) -> str:
    """``url`` with any password in it hidden."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return url
    if parsed.password:
        return str(parsed.copy_with(username=parsed.username, password="***"))
    return str(parsed)

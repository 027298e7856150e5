"""The local cloud's HTTP API as the aws provider calls it (docs/cloud-api.md), and the
exception family every target raises (the AWS target maps AWS's errors onto it).

One :class:`CloudClient` per provider instance holds one ``httpx.AsyncClient`` (pooled
connections, the bearer token). Requests that did not reach the server, and answers that say
"try again" (429, 502, 503, 504, and any 5xx for requests that are safe to repeat), are retried
with exponential backoff; a create (POST) is repeated only when it surely did not arrive, so a
lost answer never creates a second object. The API's error body
``{"error": {"code", "message", "field"}}`` becomes an exception of this family::

    CloudError                      the target could not do what was asked
    ├── UnreachableError            no answer (connection refused, timed out) after retries
    └── ApiError                    an error answer: status, code, message, field
        ├── BadRequestError         400 ValidationError: the input is wrong (``field`` names it)
        ├── UnauthorizedError       401: the token is missing or wrong (AWS: credentials refused)
        ├── NotFoundError           404
        ├── ConflictError           409: name taken, in use, wrong state
        └── ThrottledError          429 LimitExceeded (after retries)

The cause (httpx's or botocore's exception) is kept on every error.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

API = "/api/v1"


@dataclass(frozen=True, slots=True)
class Timing:
    """How long to wait and how often to poll. Tests pass small numbers; nothing sleeps a
    fixed time in the provider apart from these intervals between polls and retries."""

    #: Attempts after the first for a request that may be repeated.
    retries: int = 5
    #: First delay between attempts (doubled each time, capped at ``backoff_max``).
    backoff: float = 0.2
    backoff_max: float = 5.0
    #: Interval between polls while waiting for capacity, refreshes, deletions.
    poll: float = 1.0
    #: Time allowed to one ordinary request.
    request_timeout: float = 60.0


class CloudError(Exception):
    """The target (the local cloud, or AWS) could not do what was asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreachableError(CloudError):
    """No answer from the server (refused, reset, timed out), retries included."""


class ApiError(CloudError):
    """An error answer of the API."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field
        #: The AWS operation that failed (``CreateSecurityGroup``); None for the local cloud.
        self.operation = operation

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        call = f" ({self.operation}, HTTP {self.status})" if self.operation else ""
        return f"{self.code}: {self.message}{where}{call}"


class BadRequestError(ApiError):
    """400: the request's input is wrong; ``field`` names the input at fault."""


class UnauthorizedError(ApiError):
    """401: no valid token."""


class NotFoundError(ApiError):
    """404: no such object."""


class ConflictError(ApiError):
    """409: name taken, in use, wrong state."""


class ThrottledError(ApiError):
    """429: too many requests or a limit reached, retries included."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    404: NotFoundError,
    409: ConflictError,
    429: ThrottledError,
}

#: Statuses that mean "not done, try again" for any request.
_RETRY_ALWAYS = frozenset({429, 502, 503, 504})
_IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE", "HEAD"})


def segment(value: str) -> str:
    """One path segment: ARNs contain ``/`` and ``:``, so they are URL-encoded."""
    return quote(value, safe="")


class CloudClient:
    """Calls the API at ``base_url`` with ``token``; ``transport`` replaces the network (tests
    pass ``httpx.MockTransport``)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timing: Timing | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timing = timing or Timing()
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            transport=transport,
            timeout=httpx.Timeout(self.timing.request_timeout),
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, body: Any = None) -> Any:
        return await self.request("POST", path, body=body)

    async def patch(self, path: str, body: Any) -> Any:
        return await self.request("PATCH", path, body=body)

    async def delete(
        self, path: str, params: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> Any:
        return await self.request("DELETE", path, params=params, timeout=timeout)

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The decoded JSON answer (None for 204), retrying what may be retried."""
        delay = self.timing.backoff
        attempt = 0
        content = None if body is None else json.dumps(body, default=_json_default).encode()
        headers = {"Content-Type": "application/json"} if content is not None else None
        while True:
            try:
                response = await self._http.request(
                    method,
                    API + path,
                    content=content,
                    headers=headers,
                    params=params,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TransportError as exc:
                surely_not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if attempt < self.timing.retries and (surely_not_sent or method in _IDEMPOTENT):
                    attempt += 1
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.timing.backoff_max)
                    continue
                reason = str(exc) or type(exc).__name__
                raise UnreachableError(f"{method} {self.base_url}{API}{path}: {reason}") from exc
            status = response.status_code
            retry = status in _RETRY_ALWAYS or (status >= 500 and method in _IDEMPOTENT)
            if retry and attempt < self.timing.retries:
                attempt += 1
                await asyncio.sleep(_retry_after(response, delay))
                delay = min(delay * 2, self.timing.backoff_max)
                continue
            return _decode(response)


def _json_default(value: object) -> object:
    """Numbers of the language that are not integers are ``Decimal``: JSON numbers."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def _retry_after(response: httpx.Response, default: float) -> float:
    value = response.headers.get("Retry-After")
    try:
        return min(float(value), 30.0) if value is not None else default
    except ValueError:
        return default


def _decode(response: httpx.Response) -> Any:
    status = response.status_code
    if 200 <= status < 300:
        if status == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(
                status, "Internal", f"the server answered with invalid JSON: {exc}", None
            ) from exc
    code, message, field = "Error", response.reason_phrase or f"HTTP {status}", None
    try:
        err = response.json().get("error")
    except (ValueError, AttributeError):
        err = None
    if isinstance(err, dict):
        code = str(err.get("code") or code)
        message = str(err.get("message") or message)
        found = err.get("field")
        field = str(found) if found is not None else None
    elif response.text:
        message = f"{message}: {response.text[:200]}"
    raise _BY_STATUS.get(status, ApiError)(status, code, message, field)


def dumps(value: Any) -> str:
    """Compact JSON, for messages."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)

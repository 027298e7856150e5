"""Calling AWS: one boto3 client per service, each call on a worker thread (boto3 blocks; the
engine's event loop must not), and AWS's failures as the provider's exception family.

botocore retries throttling, 5xx answers and connection errors itself (``standard`` mode:
exponential backoff with jitter, ``max_retries`` retries). What remains is mapped::

    botocore ClientError, by AWS's error code
        *NotFound*, NoSuchEntity, ValidationError "... not found" -> NotFoundError
        DependencyViolation, ResourceInUse, *Duplicate*, *AlreadyExists*,
        DeleteConflict, InstanceRefreshInProgress ...              -> ConflictError
        Throttling, RequestLimitExceeded, TooManyRequests ...       -> ThrottledError
        AuthFailure, AccessDenied, UnauthorizedOperation,
        InvalidClientTokenId, ExpiredToken ...                      -> UnauthorizedError
        other 4xx                                                   -> BadRequestError
        the rest                                                    -> ApiError
    EndpointConnectionError, connect/read timeouts, closed connections -> UnreachableError
    NoCredentialsError and other credential failures                -> UnauthorizedError
    ParamValidationError (a request botocore refuses to send)       -> BadRequestError

Every error keeps AWS's code, message, HTTP status and the operation's name, and its cause.
:func:`eventually` retries what AWS's eventual consistency makes fail for a while (an object
read just after it was created, a role CodeBuild cannot assume yet).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import botocore.exceptions

from gitterra.providers.aws import _client

if TYPE_CHECKING:
    import boto3

T = TypeVar("T")

_CONFLICT = frozenset(
    {
        "DependencyViolation",
        "ResourceInUse",
        "ResourceInUseFault",
        "AlreadyExists",
        "AlreadyExistsFault",
        "ResourceAlreadyExistsException",
        "EntityAlreadyExists",
        "DeleteConflict",
        "InstanceRefreshInProgress",
        "InstanceRefreshInProgressFault",
        "ResourceContention",
        "ResourceContentionFault",
        "ScalingActivityInProgress",
        "ScalingActivityInProgressFault",
        "OperationAborted",
        "IncorrectState",
    }
)
_THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
_UNAUTHORIZED = frozenset(
    {
        "AuthFailure",
        "UnauthorizedOperation",
        "AccessDenied",
        "AccessDeniedException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "MissingAuthenticationToken",
        "OptInRequired",
    }
)


def error(exc: Exception, operation: str) -> _client.CloudError:
    """The provider's exception for botocore's ``exc`` raised by ``operation``."""
    if isinstance(exc, botocore.exceptions.ClientError):
        details = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode") or 0)
        code = str(details.get("Code") or status or "Unknown")
        message = str(details.get("Message") or "").strip() or "(no message)"
        return _kind(code, status, message)(status, code, message, None, exc.operation_name)
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return _client.BadRequestError(400, "ParamValidation", str(exc), None, operation)
    if isinstance(exc, (botocore.exceptions.EndpointConnectionError, *_timeouts())):
        return _client.UnreachableError(f"{operation}: {exc}")
    if isinstance(
        exc,
        botocore.exceptions.NoCredentialsError
        | botocore.exceptions.PartialCredentialsError
        | botocore.exceptions.CredentialRetrievalError,
    ):
        return _client.UnauthorizedError(401, type(exc).__name__, str(exc), None, operation)
    return _client.ApiError(0, type(exc).__name__, str(exc), None, operation)


def _kind(code: str, status: int, message: str) -> type[_client.ApiError]:
    lowered = message.lower()
    if (
        "NotFound" in code
        or code in ("NoSuchEntity", "NoSuchBucket")
        or (code in ("ValidationError", "InvalidParameterValue") and "not found" in lowered)
    ):
        return _client.NotFoundError
    if code in _CONFLICT or "Duplicate" in code or "AlreadyExists" in code:
        return _client.ConflictError
    if code in _THROTTLED:
        return _client.ThrottledError
    if code in _UNAUTHORIZED or status in (401, 403):
        return _client.UnauthorizedError
    if 400 <= status < 500:
        return _client.BadRequestError
    return _client.ApiError


def _timeouts() -> tuple[type[Exception], ...]:
    return (
        botocore.exceptions.ConnectTimeoutError,
        botocore.exceptions.ReadTimeoutError,
        botocore.exceptions.ConnectionClosedError,
    )


_Failure = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


class Clients:
    """boto3 clients of one session, made on first use (by any thread; once each)."""

    def __init__(self, session: boto3.Session, client_args: Callable[[str], dict[str, Any]]):
        self._session = session
        self._client_args = client_args
        self._clients: dict[str, Any] = {}
        self._mutex = threading.Lock()

    def client(self, service: str) -> Any:
        with self._mutex:
            found = self._clients.get(service)
            if found is None:
                found = self._session.client(service, **self._client_args(service))  # type: ignore[call-overload]
                self._clients[service] = found
            return found

    def call_now(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """``operation`` (boto3's snake_case name) on this thread; errors mapped."""
        try:
            answer = getattr(self.client(service), operation)(**params)
        except _Failure as exc:
            raise error(exc, _camel(operation)) from exc
        return dict(answer)

    async def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """``operation`` on a worker thread."""
        return await asyncio.to_thread(self.call_now, service, operation, **params)

    async def pages(self, service: str, operation: str, key: str, **params: Any) -> list[Any]:
        """The items under ``key`` of every page of ``operation``."""

        def collect() -> list[Any]:
            try:
                paginator = self.client(service).get_paginator(operation)
                return [item for page in paginator.paginate(**params) for item in page[key]]
            except _Failure as exc:
                raise error(exc, _camel(operation)) from exc

        return await asyncio.to_thread(collect)


def _camel(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))


async def eventually(
    attempt: Callable[[], Awaitable[T]],
    retry: Callable[[_client.CloudError], bool],
    timeout: float,
    poll: float,
) -> T:
    """``attempt()``, repeated while it fails with an error ``retry`` accepts, for up to
    ``timeout`` seconds (AWS's eventual consistency); then the last error."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = poll
    while True:
        try:
            return await attempt()
        except _client.CloudError as exc:
            if not retry(exc) or loop.time() >= deadline:
                raise
        await asyncio.sleep(min(delay, max(deadline - loop.time(), 0.0)))
        delay = min(max(delay * 2, 0.1), 5.0)


def is_not_found(exc: _client.CloudError) -> bool:
    return isinstance(exc, _client.NotFoundError)

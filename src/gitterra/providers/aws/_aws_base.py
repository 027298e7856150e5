"""What the AWS target's services share: the connection, AWS's tag shapes, ARNs, and reads
that wait out eventual consistency."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from gitterra.providers.aws import _aws_call, _aws_session, _client

T = TypeVar("T")

#: How long an object just created may be missing from reads, or a role unusable by another
#: service, before the error stands (the AWS provider's propagation timeout).
PROPAGATION = 120.0


class Service:
    """One AWS service of the target (``ec2``, ``autoscaling`` ...)."""

    service: str

    def __init__(self, conn: _aws_session.Connection, timing: _client.Timing) -> None:
        self.conn = conn
        self.timing = timing

    async def call(self, operation: str, **params: Any) -> dict[str, Any]:
        return await self.conn.clients.call(self.service, operation, **params)

    async def pages(self, operation: str, key: str, **params: Any) -> list[Any]:
        return await self.conn.clients.pages(self.service, operation, key, **params)

    async def settled(self, read: Callable[[], Awaitable[T]]) -> T:
        """``read()``, retried while the object it reads is not found yet (just created)."""
        return await _aws_call.eventually(
            read, _aws_call.is_not_found, PROPAGATION, self.timing.poll
        )

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        where = self.conn.region if region else ""
        return f"arn:{self.conn.partition}:{service}:{where}:{self.conn.account_id}:{resource}"


def tag_list(tags: Mapping[str, str] | None, key: str = "Key", value: str = "Value") -> list[Any]:
    """``{"a": "b"}`` as AWS's ``[{"Key": "a", "Value": "b"}]``."""
    return [{key: k, value: v} for k, v in sorted((tags or {}).items())]


def tag_dict(tags: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS's tag list as a dict (AWS's own ``aws:`` tags left out, as the AWS provider does)."""
    return {
        str(t[key]): str(t.get(value, ""))
        for t in tags or []
        if not str(t.get(key, "")).startswith("aws:")
    }


def tag_changes(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """What to set and which keys to remove to turn tags ``old`` into ``new``."""
    upsert = {k: v for k, v in new.items() if old.get(k) != v}
    removed = sorted(k for k in old if k not in new)
    return upsert, removed


def not_found(what: str, field: str | None = None) -> _client.NotFoundError:
    return _client.NotFoundError(404, "NotFound", what, field)

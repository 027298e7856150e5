"""What the load balancer service needs from its neighbours (structural, so fakes fit).

The compute service gives instance addresses and tells about state changes; the security group
service turns a balancer's groups into the source CIDRs its listeners let in. Both are found on
the :class:`~gitterra.cloud.Cloud` at start; without them (a cloud assembled for a test) the
balancer lets every source in and registers no instance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

Doc = dict[str, Any]


@runtime_checkable
class Instances(Protocol):
    """The compute service as the balancer uses it (no side effects but the subscription)."""

    def get(self, instance_id: str) -> Doc:
        """The instance document (``private_ip``, ``port``, ``state``); NotFound if unknown."""
        ...

    def subscribe(self, callback: Callable[[Doc], None]) -> None:
        """``callback`` runs in the loop with the new document on every state change."""
        ...


@runtime_checkable
class SourceRules(Protocol):
    """The security group service: which sources may reach a port (None: anyone)."""

    def allowed_sources(self, group_ids: Iterable[str], port: int) -> list[str] | None: ...

    def require(self, group_ids: Iterable[str], field: str) -> None:
        """NotFound naming ``field.<index>`` for a group that does not exist."""
        ...

"""The data plane's configuration and report values, validated when they are built.

Every value here is immutable data the control plane hands in (listener actions, target group
settings, targets) or gets back (target health, access log entries). Validation happens in
``__post_init__`` so a bad value never reaches a running listener: the error names the field.

Exceptions::

    DataPlaneError
     ├── ConfigError (also ValueError)     a value names an impossible setting
     ├── NotFoundError (also LookupError)  an unknown listener or target group id
     └── BindError (also OSError)          a listener's address cannot be bound
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

TargetState = Literal["initial", "healthy", "unhealthy", "draining", "unused"]
Algorithm = Literal["round_robin", "least_outstanding_requests"]

_REDIRECT_CODES = (301, 302)


class DataPlaneError(Exception):
    """Base of every error the data plane raises on purpose."""


class ConfigError(DataPlaneError, ValueError):
    """A configuration value is impossible; the message names the field."""


class NotFoundError(DataPlaneError, LookupError):
    """A listener or target group id the data plane does not know."""


class BindError(DataPlaneError, OSError):
    """A listener could not bind its address (in use, or needs privileges)."""


@dataclass(frozen=True, slots=True)
class ForwardAction:
    """Send requests to the healthy targets of a target group."""

    tg_id: str


@dataclass(frozen=True, slots=True)
class FixedResponseAction:
    """Answer every request with a fixed status, content type and body (ALB fixed-response)."""

    status_code: int
    content_type: str = "text/plain"
    body: str = ""

    def __post_init__(self) -> None:
        if not 200 <= self.status_code <= 599:
            raise ConfigError(f"fixed-response status_code {self.status_code}: must be 2XX-5XX")
        if len(self.body.encode()) > 1024:
            raise ConfigError("fixed-response body: at most 1024 bytes (ALB's limit)")
        _check_header_value("fixed-response content_type", self.content_type)


@dataclass(frozen=True, slots=True)
class RedirectAction:
    """Answer with a redirect built from AWS's ``#{protocol}``-style placeholders."""

    status_code: int = 301
    protocol: str = "#{protocol}"
    host: str = "#{host}"
    port: str = "#{port}"
    path: str = "/#{path}"
    query: str = "#{query}"

    def __post_init__(self) -> None:
        if self.status_code not in _REDIRECT_CODES:
            raise ConfigError(f"redirect status_code {self.status_code}: must be 301 or 302")
        if self.protocol.upper() not in ("HTTP", "HTTPS", "#{PROTOCOL}"):
            raise ConfigError(f"redirect protocol {self.protocol!r}: HTTP, HTTPS or #{{protocol}}")
        if not self.path.startswith("/"):
            raise ConfigError(f"redirect path {self.path!r}: must start with '/'")
        for name in ("host", "port", "path", "query"):
            _check_header_value(f"redirect {name}", getattr(self, name))


Action = ForwardAction | FixedResponseAction | RedirectAction


@dataclass(frozen=True, slots=True)
class ListenerConfig:
    """What a listener does with the connections it accepts.

    ``allowed_sources`` are the CIDRs of the security groups' ingress rules for this port:
    ``None`` lets everyone in, an empty list nobody. ``idle_timeout`` closes a connection (either
    side) that sent and received nothing for that long; a target that answers nothing in that
    time gets the client a 504. ``max_body_bytes`` (``None``: unlimited, as on ALB) turns larger
    request bodies away with 413.
    """

    default_action: Action
    allowed_sources: Sequence[str] | None = None
    idle_timeout: float = 60.0
    connect_timeout: float = 10.0
    max_body_bytes: int | None = None
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(
            self.default_action, ForwardAction | FixedResponseAction | RedirectAction
        ):
            raise ConfigError(f"default_action: unknown action {self.default_action!r}")
        if not self.idle_timeout > 0:
            raise ConfigError(f"idle_timeout {self.idle_timeout}: must be positive")
        if not self.connect_timeout > 0:
            raise ConfigError(f"connect_timeout {self.connect_timeout}: must be positive")
        if self.max_body_bytes is not None and self.max_body_bytes < 0:
            raise ConfigError(f"max_body_bytes {self.max_body_bytes}: must not be negative")
        object.__setattr__(self, "networks", _parse_cidrs(self.allowed_sources))


def _parse_cidrs(
    sources: Sequence[str] | None,
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None:
    if sources is None:
        return None
    if isinstance(sources, str):
        raise ConfigError("allowed_sources: a list of CIDRs, not one string")
    networks = []
    for i, cidr in enumerate(sources):
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError as exc:
            raise ConfigError(f"allowed_sources[{i}] {cidr!r}: not a CIDR ({exc})") from exc
    return tuple(networks)


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """A target group's health check (AWS defaults; the Terraform provider sets thresholds 3).

    ``matcher`` is ``"200"``, a range ``"200-299"``, or a list ``"200,302"``. ``port`` ``None``
    means the traffic port (each target's own port).
    """

    enabled: bool = True
    path: str = "/"
    interval: float = 30.0
    timeout: float = 5.0
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str = "200"
    port: int | None = None
    codes: frozenset[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise ConfigError(f"health_check path {self.path!r}: must start with '/'")
        _check_header_value("health_check path", self.path)
        if " " in self.path:
            raise ConfigError(f"health_check path {self.path!r}: must not contain spaces")
        if not self.interval > 0 or not self.timeout > 0:
            raise ConfigError("health_check interval and timeout: must be positive")
        if self.timeout >= self.interval:
            raise ConfigError(
                f"health_check timeout {self.timeout}: must be less than interval {self.interval}"
            )
        for name in ("healthy_threshold", "unhealthy_threshold"):
            if not 1 <= getattr(self, name) <= 10:
                raise ConfigError(f"health_check {name} {getattr(self, name)}: must be 1-10")
        if self.port is not None and not 1 <= self.port <= 65535:
            raise ConfigError(f"health_check port {self.port}: must be 1-65535")
        object.__setattr__(self, "codes", parse_matcher(self.matcher))


def parse_matcher(matcher: str) -> frozenset[int]:
    """The status codes a matcher accepts: ``"200"``, ``"200-299"``, ``"200,302"``."""
    codes: set[int] = set()
    for part in matcher.split(","):
        lo, sep, hi = part.strip().partition("-")
        try:
            first, last = int(lo), int(hi if sep else lo)
        except ValueError as exc:
            raise ConfigError(
                f"health_check matcher {matcher!r}: {part.strip()!r} is not a code or range"
            ) from exc
        if not 200 <= first <= last <= 499:
            raise ConfigError(f"health_check matcher {matcher!r}: codes must be within 200-499")
        codes.update(range(first, last + 1))
    return frozenset(codes)


@dataclass(frozen=True, slots=True)
class TargetGroupSettings:
    """How a target group checks, balances over and drains its targets."""

    health_check: HealthCheck = field(default_factory=HealthCheck)
    deregistration_delay: float = 300.0
    slow_start: float = 0.0
    algorithm: Algorithm = "round_robin"

    def __post_init__(self) -> None:
        if not 0 <= self.deregistration_delay <= 3600:
            raise ConfigError(
                f"deregistration_delay {self.deregistration_delay}: must be 0-3600 seconds"
            )
        if not (self.slow_start == 0 or 30 <= self.slow_start <= 900):
            # AWS's range; tests that need a short ramp use an injected clock instead.
            raise ConfigError(f"slow_start {self.slow_start}: must be 0 or 30-900 seconds")
        if self.algorithm not in ("round_robin", "least_outstanding_requests"):
            raise ConfigError(
                f"algorithm {self.algorithm!r}: round_robin or least_outstanding_requests"
            )
        if self.slow_start and self.algorithm == "least_outstanding_requests":
            raise ConfigError("slow_start cannot be combined with least_outstanding_requests")


@dataclass(frozen=True, slots=True)
class Target:
    """A registered target: an instance id and where it listens."""

    id: str
    host: str
    port: int

    def __post_init__(self) -> None:
        if not self.id:
            raise ConfigError("target id: must not be empty")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"target {self.id} port {self.port}: must be 1-65535")
        if not self.host:
            raise ConfigError(f"target {self.id} host: must not be empty")


@dataclass(frozen=True, slots=True)
class TargetHealth:
    """One target's health as ``DescribeTargetHealth`` reports it."""

    id: str
    state: TargetState
    reason: str = ""
    description: str = ""
    host: str = ""
    port: int = 0


@dataclass(frozen=True, slots=True)
class AccessLogEntry:
    """One request, after ALB's access log: ``status`` is what the client got, ``target_status``
    what the target answered (0: none); ``duration`` runs from the request head to the end of the
    response, ``target_processing_time`` from sending to the target to its response head (-1:
    never reached). ``time`` is wall-clock time at the end."""

    time: float
    listener_id: str
    client: str
    client_port: int
    method: str
    url: str
    http_version: str
    action: str
    tg_id: str
    target_id: str
    target_address: str
    status: int
    target_status: int
    duration: float
    target_processing_time: float
    received_bytes: int
    sent_bytes: int
    user_agent: str
    error: str = ""


def _check_header_value(name: str, value: str) -> None:
    if any(c in value for c in "\r\n\0"):
        raise ConfigError(f"{name} {value!r}: must not contain line breaks or NUL")

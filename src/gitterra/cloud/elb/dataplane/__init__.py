"""The load balancer's data plane: listeners that accept HTTP/1.1 and proxy it to targets.

Concept: the control plane describes listeners (an address, an action, allowed sources) and
target groups (health check, deregistration delay, slow start, algorithm, registered targets);
:class:`DataPlane` makes them real in the caller's event loop and reports target health back.
It follows Application Load Balancer semantics (docs/cloud-api.md, "Elastic Load Balancing").

Rules it keeps:

- A listening socket never closes while its listener exists; configuration changes only swap
  the rules new requests see. Connections from outside ``allowed_sources`` close at once.
- Requests go only to ``healthy`` targets; a new target takes traffic after
  ``healthy_threshold`` consecutive passing checks (the first check runs at once). With no
  healthy target the group fails open to its unhealthy ones; with none at all: 503.
- A deregistered target drains: no new requests, requests in flight finish, its idle pooled
  connections close; it leaves when idle or after ``deregistration_delay``.
- Nothing is retried once a response byte went to the client. Before that, a request goes to
  another target when its connection could not be made, and idempotent requests also when the
  connection failed after sending (a pooled keep-alive connection the target closed between
  requests included). Otherwise 502, and 504 when the target was silent for the idle timeout.
- Keep-alive on both sides, bodies streamed with backpressure, never buffered whole.

Exceptions (see ``_model``)::

    DataPlaneError
     ├── ConfigError (ValueError)     an impossible setting, naming its field
     ├── NotFoundError (LookupError)  an unknown listener or target group id
     └── BindError (OSError)          an address in use or needing privileges
"""

from gitterra.cloud.elb.dataplane._metrics import BUCKETS, EndpointMetrics, Histogram, Metrics
from gitterra.cloud.elb.dataplane._model import (
    AccessLogEntry,
    Action,
    BindError,
    ConfigError,
    DataPlaneError,
    FixedResponseAction,
    ForwardAction,
    HealthCheck,
    ListenerConfig,
    NotFoundError,
    RedirectAction,
    Target,
    TargetGroupSettings,
    TargetHealth,
    TargetState,
    parse_matcher,
)
from gitterra.cloud.elb.dataplane._plane import DataPlane

__all__ = [
    "BUCKETS",
    "AccessLogEntry",
    "Action",
    "BindError",
    "ConfigError",
    "DataPlane",
    "DataPlaneError",
    "EndpointMetrics",
    "FixedResponseAction",
    "ForwardAction",
    "HealthCheck",
    "Histogram",
    "ListenerConfig",
    "Metrics",
    "NotFoundError",
    "RedirectAction",
    "Target",
    "TargetGroupSettings",
    "TargetHealth",
    "TargetState",
    "parse_matcher",
]

"""The ``registry.terraform.io/hashicorp/aws`` provider, targeting gitterra's local cloud.

The aws_* resource types and data sources of the Terraform AWS provider, implemented against the
local cloud's HTTP API (docs/cloud-api.md) exactly as the real provider talks to AWS: the same
attribute names, required/optional/computed flags, defaults, replacement rules and import ids,
for the subset the local cloud supports. Rules:

- Configuration the local cloud cannot honour is refused by name at validation ("Not supported
  by the local cloud"), never ignored; arguments that only configure access to real AWS
  (credentials, profiles) are accepted with a warning.
- Planning is pure (``engine.plan_by_schema`` plus each type's rules); only apply, refresh,
  import and data source reads call the API, through one ``httpx.AsyncClient`` per provider
  instance (retries with backoff on connection errors, 5xx and 429), closed by ``close``.
- Every API error becomes a diagnostic naming the resource and, when the cloud names the field,
  the attribute (``Diagnostic.attribute``); a read of an object deleted outside returns None so
  the next plan recreates it.
- Apply returns when the change is real: load balancers active, groups at capacity, instance
  refreshes finished (gitterra's deviation: the AWS provider does not wait for refreshes).
- gitterra adds ``gitterra_url`` to ``aws_lb`` and ``aws_lb_listener`` (the address that
  answers: a listener asking for port 80 may be bound elsewhere) and
  ``gitterra_bound_address`` to ``aws_lb_listener``.

Exceptions (``CloudError`` and its tree, see ``_client``) never leave the provider: they become
diagnostics. ``ProviderError`` from ``providers`` marks a caller breaking the protocol.
"""

from gitterra.providers.aws._client import (
    ApiError,
    BadRequestError,
    CloudClient,
    CloudError,
    ConflictError,
    NotFoundError,
    ThrottledError,
    Timing,
    UnauthorizedError,
    UnreachableError,
)
from gitterra.providers.aws._provider import SOURCE, AwsProvider, provider

__all__ = [
    "SOURCE",
    "ApiError",
    "AwsProvider",
    "BadRequestError",
    "CloudClient",
    "CloudError",
    "ConflictError",
    "NotFoundError",
    "ThrottledError",
    "Timing",
    "UnauthorizedError",
    "UnreachableError",
    "provider",
]

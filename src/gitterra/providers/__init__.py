"""Providers: what the engine calls to create, read, update and delete real objects.

This package holds the providers that need no cloud, keyed by their source addresses:

- ``terraform.io/builtin/terraform``: ``terraform_data``.
- ``registry.terraform.io/hashicorp/null``: ``null_resource`` (and ``null_data_source``).
- ``registry.terraform.io/hashicorp/local``: ``local_file``, ``local_sensitive_file`` resources
  and data sources.
- ``registry.terraform.io/hashicorp/random``: ``random_id``, ``random_integer``,
  ``random_password``, ``random_pet``, ``random_shuffle``, ``random_string``.
- ``registry.terraform.io/hashicorp/aws`` (the ``aws`` subpackage): the aws_* types, applied to
  gitterra's local cloud through its HTTP API.

Rules: each provider implements ``engine.Provider`` and follows the real provider's schema
(attribute names, defaults, which are computed, sensitive or force replacement), validation
messages and lifecycle. Planning is pure (``engine.plan_by_schema`` plus each provider's special
rules); values that only apply can know (ids, random results, file hashes) are unknown in plans.
Only apply and refresh touch the outside world: the local provider the filesystem, the random
provider the OS's random generator. User mistakes come back as diagnostics that name the
attribute; exceptions (``ProviderError``) mean a caller broke the protocol.
"""

from __future__ import annotations

from pathlib import Path

from gitterra import engine
from gitterra.providers import _local, _null, _random, _terraform, aws
from gitterra.providers._base import (
    DataSourceType,
    ProviderError,
    ResourceType,
    TableProvider,
    UnknownTypeError,
)

__all__ = [
    "DataSourceType",
    "ProviderError",
    "ResourceType",
    "TableProvider",
    "UnknownTypeError",
    "builtin_registry",
]


def builtin_registry(*, workdir: Path | None = None) -> engine.ProviderRegistry:
    """The factories of the built-in providers by source address.

    ``workdir`` anchors the local provider's relative paths; by default they are relative to
    the process's working directory, as with Terraform (which runs in the module's directory).
    """

    def local() -> engine.Provider:
        return _local.provider(workdir)

    return engine.ProviderRegistry(
        {
            _terraform.SOURCE: _terraform.provider,
            _null.SOURCE: _null.provider,
            _local.SOURCE: local,
            _random.SOURCE: _random.provider,
            aws.SOURCE: aws.provider,
        }
    )

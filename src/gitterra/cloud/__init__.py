"""The local cloud: the services that make the seed's AWS resources real on this machine.

Each service is a model (JSON documents in :class:`Store`), a controller (asyncio tasks that
make the world match the model: processes, listeners, health), and methods the server's API
calls. Services never know HTTP; the ``server`` package maps the API onto them
(docs/cloud-api.md is the contract).
"""

from gitterra.cloud import _crypto as crypto
from gitterra.cloud import _ids as ids
from gitterra.cloud import _meta as meta
from gitterra.cloud import isolation
from gitterra.cloud._cloud import Cloud, Service
from gitterra.cloud._errors import CloudError, Conflict, LimitExceeded, NotFound, ValidationError
from gitterra.cloud._store import Doc, Store

__all__ = [
    "Cloud",
    "CloudError",
    "Conflict",
    "Doc",
    "LimitExceeded",
    "NotFound",
    "Service",
    "Store",
    "ValidationError",
    "crypto",
    "ids",
    "isolation",
    "meta",
]

"""The tokens service's errors: both are :class:`~gitterra.cloud.CloudError`, so the API maps
them like every other service's::

    CloudError
    ├── Unauthorized        (401: no token, or one that is unknown, expired or revoked)
    └── Forbidden           (403: a valid token that may not do this: read-only, another
                             project's resource, an admin-only call)

The message says why and, where it helps, what would work instead. Raising either has changed
nothing.
"""

from __future__ import annotations

from gitterra.cloud import CloudError


class Unauthorized(CloudError):
    code = "Unauthorized"
    status = 401


class Forbidden(CloudError):
    code = "Forbidden"
    status = 403

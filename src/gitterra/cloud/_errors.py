"""Errors of the local cloud's services, each mapped to one API error code and HTTP status.

::

    CloudError                  (500 Internal)
    ├── ValidationError         (400, names the field)
    ├── NotFound                (404)
    ├── Conflict                (409: name taken, in use, wrong state)
    └── LimitExceeded           (429)

Services raise them for user mistakes and impossible requests; the API turns them into
``{"error": {"code", "message", "field"}}``. A service raising one has changed nothing.
"""

from __future__ import annotations


class CloudError(Exception):
    code = "Internal"
    status = 500

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}


class ValidationError(CloudError):
    code = "ValidationError"
    status = 400


class NotFound(CloudError):
    code = "NotFound"
    status = 404


class Conflict(CloudError):
    code = "Conflict"
    status = 409


class LimitExceeded(CloudError):
    code = "LimitExceeded"
    status = 429

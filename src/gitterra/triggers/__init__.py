"""Triggers: what happened in a repository, and whether it starts a build.

Pushes and pull requests reach gitterra from its own git host and from external forges' webhooks
(GitHub, GitLab, Gitea/Forgejo). This package turns each into the same immutable :class:`Event`,
in CodeBuild's vocabulary (``PUSH``, ``PULL_REQUEST_UPDATED`` …, ``refs/heads/main``), and
decides with a project's :class:`FilterGroups` — CodeBuild's webhook filter groups, RE2 patterns
and all — whether the event starts a build, and why (:meth:`FilterGroups.explain`).

Rules:

- Pure: values in, values out. No I/O, no clock; the server reads the request and the git host
  the repository, and both hand the bytes or values here.
- A delivery is verified (:func:`verify_delivery`, constant-time, on the raw bytes) before it is
  parsed (:func:`parse_delivery`). Parsing trusts nothing: every field's JSON type is checked and
  every surprise is a :class:`PayloadError` naming the header and the field.
- Event and action names CodeBuild does not build on give no event (GitHub's ``ping``, a pull
  request ``labeled``), not an error.
- Branch names, commit messages and paths stay data: nothing here runs or interpolates them.

Errors (user input, each message naming the place)::

    TriggerError
    ├── SignatureError          missing, malformed or wrong signature / token (HTTP 401)
    ├── PayloadError            undecodable body, missing event header, bad field (HTTP 400)
    │   └── PayloadTooLargeError  over MAX_PAYLOAD_BYTES (HTTP 413)
    └── ValidationError         invalid filter groups; .problems lists every FilterProblem,
                                .diagnostics() gives them as diag errors at their attribute

Programming errors (an unknown forge name, an Event built with a broken invariant, an empty
secret) raise ``ValueError``/``TypeError``.
"""

from gitterra.triggers._delivery import FORGES, MAX_PAYLOAD_BYTES, parse_delivery
from gitterra.triggers._errors import (
    FilterProblem,
    PayloadError,
    PayloadTooLargeError,
    SignatureError,
    TriggerError,
    ValidationError,
)
from gitterra.triggers._event import (
    EVENT_KINDS,
    PULL_REQUEST_KINDS,
    RELEASE_KINDS,
    ZERO_SHA,
    Event,
    EventKind,
    Source,
)
from gitterra.triggers._filters import FILTER_TYPES, Filter, FilterGroup
from gitterra.triggers._groups import DEFAULT_EVENTS, FilterGroups
from gitterra.triggers._signature import (
    verify_delivery,
    verify_gitea,
    verify_github,
    verify_gitlab,
)

__all__ = [
    "DEFAULT_EVENTS",
    "EVENT_KINDS",
    "FILTER_TYPES",
    "FORGES",
    "MAX_PAYLOAD_BYTES",
    "PULL_REQUEST_KINDS",
    "RELEASE_KINDS",
    "ZERO_SHA",
    "Event",
    "EventKind",
    "Filter",
    "FilterGroup",
    "FilterGroups",
    "FilterProblem",
    "PayloadError",
    "PayloadTooLargeError",
    "SignatureError",
    "Source",
    "TriggerError",
    "ValidationError",
    "parse_delivery",
    "verify_delivery",
    "verify_gitea",
    "verify_github",
    "verify_gitlab",
]

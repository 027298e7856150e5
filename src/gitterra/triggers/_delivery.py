"""One webhook delivery (headers and raw body) to the events it reports.

Run :func:`verify_delivery` first: nothing here checks who sent the body. The forge's event
header is required; the body is JSON (GitHub and Gitea may also be configured to send it
form-encoded as ``payload=…``). A delivery id is the forge's own (GitHub and Gitea reuse it when
they redeliver, so a replay can be recognised); GitLab instances too old to send one get the
SHA-256 of the body instead, which still recognises a replay of the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from gitterra.triggers._errors import PayloadError, PayloadTooLargeError
from gitterra.triggers._event import Event
from gitterra.triggers._gitea import gitea_events
from gitterra.triggers._github import github_events
from gitterra.triggers._gitlab import gitlab_events
from gitterra.triggers._headers import Headers
from gitterra.triggers._payload import Doc, json_type

#: GitHub's cap on a webhook payload; no forge sends more, so a bigger body is refused unread.
MAX_PAYLOAD_BYTES = 25 * 1024 * 1024

# Per forge: the headers naming the event and the delivery, in order of preference (Forgejo
# sends X-Forgejo-*, X-Gitea-* and X-GitHub-* alike).
_EVENT_HEADERS: Mapping[str, tuple[str, ...]] = {
    "github": ("X-GitHub-Event",),
    "gitea": ("X-Gitea-Event", "X-Forgejo-Event", "X-GitHub-Event"),
    "gitlab": ("X-Gitlab-Event",),
}
_DELIVERY_HEADERS: Mapping[str, tuple[str, ...]] = {
    "github": ("X-GitHub-Delivery",),
    "gitea": ("X-Gitea-Delivery", "X-Forgejo-Delivery", "X-GitHub-Delivery"),
    "gitlab": ("Idempotency-Key", "X-Gitlab-Event-UUID"),
}
_PARSERS: Mapping[str, Callable[..., list[Event]]] = {
    "github": github_events,
    "gitea": gitea_events,
    "gitlab": gitlab_events,
}

#: The forges :func:`parse_delivery` and :func:`verify_delivery` know.
FORGES: tuple[str, ...] = tuple(_PARSERS)


def parse_delivery(forge: str, headers: Mapping[str, str], body: bytes) -> list[Event]:
    """The events one delivery from ``forge`` reports: usually one, none for an event or
    action CodeBuild does not build on (GitHub's ``ping``, a pull request ``labeled``).

    Header names are case-insensitive. Raises :class:`PayloadError` (naming the header and the
    payload field) for a body that cannot be understood, :class:`PayloadTooLargeError` for one
    over :data:`MAX_PAYLOAD_BYTES`; ``ValueError`` for a forge not in :data:`FORGES`.
    """
    if forge not in _PARSERS:
        raise ValueError(f"unknown forge {forge!r} (known: {', '.join(FORGES)})")
    if len(body) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLargeError(
            f"the body is {len(body)} bytes, over the {MAX_PAYLOAD_BYTES} bytes forges send"
        )
    found = Headers(headers, on_conflict=PayloadError)
    named = found.first(*_EVENT_HEADERS[forge])
    if named is None:
        header = _EVENT_HEADERS[forge][0]
        raise PayloadError(f"missing {header} header: which event is this?", header=header)
    header = f"{named[0]}: {named[1]}"
    data = _decode(found, body, header, form_allowed=forge != "gitlab")
    delivery = found.first(*_DELIVERY_HEADERS[forge])
    delivery_id = delivery[1] if delivery else "sha256:" + hashlib.sha256(body).hexdigest()
    return list(_PARSERS[forge](named[1], Doc(data, header), delivery_id=delivery_id))


def _decode(headers: Headers, body: bytes, header: str, *, form_allowed: bool) -> dict[str, Any]:
    """The body's JSON object; a form-encoded body's ``payload`` field holds the JSON."""
    text: str | bytes = body
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if form_allowed and content_type == "application/x-www-form-urlencoded":
        text = _form_payload(body, header)
    try:
        data = json.loads(text)
    except RecursionError:
        raise PayloadError(f"{header}: the body's JSON is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, over-long integers
        raise PayloadError(f"{header}: the body is not valid JSON: {exc}", header=header) from exc
    if not isinstance(data, dict):
        raise PayloadError(
            f"{header}: the body must be a JSON object, got {json_type(data)}", header=header
        )
    return data


def _form_payload(body: bytes, header: str) -> str:
    try:
        fields = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"{header}: the form-encoded body cannot be read: {exc}") from exc
    values = fields.get("payload", [])
    if len(values) != 1:
        raise PayloadError(
            f"{header}: a form-encoded body must have one 'payload' field, found {len(values)}",
            field="payload",
            header=header,
        )
    return values[0]

"""The answers a listener gives itself: fixed responses and redirects (pure)."""

from __future__ import annotations

from gitterra.cloud.elb.dataplane import _http, _model, _redirect


def answer(
    action: _model.FixedResponseAction | _model.RedirectAction,
    *,
    host: bytes,
    port: int,
    url: bytes,
    close: bool,
    http10: bool,
    head_request: bool,
) -> tuple[int, bytes]:
    """The status and complete response for a request to ``url`` with ``Host: host`` that a
    listener on ``port`` answers with ``action``."""
    if isinstance(action, _model.FixedResponseAction):
        data = _http.simple_response(
            action.status_code,
            action.content_type.encode("latin-1"),
            action.body.encode(),
            close,
            http10,
            head_request,
        )
        return action.status_code, data
    location = _redirect.location(
        action, host=host.decode("latin-1"), port=port, target=url.decode("latin-1")
    )
    data = _http.redirect_response(action.status_code, location.encode("latin-1"), close, http10)
    return action.status_code, data

"""Access log entries: what one finished exchange tells about itself (ALB's log fields)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from gitterra.cloud.elb.dataplane import _model

if TYPE_CHECKING:
    from gitterra.cloud.elb.dataplane._exchange import Exchange


def entry(ex: Exchange, elapsed: float) -> _model.AccessLogEntry:
    """The log entry of ``ex``, which took ``elapsed`` seconds."""
    client = ex.client
    member = ex.last_member
    action = client.listener.config.default_action
    target = member.target if member is not None else None
    return _model.AccessLogEntry(
        time=time.time(),
        listener_id=client.listener.id,
        client=client.peer[0],
        client_port=client.peer[1],
        method=ex.method.decode("latin-1"),
        url=ex.url.decode("latin-1"),
        http_version=f"HTTP/{ex.version}",
        action=type(action).__name__.removesuffix("Action").lower(),
        tg_id=ex.group.id if ex.group is not None else "",
        target_id=target.id if target is not None else "",
        target_address=f"{target.host}:{target.port}" if target is not None else "",
        status=ex.status,
        target_status=ex.target_status,
        duration=elapsed,
        target_processing_time=(ex.t_head - ex.t_sent) if ex.t_head >= 0 else -1.0,
        received_bytes=ex.received,
        sent_bytes=ex.sent_bytes,
        user_agent=ex.user_agent.decode("latin-1"),
        error=ex.error,
    )

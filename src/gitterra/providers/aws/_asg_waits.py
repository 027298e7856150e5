"""What applying an auto-scaling group waits for, on either target.

- Capacity (``wait_for_capacity_timeout``, default 10m; ``"0"`` waits for nothing): after
  create, at least the desired capacity (or ``min_size``) InService and at least
  ``wait_for_elb_capacity``/``min_elb_capacity`` healthy in the target groups; after an update
  of the capacity, exactly that many — the AWS provider's rules, polled on
  ``GET .../<name>/capacity``.
- Instance refreshes: started when the launch template/configuration (or a ``triggers``
  attribute) changes, as the AWS provider does, and then, when the provider waits for refreshes
  (``wait_for_instance_refresh``: the local target's default — gitterra's documented deviation,
  the AWS provider returns at once), awaited until they end, so apply returns when the new
  version serves; a failed or cancelled refresh is an error with its reason.
- Draining on delete: capacity 0, then wait until no instance is left.
"""

from __future__ import annotations

import contextlib
from typing import Any

from gitterra.providers.aws import _client, _kit, _resource

DEFAULT_TIMEOUT = 10 * 60.0


def timeout_of(p: dict[str, Any], which: str) -> float:
    """The ``timeouts { update/delete }`` duration, or the AWS provider's 10 minutes."""
    given = (p.get("timeouts") or {}).get(which)
    seconds = _kit.parse_duration(given) if given else None
    return seconds if seconds is not None and seconds > 0 else DEFAULT_TIMEOUT


def capacity_timeout(p: dict[str, Any]) -> float:
    return _kit.parse_duration(p.get("wait_for_capacity_timeout") or "10m") or 0.0


def elb_target(p: dict[str, Any]) -> int:
    return int(p.get("wait_for_elb_capacity") or p.get("min_elb_capacity") or 0)


_IN_GROUP = "healthy instance(s) in Auto Scaling Group"
_IN_LB = "healthy instance(s) registered to Load Balancer"


async def wait_capacity(
    session: _resource.Session, name: str, p: dict[str, Any], creating: bool
) -> None:
    """Wait until the group's capacity satisfies the AWS provider's rule for create (at
    least) or update (exactly); :class:`_resource.WaitTimeout` with the last shortfall."""
    timeout = capacity_timeout(p)
    if timeout <= 0:
        return

    async def satisfied() -> tuple[bool, str]:
        cap = await session.cloud.autoscaling.group_capacity(name)
        in_service = int(cap.get("in_service") or 0)
        healthy = int(cap.get("healthy_in_target_groups") or 0)
        min_size = int(p.get("min_size") or 0)
        desired = int(p.get("desired_capacity") or cap.get("desired") or 0)
        if creating:
            want = desired if desired > 0 else min_size
            target = elb_target(p)
            if in_service < want:
                return False, f"want at least {want} {_IN_GROUP}, have {in_service}"
            if healthy < target:
                return False, f"want at least {target} {_IN_LB}, have {healthy}"
            return True, "ok"
        want = max(min_size, desired)
        target = int(p.get("wait_for_elb_capacity") or 0)
        if in_service != want:
            return False, f"want exactly {want} {_IN_GROUP}, have {in_service}"
        if target > 0 and healthy != target:
            return False, f"want exactly {target} {_IN_LB}, have {healthy}"
        return True, "ok"

    await _resource.wait_for(session, timeout, satisfied)


class RefreshFailed(Exception):
    """An instance refresh ended Failed or Cancelled; the message is its reason."""


def refresh_body(refresh: dict[str, Any]) -> dict[str, Any]:
    prefs = (refresh.get("preferences") or [{}])[0] or {}
    body: dict[str, Any] = {
        "min_healthy_percentage": prefs.get("min_healthy_percentage", 90),
        "max_healthy_percentage": prefs.get("max_healthy_percentage", 100),
        "skip_matching": bool(prefs.get("skip_matching") or False),
    }
    warmup = prefs.get("instance_warmup")
    if warmup not in (None, ""):
        body["instance_warmup"] = int(warmup)
    return {"strategy": refresh.get("strategy") or "Rolling", "preferences": body}


async def run_refresh(session: _resource.Session, name: str, p: dict[str, Any]) -> str:
    """Start an instance refresh (cancelling one in progress, as the AWS provider does) and
    wait for it to end; returns its id. :class:`RefreshFailed`, :class:`WaitTimeout`."""
    groups = session.cloud.autoscaling
    body = refresh_body(p["instance_refresh"][0])
    timeout = timeout_of(p, "update")

    async def start() -> tuple[bool, str]:
        try:
            started = await groups.start_instance_refresh(name, body)
        except _client.ConflictError:
            # it may end meanwhile, or be cancelling already: then try again
            with contextlib.suppress(_client.NotFoundError, _client.ConflictError):
                await groups.cancel_instance_refresh(name)
            return False, "an instance refresh in progress is being cancelled"
        return True, str(started["id"])

    refresh_id = await _resource.wait_for(session, timeout, start)
    if not session.wait_for_refresh:
        return refresh_id

    async def ended() -> tuple[bool, str]:
        items = await groups.instance_refreshes(name)
        found = next((r for r in items if r.get("id") == refresh_id), None)
        if found is None:
            raise RefreshFailed(f"instance refresh {refresh_id} disappeared")
        status = found.get("status")
        if status == "Successful":
            return True, status
        if status in ("Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"):
            reason = found.get("status_reason") or "no reason given"
            raise RefreshFailed(f"instance refresh {refresh_id} ended {status}: {reason}")
        pct = found.get("percentage_complete")
        return False, f"instance refresh {refresh_id} {status}, {pct or 0}% complete"

    await _resource.wait_for(session, timeout, ended)
    return refresh_id


async def drain(session: _resource.Session, name: str, timeout: float) -> None:
    """Capacity 0 and wait until the group has no instances (the AWS provider's drainGroup)."""
    groups = session.cloud.autoscaling
    await groups.update_group(name, {"min_size": 0, "max_size": 0, "desired_capacity": 0}, {})

    async def empty() -> tuple[bool, str]:
        doc = await groups.get_group(name)
        left = len(doc.get("instances") or [])
        return left == 0, f"{left} instance(s) still in the group"

    await _resource.wait_for(session, timeout, empty)


async def wait_gone(session: _resource.Session, name: str, timeout: float) -> None:
    async def gone() -> tuple[bool, str]:
        try:
            doc = await session.cloud.autoscaling.get_group(name)
        except _client.NotFoundError:
            return True, "deleted"
        return False, str(doc.get("status") or "still present")

    await _resource.wait_for(session, timeout, gone)

"""The group controller's decisions: values in, values out (no I/O, no clock of its own).

:func:`decide` looks at one group (its desired capacity and current launch configuration), its
members (each with its lifecycle state, the instance's state and its health in the target
groups) and the active instance refresh, and says what to do now: which pending instances to
put in service, which instances to retire (deregister, drain, terminate) and why, how many to
launch, and how the refresh stands. The controller carries a decision out and asks again; a
decision is always safe to recompute (after a crash too), because every input is durable.

Rules, in order:

1. A member whose instance ended on its own, or that EC2 reports unhealthy, is retired and
   replaced. With ``health_check_type = "ELB"``, so is an in-service member that a target group
   reports unhealthy once ``health_check_grace_period`` has passed since it came in service.
2. A pending member whose instance runs is registered in the target groups and is in service.
3. Without a refresh the group keeps ``desired`` live members: it launches the missing ones, or
   retires the extra ones chosen by the termination policies (:mod:`._termination`).
4. With a refresh (AWS's rolling strategy): new instances are launched while the live count
   stays within ``max_healthy_percentage`` of desired; old ones are retired while the ready
   count stays at or above ``min_healthy_percentage`` (rounded up); when neither can move and
   nothing is in flight, one old instance is replaced at a time (AWS's rule when both
   percentages are 100). A new instance counts once it is healthy in every target group and
   its warmup has passed; one that is not ready within the refresh's allowance of its launch,
   or that ends, fails the refresh and the group falls back to rule 3 (which retires instances
   that are not ready before any serving one, so the old instances keep serving).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from gitterra.cloud.autoscaling import _termination


class Lifecycle(enum.StrEnum):
    PENDING = "Pending"
    IN_SERVICE = "InService"
    TERMINATING = "Terminating"


#: Aggregate health of a member in its group's target groups.
#: "healthy" (in every group; also when the group has none, or a target group is not used by
#: any listener), "unhealthy" (in some group), "initial" (checks still running).
ElbHealth = str

LIVE_INSTANCE_STATES = frozenset({"pending", "running"})


@dataclass(frozen=True, slots=True)
class Member:
    """One instance of the group as the controller sees it."""

    id: str
    lifecycle: Lifecycle
    config: _termination.Config
    launched_at: float
    in_service_at: float | None = None
    instance_state: str = "pending"
    instance_reason: str = ""
    ec2_healthy: bool = True
    elb: ElbHealth = "healthy"
    elb_reason: str = ""

    @property
    def alive(self) -> bool:
        return self.instance_state in LIVE_INSTANCE_STATES


@dataclass(frozen=True, slots=True)
class GroupView:
    name: str
    desired: int
    config: _termination.Config
    health_check_type: str = "EC2"
    grace: float = 300.0
    policies: tuple[str, ...] = ("Default",)
    deleting: bool = False


@dataclass(frozen=True, slots=True)
class RefreshView:
    """An active refresh: the instances it must replace (``replace``), those it leaves alone
    (``kept``, with skip_matching), and its preferences."""

    id: str
    replace: frozenset[str]
    kept: frozenset[str]
    min_healthy: int = 90
    max_healthy: int = 100
    warmup: float = 0.0
    allowance: float = 600.0
    forgiven: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Retire:
    id: str
    reason: str
    unhealthy: bool = False


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    status: str  # "InProgress" | "Successful" | "Failed"
    percentage: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    register: tuple[str, ...] = ()
    retire: tuple[Retire, ...] = ()
    launch: int = 0
    refresh: RefreshOutcome | None = None
    notes: tuple[str, ...] = field(default=())


def ready(m: Member) -> bool:
    """In service and healthy (EC2, and in every target group)."""
    return m.lifecycle == Lifecycle.IN_SERVICE and m.alive and m.ec2_healthy and m.elb == "healthy"


def decide(
    group: GroupView,
    members: Sequence[Member],
    refresh: RefreshView | None,
    now: float,
) -> Decision:
    """What the controller should do now for ``group`` (see the module docstring)."""
    retire: list[Retire] = []
    if group.deleting:
        for m in members:
            if m.lifecycle != Lifecycle.TERMINATING:
                retire.append(Retire(m.id, "the group is being deleted"))
        return Decision(retire=tuple(retire))

    for m in members:
        if m.lifecycle == Lifecycle.TERMINATING:
            continue
        reason = _unhealthy(group, m, now)
        if reason:
            retire.append(Retire(m.id, reason, unhealthy=True))
    gone = {r.id for r in retire}
    register = tuple(
        m.id
        for m in members
        if m.lifecycle == Lifecycle.PENDING and m.id not in gone and m.instance_state == "running"
    )
    live = [_registered(m) if m.id in register else m for m in members]
    live = [m for m in live if m.lifecycle != Lifecycle.TERMINATING and m.id not in gone]

    outcome: RefreshOutcome | None = None
    if refresh is not None:
        failure = _refresh_failure(refresh, members, retire, now)
        if failure:
            outcome = RefreshOutcome("Failed", _percentage(refresh, members, live, now), failure)
        else:
            step = _refresh_step(group, refresh, members, live, now)
            return Decision(register, (*retire, *step.retire), step.launch, step.refresh)
    launch, extra = _scale(group, live, now)
    return Decision(register, (*retire, *extra), launch, outcome)


def _registered(m: Member) -> Member:
    """``m`` as it is once put in service (health checks only begin now)."""
    return Member(
        m.id, Lifecycle.IN_SERVICE, m.config, m.launched_at, None, m.instance_state,
        m.instance_reason, m.ec2_healthy, m.elb, m.elb_reason,
    )  # fmt: skip


def _unhealthy(group: GroupView, m: Member, now: float) -> str:
    """Why ``m`` must be replaced, or ``""``."""
    if not m.alive:
        why = f": {m.instance_reason}" if m.instance_reason else ""
        return f"instance {m.id} is {m.instance_state}{why}"
    if not m.ec2_healthy:
        return f"instance {m.id} failed its EC2 status checks"
    if (
        group.health_check_type == "ELB"
        and m.lifecycle == Lifecycle.IN_SERVICE
        and m.elb == "unhealthy"
        and m.in_service_at is not None
        and now >= m.in_service_at + group.grace
    ):
        why = f" ({m.elb_reason})" if m.elb_reason else ""
        return f"instance {m.id} failed ELB health checks{why}"
    return ""


def _scale(group: GroupView, live: Sequence[Member], now: float) -> tuple[int, list[Retire]]:
    """Rule 3: launch the missing members or choose the extra ones."""
    n = len(live)
    if n < group.desired:
        return group.desired - n, []
    if n == group.desired:
        return 0, []
    victims = _termination.choose(
        live, n - group.desired, group.policies, group.config, now, ready=ready
    )
    reason = f"scaling in to the desired capacity {group.desired}"
    return 0, [Retire(v.id, reason) for v in victims]


@dataclass(frozen=True, slots=True)
class _Step:
    launch: int
    retire: tuple[Retire, ...]
    refresh: RefreshOutcome


def _warm(refresh: RefreshView, m: Member, now: float) -> bool:
    return ready(m) and m.in_service_at is not None and now >= m.in_service_at + refresh.warmup


def _is_new(refresh: RefreshView, m: Member) -> bool:
    return m.id not in refresh.replace and m.id not in refresh.kept


def _refresh_failure(
    refresh: RefreshView, members: Sequence[Member], retiring: Sequence[Retire], now: float
) -> str:
    """Why the refresh has failed (a new instance ended or is late), or ``""``."""
    retired = {r.id: r.reason for r in retiring}
    for m in members:
        if not _is_new(refresh, m) or m.lifecycle == Lifecycle.TERMINATING:
            continue
        if m.id in retired and m.id not in refresh.forgiven:
            return (
                f"new instance {m.id} had to be replaced: {retired[m.id]}; "
                "the old instances keep serving"
            )
        if m.id in retired or _warm(refresh, m, now):
            continue
        if now > m.launched_at + refresh.allowance:
            health = (
                f"{m.elb} in its target groups" + (f" ({m.elb_reason})" if m.elb_reason else "")
                if m.lifecycle == Lifecycle.IN_SERVICE
                else f"instance still {m.instance_state}"
            )
            return (
                f"new instance {m.id} did not become healthy within {refresh.allowance:g}s "
                f"of its launch: {health}; the old instances keep serving"
            )
    return ""


def _percentage(
    refresh: RefreshView, members: Sequence[Member], live: Sequence[Member], now: float
) -> int:
    total = len(refresh.replace)
    if total == 0:
        return 100
    remaining = sum(1 for m in members if m.id in refresh.replace)
    fresh_ready = sum(1 for m in live if _is_new(refresh, m) and _warm(refresh, m, now))
    return min(100, math.floor(100 * min(total - remaining, fresh_ready) / total))


def _refresh_step(
    group: GroupView,
    refresh: RefreshView,
    members: Sequence[Member],
    live: Sequence[Member],
    now: float,
) -> _Step:
    """Rule 4: one step of a rolling replacement."""
    desired = group.desired
    old = [m for m in live if m.id in refresh.replace]
    new = [m for m in live if m.id not in refresh.replace]
    counted = [m for m in live if (_warm(refresh, m, now) if _is_new(refresh, m) else ready(m))]
    min_in_service = min(desired, math.ceil(desired * refresh.min_healthy / 100))
    max_total = max(desired, math.floor(desired * refresh.max_healthy / 100))
    pct = _percentage(refresh, members, live, now)

    retire: list[Retire] = []
    # Old instances that are not ready serve nobody: replace them at once.
    for m in old:
        if not ready(m):
            retire.append(Retire(m.id, "instance refresh: replacing an instance that is not ready"))
    old_ready = [m for m in old if ready(m)]
    room = max_total - (len(live) - len(retire))
    launch = max(0, min(desired - len(new), room))
    spare = len(counted) - min_in_service
    in_flight = sum(
        1 for m in members if m.lifecycle == Lifecycle.TERMINATING and m.id in refresh.replace
    ) + sum(1 for m in new if not _warm(refresh, m, now))
    if spare <= 0 and launch == 0 and in_flight == 0 and old_ready:
        spare = 1  # AWS: when the percentages leave no room, one instance at a time
    if len(new) + launch > desired:
        launch = max(0, desired - len(new))
    victims = _termination.choose(
        old_ready, max(0, min(spare, len(old_ready))), group.policies, group.config, now,
        ready=ready,
    )  # fmt: skip
    retire += [Retire(v.id, "instance refresh: replaced by an instance of the new version")
               for v in victims]  # fmt: skip
    extra_new = len(new) - desired
    if extra_new > 0 and not old:
        surplus = _termination.choose(
            new, extra_new, group.policies, group.config, now, ready=ready
        )
        retire += [Retire(v.id, f"scaling in to the desired capacity {desired}") for v in surplus]
    done = not any(m.id in refresh.replace for m in members) and all(
        _warm(refresh, m, now) for m in new
    )
    if done and len(new) >= desired:
        return _Step(0, tuple(retire), RefreshOutcome("Successful", 100))
    return _Step(launch, tuple(retire), RefreshOutcome("InProgress", pct))

"""Target groups: registered targets, their health states, routing choice and draining.

A :class:`Member` is one registered target with its state (AWS's ``initial``, ``healthy``,
``unhealthy``, ``draining``, ``unused``), its in-flight count and its pool of idle upstream
connections. :class:`TargetGroup` keeps the routable set: the healthy members, or, when none
is healthy, every unhealthy one (ALB fails open); members still in ``initial`` never receive
traffic. Round robin follows slow start by weights that ramp linearly over the window;
least-outstanding-requests picks the member with the fewest in-flight requests.

A deregistered member drains: it leaves the routable set at once, its idle connections close,
and it leaves the group when its last in-flight request ends or ``deregistration_delay`` has
passed (then its remaining connections are cut), whichever comes first.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from gitterra.cloud.elb.dataplane import _metrics, _model, _tasks

if TYPE_CHECKING:
    import asyncio

    from gitterra.cloud.elb.dataplane._upstream import UpstreamConn

Notify = Callable[[str, _model.TargetHealth], None]

_DESCRIPTIONS = {
    "Elb.RegistrationInProgress": "Target registration is in progress",
    "Elb.InitialHealthChecking": "Initial health checks in progress",
    "Target.DeregistrationInProgress": "Target deregistration is in progress",
    "Target.NotInUse": "Target group is not configured to receive traffic from the load balancer",
    "Target.NotRegistered": "Target is not registered to the target group",
    "Target.HealthCheckDisabled": "Health checks are disabled",
}


class Member:
    """One registered target and everything the balancer knows about it."""

    __slots__ = (
        "busy",
        "checking",
        "cw",
        "description",
        "drain_task",
        "failures",
        "gone",
        "healthy_since",
        "idle",
        "in_flight",
        "next_check",
        "reason",
        "state",
        "successes",
        "target",
    )

    def __init__(self, target: _model.Target) -> None:
        self.target = target
        self.state: _model.TargetState = "unused"
        self.reason = ""
        self.description = ""
        self.in_flight = 0
        self.idle: list[UpstreamConn] = []
        self.busy: set[UpstreamConn] = set()
        self.successes = 0
        self.failures = 0
        self.healthy_since = -math.inf
        self.next_check = -math.inf
        self.checking = False
        self.drain_task: asyncio.Task[None] | None = None
        self.gone = False
        self.cw = 0.0

    def take_idle(self) -> UpstreamConn | None:
        """An idle pooled connection that is still open (most recently used first)."""
        idle = self.idle
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
        return None

    def close_idle(self) -> None:
        idle, self.idle = self.idle, []
        for conn in idle:
            conn.close()

    def health(self) -> _model.TargetHealth:
        t = self.target
        return _model.TargetHealth(t.id, self.state, self.reason, self.description, t.host, t.port)


class TargetGroup:
    """One target group's members, routing choice and draining (owned by the event loop)."""

    def __init__(
        self,
        tg_id: str,
        settings: _model.TargetGroupSettings,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        notify: Notify,
        tasks: _tasks.TaskSet,
    ) -> None:
        self.id = tg_id
        self.settings = settings
        self.members: dict[str, Member] = {}
        self.counters = _metrics.Counters()
        self.in_use = False
        self.removed = False
        self.on_change: Callable[[], None] = lambda: None
        self._clock = clock
        self._sleep = sleep
        self._notify = notify
        self._tasks = tasks
        self._cands: list[Member] = []
        self._ramp_until = 0.0
        self._rr = 0

    # -- configuration -------------------------------------------------------------------

    def configure(self, settings: _model.TargetGroupSettings) -> None:
        checks_were = self.settings.health_check.enabled
        self.settings = settings
        if settings.health_check.enabled != checks_were:
            for m in self.members.values():
                if m.state != "draining":
                    self._restart(m)
        self._recompute()
        self.on_change()

    def set_targets(self, targets: Iterable[_model.Target]) -> None:
        wanted = {t.id: t for t in targets}
        for tid, m in list(self.members.items()):
            new = wanted.get(tid)
            if new is None:
                if m.state != "draining":
                    self._drain(m)
            elif new != m.target:  # same id, new address: the old one drains on its own
                self.members.pop(tid, None)
                self._drain(m)
            elif m.state == "draining":
                if m.drain_task is not None:
                    m.drain_task.cancel()
                    m.drain_task = None
                self._restart(m)
        for tid, t in wanted.items():
            if tid not in self.members:
                m = Member(t)
                self.members[tid] = m
                self._restart(m)
        self._recompute()
        self.on_change()

    def set_in_use(self, in_use: bool) -> None:
        if in_use == self.in_use:
            return
        self.in_use = in_use
        for m in self.members.values():
            if m.state != "draining":
                self._restart(m)
        self._recompute()
        self.on_change()

    def close(self) -> None:
        """Forget every member: drains stop, pooled connections close (the group is gone)."""
        self.removed = True
        for m in self.members.values():
            if m.drain_task is not None:
                m.drain_task.cancel()
            m.gone = True
            m.close_idle()
        self.members.clear()
        self._cands = []

    def health(self) -> list[_model.TargetHealth]:
        return [m.health() for m in self.members.values()]

    # -- routing -------------------------------------------------------------------------

    def pick(self, exclude: tuple[Member, ...] = ()) -> Member | None:
        """The member the next request goes to, or ``None`` when no member may take it."""
        cands = self._cands
        n = len(cands)
        if n == 0:
            return None
        if self.settings.algorithm == "least_outstanding_requests":
            return self._pick_least(cands, exclude)
        if self._ramp_until:
            chosen = self._pick_weighted(cands, exclude)
            if chosen is not None:
                return chosen
        for _ in range(n):
            self._rr = rr = (self._rr + 1) % n
            m = cands[rr]
            if m not in exclude:
                return m
        return None

    def _pick_least(self, cands: list[Member], exclude: tuple[Member, ...]) -> Member | None:
        n = len(cands)
        self._rr = start = (self._rr + 1) % n
        best: Member | None = None
        for i in range(n):
            m = cands[(start + i) % n]
            if m not in exclude and (best is None or m.in_flight < best.in_flight):
                best = m
        return best

    def _pick_weighted(self, cands: list[Member], exclude: tuple[Member, ...]) -> Member | None:
        """Smooth weighted round robin, weights ramping over the slow start window."""
        now = self._clock()
        if now >= self._ramp_until:
            self._ramp_until = 0.0
            return None
        window = self.settings.slow_start
        weights = [min(1.0, max(0.0, now - m.healthy_since) / window) for m in cands]
        if max(weights) < 1.0:  # nobody out of slow start: no ramp applies
            return None
        best: Member | None = None
        total = 0.0
        for m, w in zip(cands, weights, strict=True):
            if m in exclude:
                continue
            m.cw += w
            total += w
            if best is None or m.cw > best.cw:
                best = m
        if best is not None:
            best.cw -= total
        return best

    def begin(self, m: Member) -> None:
        m.in_flight += 1
        self.counters.in_flight += 1

    def end(self, m: Member) -> None:
        """A request to ``m`` ended; a draining member with none left leaves the group."""
        m.in_flight -= 1
        self.counters.in_flight -= 1
        if m.in_flight == 0 and m.state == "draining" and not m.gone:
            self._leave(m)

    # -- health --------------------------------------------------------------------------

    def checkable(self) -> list[Member]:
        """The members the health checker probes now."""
        if not (self.in_use and self.settings.health_check.enabled):
            return []
        return [m for m in self.members.values() if m.state != "draining" and m.state != "unused"]

    def record_check(self, m: Member, ok: bool, reason: str, description: str) -> None:
        """Apply one health check result with the thresholds (consecutive results count)."""
        if m.gone or m.state in ("draining", "unused") or self.members.get(m.target.id) is not m:
            return
        hc = self.settings.health_check
        if ok:
            m.successes += 1
            m.failures = 0
            if m.state != "healthy" and m.successes >= hc.healthy_threshold:
                m.healthy_since = self._clock()
                self._set(m, "healthy", "", "")
            elif m.state == "initial":
                self._set(m, "initial", "Elb.InitialHealthChecking")
        else:
            m.failures += 1
            m.successes = 0
            if m.state == "unhealthy" or m.failures >= hc.unhealthy_threshold:
                self._set(m, "unhealthy", reason, description)
            elif m.state == "initial":
                self._set(m, "initial", "Elb.InitialHealthChecking")

    # -- internals -----------------------------------------------------------------------

    def _restart(self, m: Member) -> None:
        """Put a (re)registered member back at the start of its health life."""
        m.successes = m.failures = 0
        m.next_check = -math.inf
        if not self.in_use:
            self._set(m, "unused", "Target.NotInUse")
        elif not self.settings.health_check.enabled:
            m.healthy_since = self._clock()
            self._set(m, "healthy", "Target.HealthCheckDisabled")
        else:
            self._set(m, "initial", "Elb.RegistrationInProgress")

    def _set(
        self, m: Member, state: _model.TargetState, reason: str, description: str | None = None
    ) -> None:
        desc = _DESCRIPTIONS.get(reason, "") if description is None else description
        if (m.state, m.reason, m.description) == (state, reason, desc):
            return
        routing_changed = (m.state == "healthy") != (state == "healthy") or m.state != state
        m.state, m.reason, m.description = state, reason, desc
        if routing_changed:
            self._recompute()
        self._notify(self.id, m.health())

    def _recompute(self) -> None:
        members = self.members.values()
        cands = [m for m in members if m.state == "healthy"]
        if not cands:
            cands = [m for m in members if m.state == "unhealthy"]  # fail open
        self._cands = cands
        ramp_ends = [m.healthy_since + self.settings.slow_start for m in cands]
        now = self._clock()
        ending = max(ramp_ends, default=0.0)
        self._ramp_until = ending if self.settings.slow_start and ending > now else 0.0
        for m in cands:
            m.cw = 0.0

    def _drain(self, m: Member) -> None:
        m.close_idle()
        self._set(m, "draining", "Target.DeregistrationInProgress")
        if m.in_flight == 0:
            self._leave(m)
        else:
            deadline = self._clock() + self.settings.deregistration_delay
            m.drain_task = self._tasks.spawn(f"drain {m.target.id}", self._drain_until(m, deadline))

    async def _drain_until(self, m: Member, deadline: float) -> None:
        await self._sleep(max(0.0, deadline - self._clock()))
        m.drain_task = None
        if not m.gone:
            for conn in list(m.busy):
                conn.abort()
            self._leave(m)

    def _leave(self, m: Member) -> None:
        m.gone = True
        if m.drain_task is not None:
            m.drain_task.cancel()
            m.drain_task = None
        m.close_idle()
        m.state, m.reason = "unused", "Target.NotRegistered"
        m.description = _DESCRIPTIONS[m.reason]
        if self.members.get(m.target.id) is m:
            del self.members[m.target.id]
            self._recompute()
            self._notify(self.id, m.health())
        # else: the id was registered again at another address; that one is what it reports

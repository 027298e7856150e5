"""The data plane's facade: what the control plane calls.

One :class:`DataPlane` per server process, running in the caller's event loop. It owns the
listeners, the target groups with their health checkers, and every background task; nothing
here blocks, and every method that is not a coroutine takes effect before it returns (the
next request sees the change).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from gitterra.cloud.elb.dataplane import _group, _health, _listener, _metrics, _model, _tasks

log = logging.getLogger("gitterra.cloud.elb.dataplane")

OnHealth = Callable[[str, str, _model.TargetHealth], None]
AccessLog = Callable[[_model.AccessLogEntry], None]


class DataPlane:
    """The load balancer's data plane: listeners that proxy to target groups.

    ``on_health(tg_id, target_id, health)`` is called on every change of a target's state or
    reason (a target that finished deregistering is reported once more, as ``unused`` with
    ``Target.NotRegistered``). ``access_log`` gets one entry per request. ``clock`` and
    ``sleep`` measure health check intervals, slow start and deregistration delays, so tests
    can step time; network timeouts use the event loop's own clock.
    """

    def __init__(
        self,
        *,
        on_health: OnHealth | None = None,
        access_log: AccessLog | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.groups: dict[str, _group.TargetGroup] = {}
        self.listeners: dict[str, _listener.Listener] = {}
        self.tasks = _tasks.TaskSet("elb data plane")
        self.access_log = access_log
        self._on_health = on_health
        self._clock = clock
        self._sleep = sleep
        self._checkers: dict[str, _health.HealthChecker] = {}
        self._stopped = False

    async def start(self) -> None:
        """Get ready to serve (the event loop is the caller's)."""
        self._stopped = False

    async def stop(self, grace: float = 10.0) -> None:
        """Close every listener (requests in flight get ``grace`` seconds), stop health
        checks and drains, close pooled connections."""
        self._stopped = True
        listeners = list(self.listeners.values())
        self.listeners.clear()
        await asyncio.gather(*(lst.close(grace) for lst in listeners))
        for tg_id in list(self.groups):
            self.remove_target_group(tg_id)
        await self.tasks.close()

    # -- listeners -----------------------------------------------------------------------

    async def bind_listener(
        self, listener_id: str, host: str, port: int, config: _model.ListenerConfig
    ) -> tuple[str, int]:
        """Listen on ``host:port`` (0: any free port); returns the bound address.

        Raises :class:`BindError` when the address is in use or needs privileges.
        """
        if self._stopped:
            raise _model.DataPlaneError("the data plane is stopped")
        if listener_id in self.listeners:
            bound = self.listeners[listener_id]
            raise _model.ConfigError(
                f"listener {listener_id}: already listening on {bound.host}:{bound.port}"
            )
        if not 0 <= port <= 65535:
            raise _model.ConfigError(f"listener {listener_id}: port {port} is not 0-65535")
        listener = _listener.Listener(self, listener_id, config)
        address = await listener.bind(host, port)
        self.listeners[listener_id] = listener
        self._update_use()
        return address

    def configure_listener(self, listener_id: str, config: _model.ListenerConfig) -> None:
        """Change a listener's action, sources or timeouts; the socket stays open."""
        self._get_listener(listener_id).configure(config)
        self._update_use()

    async def close_listener(self, listener_id: str, grace: float | None = None) -> None:
        """Stop accepting; requests in flight finish (within ``grace``, default the idle
        timeout); idle connections close."""
        listener = self._get_listener(listener_id)
        del self.listeners[listener_id]
        self._update_use()
        await listener.close(listener.config.idle_timeout if grace is None else grace)

    # -- target groups -------------------------------------------------------------------

    def configure_target_group(self, tg_id: str, settings: _model.TargetGroupSettings) -> None:
        """Create a target group, or change its settings."""
        group = self.groups.get(tg_id)
        if group is not None:
            group.configure(settings)
            return
        group = _group.TargetGroup(
            tg_id,
            settings,
            clock=self._clock,
            sleep=self._sleep,
            notify=self._notify,
            tasks=self.tasks,
        )
        self.groups[tg_id] = group
        self._checkers[tg_id] = _health.HealthChecker(
            group, clock=self._clock, sleep=self._sleep, tasks=self.tasks
        )
        self._update_use()

    def set_targets(self, tg_id: str, targets: Sequence[_model.Target]) -> None:
        """Make ``targets`` the registered set: new ones start health checks, missing ones
        drain."""
        group = self._get_group(tg_id)
        seen: set[str] = set()
        for t in targets:
            if not isinstance(t, _model.Target):
                raise _model.ConfigError(f"target group {tg_id}: {t!r} is not a Target")
            if t.id in seen:
                raise _model.ConfigError(f"target group {tg_id}: target {t.id} listed twice")
            seen.add(t.id)
        group.set_targets(targets)

    def target_health(self, tg_id: str) -> list[_model.TargetHealth]:
        return self._get_group(tg_id).health()

    def remove_target_group(self, tg_id: str) -> None:
        """Forget a target group: checks stop, pooled connections close; requests in flight
        finish, new ones to it get 503."""
        group = self._get_group(tg_id)
        del self.groups[tg_id]
        self._checkers.pop(tg_id).stop()
        group.close()

    def metrics(self) -> _metrics.Metrics:
        return _metrics.Metrics(
            listeners={k: v.counters.snapshot() for k, v in self.listeners.items()},
            target_groups={k: v.counters.snapshot() for k, v in self.groups.items()},
        )

    # -- internals -----------------------------------------------------------------------

    def log_access(self, entry: _model.AccessLogEntry) -> None:
        if self.access_log is not None:
            try:
                self.access_log(entry)
            except Exception:  # a broken log sink must not break the proxy; it is reported
                log.exception("access log callback failed")

    def _notify(self, tg_id: str, health: _model.TargetHealth) -> None:
        if self._on_health is not None:
            try:
                self._on_health(tg_id, health.id, health)
            except Exception:  # the control plane's bug must not stop health checking
                log.exception("on_health callback failed for %s %s", tg_id, health.id)

    def _update_use(self) -> None:
        used = {
            lst.config.default_action.tg_id
            for lst in self.listeners.values()
            if isinstance(lst.config.default_action, _model.ForwardAction)
        }
        for tg_id, group in self.groups.items():
            group.set_in_use(tg_id in used)

    def _get_listener(self, listener_id: str) -> _listener.Listener:
        try:
            return self.listeners[listener_id]
        except KeyError:
            raise _model.NotFoundError(f"listener {listener_id}: not bound") from None

    def _get_group(self, tg_id: str) -> _group.TargetGroup:
        try:
            return self.groups[tg_id]
        except KeyError:
            raise _model.NotFoundError(f"target group {tg_id}: not configured") from None

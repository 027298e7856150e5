"""One group's controller: a supervised loop that carries out :func:`._decide.decide`.

Each pass reads everything from the store and the neighbours (so a pass after a crash is like
any other), adopts instances of the group it has no record of (launched just before a crash),
asks for a decision and carries it out:

- registering: the member goes ``InService`` and is registered in the group's target groups;
- retiring: the member goes ``Terminating`` (stored first), then a task of its own deregisters
  it from its target groups, waits until the balancer has drained it (its requests in flight
  finished, or the deregistration delay passed), terminates the instance and forgets it;
  members found ``Terminating`` after a restart are retired again;
- launching: through the compute service, from the group's launch template version (resolved
  now: ``$Latest`` follows new versions) or launch configuration; a failed launch is an event
  and the next attempt waits (exponential backoff up to 30 s), and fails an active refresh.

Passes run when something changes (an instance's state, a target's health, an API call) and
at least every ``tick`` seconds (grace periods, warmups and deadlines are times).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from gitterra.cloud import CloudError, NotFound
from gitterra.cloud.autoscaling import _decide, _records, _termination
from gitterra.cloud.compute import LaunchSpec
from gitterra.kits import TaskSet

if TYPE_CHECKING:
    from gitterra.cloud.autoscaling._service import AutoScaling

log = logging.getLogger("gitterra.cloud.autoscaling")

Doc = dict[str, Any]
MAX_BACKOFF = 30.0


class GroupController:
    """Keeps one group at its desired capacity and runs its instance refresh."""

    def __init__(self, svc: AutoScaling, name: str) -> None:
        self.svc = svc
        self.name = name
        self.gone = asyncio.Event()
        self._wake = asyncio.Event()
        self._retiring = TaskSet(f"autoscaling group {name}", unique=True)
        self._forgiven: frozenset[str] | None = None
        self._backoff_until = 0.0
        self._failures = 0

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Reconcile until the group is deleted (supervised: a failing pass is logged and
        retried after a tick)."""
        try:
            while True:
                try:
                    if await self.reconcile():
                        return
                except Exception as exc:  # supervision: log, record, keep the group managed
                    log.exception("group %s: reconcile failed", self.name)
                    self.svc.cloud.event("autoscaling.error", self.name, f"controller: {exc!r}")
                # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation
                # that arrives as the event is set, and the loop would never end.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.svc.tick):
                        await self._wake.wait()
                self._wake.clear()
        finally:
            await self._retiring.close()

    # -- one pass ----------------------------------------------------------------------------

    async def reconcile(self) -> bool:
        """One pass; True once the group is gone."""
        store = self.svc.cloud.store
        group = store.get(_records.GROUP, self.name)
        if group is None:
            self.gone.set()
            return True
        now = self.svc.clock()
        deleting = group.get("status") == _records.DELETING
        self._adopt(now)
        records = _records.members(store, self.name)
        names = self._target_group_names(group)
        views = [self._view(r, names) for r in records]
        if self._forgiven is None:
            self._forgiven = frozenset(v.id for v in views if not v.alive)
        refresh = None if deleting else _records.active_refresh(store, self.name)
        current = self.current_config(group)
        decision = _decide.decide(
            self._group_view(group, current, deleting),
            views,
            self._refresh_view(group, refresh) if refresh and current else None,
            now,
        )
        self._register(group, decision.register, now)
        self._retire(decision.retire)
        self._resume_retiring()
        self._sync_target_groups(group)
        if decision.launch and current is not None:
            await self._launch(group, decision.launch, refresh)
        if refresh is not None and decision.refresh is not None:
            self._record_refresh(refresh["id"], decision.refresh)
        if deleting and not _records.members(store, self.name):
            store.delete(_records.GROUP, self.name)
            self.svc.cloud.event("autoscaling.group", self.name, "deleted")
            self.gone.set()
            return True
        return False

    def current_config(self, group: Doc) -> _termination.Config | None:
        """What new instances are launched from now (None: the template is gone)."""
        lt = group.get("launch_template")
        if lt:
            try:
                version = self.svc.templates().resolve(lt["id"], lt["version"])
            except NotFound:
                return None
            number = int(version["version_number"])
            return _termination.Config(template_id=lt["id"], version=number, age=float(number))
        return _records.config_of(group, self.svc.cloud.store)

    def _group_view(
        self, group: Doc, current: _termination.Config | None, deleting: bool
    ) -> _decide.GroupView:
        return _decide.GroupView(
            name=self.name,
            desired=group["desired_capacity"],
            config=current or _termination.Config(),
            health_check_type=group["health_check_type"],
            grace=float(group["health_check_grace_period"]),
            policies=tuple(group["termination_policies"]),
            deleting=deleting,
        )

    def _refresh_view(self, group: Doc, refresh: Doc) -> _decide.RefreshView:
        prefs = refresh["preferences"]
        warmup = prefs["instance_warmup"]
        if warmup is None:
            warmup = group.get("default_instance_warmup")
        if warmup is None:
            warmup = group["health_check_grace_period"]
        return _decide.RefreshView(
            id=refresh["id"],
            replace=frozenset(refresh["replace"]),
            kept=frozenset(refresh["kept"]),
            min_healthy=prefs["min_healthy_percentage"],
            max_healthy=prefs["max_healthy_percentage"],
            warmup=float(warmup),
            allowance=float(warmup) + group["health_check_grace_period"] + self._check_time(group),
            forgiven=self._forgiven or frozenset(),
        )

    def _check_time(self, group: Doc) -> float:
        """How long the slowest target group needs to call a good target healthy."""
        worst = 0.0
        for arn in group["target_group_arns"]:
            try:
                hc = self.svc.balancer().target_groups.get(arn)["health_check"]
            except NotFound:
                continue
            worst = max(worst, hc["healthy_threshold"] * hc["interval"] + hc["timeout"])
        return worst

    # -- members -----------------------------------------------------------------------------

    def _adopt(self, now: float) -> None:
        """Record instances of the group that have no member record (launched before a
        crash, or by an older server)."""
        store = self.svc.cloud.store
        for inst in self.svc.instances().find(group=self.name, states={"pending", "running"}):
            if store.get(_records.MEMBER, inst["id"]) is None:
                launched = _records.epoch(inst.get("launched_at"), now)
                store.put(
                    _records.MEMBER, inst["id"], _records.new_member(inst, self.name, launched)
                )
                self.svc.cloud.event("autoscaling.adopt", self.name, f"adopted {inst['id']}")

    def _target_group_names(self, group: Doc) -> dict[str, str]:
        """The group's target groups that exist, by arn, with their names."""
        names = {}
        for arn in group["target_group_arns"]:
            with contextlib.suppress(NotFound):
                names[arn] = self.svc.balancer().target_groups.get(arn)["name"]
        return names

    def _view(self, record: Doc, tg_names: dict[str, str]) -> _decide.Member:
        try:
            inst = self.svc.instances().get(record["id"])
        except NotFound:
            inst = {"state": "terminated", "state_reason": "the instance no longer exists"}
        lifecycle = _decide.Lifecycle(record["lifecycle_state"])
        elb, why = ("initial", "")
        if lifecycle == _decide.Lifecycle.IN_SERVICE:
            elb, why = self._elb_health(tg_names, record["id"])
        return _decide.Member(
            id=record["id"],
            lifecycle=lifecycle,
            config=_records.config_of(record, self.svc.cloud.store),
            launched_at=record["launched_epoch"],
            in_service_at=record["in_service_epoch"],
            instance_state=inst["state"],
            instance_reason=inst.get("state_reason") or "",
            ec2_healthy=inst.get("health", "healthy") == "healthy",
            elb=elb,
            elb_reason=why,
        )

    def _elb_health(self, tg_names: dict[str, str], instance_id: str) -> tuple[str, str]:
        """The member's health over the group's target groups (see ``_decide.ElbHealth``)."""
        tgs = self.svc.balancer().target_groups
        waiting = ""
        for arn, name in tg_names.items():
            state, reason = tgs.health(arn, instance_id)
            if state == "unhealthy":
                return "unhealthy", f"{reason} in target group {name}"
            if state != "healthy" and not (state == "unused" and reason == "Target.NotInUse"):
                waiting = waiting or f"{state} in target group {name}"
        return ("initial", waiting) if waiting else ("healthy", "")

    def _register(self, group: Doc, ids: tuple[str, ...], now: float) -> None:
        store = self.svc.cloud.store
        for instance_id in ids:
            record = store.get(_records.MEMBER, instance_id)
            if record is None:
                continue
            arns = self._register_in(group, instance_id, [])
            record.update(lifecycle_state="InService", in_service_epoch=now, target_groups=arns)
            store.put(_records.MEMBER, instance_id, record)
            where = f", registered in {len(arns)} target group(s)" if arns else ""
            self.svc.cloud.event(
                "autoscaling.in-service", self.name, f"{instance_id} in service{where}"
            )

    def _register_in(self, group: Doc, instance_id: str, already: list[str]) -> list[str]:
        tgs = self.svc.balancer().target_groups
        done = list(already)
        for arn in group["target_group_arns"]:
            if arn in done:
                continue
            try:
                tgs.register_instance(arn, instance_id)
            except NotFound:
                continue
            done.append(arn)
        return done

    def _sync_target_groups(self, group: Doc) -> None:
        """In-service members follow changes of the group's target groups."""
        store = self.svc.cloud.store
        wanted = set(group["target_group_arns"])
        for record in _records.members(store, self.name):
            if record["lifecycle_state"] != "InService":
                continue
            have = record["target_groups"]
            extra = [a for a in have if a not in wanted]
            for arn in extra:
                with contextlib.suppress(NotFound):
                    self.svc.balancer().target_groups.deregister_instance(arn, record["id"])
            now_in = self._register_in(group, record["id"], [a for a in have if a in wanted])
            if now_in != have:
                record["target_groups"] = now_in
                store.put(_records.MEMBER, record["id"], record)

    # -- retiring ----------------------------------------------------------------------------

    def _retire(self, retires: tuple[_decide.Retire, ...]) -> None:
        store = self.svc.cloud.store
        for r in retires:
            record = store.get(_records.MEMBER, r.id)
            if record is None:
                continue
            record.update(lifecycle_state="Terminating", reason=r.reason)
            if r.unhealthy:
                record["health_status"] = "Unhealthy"
            store.put(_records.MEMBER, r.id, record)
            # A replacement of an instance that ended or failed its checks is its own kind, so
            # that counting restarts does not depend on the wording of reasons.
            kind = "autoscaling.restart" if r.unhealthy else "autoscaling.terminate"
            self.svc.cloud.event(kind, self.name, f"{r.id}: {r.reason}")

    def _resume_retiring(self) -> None:
        for record in _records.members(self.svc.cloud.store, self.name):
            if record["lifecycle_state"] == "Terminating" and not self._retiring.running(
                record["id"]
            ):
                self._retiring.spawn(record["id"], self._drain_and_terminate(record))

    async def _drain_and_terminate(self, record: Doc) -> None:
        """Deregister, wait for the balancer to drain, terminate, forget."""
        instance_id = record["id"]
        tgs = self.svc.balancer().target_groups
        waits = []
        for arn in record["target_groups"]:
            try:
                delay = float(tgs.get(arn)["deregistration_delay"])
                tgs.deregister_instance(arn, instance_id)
            except NotFound:
                continue
            waits.append(tgs.wait_drained(arn, instance_id, delay + 5.0))
        await asyncio.gather(*waits)
        with contextlib.suppress(NotFound):
            await self.svc.instances().terminate(instance_id, record["reason"] or "retired")
        self.svc.cloud.store.delete(_records.MEMBER, instance_id)
        self.svc.cloud.event("autoscaling.terminated", self.name, f"{instance_id} terminated")
        self.wake()

    # -- launching ---------------------------------------------------------------------------

    async def _launch(self, group: Doc, count: int, refresh: Doc | None) -> None:
        if self.svc.clock() < self._backoff_until:
            return
        for _ in range(count):
            try:
                spec = self._spec(group)
                doc = await self.svc.instances().launch(spec)
            except CloudError as exc:
                self._failures += 1
                wait = min(MAX_BACKOFF, 2.0 ** (self._failures - 1))
                self._backoff_until = self.svc.clock() + wait
                message = f"launching an instance failed: {exc.message}"
                self.svc.cloud.event("autoscaling.launch-failed", self.name, message)
                if refresh is not None:
                    self._record_refresh(
                        refresh["id"], _decide.RefreshOutcome("Failed", 0, message)
                    )
                return
            self._failures = 0
            record = _records.new_member(doc, self.name, self.svc.clock())
            self.svc.cloud.store.put(_records.MEMBER, doc["id"], record)
            source = (
                f"launch template {spec.launch_template['id']} version "
                f"{spec.launch_template['version']}"
                if spec.launch_template
                else f"launch configuration {spec.launch_configuration}"
            )
            self.svc.cloud.event(
                "autoscaling.launch", self.name, f"launched {doc['id']} ({source})"
            )

    def _spec(self, group: Doc) -> LaunchSpec:
        tags = {**group["tags"], "aws:autoscaling:groupName": self.name}
        lt = group.get("launch_template")
        if lt:
            v = self.svc.templates().resolve(lt["id"], lt["version"])
            return LaunchSpec(
                image_id=v["image_id"],
                instance_type=v["instance_type"],
                user_data=base64.b64decode(v.get("user_data") or ""),
                security_group_ids=list(v.get("security_group_ids") or []),
                key_name=v.get("key_name"),
                group=self.name,
                launch_template={"id": v["launch_template_id"], "version": v["version_number"]},
                tags=tags,
            )
        lc = self.svc.launch_configurations.get(group["launch_configuration"])
        return LaunchSpec(
            image_id=lc["image_id"],
            instance_type=lc["instance_type"],
            user_data=base64.b64decode(lc.get("user_data") or ""),
            security_group_ids=list(lc["security_group_ids"]),
            key_name=lc.get("key_name"),
            group=self.name,
            launch_configuration=lc["name"],
            tags=tags,
        )

    # -- refresh -----------------------------------------------------------------------------

    def _record_refresh(self, refresh_id: str, outcome: _decide.RefreshOutcome) -> None:
        store = self.svc.cloud.store
        doc = store.get(_records.REFRESH, refresh_id)
        if doc is None or doc["status"] not in _records.ACTIVE:
            return
        before = (doc["status"], doc["percentage_complete"])
        doc["status"] = outcome.status
        doc["percentage_complete"] = max(doc["percentage_complete"], outcome.percentage)
        if outcome.reason:
            doc["status_reason"] = outcome.reason
        if outcome.status not in _records.ACTIVE:
            doc["ended_at"] = _records.stamp(self.svc.clock())
        if (doc["status"], doc["percentage_complete"]) == before:
            return
        store.put(_records.REFRESH, refresh_id, doc)
        why = f": {outcome.reason}" if outcome.reason else ""
        self.svc.cloud.event(
            "autoscaling.refresh",
            self.name,
            f"refresh {refresh_id} {doc['status']} ({doc['percentage_complete']}%){why}",
        )

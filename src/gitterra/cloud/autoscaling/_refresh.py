"""Instance refreshes: start, list, cancel (the rolling itself is ``_decide`` + the controller).

A refresh records, when it starts, the instances it must replace: every member in service or
pending, or with ``skip_matching`` only those not on the group's current launch template
version or configuration (``kept`` are the others). Its status and percentage are stored as
the controller advances it; one refresh at a time per group (``Conflict``). After a server
restart an active refresh resumes where the records say it is; instances that died with the
server are replaced without failing it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra.cloud import Conflict, NotFound, tokens
from gitterra.cloud.autoscaling import _records, _validate
from gitterra.cloud.ec2 import fields

if TYPE_CHECKING:
    from gitterra.cloud.autoscaling._service import AutoScaling


class Refreshes:
    def __init__(self, svc: AutoScaling) -> None:
        self.svc = svc
        self.store = svc.cloud.store

    def start(self, group_name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = fields.body(spec, "an instance refresh")
        clean = _validate.refresh(spec)
        group = self.svc.groups.require(group_name)
        tokens.check_change(group, f"auto scaling group {group_name}")
        if group.get("status") == _records.DELETING:
            raise Conflict(f"auto scaling group {group_name} is being deleted")
        active = _records.active_refresh(self.store, group_name)
        if active is not None:
            raise Conflict(
                f"auto scaling group {group_name} already has an instance refresh in progress "
                f"({active['id']}): cancel it first"
            )
        current = self.svc.controller(group_name).current_config(group)
        replace: list[str] = []
        kept: list[str] = []
        for member in _records.members(self.store, group_name):
            if member["lifecycle_state"] == "Terminating":
                continue
            matching = current is not None and _records.config_of(member, self.store).same(current)
            (kept if matching and clean["preferences"]["skip_matching"] else replace).append(
                member["id"]
            )
        now = self.svc.clock()
        doc = {
            "id": str(uuid.uuid4()),
            "group": group_name,
            "status": "Pending",
            "percentage_complete": 0,
            "status_reason": "",
            "started_at": _records.stamp(now),
            "started_epoch": now,
            "ended_at": None,
            **clean,
            "replace": sorted(replace),
            "kept": sorted(kept),
        }
        self.store.put(_records.REFRESH, doc["id"], doc)
        self.svc.cloud.event(
            "autoscaling.refresh",
            group_name,
            f"refresh {doc['id']} started: {len(replace)} to replace",
        )
        self.svc.wake(group_name)
        return _records.public_refresh(doc)

    def find(self, group_name: str) -> list[dict[str, Any]]:
        self.svc.groups.require(group_name)
        return [_records.public_refresh(d) for d in _records.refreshes(self.store, group_name)]

    def cancel(self, group_name: str) -> dict[str, Any]:
        tokens.check_change(self.svc.groups.require(group_name), f"auto scaling group {group_name}")
        active = _records.active_refresh(self.store, group_name)
        if active is None:
            raise NotFound(f"auto scaling group {group_name} has no instance refresh in progress")
        doc = self.end(active, "Cancelled", "cancelled by request")
        self.svc.wake(group_name)
        return _records.public_refresh(doc)

    def end(self, doc: dict[str, Any], status: str, reason: str) -> dict[str, Any]:
        doc = {
            **doc,
            "status": status,
            "status_reason": reason,
            "ended_at": _records.stamp(self.svc.clock()),
        }
        self.store.put(_records.REFRESH, doc["id"], doc)
        self.svc.cloud.event(
            "autoscaling.refresh", doc["group"], f"refresh {doc['id']} {status}: {reason}"
        )
        return doc

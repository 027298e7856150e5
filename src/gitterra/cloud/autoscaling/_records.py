"""The auto scaling service's stored records and their public shapes.

Kinds in the store::

    launch_configuration   name      the API document (immutable)
    autoscaling_group      name      the API document without ``instances`` (built on read)
    autoscaling_instance   id        one member: group, lifecycle state, health status, what it
                                     was launched from, when it was launched and came in
                                     service, the target groups it is registered in
    instance_refresh       id        the API document plus the instances it replaces

Times that controllers compare are stored as epoch seconds (``*_epoch``); the API shows
RFC 3339.
"""

from __future__ import annotations

import calendar
import time
from typing import Any

from gitterra.cloud import Store
from gitterra.cloud.autoscaling import _termination

LAUNCH_CONFIGURATION = "launch_configuration"
GROUP = "autoscaling_group"
MEMBER = "autoscaling_instance"
REFRESH = "instance_refresh"

ACTIVE = ("Pending", "InProgress")
DELETING = "Delete in progress"

Doc = dict[str, Any]


def stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def epoch(text: str | None, default: float = 0.0) -> float:
    if not text:
        return default
    try:
        return float(calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        return default


def members(store: Store, group: str) -> list[Doc]:
    return store.find(MEMBER, lambda d: d["group"] == group)


def refreshes(store: Store, group: str) -> list[Doc]:
    """The group's refreshes, newest first."""
    docs = store.find(REFRESH, lambda d: d["group"] == group)
    return sorted(docs, key=lambda d: (d["started_epoch"], d["id"]), reverse=True)


def active_refresh(store: Store, group: str) -> Doc | None:
    return next((d for d in refreshes(store, group) if d["status"] in ACTIVE), None)


def public_refresh(doc: Doc) -> Doc:
    hidden = ("replace", "kept", "started_epoch", "group")
    out = {k: v for k, v in doc.items() if k not in hidden}
    out["auto_scaling_group_name"] = doc["group"]
    return out


def public_member(doc: Doc) -> Doc:
    out: Doc = {
        "id": doc["id"],
        "lifecycle_state": doc["lifecycle_state"],
        "health_status": doc["health_status"],
    }
    if doc.get("launch_template"):
        out["launch_template_version"] = str(doc["launch_template"]["version"])
    else:
        out["launch_configuration"] = doc.get("launch_configuration")
    return out


def config_of(doc: Doc, store: Store) -> _termination.Config:
    """What a member (or instance document) was launched from."""
    lt = doc.get("launch_template")
    if lt:
        version = int(lt["version"])
        return _termination.Config(template_id=lt["id"], version=version, age=float(version))
    name = doc.get("launch_configuration")
    lc = store.get(LAUNCH_CONFIGURATION, name) if name else None
    return _termination.Config(configuration=name, age=epoch(lc["created_at"]) if lc else 0.0)


def new_member(instance: Doc, group: str, launched: float) -> Doc:
    lt = instance.get("launch_template")
    return {
        "id": instance["id"],
        "group": group,
        "lifecycle_state": "Pending",
        "health_status": "Healthy",
        "launch_template": {"id": lt["id"], "version": int(lt["version"])} if lt else None,
        "launch_configuration": instance.get("launch_configuration"),
        "launched_epoch": launched,
        "in_service_epoch": None,
        "target_groups": [],
        "reason": "",
    }

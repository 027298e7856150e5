"""Launch configurations: immutable instance specifications, addressed by name (as AWS).

There is no update: a change is a new configuration (Terraform replaces the resource, usually
with ``name_prefix`` and ``create_before_destroy``). A configuration a group uses cannot be
deleted (``Conflict`` naming the group).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra.cloud import Conflict, NotFound, ids, tokens
from gitterra.cloud.autoscaling import _records, _validate
from gitterra.cloud.ec2 import fields

if TYPE_CHECKING:
    from gitterra.cloud.autoscaling._service import AutoScaling


class LaunchConfigurations:
    def __init__(self, svc: AutoScaling) -> None:
        self.svc = svc
        self.store = svc.cloud.store

    def get(self, name: str, field: str | None = None) -> dict[str, Any]:
        doc = self.store.get(_records.LAUNCH_CONFIGURATION, name)
        if doc is None:
            raise NotFound(f"launch configuration {name} does not exist", field)
        return doc

    def find(self) -> list[dict[str, Any]]:
        return self.store.find(_records.LAUNCH_CONFIGURATION)

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = fields.body(spec, "a launch configuration")
        fields.only(spec, _validate.LC_CREATE, "a launch configuration is created with")
        clean = _validate.launch_configuration(spec)
        self.svc.require_security_groups(clean["security_group_ids"], "security_group_ids")
        resource = f"launchConfiguration:{uuid.uuid4()}:launchConfigurationName/{clean['name']}"
        doc = {"arn": ids.arn("autoscaling", resource), **clean, "created_at": fields.now()}
        tokens.stamp(doc)
        with self.store.transaction():
            if self.store.get(_records.LAUNCH_CONFIGURATION, clean["name"]) is not None:
                raise Conflict(
                    f"a launch configuration named {clean['name']} already exists", "name"
                )
            self.store.put(_records.LAUNCH_CONFIGURATION, clean["name"], doc)
        self.svc.cloud.event("autoscaling.launch-configuration", clean["name"], "created")
        return doc

    def delete(self, name: str) -> None:
        tokens.check_change(self.get(name), f"launch configuration {name}")
        users = self.store.find(_records.GROUP, lambda g: g.get("launch_configuration") == name)
        if users:
            raise Conflict(
                f"launch configuration {name} is in use by auto scaling group "
                f"{', '.join(g['name'] for g in users)}"
            )
        self.store.delete(_records.LAUNCH_CONFIGURATION, name)
        self.svc.cloud.event("autoscaling.launch-configuration", name, "deleted")

    def security_group_users(self, group_id: str) -> list[str]:
        return [
            f"launch configuration {d['name']}"
            for d in self.find()
            if group_id in d["security_group_ids"]
        ]

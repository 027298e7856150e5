"""Security groups: named sets of ingress and egress rules in the VPC.

Ingress rules are enforced where traffic enters the local cloud, at load balancer listeners
(:meth:`SecurityGroups.allowed_sources`); egress rules are recorded (instances are local
processes, their outgoing traffic is not filtered).

A group in use cannot be deleted. Its users are found at call time among the registered
services: every service with a ``security_group_users(group_id)`` method (launch templates,
and the load balancer and auto scaling services when they provide it), and the compute
service's live instances through its ``find()``. A service not registered yet is not asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from gitterra.cloud import _ids, _meta, tokens
from gitterra.cloud._cloud import Cloud
from gitterra.cloud._errors import Conflict, LimitExceeded, NotFound, ValidationError
from gitterra.cloud._store import Doc
from gitterra.cloud.ec2 import _fields, _rules

KIND = "security_group"

_NAME = re.compile(r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+")
_NAME_RULE = "use letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*"

CREATE_FIELDS = ("name", "description", "vpc_id", "ingress", "egress", "tags")
UPDATE_FIELDS = ("ingress", "egress", "tags")

#: Instance states in which an instance still holds its security groups.
LIVE_STATES = frozenset({"pending", "running", "shutting-down"})


@runtime_checkable
class SecurityGroupUser(Protocol):
    """A service whose objects name security groups (deleting a group they use is refused)."""

    def security_group_users(self, group_id: str) -> list[str]:
        """Who uses ``group_id``, each as a short phrase ("load balancer web")."""
        ...


@runtime_checkable
class _InstanceFinder(Protocol):
    def find(
        self, group: str | None = None, states: set[str] | None = None
    ) -> list[dict[str, Any]]: ...


class SecurityGroups:
    """The security group service (registered as ``"security_groups"``)."""

    name = "security_groups"

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.store = cloud.store

    async def start(self) -> None:
        """Nothing to restore: groups are records, enforced by the balancers that read them."""

    async def stop(self, terminate: bool) -> None:
        del terminate

    # -- reading -----------------------------------------------------------------------------

    def get(self, group_id: str) -> Doc:
        doc = self.store.get(KIND, group_id)
        if doc is None:
            raise NotFound(f"security group {group_id} does not exist")
        return doc

    def find(self, name: str | None = None, vpc_id: str | None = None) -> list[Doc]:
        """Every group, or those with this name (case-insensitive, as EC2) and VPC."""
        return self.store.find(
            KIND,
            lambda d: (
                (name is None or d["name"].casefold() == name.casefold())
                and (vpc_id is None or d["vpc_id"] == vpc_id)
            ),
        )

    def require(self, group_ids: Iterable[str], field: str) -> None:
        """Check that each group exists (for other services' inputs): NotFound naming
        ``field.<index>``."""
        for i, group_id in enumerate(group_ids):
            if self.store.get(KIND, group_id) is None:
                raise NotFound(f"security group {group_id} does not exist", f"{field}.{i}")

    def allowed_sources(self, group_ids: Iterable[str], port: int) -> list[str] | None:
        """The source CIDRs that the ingress rules of ``group_ids`` allow to reach TCP ``port``
        (sorted, no duplicates); None when any source is allowed (a rule with ``0.0.0.0/0``).

        A connection from an address in none of the CIDRs is refused. Groups that no longer
        exist are skipped. No groups at all gives None: AWS would attach the VPC's default
        group, which the local cloud does not have, so an unguarded balancer stays open."""
        ids = list(group_ids)
        if not ids:
            return None
        rules = [r for g in ids for r in (self.store.get(KIND, g) or {}).get("ingress", [])]
        return _rules.allowed_sources(rules, port)

    # -- writing -----------------------------------------------------------------------------

    def create(self, spec: Mapping[str, Any]) -> Doc:
        """A new group; its name is unique in its VPC (Conflict otherwise)."""
        spec = _fields.body(spec, "a security group")
        _fields.only(spec, CREATE_FIELDS, "a security group is created with")
        name = _fields.string(
            spec.get("name"), "name", max_len=255, pattern=_NAME, allowed=_NAME_RULE
        )
        if name.lower().startswith("sg-"):
            raise ValidationError(
                f'name {name!r} is invalid: names cannot start with "sg-"', "name"
            )
        vpc_id = spec.get("vpc_id") or _meta.VPC_ID
        if vpc_id != _meta.VPC_ID:
            raise NotFound(
                f"VPC {vpc_id!r} does not exist: the local cloud has one VPC, {_meta.VPC_ID}",
                "vpc_id",
            )
        group_id = _ids.new_id("sg")
        doc: Doc = {
            "id": group_id,
            "arn": _ids.arn("ec2", f"security-group/{group_id}"),
            "name": name,
            "description": _fields.optional_string(
                spec.get("description"), "description", max_len=255
            ),
            "vpc_id": vpc_id,
            "ingress": _rules.parse_rules(spec.get("ingress"), "ingress"),
            "egress": _rules.parse_rules(spec.get("egress"), "egress"),
            "tags": _fields.tags(spec.get("tags")),
            "created_at": _fields.now(),
        }
        tokens.stamp(doc)
        with self.store.transaction():
            if self.find(name=name, vpc_id=vpc_id):
                raise Conflict(
                    f"a security group named {name!r} already exists in {vpc_id}", "name"
                )
            self.store.put(KIND, group_id, doc)
        self.cloud.event("security-group", group_id, f"security group {name} created")
        return doc

    def update(self, group_id: str, changes: Mapping[str, Any]) -> Doc:
        """Replace ``ingress``, ``egress`` and/or ``tags`` (unchanged rules keep their ids)."""
        changes = _fields.body(changes, "a security group update")
        _fields.only(changes, UPDATE_FIELDS, "PATCH may change")
        with self.store.transaction():
            doc = self.get(group_id)
            tokens.check_change(doc, f"security group {group_id}")
            for direction in ("ingress", "egress"):
                if direction in changes:
                    doc[direction] = _rules.parse_rules(
                        changes[direction], direction, previous=doc[direction]
                    )
            if "tags" in changes:
                doc["tags"] = _fields.tags(changes["tags"])
            self.store.put(KIND, group_id, doc)
        return doc

    def delete(self, group_id: str) -> None:
        """Delete a group nobody uses (Conflict naming the users otherwise)."""
        with self.store.transaction():
            doc = self.get(group_id)
            tokens.check_change(doc, f"security group {group_id}")
            users = self.users(group_id)
            if users:
                shown = ", ".join(users[:5]) + (
                    f" and {len(users) - 5} more" if len(users) > 5 else ""
                )
                raise Conflict(f"security group {group_id} ({doc['name']}) is in use by {shown}")
            self.store.delete(KIND, group_id)
        self.cloud.event("security-group", group_id, f"security group {doc['name']} deleted")

    def users(self, group_id: str) -> list[str]:
        """Who uses the group now, asking the services registered at this moment."""
        found: list[str] = []
        for service in list(self.cloud.services.values()):
            if isinstance(service, SecurityGroupUser):
                found.extend(service.security_group_users(group_id))
            elif service.name == "compute" and isinstance(service, _InstanceFinder):
                found.extend(
                    f"instance {inst['id']}"
                    for inst in service.find(states=set(LIVE_STATES))
                    if group_id in (inst.get("security_group_ids") or ())
                )
        return found

    # -- single ingress rules (aws_vpc_security_group_ingress_rule) ---------------------------

    def add_ingress_rule(self, group_id: str, spec: Mapping[str, Any]) -> Doc:
        """Add one ingress rule; a rule allowing exactly what another allows is a Conflict."""
        rule = _rules.parse_rule(spec)
        if "id" in spec:
            raise ValidationError("a new rule's id is assigned by the cloud", "id")
        with self.store.transaction():
            doc = self.get(group_id)
            tokens.check_change(doc, f"security group {group_id}")
            if len(doc["ingress"]) >= _rules.MAX_RULES:
                raise LimitExceeded(
                    f"security group {group_id} already has {_rules.MAX_RULES} ingress rules"
                )
            for existing in doc["ingress"]:
                if _rules.same(existing, rule):
                    raise Conflict(
                        f"security group {group_id} already has this rule ({existing['id']})"
                    )
            stored = {"id": _ids.new_id("sgr"), **rule}
            doc["ingress"].append(stored)
            self.store.put(KIND, group_id, doc)
        return {**stored, "security_group_id": group_id}

    def get_ingress_rule(self, group_id: str, rule_id: str) -> Doc:
        doc = self.get(group_id)
        for rule in doc["ingress"]:
            if rule["id"] == rule_id:
                return {**rule, "security_group_id": group_id}
        raise NotFound(f"security group {group_id} has no ingress rule {rule_id}")

    def delete_ingress_rule(self, group_id: str, rule_id: str) -> None:
        with self.store.transaction():
            doc = self.get(group_id)
            tokens.check_change(doc, f"security group {group_id}")
            kept = [r for r in doc["ingress"] if r["id"] != rule_id]
            if len(kept) == len(doc["ingress"]):
                raise NotFound(f"security group {group_id} has no ingress rule {rule_id}")
            doc["ingress"] = kept
            self.store.put(KIND, group_id, doc)

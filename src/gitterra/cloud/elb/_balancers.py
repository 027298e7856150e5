"""Load balancers: named groups of listeners with security groups and an idle timeout.

A balancer is ``active`` as soon as it exists (there is nothing to provision locally). Deleting
one closes and deletes its listeners, as ELB does. Its ``dns_name`` has AWS's shape; the
reachable addresses are its listeners' ``bound_address`` fields.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra.cloud import Conflict, NotFound, ids, meta, tokens
from gitterra.cloud.ec2 import fields
from gitterra.cloud.elb import _validate

if TYPE_CHECKING:
    from gitterra.cloud.elb._service import Elb

KIND = "load_balancer"


class LoadBalancers:
    """The load balancer part of the service."""

    def __init__(self, elb: Elb) -> None:
        self.elb = elb
        self.store = elb.cloud.store

    def get(self, arn: str) -> dict[str, Any]:
        doc = self.store.get(KIND, arn)
        if doc is None:
            raise NotFound(f"load balancer {arn} does not exist")
        return doc

    def require(self, arn: str, field: str) -> dict[str, Any]:
        doc = self.store.get(KIND, arn)
        if doc is None:
            raise NotFound(f"load balancer {arn} does not exist", field)
        return doc

    def find(self, name: str | None = None) -> list[dict[str, Any]]:
        return self.store.find(KIND, lambda d: name is None or d["name"] == name)

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = fields.body(spec, "a load balancer")
        _validate.only(spec, _validate.LB_CREATE, "a load balancer is created with")
        clean = _validate.load_balancer(spec)
        self._check_refs(clean)
        if not clean["subnet_ids"]:
            clean["subnet_ids"] = [s["id"] for s in meta.subnets()]
        digits = str(secrets.randbelow(10**10)).zfill(10)
        arn = ids.arn(
            "elasticloadbalancing", f"loadbalancer/app/{clean['name']}/{ids.short_hash()}"
        )
        doc = {
            "arn": arn,
            **clean,
            "dns_name": f"{clean['name']}-{digits}.{ids.REGION}.elb.localhost",
            "vpc_id": meta.VPC_ID,
            "state": "active",
            "created_at": fields.now(),
        }
        tokens.stamp(doc)
        with self.store.transaction():
            if self.find(clean["name"]):
                raise Conflict(f"a load balancer named {clean['name']} already exists", "name")
            self.store.put(KIND, arn, doc)
        self.elb.cloud.event("elb.load-balancer", clean["name"], "created")
        return doc

    def update(self, arn: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        changes = fields.body(changes, "a load balancer change")
        _validate.only(changes, _validate.LB_UPDATE, "a load balancer can change")
        doc = self.get(arn)
        tokens.check_change(doc, f"load balancer {doc['name']}")
        clean = _validate.load_balancer_changes(changes)
        self._check_refs(clean)
        if clean.get("subnet_ids") == []:
            clean["subnet_ids"] = [s["id"] for s in meta.subnets()]
        doc = {**doc, **clean}
        self.store.put(KIND, arn, doc)
        self.elb.listeners.sync()
        return doc

    async def delete(self, arn: str) -> None:
        doc = self.get(arn)
        tokens.check_change(doc, f"load balancer {doc['name']}")
        for listener in self.elb.listeners.find(arn):
            await self.elb.listeners.delete(listener["arn"])
        self.store.delete(KIND, arn)
        self.elb.cloud.event("elb.load-balancer", doc["name"], "deleted")

    def security_group_users(self, group_id: str) -> list[str]:
        """The balancers that name ``group_id`` (the group cannot be deleted while they do)."""
        return [
            f"load balancer {d['name']}"
            for d in self.find()
            if group_id in d.get("security_group_ids", ())
        ]

    def _check_refs(self, clean: Mapping[str, Any]) -> None:
        if "security_group_ids" in clean:
            self.elb.require_security_groups(clean["security_group_ids"], "security_group_ids")
        known = {s["id"] for s in meta.subnets()}
        for i, subnet in enumerate(clean.get("subnet_ids", ())):
            if subnet not in known:
                raise NotFound(
                    f"subnet {subnet} does not exist (the local cloud's subnets: "
                    f"{', '.join(sorted(known))})",
                    f"subnet_ids.{i}",
                )

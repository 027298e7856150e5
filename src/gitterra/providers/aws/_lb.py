"""``aws_lb`` (``/api/v1/load-balancers``): an application load balancer on 127.0.0.1.

Only ``application`` balancers exist locally. The ARN is the id; ``dns_name`` is the cloud's
``<name>-<hash>.local-1.elb.localhost``. gitterra adds ``gitterra_url``: the reachable URL of
the balancer's lowest-port listener, known once a listener exists (a listener created in the
same apply shows it at the next refresh; ``aws_lb_listener.gitterra_url`` is known at once).
Deletion protection is honoured by the provider: deleting a protected balancer is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws._kit import STRING_SET, a

#: The hosted zone id the local cloud's balancers report (no Route 53 here).
ZONE_ID = "ZGITTERRALOCAL1"

_UNSUPPORTED = (
    "customer_owned_ipv4_pool",
    "desync_mitigation_mode",
    "drop_invalid_header_fields",
    "enable_cross_zone_load_balancing",
    "enable_waf_fail_open",
    "enable_xff_client_port",
    "preserve_host_header",
    "xff_header_processing_mode",
    "client_keep_alive",
)


class LoadBalancer(_resource.CloudResource):
    name = "aws_lb"
    label = "ELBv2 Load Balancer"
    api_fields: ClassVar[Mapping[str, str]] = {
        "security_group_ids": "security_groups",
        "subnet_ids": "subnets",
    }
    unsupported = (*_UNSUPPORTED, "access_logs", "subnet_mapping", "connection_logs")
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "arn_suffix": a("C", lang.STRING),
                "id": a("C", lang.STRING),
                "dns_name": a("C", lang.STRING),
                "zone_id": a("C", lang.STRING),
                "vpc_id": a("C", lang.STRING),
                **_kit.name_attributes(32),
                "internal": a("OC!", lang.BOOL),
                "load_balancer_type": a("O!", lang.STRING, default="application"),
                "security_groups": a("OC", STRING_SET, description="Enforced at listeners."),
                "subnets": a("OC", STRING_SET),
                "idle_timeout": a("O", lang.NUMBER, default=60),
                "ip_address_type": a("OC", lang.STRING, description='"ipv4" only.'),
                "enable_deletion_protection": a("O", lang.BOOL, default=False),
                "gitterra_url": a(
                    "C", lang.STRING, description="The lowest-port listener's reachable URL."
                ),
                **_kit.tag_attributes(),
                **_kit.unsupported(*_UNSUPPORTED),
            },
            {
                "access_logs": _kit.unsupported_block("bucket", "enabled", "prefix"),
                "subnet_mapping": _kit.unsupported_block("subnet_id", "allocation_id"),
                "connection_logs": _kit.unsupported_block("bucket", "enabled", "prefix"),
            },
            "An application load balancer on 127.0.0.1.",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        _resource.check_length(cfg, "name", 32, diags)
        _resource.check_length(cfg, "name_prefix", 6, diags)
        kind = cfg.get("load_balancer_type")
        if kind is not None and kind != "application":
            diags.add(
                _resource.invalid(
                    "load_balancer_type",
                    f'load_balancer_type "{kind}" is not supported by the local cloud, which '
                    'runs application load balancers only (use "application")',
                )
            )
        _resource.check_one_of(cfg, "ip_address_type", ("ipv4",), diags)
        _resource.check_between(cfg, "idle_timeout", 1, 4000, diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        return engine.PlannedChange(self.plan_tags(change.planned), change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "tf-lb-", max_len=32)
        body: dict[str, Any] = {
            "name": name,
            "internal": bool(p["internal"]),
            "load_balancer_type": p["load_balancer_type"],
            "security_group_ids": sorted(p["security_groups"] or []),
            "subnet_ids": sorted(p["subnets"] or []),
            "idle_timeout": p["idle_timeout"],
            "tags": self.all_tags(p),
        }
        try:
            doc = await self.cloud.elbv2.create_load_balancer(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        diags = Diagnostics()
        try:
            doc = await self._active(doc)
        except _client.CloudError as exc:
            diags = self.failed(exc, "waiting for", name)
        except _resource.WaitTimeout as exc:
            diags = _errors(f"waiting for {self.label} ({name}) to be active", str(exc))
        try:  # the balancer exists either way: record it
            return engine.ApplyResult(await self.from_doc(p, doc), diags)
        except _client.CloudError as exc:
            diags.extend(self.failed(exc, "reading", name))
            return engine.ApplyResult(await self._bare(p, doc), diags)

    async def _active(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The balancer once ``active`` (the AWS provider waits for it too)."""
        if doc.get("state") in (None, "active"):
            return doc
        latest = doc

        async def active() -> tuple[bool, str]:
            nonlocal latest
            latest = await self.cloud.elbv2.get_load_balancer(doc["arn"])
            return latest.get("state") == "active", str(latest.get("state"))

        await _resource.wait_for(self.session, 10 * 60.0, active)
        return latest

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        body: dict[str, Any] = {}
        for attr, field in (("security_groups", "security_group_ids"), ("subnets", "subnet_ids")):
            if _kit.changed(prior, planned, attr) and p[attr] is not None:
                body[field] = sorted(p[attr])
        if _kit.changed(prior, planned, "idle_timeout"):
            body["idle_timeout"] = p["idle_timeout"]
        if _kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all"):
            body["tags"] = self.all_tags(p)
        try:
            doc = await self.cloud.elbv2.update_load_balancer(p["arn"], body)
            return engine.ApplyResult(await self.from_doc(p, doc))
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", p["arn"]))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        if p.get("enable_deletion_protection"):
            return engine.ApplyResult(
                prior,
                _errors(
                    f"deleting {self.label} ({p['arn']}): deletion protection is enabled",
                    "Set enable_deletion_protection = false and apply before destroying it.",
                ),
            )
        try:
            await self.cloud.elbv2.delete_load_balancer(p["arn"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["arn"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.elbv2.get_load_balancer(p["arn"])
            return engine.ReadResult(await self.from_doc(p, doc))
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["arn"]))

    async def import_(self, id_: str) -> engine.ImportResult:
        base = {"enable_deletion_protection": False, "load_balancer_type": "application"}
        try:
            doc = await self.cloud.elbv2.get_load_balancer(id_)
            return engine.ImportResult((await self.from_doc(base, doc),))
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))

    async def _bare(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        """The state from the create answer alone (when reading more failed)."""
        return await self.from_doc(p, doc, listeners=[], vpc_id=None)

    async def from_doc(
        self,
        p: dict[str, Any],
        doc: dict[str, Any],
        listeners: list[dict[str, Any]] | None = None,
        vpc_id: str | None = "",
    ) -> lang.Value:
        arn = doc["arn"]
        if listeners is None:
            listeners = await self.cloud.elbv2.list_listeners(arn)
        first = min(listeners, key=lambda item: item.get("port", 0), default=None)
        if vpc_id == "":
            vpc_id = doc.get("vpc_id") or await self._vpc_of(doc.get("subnet_ids") or [])
        return self.state(
            {
                **p,
                "arn": arn,
                "arn_suffix": arn.split(":loadbalancer/", 1)[-1],
                "id": arn,
                "dns_name": doc.get("dns_name"),
                "zone_id": ZONE_ID,
                "vpc_id": vpc_id,
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "internal": bool(doc.get("internal")),
                "load_balancer_type": doc.get("load_balancer_type", "application"),
                "security_groups": doc.get("security_group_ids") or [],
                "subnets": doc.get("subnet_ids") or [],
                "idle_timeout": doc.get("idle_timeout"),
                "ip_address_type": "ipv4",
                "gitterra_url": first.get("url") if first else None,
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
            }
        )

    async def _vpc_of(self, subnets: list[str]) -> str | None:
        items = await self.cloud.ec2.list_vpcs([])
        del subnets  # the local cloud has one VPC: every subnet is in it
        return next((v["id"] for v in items if v.get("is_default")), None)


def _errors(summary: str, detail: str) -> Diagnostics:
    return Diagnostics([Diagnostic.error(summary, detail)])

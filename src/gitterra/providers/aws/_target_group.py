"""``aws_lb_target_group`` (``/api/v1/target-groups``) and ``aws_lb_target_group_attachment``.

A target group of instances over HTTP with a health check (the AWS provider's defaults: both
thresholds 3, interval 30 s, path ``/``, matcher ``200``, timeout 5 s), deregistration delay
(draining) and slow start. As in the AWS provider the ``health_check`` block is computed: leaving
it out keeps the current check (the defaults on create). The interval and timeout may be
fractions of a second locally (AWS's 5 s minimum is not enforced; the cloud checks its own
bounds). An attachment registers one instance (not importable, as in the AWS provider v5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws._kit import STRING_SET, a

HEALTH_DEFAULTS = {
    "enabled": True,
    "healthy_threshold": 3,
    "interval": 30,
    "matcher": "200",
    "path": "/",
    "port": "traffic-port",
    "protocol": "HTTP",
    "timeout": 5,
    "unhealthy_threshold": 3,
}
HEALTH_CHECK = _kit.block(
    {
        "enabled": a("O", lang.BOOL, default=True),
        "healthy_threshold": a("O", lang.NUMBER, default=3),
        "interval": a("O", lang.NUMBER, default=30, description="Seconds between checks."),
        "matcher": a("OC", lang.STRING, description='Codes like "200" or "200-299".'),
        "path": a("OC", lang.STRING),
        "port": a("O", lang.STRING, default="traffic-port"),
        "protocol": a("O", lang.STRING, default="HTTP"),
        "timeout": a("OC", lang.NUMBER),
        "unhealthy_threshold": a("O", lang.NUMBER, default=3),
    }
)
_UNSUPPORTED = (
    "connection_termination",
    "ip_address_type",
    "lambda_multi_value_headers_enabled",
    "load_balancing_anomaly_mitigation",
    "load_balancing_cross_zone_enabled",
    "preserve_client_ip",
    "proxy_protocol_v2",
)


class TargetGroup(_resource.CloudResource):
    name = "aws_lb_target_group"
    label = "ELBv2 Target Group"
    unsupported = (*_UNSUPPORTED, "target_failover", "target_health_state")
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "arn_suffix": a("C", lang.STRING),
                "id": a("C", lang.STRING),
                "load_balancer_arns": a("C", STRING_SET),
                **_kit.name_attributes(32),
                "port": a("O!", lang.NUMBER),
                "protocol": a("O!", lang.STRING, description='"HTTP".'),
                "protocol_version": a("OC!", lang.STRING, description='"HTTP1".'),
                "vpc_id": a("O!", lang.STRING),
                "target_type": a("O!", lang.STRING, default="instance"),
                "deregistration_delay": a("O", lang.STRING, default="300"),
                "slow_start": a("O", lang.NUMBER, default=0),
                "load_balancing_algorithm_type": a("OC", lang.STRING),
                **_kit.tag_attributes(),
                **_kit.unsupported(*_UNSUPPORTED),
            },
            {
                "health_check": engine.NestedBlock(HEALTH_CHECK, "list", max_items=1),
                "stickiness": engine.NestedBlock(
                    _kit.block(
                        _kit.unsupported("type", "enabled", "cookie_duration", "cookie_name")
                    ),
                    "list",
                    max_items=1,
                ),
                "target_failover": _kit.unsupported_block("on_deregistration", "on_unhealthy"),
                "target_health_state": _kit.unsupported_block(
                    "enable_unhealthy_connection_termination"
                ),
            },
            "A group of instances a listener forwards to, with health checks and draining.",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        _resource.check_length(cfg, "name", 32, diags)
        _resource.check_length(cfg, "name_prefix", 6, diags)
        _resource.check_between(cfg, "port", 1, 65535, diags)
        _resource.check_one_of(cfg, "target_type", ("instance",), diags)
        _resource.check_one_of(cfg, "protocol_version", ("HTTP1",), diags)
        _resource.check_one_of(
            cfg,
            "load_balancing_algorithm_type",
            ("round_robin", "least_outstanding_requests"),
            diags,
        )
        for name in ("port", "protocol", "vpc_id"):  # AWS requires them for instance targets
            if config.items()[name].is_null:
                diags.add(
                    Diagnostic.error(
                        "Missing required argument",
                        f'"{name}" is required for a target group of instances (target_type '
                        '"instance")',
                        attribute=(name,),
                    )
                )
        protocol = cfg.get("protocol")
        if isinstance(protocol, str) and protocol.upper() != "HTTP":
            diags.add(
                _resource.invalid(
                    "protocol",
                    f'protocol "{protocol}" is not supported by the local cloud, whose '
                    'balancers speak HTTP only (use "HTTP")',
                )
            )
        delay = cfg.get("deregistration_delay")
        if isinstance(delay, str) and not (delay.isdigit() and 0 <= int(delay) <= 3600):
            diags.add(
                _resource.invalid(
                    "deregistration_delay",
                    f'deregistration_delay must be a whole number of seconds 0-3600, got "{delay}"',
                )
            )
        slow = cfg.get("slow_start")
        if isinstance(slow, int) and not (slow == 0 or 30 <= slow <= 900):
            diags.add(
                _resource.invalid("slow_start", f"slow_start must be 0 or 30-900, got {slow}")
            )
        for sticky in cfg.get("stickiness") or []:
            if sticky.get("enabled") is not False:
                diags.add(
                    Diagnostic.error(
                        "Not supported by the local cloud",
                        'The block "stickiness" of aws_lb_target_group is not supported by the '
                        "local cloud (no sticky sessions): remove it, or set enabled = false.",
                        attribute=("stickiness",),
                    )
                )
        for check in cfg.get("health_check") or []:
            for name in ("healthy_threshold", "unhealthy_threshold"):
                _resource.check_between(check, name, 2, 10, diags, "health_check.0")
            if check.get("port") not in (None, "traffic-port"):
                diags.add(
                    _resource.invalid(
                        ("health_check", 0, "port"),
                        'health_check.port must be "traffic-port": a local instance serves on '
                        "one port",
                    )
                )

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        planned = self.plan_tags(change.planned)
        creating = prior is None or prior.is_null or bool(change.requires_replace)
        items = planned.items()
        fixed: dict[str, Any] = {}
        given = config.items()["health_check"]
        if given.is_known and not given.elements():
            fixed["health_check"] = (
                [HEALTH_DEFAULTS] if creating or prior is None else prior.items()["health_check"]
            )
        elif items["health_check"].is_known:
            fixed["health_check"] = [
                _known_defaults(check) for check in items["health_check"].elements()
            ]
        if creating:
            for name, default in (
                ("load_balancing_algorithm_type", "round_robin"),
                ("protocol_version", "HTTP1"),
            ):
                if config.items()[name].is_null:
                    fixed[name] = default
        planned = _kit.with_values(self.block, planned, fixed)
        return engine.PlannedChange(planned, change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "tf-", max_len=32)
        body: dict[str, Any] = {
            "name": name,
            "port": p["port"],
            "protocol": (p["protocol"] or "HTTP").upper(),
            "target_type": p["target_type"],
            "deregistration_delay": int(p["deregistration_delay"]),
            "slow_start": p["slow_start"],
            "load_balancing_algorithm_type": p["load_balancing_algorithm_type"] or "round_robin",
            "health_check": _health_body(p),
            "tags": self.all_tags(p),
        }
        if p["vpc_id"]:
            body["vpc_id"] = p["vpc_id"]
        try:
            doc = await self.cloud.elbv2.create_target_group(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        body: dict[str, Any] = {}
        if _kit.changed(prior, planned, "deregistration_delay"):
            body["deregistration_delay"] = int(p["deregistration_delay"])
        for name in ("slow_start", "load_balancing_algorithm_type"):
            if _kit.changed(prior, planned, name) and p[name] is not None:
                body[name] = p[name]
        if _kit.changed(prior, planned, "health_check"):
            body["health_check"] = _health_body(p)
        if _kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all"):
            body["tags"] = self.all_tags(p)
        try:
            doc = await self.cloud.elbv2.update_target_group(p["arn"], body)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "modifying", p["arn"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.elbv2.delete_target_group(p["arn"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["arn"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.elbv2.get_target_group(p["arn"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["arn"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            doc = await self.cloud.elbv2.get_target_group(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.from_doc({}, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        arn = doc["arn"]
        check = {**HEALTH_DEFAULTS, **(doc.get("health_check") or {})}
        return self.state(
            {
                **p,
                "arn": arn,
                "arn_suffix": arn.split(":", 5)[-1],
                "id": arn,
                "load_balancer_arns": doc.get("load_balancer_arns") or [],
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "port": doc.get("port"),
                "protocol": doc.get("protocol"),
                "protocol_version": p.get("protocol_version") or "HTTP1",
                "vpc_id": doc.get("vpc_id") or p.get("vpc_id"),
                "target_type": doc.get("target_type") or "instance",
                "deregistration_delay": str(doc.get("deregistration_delay", 300)),
                "slow_start": doc.get("slow_start", 0),
                "load_balancing_algorithm_type": doc.get("load_balancing_algorithm_type"),
                "health_check": [{k: check[k] for k in HEALTH_DEFAULTS}],
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
            }
        )


def _known_defaults(check: lang.Value) -> lang.Value:
    """A configured health check with the computed arguments it leaves unset at the HTTP
    defaults (AWS's answer for an HTTP group), so the plan shows them."""
    items = dict(check.items())
    for name in ("matcher", "path", "timeout"):
        if not items[name].is_known:
            items[name] = lang.convert(lang.from_python(HEALTH_DEFAULTS[name]), items[name].type)
    return lang.object_val(items)


def _health_body(p: dict[str, Any]) -> dict[str, Any]:
    check = (p.get("health_check") or [HEALTH_DEFAULTS])[0]
    return {k: check.get(k) if check.get(k) is not None else v for k, v in HEALTH_DEFAULTS.items()}


class TargetGroupAttachment(_resource.CloudResource):
    name = "aws_lb_target_group_attachment"
    label = "ELBv2 Target Group Attachment"
    unsupported = ("availability_zone",)
    api_fields: ClassVar[Mapping[str, str]] = {"targets": "target_id"}
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "id": a("C", lang.STRING),
                "target_group_arn": a("R!", lang.STRING),
                "target_id": a("R!", lang.STRING, description="An instance id."),
                "port": a("O!", lang.NUMBER, description="The instance's port by default."),
                "availability_zone": a("O!", lang.STRING, description="Not supported."),
            },
            description="Registers one instance with a target group.",
        )
    )

    def _target(self, p: dict[str, Any]) -> dict[str, Any]:
        target: dict[str, Any] = {"id": p["target_id"]}
        if p.get("port") is not None:
            target["port"] = p["port"]
        return target

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        try:
            await self.cloud.elbv2.register_targets(p["target_group_arn"], [self._target(p)])
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "registering", p["target_id"]))
        ident = _kit.unique_name(f"{p['target_group_arn']}-")
        return engine.ApplyResult(self.state({**p, "id": ident}))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.elbv2.deregister_targets(p["target_group_arn"], [self._target(p)])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deregistering", p["target_id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            items = await self.cloud.elbv2.target_health(p["target_group_arn"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["target_id"]))
        found = any(
            t.get("id") == p["target_id"]
            and (p.get("port") is None or t.get("port") == p["port"])
            and t.get("state") != "unused"
            for t in items
        )
        return engine.ReadResult(current if found else None)

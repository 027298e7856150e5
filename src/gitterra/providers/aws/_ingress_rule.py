"""``aws_vpc_security_group_ingress_rule``: one ingress rule of a security group, managed on its
own (``/api/v1/security-groups/<id>/ingress-rules``).

The local cloud cannot modify a rule in place (the AWS provider calls
``ModifySecurityGroupRules``), so every argument forces replacement here: a changed rule is
removed and added again. Sources other than ``cidr_ipv4`` are refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _kit, _resource, _security_group
from gitterra.providers.aws._kit import STRING_MAP, a

_SOURCES = ("cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id")


class IngressRule(_resource.CloudResource):
    name = "aws_vpc_security_group_ingress_rule"
    label = "VPC Security Group Ingress Rule"
    api_fields: ClassVar[Mapping[str, str]] = {
        "cidr_blocks": "cidr_ipv4",
        "protocol": "ip_protocol",
    }
    unsupported = ("cidr_ipv6", "prefix_list_id", "referenced_security_group_id")
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING),
                "security_group_rule_id": a("C", lang.STRING),
                "security_group_id": a("R!", lang.STRING, description="The group of the rule."),
                "cidr_ipv4": a("O!", lang.STRING, description="The IPv4 source range."),
                "cidr_ipv6": a("O!", lang.STRING, description="Not supported by the local cloud."),
                "description": a("O!", lang.STRING),
                "from_port": a("O!", lang.NUMBER, description="Start of the port range."),
                "to_port": a("O!", lang.NUMBER, description="End of the port range."),
                "ip_protocol": a("R!", lang.STRING, description='"tcp" (or "6"), or "-1".'),
                "prefix_list_id": a("O!", lang.STRING, description="Not supported."),
                "referenced_security_group_id": a("O!", lang.STRING, description="Not supported."),
                "tags": a("O!", STRING_MAP, description="Tags (kept in state only)."),
                "tags_all": a("C", STRING_MAP),
            },
            description="One ingress rule of a security group.",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        values = [_kit.py(config.items()[n]) for n in _SOURCES]
        known = all(config.items()[n].is_wholly_known() for n in _SOURCES)
        if known and sum(v is not None for v in values) != 1:
            diags.add(
                Diagnostic.error(
                    "Invalid Attribute Combination",
                    "Exactly one of these attributes must be configured: "
                    "[cidr_ipv4,cidr_ipv6,prefix_list_id,referenced_security_group_id]",
                )
            )
        _security_group.check_cidr(cfg.get("cidr_ipv4"), ("cidr_ipv4",), diags)
        protocol = cfg.get("ip_protocol")
        if not isinstance(protocol, str):
            return
        normal = _security_group.normal_protocol(protocol)
        if normal not in ("tcp", "-1"):
            diags.add(
                _resource.invalid(
                    "ip_protocol",
                    f'ip_protocol "{protocol}" is not supported by the local cloud, which '
                    'carries TCP only: use "tcp" or "-1" (all traffic)',
                )
            )
        elif normal == "tcp":
            for name in ("from_port", "to_port"):
                if config.items()[name].is_null:
                    diags.add(
                        Diagnostic.error(
                            "Missing required argument",
                            f'"{name}" is required when ip_protocol is "{protocol}"',
                            attribute=(name,),
                        )
                    )
        for name in ("from_port", "to_port"):
            _resource.check_between(cfg, name, -1, 65535, diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        return engine.PlannedChange(self.plan_tags(change.planned), change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        body = _security_group.rule_body(
            {
                "protocol": p["ip_protocol"],
                "from_port": p["from_port"],
                "to_port": p["to_port"],
                "cidr_blocks": [p["cidr_ipv4"]],
                "description": p["description"],
            }
        )
        group = p["security_group_id"]
        try:
            doc = await self.cloud.ec2.add_ingress_rule(group, body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", group))
        return engine.ApplyResult(self.from_rule(p, group, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.ec2.delete_ingress_rule(p["security_group_id"], p["id"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            rule = await self.cloud.ec2.get_ingress_rule(p["security_group_id"], p["id"])
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        if rule is None:
            return engine.ReadResult(None)
        return engine.ReadResult(self.from_rule(p, rule["security_group_id"], rule))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            rule = await self.cloud.ec2.find_ingress_rule(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        if rule is None:
            return self.not_found_import(id_)
        return engine.ImportResult((self.from_rule({}, rule["security_group_id"], rule),))

    def from_rule(self, p: dict[str, Any], group: str, rule: dict[str, Any]) -> lang.Value:
        meta = self.session.meta
        everything = rule.get("protocol") == "-1"
        cidrs = rule.get("cidr_blocks") or []
        protocol = p.get("ip_protocol")
        if protocol is None or _security_group.normal_protocol(protocol) != rule.get("protocol"):
            protocol = rule.get("protocol")
        return self.state(
            {
                **p,
                "arn": f"arn:aws:ec2:{meta.get('region', 'local-1')}:"
                f"{meta.get('account_id', '000000000000')}:security-group-rule/{rule['id']}",
                "id": rule["id"],
                "security_group_rule_id": rule["id"],
                "security_group_id": group,
                "cidr_ipv4": cidrs[0] if cidrs else None,
                "description": rule.get("description") or p.get("description"),
                # all traffic: the cloud records ports 0, the configuration leaves them unset
                "from_port": p.get("from_port") if everything else rule.get("from_port"),
                "to_port": p.get("to_port") if everything else rule.get("to_port"),
                "ip_protocol": protocol,
                "tags_all": self.all_tags(p),
            }
        )

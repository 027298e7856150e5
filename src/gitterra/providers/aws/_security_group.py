"""``aws_security_group``: a named set of ingress and egress rules (``/api/v1/security-groups``).

As in the AWS provider, ``ingress`` and ``egress`` are optional and computed: writing no block
of a kind leaves the group's rules of that kind as they are (so rules added by
``aws_vpc_security_group_ingress_rule`` are not fought over), and writing blocks makes them the
whole list. The default allow-all egress rule AWS adds is not created (the provider removes it
on AWS). Rules carry TCP (``tcp``/``6``) or all traffic (``-1``, ports 0) from IPv4 CIDRs; the
other sources (IPv6, prefix lists, other groups, ``self``) are refused by name. Ingress rules
are enforced at the load balancers' listeners.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws._kit import STRING_SET, STRINGS, a

DEFAULT_DESCRIPTION = "Managed by Terraform"
_DELETE_TIMEOUT = 15 * 60.0

RULE = _kit.block(
    {
        "cidr_blocks": a("O", STRINGS, description="IPv4 CIDR blocks allowed."),
        "description": a("O", lang.STRING, description="Description of the rule."),
        "from_port": a("R", lang.NUMBER, description="Start of the port range (0 for -1)."),
        "ipv6_cidr_blocks": a("O", STRINGS, description="Not supported by the local cloud."),
        "prefix_list_ids": a("O", STRINGS, description="Not supported by the local cloud."),
        "protocol": a("R", lang.STRING, description='"tcp" (or "6"), or "-1" for all.'),
        "security_groups": a("O", STRING_SET, description="Not supported by the local cloud."),
        "self": a("O", lang.BOOL, default=False, description="Not supported by the local cloud."),
        "to_port": a("R", lang.NUMBER, description="End of the port range (0 for -1)."),
    }
)

TIMEOUTS = _kit.block(
    {
        "create": a("O", lang.STRING, description="Accepted; creation does not wait."),
        "delete": a("O", lang.STRING, description="How long a group in use is retried (15m)."),
    }
)


def rule_state(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule of the API as the block's state (unset lists empty, as the AWS provider)."""
    return {
        "cidr_blocks": list(rule.get("cidr_blocks") or []),
        "description": rule.get("description") or "",
        "from_port": rule.get("from_port", 0),
        "to_port": rule.get("to_port", 0),
        "protocol": rule.get("protocol"),
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "security_groups": [],
        "self": False,
    }


def normal_protocol(protocol: str) -> str:
    p = protocol.lower()
    return "tcp" if p == "6" else p


def rule_body(rule: dict[str, Any]) -> dict[str, Any]:
    protocol = normal_protocol(rule["protocol"])
    everything = protocol == "-1"
    return {
        "protocol": protocol,
        "from_port": 0 if everything else rule["from_port"],
        "to_port": 0 if everything else rule["to_port"],
        "cidr_blocks": list(rule.get("cidr_blocks") or []),
        "description": rule.get("description") or "",
    }


def check_cidr(value: Any, path: tuple[str | int, ...], diags: Diagnostics) -> None:
    if not isinstance(value, str):
        return
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        diags.add(
            _resource.invalid(path, f'"{value}" is not a valid IPv4 CIDR block (like 10.0.0.0/8)')
        )


def check_rule(kind: str, rule: dict[str, Any], diags: Diagnostics) -> None:
    path: tuple[str | int, ...] = (kind,)
    protocol = rule.get("protocol")
    if isinstance(protocol, str) and normal_protocol(protocol) not in ("tcp", "-1"):
        diags.add(
            _resource.invalid(
                (*path, "protocol"),
                f'protocol "{protocol}" is not supported by the local cloud, which carries '
                'TCP only: use "tcp" or "-1" (all traffic)',
            )
        )
    for name in ("ipv6_cidr_blocks", "prefix_list_ids", "security_groups", "self"):
        if not _kit.is_unset(rule.get(name)):
            diags.add(
                Diagnostic.error(
                    "Not supported by the local cloud",
                    f'"{name}" in {kind} rules is not supported by gitterra\'s local cloud: '
                    "rules allow IPv4 CIDR blocks only.",
                    attribute=(*path, name),
                )
            )
    for cidr in rule.get("cidr_blocks") or []:
        check_cidr(cidr, (*path, "cidr_blocks"), diags)
    for name in ("from_port", "to_port"):
        port = rule.get(name)
        if isinstance(port, int) and not -1 <= port <= 65535:
            diags.add(_resource.invalid((*path, name), f"{name} must be 0-65535, got {port}"))


class SecurityGroup(_resource.CloudResource):
    name = "aws_security_group"
    label = "EC2 Security Group"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING),
                "owner_id": a("C", lang.STRING),
                **_kit.name_attributes(),
                "description": a("O!", lang.STRING, default=DEFAULT_DESCRIPTION),
                "vpc_id": a("OC!", lang.STRING, description="The VPC (the cloud's default)."),
                "revoke_rules_on_delete": a("O", lang.BOOL, default=False),
                **_kit.tag_attributes(),
            },
            {
                "ingress": engine.NestedBlock(RULE, "set"),
                "egress": engine.NestedBlock(RULE, "set"),
                "timeouts": engine.NestedBlock(TIMEOUTS, "single"),
            },
            "A security group: ingress rules are enforced at load balancer listeners.",
        ),
        version=1,
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        _resource.check_length(cfg, "name", 255, diags)
        _resource.check_length(cfg, "name_prefix", 100, diags)
        name = cfg.get("name")
        if isinstance(name, str) and name.lower().startswith("sg-"):
            diags.add(_resource.invalid("name", f'name "{name}" cannot begin with "sg-"'))
        for kind in ("ingress", "egress"):
            for rule in cfg.get(kind) or []:
                check_rule(kind, rule, diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        planned = self.plan_tags(change.planned)
        rules: dict[str, Any] = {}
        for kind in ("ingress", "egress"):
            given = config.items()[kind]
            if not given.is_known:
                continue
            if not given.elements() and prior is not None and not prior.is_null:
                rules[kind] = prior.items()[kind]  # no blocks: the rules are left alone
            elif planned.items()[kind].is_wholly_known():
                # as the API records them: "6" is "tcp", all traffic has ports 0, unset lists
                # are empty
                rules[kind] = [rule_state(rule_body(r)) for r in _kit.py(planned.items()[kind])]
        planned = _kit.with_values(self.block, planned, rules)
        return engine.PlannedChange(planned, change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "terraform-")
        body: dict[str, Any] = {
            "name": name,
            "description": p["description"],
            "ingress": [rule_body(r) for r in p["ingress"]],
            "egress": [rule_body(r) for r in p["egress"]],
            "tags": self.all_tags(p),
        }
        if p["vpc_id"]:
            body["vpc_id"] = p["vpc_id"]
        try:
            doc = await self.cloud.ec2.create_security_group(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        body: dict[str, Any] = {}
        for kind in ("ingress", "egress"):
            if _kit.changed(prior, planned, kind):
                body[kind] = [rule_body(r) for r in p[kind]]
        if _kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all"):
            body["tags"] = self.all_tags(p)
        if not body:
            return engine.ApplyResult(planned)
        try:
            doc = await self.cloud.ec2.update_security_group(p["id"], body)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", p["id"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            if p.get("revoke_rules_on_delete"):
                await self.cloud.ec2.update_security_group(p["id"], {"ingress": [], "egress": []})
            await self._delete_when_free(p)
        except _client.NotFoundError:
            return engine.ApplyResult(None)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        except _resource.WaitTimeout as exc:
            return engine.ApplyResult(
                prior,
                Diagnostics(
                    [
                        Diagnostic.error(
                            f"deleting {self.label} ({p['id']}): still in use",
                            f"The group stayed in use until the delete timeout: {exc}",
                        )
                    ]
                ),
            )
        return engine.ApplyResult(None)

    async def _delete_when_free(self, p: dict[str, Any]) -> None:
        """DELETE, retried while the group is in use (instances still shutting down), as the
        AWS provider retries ``DependencyViolation`` until the delete timeout."""
        timeout = _DELETE_TIMEOUT
        configured = (p.get("timeouts") or {}).get("delete")
        seconds = _kit.parse_duration(configured) if configured else None
        if seconds is not None and seconds >= 0:
            timeout = seconds

        async def attempt() -> tuple[bool, str]:
            try:
                await self.cloud.ec2.delete_security_group(p["id"])
            except _client.ConflictError as exc:
                return False, exc.message
            return True, "deleted"

        await _resource.wait_for(self.session, timeout, attempt)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.ec2.get_security_group(p["id"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            doc = await self.cloud.ec2.get_security_group(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        base = {"revoke_rules_on_delete": False, "tags": None, "name_prefix": None}
        return engine.ImportResult((self.from_doc(base, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        return self.state(
            {
                **p,
                "arn": doc["arn"],
                "id": doc["id"],
                "owner_id": doc.get("owner_id")
                or self.session.meta.get("account_id", "000000000000"),
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "description": doc.get("description") or "",
                "vpc_id": doc.get("vpc_id"),
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
                "ingress": [rule_state(r) for r in doc.get("ingress") or []],
                "egress": [rule_state(r) for r in doc.get("egress") or []],
            }
        )

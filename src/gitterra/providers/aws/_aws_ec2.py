"""EC2 security groups, their rules and key pairs on AWS, as ``_target.Ec2`` documents.

A security group's ``ingress``/``egress`` are the local cloud's rules: one rule per protocol,
port range and description, with its IPv4 CIDR blocks (AWS's ``IpPermissions`` split by the
ranges' descriptions). Setting a kind's rules revokes what is there and not wanted, then
authorizes what is wanted and missing, matching rules by content (protocol, ports, CIDR,
description); permissions of other kinds of source (IPv6, prefix lists, groups) are shown as
rules without CIDR blocks, so they appear as drift, and are revoked when the rules are set.
Creating a group removes the allow-all egress rule AWS adds (as the AWS provider does); a group
whose rules cannot be set is deleted again, so a failed create leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gitterra.providers.aws import _aws_base, _client
from gitterra.providers.aws._aws_base import tag_changes, tag_dict, tag_list
from gitterra.providers.aws._target import Doc

#: A rule as compared: (protocol, from port, to port, CIDR, description).
_Key = tuple[str, int, int, str, str]


def _protocol(value: Any) -> str:
    p = str(value).lower()
    return "tcp" if p == "6" else p


def _ports(perm: dict[str, Any]) -> tuple[int, int]:
    if _protocol(perm.get("IpProtocol")) == "-1":
        return 0, 0
    return int(perm.get("FromPort", 0)), int(perm.get("ToPort", 0))


def rules_of(permissions: Iterable[dict[str, Any]]) -> list[Doc]:
    """AWS's permissions as the local cloud's rules."""
    rules: list[Doc] = []
    for perm in permissions:
        protocol = _protocol(perm.get("IpProtocol"))
        low, high = _ports(perm)
        by_description: dict[str, list[str]] = {}
        for r in perm.get("IpRanges") or []:
            by_description.setdefault(r.get("Description") or "", []).append(r["CidrIp"])
        others = perm.get("Ipv6Ranges") or perm.get("PrefixListIds") or perm.get("UserIdGroupPairs")
        if others:
            by_description.setdefault("", [])
        for description, cidrs in sorted(by_description.items()):
            rules.append(
                {
                    "protocol": protocol,
                    "from_port": low,
                    "to_port": high,
                    "cidr_blocks": sorted(cidrs),
                    "description": description,
                }
            )
    return rules


def _keys(rules: Iterable[Doc]) -> set[_Key]:
    out: set[_Key] = set()
    for rule in rules:
        protocol = _protocol(rule["protocol"])
        everything = protocol == "-1"
        low = 0 if everything else int(rule.get("from_port") or 0)
        high = 0 if everything else int(rule.get("to_port") or 0)
        for cidr in rule.get("cidr_blocks") or []:
            out.add((protocol, low, high, cidr, rule.get("description") or ""))
    return out


def _permissions(keys: Iterable[_Key], with_descriptions: bool) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, int, int], list[dict[str, str]]] = {}
    for protocol, low, high, cidr, description in sorted(keys):
        entry = {"CidrIp": cidr}
        if with_descriptions and description:
            entry["Description"] = description
        grouped.setdefault((protocol, low, high), []).append(entry)
    perms = []
    for (protocol, low, high), ranges in grouped.items():
        perm: dict[str, Any] = {"IpProtocol": protocol, "IpRanges": ranges}
        if protocol != "-1":
            perm["FromPort"], perm["ToPort"] = low, high
        perms.append(perm)
    return perms


def _foreign(permissions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The parts of permissions that are not IPv4 ranges (to revoke them)."""
    out: list[dict[str, Any]] = []
    for perm in permissions:
        rest: dict[str, Any] = {
            k: perm[k] for k in ("Ipv6Ranges", "PrefixListIds", "UserIdGroupPairs") if perm.get(k)
        }
        if rest:
            base: dict[str, Any] = {
                k: perm[k] for k in ("IpProtocol", "FromPort", "ToPort") if k in perm
            }
            out.append({**base, **rest})
    return out


class SecurityGroups(_aws_base.Service):
    service = "ec2"

    async def create_security_group(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "GroupName": body["name"],
            "Description": body.get("description") or "Managed by Terraform",
        }
        if body.get("vpc_id"):
            params["VpcId"] = body["vpc_id"]
        if body.get("tags"):
            params["TagSpecifications"] = [
                {"ResourceType": "security-group", "Tags": tag_list(body["tags"])}
            ]
        group_id = str((await self.call("create_security_group", **params))["GroupId"])
        try:
            found = await self.settled(lambda: self._describe(group_id))
            for kind in ("ingress", "egress"):
                await self._set_rules(found, kind, body.get(kind) or [])
        except _client.CloudError:
            await self.call("delete_security_group", GroupId=group_id)
            raise
        return await self.get_security_group(group_id)

    async def _describe(self, group_id: str) -> dict[str, Any]:
        found = await self.call("describe_security_groups", GroupIds=[group_id])
        groups = found.get("SecurityGroups") or []
        if not groups:
            raise _aws_base.not_found(f"security group {group_id} not found")
        return dict(groups[0])

    async def _set_rules(self, group: dict[str, Any], kind: str, rules: list[Doc]) -> None:
        field = "IpPermissions" if kind == "ingress" else "IpPermissionsEgress"
        current = group.get(field) or []
        have, want = _keys(rules_of(current)), _keys(rules)
        gone = _permissions(have - want, with_descriptions=False) + _foreign(current)
        suffix = "ingress" if kind == "ingress" else "egress"
        if gone:
            await self.call(
                f"revoke_security_group_{suffix}", GroupId=group["GroupId"], IpPermissions=gone
            )
        added = _permissions(want - have, with_descriptions=True)
        if added:
            await self.call(
                f"authorize_security_group_{suffix}", GroupId=group["GroupId"], IpPermissions=added
            )

    async def get_security_group(self, group_id: str) -> Doc:
        return self._doc(await self._describe(group_id))

    async def list_security_groups(self) -> list[Doc]:
        return [
            self._doc(g) for g in await self.pages("describe_security_groups", "SecurityGroups")
        ]

    def _doc(self, group: dict[str, Any]) -> Doc:
        gid, owner = group["GroupId"], group.get("OwnerId") or self.conn.account_id
        return {
            "id": gid,
            "arn": f"arn:{self.conn.partition}:ec2:{self.conn.region}:{owner}:security-group/{gid}",
            "name": group["GroupName"],
            "description": group.get("Description") or "",
            "vpc_id": group.get("VpcId"),
            "owner_id": owner,
            "ingress": rules_of(group.get("IpPermissions") or []),
            "egress": rules_of(group.get("IpPermissionsEgress") or []),
            "tags": tag_dict(group.get("Tags")),
        }

    async def update_security_group(self, group_id: str, changes: Doc) -> Doc:
        group = await self._describe(group_id)
        for kind in ("ingress", "egress"):
            if kind in changes:
                await self._set_rules(group, kind, changes[kind])
        if "tags" in changes:
            await self.retag(group_id, tag_dict(group.get("Tags")), changes["tags"])
        return await self.get_security_group(group_id)

    async def retag(self, resource: str, old: dict[str, str], new: dict[str, str]) -> None:
        upsert, removed = tag_changes(old, new)
        if removed:
            await self.call("delete_tags", Resources=[resource], Tags=[{"Key": k} for k in removed])
        if upsert:
            await self.call("create_tags", Resources=[resource], Tags=tag_list(upsert))

    async def delete_security_group(self, group_id: str) -> None:
        await self.call("delete_security_group", GroupId=group_id)

    # -- rules alone ----------------------------------------------------------------------------

    async def add_ingress_rule(self, group_id: str, rule: Doc) -> Doc:
        perms = _permissions(_keys([rule]), with_descriptions=True)
        answer = await self.call(
            "authorize_security_group_ingress", GroupId=group_id, IpPermissions=perms
        )
        created = (answer.get("SecurityGroupRules") or [{}])[0]
        rule_id = str(created.get("SecurityGroupRuleId") or "")
        return await self.settled(lambda: self._rule(rule_id))

    async def _rule(self, rule_id: str) -> Doc:
        found = await self.call("describe_security_group_rules", SecurityGroupRuleIds=[rule_id])
        rules = [r for r in found.get("SecurityGroupRules") or [] if not r.get("IsEgress")]
        if not rules:
            raise _aws_base.not_found(f"security group rule {rule_id} not found")
        r = rules[0]
        protocol = _protocol(r.get("IpProtocol"))
        everything = protocol == "-1"
        return {
            "id": r["SecurityGroupRuleId"],
            "security_group_id": r["GroupId"],
            "protocol": protocol,
            "from_port": 0 if everything else r.get("FromPort", 0),
            "to_port": 0 if everything else r.get("ToPort", 0),
            "cidr_blocks": [r["CidrIpv4"]] if r.get("CidrIpv4") else [],
            "description": r.get("Description") or "",
        }

    async def get_ingress_rule(self, group_id: str, rule_id: str) -> Doc | None:
        found = await self.find_ingress_rule(rule_id)
        return found if found is not None and found["security_group_id"] == group_id else None

    async def find_ingress_rule(self, rule_id: str) -> Doc | None:
        try:
            return await self._rule(rule_id)
        except _client.NotFoundError:
            return None

    async def delete_ingress_rule(self, group_id: str, rule_id: str) -> None:
        await self.call(
            "revoke_security_group_ingress", GroupId=group_id, SecurityGroupRuleIds=[rule_id]
        )

    # -- key pairs ------------------------------------------------------------------------------

    async def create_key_pair(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "KeyName": body["name"],
            "PublicKeyMaterial": body["public_key"].encode(),
        }
        if body.get("tags"):
            params["TagSpecifications"] = [
                {"ResourceType": "key-pair", "Tags": tag_list(body["tags"])}
            ]
        await self.call("import_key_pair", **params)
        found = await self.settled(lambda: self._key(body["name"]))
        return self._key_doc(found, body["public_key"])

    async def _key(self, name: str) -> dict[str, Any]:
        found = await self.call("describe_key_pairs", KeyNames=[name], IncludePublicKey=True)
        keys = found.get("KeyPairs") or []
        if not keys:
            raise _aws_base.not_found(f"key pair {name} not found")
        return dict(keys[0])

    def _key_doc(self, key: dict[str, Any], public_key: str | None = None) -> Doc:
        name = key["KeyName"]
        return {
            "id": key.get("KeyPairId"),
            "arn": self.arn("ec2", f"key-pair/{name}"),
            "name": name,
            "public_key": public_key or (key.get("PublicKey") or "").strip() or None,
            "key_type": key.get("KeyType"),
            "fingerprint": key.get("KeyFingerprint"),
            "tags": tag_dict(key.get("Tags")),
        }

    async def find_key_pair(self, name: str) -> Doc | None:
        try:
            return self._key_doc(await self._key(name))
        except _client.NotFoundError:
            return None

    async def _key_by_id(self, key_pair_id: str) -> dict[str, Any]:
        found = await self.call("describe_key_pairs", KeyPairIds=[key_pair_id])
        keys = found.get("KeyPairs") or []
        if not keys:
            raise _aws_base.not_found(f"key pair {key_pair_id} not found")
        return dict(keys[0])

    async def update_key_pair(self, key_pair_id: str, changes: Doc) -> Doc:
        key = await self._key_by_id(key_pair_id)
        if "tags" in changes:
            await self.retag(key_pair_id, tag_dict(key.get("Tags")), changes["tags"])
            key = await self._key_by_id(key_pair_id)
        return self._key_doc(key)

    async def delete_key_pair(self, key_pair_id: str) -> None:
        await self.call("delete_key_pair", KeyPairId=key_pair_id)

"""Security group rules: checking them and deciding which sources they let in.

A rule is ``{"id", "protocol": "tcp"|"-1", "from_port", "to_port", "cidr_blocks",
"description"}``. ``"-1"`` is all traffic (every protocol and port; its ports are 0, as the AWS
provider records them). Pure functions: values in, values out.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from gitterra.cloud import _ids
from gitterra.cloud._errors import LimitExceeded, ValidationError
from gitterra.cloud.ec2 import _fields

PROTOCOLS = ("tcp", "-1")

#: EC2's default quota of rules per direction per security group.
MAX_RULES = 60

RULE_FIELDS = ("protocol", "from_port", "to_port", "cidr_blocks", "description")

Rule = dict[str, Any]


def parse_rule(value: object, field: str = "") -> Rule:
    """One rule, checked; its ``id`` is left for the caller to assign. ``field`` is where the
    rule is (``ingress.0``; empty when the rule is the whole request)."""
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field or 'a rule'} must be an object (a rule)", field or None)
    at = f"{field}." if field else ""
    for key in value:
        if key not in (*RULE_FIELDS, "id"):
            raise ValidationError(
                f'unknown field "{key}" in a rule: rules have {", ".join(RULE_FIELDS)}',
                f"{at}{key}",
            )
    protocol = value.get("protocol")
    if protocol not in PROTOCOLS:
        raise ValidationError(
            f'{at}protocol must be "tcp" or "-1" (all traffic), got {protocol!r}: the local '
            "cloud carries TCP only",
            f"{at}protocol",
        )
    ports = _ports(value, at, all_traffic=protocol == "-1")
    blocks = _fields.string_list(value.get("cidr_blocks"), f"{at}cidr_blocks")
    cidrs = [_fields.cidr(b, f"{at}cidr_blocks.{i}") for i, b in enumerate(blocks)]
    description = _fields.optional_string(value.get("description"), f"{at}description", max_len=255)
    return {
        "protocol": protocol,
        "from_port": ports[0],
        "to_port": ports[1],
        "cidr_blocks": cidrs,
        "description": description,
    }


def _ports(value: Mapping[str, Any], at: str, all_traffic: bool) -> tuple[int, int]:
    low, high = value.get("from_port"), value.get("to_port")
    if all_traffic:
        for name, port in (("from_port", low), ("to_port", high)):
            if port not in (None, 0, -1):
                raise ValidationError(
                    f'{at}{name} must be 0 when protocol is "-1" (all traffic covers every '
                    f"port), got {port!r}",
                    f"{at}{name}",
                )
        return 0, 0
    if low is None:
        raise ValidationError(f"{at}from_port is required for tcp rules", f"{at}from_port")
    if high is None:
        raise ValidationError(f"{at}to_port is required for tcp rules", f"{at}to_port")
    first = _fields.integer(low, f"{at}from_port", 0, 65535)
    last = _fields.integer(high, f"{at}to_port", 0, 65535)
    if first > last:
        raise ValidationError(
            f"{at}from_port ({first}) is greater than to_port ({last})", f"{at}from_port"
        )
    return first, last


def same(a: Rule, b: Rule) -> bool:
    """Whether two rules allow the same thing (descriptions and ids aside)."""
    return all(a[k] == b[k] for k in ("protocol", "from_port", "to_port")) and sorted(
        a["cidr_blocks"]
    ) == sorted(b["cidr_blocks"])


def parse_rules(value: object, field: str, previous: Iterable[Rule] = ()) -> list[Rule]:
    """A list of rules, checked; a rule equal to one of ``previous`` keeps its id (so replacing
    a list with itself changes nothing), the others get new ``sgr-`` ids."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{field} must be a list of rules", field)
    if len(value) > MAX_RULES:
        raise LimitExceeded(
            f"{field} has {len(value)} rules; a security group allows at most {MAX_RULES} per "
            "direction",
            field,
        )
    old = list(previous)
    out: list[Rule] = []
    for i, item in enumerate(value):
        rule = parse_rule(item, f"{field}.{i}")
        for j, seen in enumerate(out):
            if same(rule, seen):
                raise ValidationError(f"{field}.{i} repeats {field}.{j}", f"{field}.{i}")
        kept = next((r["id"] for r in old if same(r, rule)), None)
        out.append({"id": kept or _ids.new_id("sgr"), **rule})
    return out


def allows_port(rule: Rule, port: int) -> bool:
    if rule["protocol"] == "-1":
        return True
    return bool(rule["from_port"] <= port <= rule["to_port"])


def allowed_sources(rules: Iterable[Rule], port: int) -> list[str] | None:
    """The CIDRs whose rules let TCP in to ``port``; None when one of them is everything
    (``0.0.0.0/0``). The list is sorted and without duplicates; empty: nobody."""
    sources: set[str] = set()
    for rule in rules:
        if not allows_port(rule, port):
            continue
        for block in rule["cidr_blocks"]:
            if ipaddress.IPv4Network(block).prefixlen == 0:
                return None
            sources.add(block)
    return sorted(sources, key=lambda b: (ipaddress.IPv4Network(b), b))

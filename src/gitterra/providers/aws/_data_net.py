"""The network and account data sources: ``aws_subnets``, the legacy ``aws_subnet_ids``,
``aws_availability_zones``, ``aws_region`` and ``aws_caller_identity``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _data, _kit
from gitterra.providers.aws._kit import STRING_MAP, STRING_SET, STRINGS, a

_SUBNET_FILTERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "vpc-id": lambda s: s.get("vpc_id"),
    "subnet-id": lambda s: s["id"],
    "availability-zone": lambda s: s.get("availability_zone"),
    "availabilityZone": lambda s: s.get("availability_zone"),
    "cidr-block": lambda s: s.get("cidr_block"),
    "cidrBlock": lambda s: s.get("cidr_block"),
    "default-for-az": lambda s: True,
    "defaultForAz": lambda s: True,
    "state": lambda s: "available",
}


async def _subnets(
    source: _data.CloudDataSource, cfg: dict[str, Any], vpc_id: str | None, diags: Diagnostics
) -> list[dict[str, Any]]:
    filters = cfg.get("filter") or []
    items = await source.cloud.ec2.list_subnets(vpc_id, filters)
    found = source.filtered(items, filters, _SUBNET_FILTERS, diags)
    tags = cfg.get("tags") or {}
    return [s for s in found if all((s.get("tags") or {}).get(k) == v for k, v in tags.items())]


class Subnets(_data.CloudDataSource):
    name = "aws_subnets"
    label = "EC2 Subnets"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "tags": a("O", STRING_MAP),
                "id": a("C", lang.STRING),
                "ids": a("C", STRINGS),
            },
            {"filter": _data.FILTER},
            "Subnet ids matching filters (vpc-id, availability-zone ...).",
        )
    )

    async def read(self, config: lang.Value) -> engine.ReadResult:
        cfg = _kit.py(config)
        diags = Diagnostics()
        try:
            found = await _subnets(self, cfg, None, diags)
        except _client.CloudError as exc:
            return self.failed(exc)
        if diags.has_errors:
            return engine.ReadResult(None, diags)
        region = self.session.meta.get("region", "local-1")
        ids = sorted(s["id"] for s in found)
        return engine.ReadResult(self.state({**cfg, "id": region, "ids": ids}))


class SubnetIds(_data.CloudDataSource):
    """Removed from the AWS provider in v5 (the seed still uses it): kept, with the same
    deprecation warning v4 gave."""

    name = "aws_subnet_ids"
    label = "EC2 Subnets"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "vpc_id": a("R", lang.STRING),
                "tags": a("OC", STRING_MAP),
                "id": a("C", lang.STRING),
                "ids": a("C", STRING_SET),
            },
            {"filter": _data.FILTER},
            "Deprecated: the subnet ids of a VPC (use aws_subnets).",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        return Diagnostics(
            [
                Diagnostic.warning(
                    "Deprecated data source",
                    "The aws_subnet_ids data source has been deprecated and will be removed in "
                    "a future version. Use the aws_subnets data source instead.",
                )
            ]
        )

    async def read(self, config: lang.Value) -> engine.ReadResult:
        cfg = _kit.py(config)
        diags = Diagnostics()
        try:
            found = await _subnets(self, cfg, cfg["vpc_id"], diags)
        except _client.CloudError as exc:
            return self.failed(exc)
        if diags.has_errors:
            return engine.ReadResult(None, diags)
        if not found:
            return engine.ReadResult(
                None,
                Diagnostics(
                    [
                        Diagnostic.error(
                            f"no matching subnet found for vpc with id {cfg['vpc_id']}",
                            "The local cloud's subnets are in its default VPC (data.aws_vpc "
                            "with default = true).",
                        )
                    ]
                ),
            )
        ids = sorted(s["id"] for s in found)
        return engine.ReadResult(
            self.state({**cfg, "id": cfg["vpc_id"], "ids": ids, "tags": cfg.get("tags") or {}})
        )


class AvailabilityZones(_data.CloudDataSource):
    name = "aws_availability_zones"
    label = "Availability Zones"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "all_availability_zones": a("O", lang.BOOL),
                "exclude_names": a("O", STRING_SET),
                "exclude_zone_ids": a("O", STRING_SET),
                "state": a("O", lang.STRING),
                "id": a("C", lang.STRING),
                "names": a("C", STRINGS),
                "zone_ids": a("C", STRINGS),
                "group_names": a("C", STRING_SET),
            },
            {"filter": _data.FILTER},
            "The availability zones of the region.",
        )
    )

    async def read(self, config: lang.Value) -> engine.ReadResult:
        cfg = _kit.py(config)
        meta = self.session.meta
        region = meta.get("region", "local-1")
        try:
            zones = await self.cloud.ec2.availability_zones()
        except _client.CloudError as exc:
            return self.failed(exc)
        fields: dict[str, Callable[[dict[str, Any]], Any]] = {
            "zone-name": lambda z: z["name"],
            "zone-id": lambda z: z["zone_id"],
            "state": lambda z: z["state"],
            "region-name": lambda z: region,
            "zone-type": lambda z: "availability-zone",
            "group-name": lambda z: region,
            "opt-in-status": lambda z: "opt-in-not-required",
        }
        diags = Diagnostics()
        zones = _data.apply_filters(zones, cfg.get("filter") or [], fields, diags)
        if diags.has_errors:
            return engine.ReadResult(None, diags)
        zones = [
            z
            for z in zones
            if z["name"] not in (cfg.get("exclude_names") or [])
            and z["zone_id"] not in (cfg.get("exclude_zone_ids") or [])
            and cfg.get("state") in (None, "available")
        ]
        return engine.ReadResult(
            self.state(
                {
                    **cfg,
                    "id": region,
                    "names": [z["name"] for z in zones],
                    "zone_ids": [z["zone_id"] for z in zones],
                    "group_names": [region] if zones else [],
                }
            )
        )


class Region(_data.CloudDataSource):
    name = "aws_region"
    label = "Region"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "name": a("OC", lang.STRING),
                "endpoint": a("OC", lang.STRING),
                "description": a("C", lang.STRING),
                "id": a("C", lang.STRING),
            },
            description="The provider's region (or the one named).",
        )
    )

    async def read(self, config: lang.Value) -> engine.ReadResult:
        cfg = _kit.py(config)
        try:
            info = await self.cloud.ec2.region_info(cfg.get("name"))
        except _client.CloudError as exc:
            return self.failed(exc)
        return engine.ReadResult(
            self.state(
                {
                    "name": info["name"],
                    "endpoint": cfg.get("endpoint") or info["endpoint"],
                    "description": info["description"],
                    "id": info["name"],
                }
            )
        )


class CallerIdentity(_data.CloudDataSource):
    name = "aws_caller_identity"
    label = "Caller Identity"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "account_id": a("C", lang.STRING),
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING),
                "user_id": a("C", lang.STRING),
            },
            description="The account and identity of the caller.",
        )
    )

    async def read(self, config: lang.Value) -> engine.ReadResult:
        who = self.cloud.identity()
        return engine.ReadResult(
            self.state(
                {
                    "account_id": who["account_id"],
                    "arn": who["arn"],
                    "id": who["account_id"],
                    "user_id": who["user_id"],
                }
            )
        )

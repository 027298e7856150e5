"""The aws data sources: the local cloud's images, network and region facts.

``aws_ami`` searches the image catalogue (``filter`` blocks with EC2's globs, ``owners``,
``name_regex``, ``most_recent``) and, when nothing matches, lists the images that exist so the
user can fix the search (the seed's Amazon Linux filter matches nothing locally). ``aws_vpc``,
``aws_subnets``, the legacy ``aws_subnet_ids`` (deprecated, as in the AWS provider), and
``aws_availability_zones`` read the one default VPC and its subnets; ``aws_region`` and
``aws_caller_identity`` report the cloud's region and account.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base
from gitterra.providers.aws import _client, _kit, _resource, _target
from gitterra.providers.aws._kit import STRING_MAP, STRINGS, a

FILTER = engine.NestedBlock(
    _kit.block({"name": a("R", lang.STRING), "values": a("R", STRINGS)}), "set"
)


class CloudDataSource(_base.DataSourceType):
    label: ClassVar[str]

    def __init__(self, session: _resource.Session) -> None:
        self.session = session

    @property
    def cloud(self) -> _target.Target:
        return self.session.cloud

    def failed(self, exc: _client.CloudError) -> engine.ReadResult:
        diag = _resource.api_diagnostic(self.label, {}, exc, "reading", "", session=self.session)
        return engine.ReadResult(None, Diagnostics([diag]))

    def filtered(
        self,
        items: list[dict[str, Any]],
        filters: list[dict[str, Any]],
        fields: dict[str, Callable[[dict[str, Any]], Any]],
        diags: Diagnostics,
    ) -> list[dict[str, Any]]:
        """``items`` that pass ``filters``: as found when the target applied the filters
        itself, else filtered here (:func:`apply_filters`)."""
        if self.cloud.filters_on_server:
            return items
        return apply_filters(items, filters, fields, diags)

    def state(self, data: dict[str, Any]) -> lang.Value:
        return _kit.build(self.schema.block, data)


def _matches(value: Any, patterns: list[str]) -> bool:
    """EC2 filter values: any of them, ``*`` and ``?`` as globs, case-sensitive."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return any(fnmatch.fnmatchcase(text, p) for p in patterns)


def apply_filters(
    items: list[dict[str, Any]],
    filters: list[dict[str, Any]],
    fields: dict[str, Callable[[dict[str, Any]], Any]],
    diags: Diagnostics,
) -> list[dict[str, Any]]:
    """Items every filter accepts; a filter name the local cloud does not know is an error."""
    out = items
    for f in filters:
        get = fields.get(f["name"])
        if get is None:
            known = ", ".join(sorted(fields))
            diags.add(
                Diagnostic.error(
                    "Not supported by the local cloud",
                    f'The filter "{f["name"]}" is not supported by the local cloud; it knows: '
                    f"{known}.",
                    attribute=("filter",),
                )
            )
            return []
        out = [i for i in out if _matches(get(i), f["values"] or [])]
    return out


_AMI_FILTERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda i: i["name"],
    "image-id": lambda i: i["id"],
    "description": lambda i: i.get("description", ""),
    "architecture": lambda i: i.get("architecture", "x86_64"),
    "owner-alias": lambda i: i.get("owner", "gitterra"),
    "owner-id": lambda i: i.get("owner", "gitterra"),
    "state": lambda i: "available",
    "virtualization-type": lambda i: "hvm",
    "root-device-type": lambda i: "ebs",
    "image-type": lambda i: "machine",
    "is-public": lambda i: True,
}


class Ami(CloudDataSource):
    name = "aws_ami"
    label = "EC2 AMI"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "most_recent": a("O", lang.BOOL, default=False),
                "owners": a("O", STRINGS, description='"gitterra", "self" or the account id.'),
                "name_regex": a("O", lang.STRING),
                "executable_users": a("O", STRINGS, description="Not supported."),
                "include_deprecated": a("O", lang.BOOL, default=False),
                "id": a("C", lang.STRING),
                "arn": a("C", lang.STRING),
                "image_id": a("C", lang.STRING),
                "name": a("C", lang.STRING),
                "description": a("C", lang.STRING),
                "architecture": a("C", lang.STRING),
                "creation_date": a("C", lang.STRING),
                "owner_id": a("C", lang.STRING),
                "image_owner_alias": a("C", lang.STRING),
                "image_location": a("C", lang.STRING),
                "image_type": a("C", lang.STRING),
                "platform_details": a("C", lang.STRING),
                "root_device_type": a("C", lang.STRING),
                "state": a("C", lang.STRING),
                "virtualization_type": a("C", lang.STRING),
                "public": a("C", lang.BOOL),
                "tags": a("OC", STRING_MAP),
            },
            {"filter": FILTER},
            "An image of the local cloud's catalogue.",
        )
    )

    def validate(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        cfg = _kit.py(config)
        _resource.refuse_unsupported(
            self.name, self.schema.block, cfg, ("executable_users",), diags, self.session.kind
        )
        pattern = cfg.get("name_regex")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                diags.add(_resource.invalid("name_regex", f"invalid regular expression: {exc}"))
        return diags

    async def read(self, config: lang.Value) -> engine.ReadResult:
        cfg = _kit.py(config)
        filters = cfg.get("filter") or []
        try:
            images = await self.cloud.ec2.list_images(cfg.get("owners") or [], filters)
        except _client.CloudError as exc:
            return self.failed(exc)
        diags = Diagnostics()
        found = [i for i in images if _owned(i, cfg.get("owners"), self.session.meta)]
        found = self.filtered(found, filters, _AMI_FILTERS, diags)
        if cfg.get("name_regex"):
            found = [i for i in found if re.search(cfg["name_regex"], i["name"])]
        if diags.has_errors:
            return engine.ReadResult(None, diags)
        if not found:
            return _fail(
                "Your query returned no results. Please change your search criteria and try again.",
                self._none_found(images),
            )
        if len(found) > 1 and not cfg.get("most_recent"):
            return _fail(
                "Your query returned more than one result. Please try more specific search "
                "criteria, or set `most_recent` attribute to true.",
            )
        image = max(found, key=lambda i: (i.get("created_at", ""), i["name"]))
        return engine.ReadResult(self.state({**cfg, **self._image_state(image)}))

    def _none_found(self, images: list[dict[str, Any]]) -> str:
        """What to tell a search that found nothing: the local cloud's whole catalogue (it
        is short), or AWS's owners and filters."""
        if self.cloud.filters_on_server:
            return (
                f"No image on {self.cloud.label} matches the owners and filters given "
                "(the local cloud's gitterra-static-site-* images exist only there)."
            )
        shown = ", ".join(f"{i['name']} ({i['id']})" for i in images) or "none"
        return f"The local cloud's images (owner gitterra) are: {shown}."

    def _image_state(self, image: dict[str, Any]) -> dict[str, Any]:
        region = self.session.meta.get("region", "local-1")
        owner = image.get("owner", "gitterra")
        return {
            "id": image["id"],
            "arn": f"arn:aws:ec2:{region}::image/{image['id']}",
            "image_id": image["id"],
            "name": image["name"],
            "description": image.get("description") or "",
            "architecture": image.get("architecture", "x86_64"),
            "creation_date": image.get("created_at", ""),
            "owner_id": image.get("owner_id") or owner,
            "image_owner_alias": image.get("owner_alias", owner),
            "image_location": image.get("location") or f"{owner}/{image['name']}",
            "image_type": image.get("image_type") or "machine",
            "platform_details": image.get("platform_details") or "Linux/UNIX",
            "root_device_type": image.get("root_device_type") or "ebs",
            "state": image.get("state") or "available",
            "virtualization_type": image.get("virtualization_type") or "hvm",
            "public": image.get("public", True),
            "tags": image.get("tags") or {},
        }


def _owned(image: dict[str, Any], owners: list[str] | None, meta: dict[str, Any]) -> bool:
    if not owners:
        return True
    owner = image.get("owner", "gitterra")
    return any(o in (owner, image.get("owner_id"), "self", meta.get("account_id")) for o in owners)


def _fail(summary: str, detail: str = "") -> engine.ReadResult:
    return engine.ReadResult(None, Diagnostics([Diagnostic.error(summary, detail)]))


class Vpc(CloudDataSource):
    name = "aws_vpc"
    label = "EC2 VPC"
    _FILTERS: ClassVar[dict[str, Callable[[dict[str, Any]], Any]]] = {
        "vpc-id": lambda v: v["id"],
        "cidr": lambda v: v.get("cidr_block"),
        "cidr-block": lambda v: v.get("cidr_block"),
        "is-default": lambda v: bool(v.get("is_default")),
        "isDefault": lambda v: bool(v.get("is_default")),
        "state": lambda v: "available",
    }
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "default": a("OC", lang.BOOL),
                "id": a("OC", lang.STRING),
                "cidr_block": a("OC", lang.STRING),
                "state": a("OC", lang.STRING),
                "tags": a("OC", STRING_MAP),
                "arn": a("C", lang.STRING),
                "owner_id": a("C", lang.STRING),
                "enable_dns_support": a("C", lang.BOOL),
                "enable_dns_hostnames": a("C", lang.BOOL),
                "instance_tenancy": a("C", lang.STRING),
            },
            {"filter": FILTER},
            "The local cloud's VPC.",
        )
    )

    async def read(self, config: lang.Value) -> engine.ReadResult:
        cfg = _kit.py(config)
        filters = cfg.get("filter") or []
        try:
            vpcs = await self.cloud.ec2.list_vpcs(filters)
        except _client.CloudError as exc:
            return self.failed(exc)
        diags = Diagnostics()
        found = self.filtered(vpcs, filters, self._FILTERS, diags)
        found = [
            v
            for v in found
            if (cfg.get("default") is None or bool(v.get("is_default")) == cfg["default"])
            and (cfg.get("id") is None or v["id"] == cfg["id"])
            and (cfg.get("cidr_block") is None or v.get("cidr_block") == cfg["cidr_block"])
            and all((v.get("tags") or {}).get(k) == t for k, t in (cfg.get("tags") or {}).items())
        ]
        if diags.has_errors:
            return engine.ReadResult(None, diags)
        if len(found) != 1:
            what = "no matching EC2 VPC found" if not found else "multiple EC2 VPCs matched"
            detail = "The local cloud has one VPC, the default one."
            if self.cloud.kind == "aws":
                region = self.session.meta.get("region")
                detail = (
                    f"{len(found)} VPCs in {region} match the search: make it narrower."
                    if found
                    else f"No VPC in {region} matches the search."
                )
            return _fail(what, detail)
        vpc, meta = found[0], self.session.meta
        account = meta.get("account_id", "000000000000")
        return engine.ReadResult(
            self.state(
                {
                    **cfg,
                    "default": bool(vpc.get("is_default")),
                    "id": vpc["id"],
                    "cidr_block": vpc.get("cidr_block"),
                    "state": vpc.get("state") or "available",
                    "tags": vpc.get("tags") or {},
                    "arn": f"arn:aws:ec2:{meta.get('region', 'local-1')}:{account}:vpc/{vpc['id']}",
                    "owner_id": vpc.get("owner_id") or account,
                    "enable_dns_support": True,
                    "enable_dns_hostnames": False,
                    "instance_tenancy": vpc.get("instance_tenancy") or "default",
                }
            )
        )

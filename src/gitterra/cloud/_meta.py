"""Region, network and images: the fixed facts of the local cloud (read-only)."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from typing import Any

from gitterra.cloud import _ids
from gitterra.cloud._errors import NotFound

IMAGE_OWNER = "gitterra"


@dataclass(frozen=True, slots=True)
class Image:
    name: str
    kind: str  # "static-site" | "process"
    description: str
    created_at: str

    @property
    def id(self) -> str:
        return "ami-" + hashlib.sha1(self.name.encode()).hexdigest()[:17]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "owner": IMAGE_OWNER,
            "description": self.description,
            "kind": self.kind,
            "architecture": "x86_64",
            "created_at": self.created_at,
        }


IMAGES = (
    Image(
        "gitterra-static-site-2026.11",
        "static-site",
        "Serves $DOCUMENT_ROOT (prepared by user_data) on $PORT with a production static server",
        "2026-11-01T00:00:00Z",
    ),
    Image(
        "gitterra-process-2026.11",
        "process",
        "Runs user_data as the instance's main process; it must serve on $PORT",
        "2026-11-01T00:00:00Z",
    ),
)

#: Instance types: memory (MiB) and vCPUs, enforced as documented in docs/cloud-api.md.
INSTANCE_TYPES = {
    "t2.nano": (512, 1),
    "t2.micro": (1024, 1),
    "t2.small": (2048, 1),
    "t2.medium": (4096, 2),
    "t3.nano": (512, 2),
    "t3.micro": (1024, 2),
    "t3.small": (2048, 2),
    "t3.medium": (4096, 2),
    "t3.large": (8192, 2),
}

VPC_ID = "vpc-" + hashlib.sha1(b"gitterra-default-vpc").hexdigest()[:17]


def meta(endpoint: str) -> dict[str, Any]:
    return {
        "region": _ids.REGION,
        "account_id": _ids.ACCOUNT,
        "availability_zones": list(_ids.ZONES),
        "endpoint": endpoint,
    }


def vpcs() -> list[dict[str, Any]]:
    return [{"id": VPC_ID, "cidr_block": "127.0.0.0/8", "is_default": True, "tags": {}}]


def subnets(vpc_id: str | None = None) -> list[dict[str, Any]]:
    if vpc_id not in (None, VPC_ID):
        return []
    return [
        {
            "id": "subnet-" + hashlib.sha1(zone.encode()).hexdigest()[:17],
            "vpc_id": VPC_ID,
            "availability_zone": zone,
            # Instances take addresses in 127.0.1.0/24 (compute allocates them): one half per zone.
            "cidr_block": f"127.0.1.{128 * i}/25",
            "tags": {},
        }
        for i, zone in enumerate(_ids.ZONES)
    ]


def images(name: str | None = None, owner: str | None = None) -> list[dict[str, Any]]:
    out = []
    for image in IMAGES:
        if name and not fnmatch.fnmatchcase(image.name, name):
            continue
        if owner and owner not in (IMAGE_OWNER, "self"):
            continue
        out.append(image.to_json())
    return out


def image(image_id: str) -> Image:
    for img in IMAGES:
        if img.id == image_id:
            return img
    raise NotFound(
        f'The image id "{image_id}" does not exist in the local cloud\'s catalogue.', "image_id"
    )


def instance_types() -> list[dict[str, Any]]:
    return [{"name": n, "memory_mib": m, "vcpus": c} for n, (m, c) in INSTANCE_TYPES.items()]

"""A real ``gitterra server`` with one test-only route: ``POST /test/instances`` launches an
instance through the compute service (in the real cloud, auto-scaling groups launch them).

``python -m tests.cloud.compute.launcher --data-dir DIR``: the same ``serve`` and installers as
``gitterra server``, plus that route; it writes ``server.json`` like the real one.
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from gitterra import server
from gitterra.cli._server import installers
from gitterra.cloud import Cloud
from gitterra.cloud.compute import Compute, LaunchSpec


class Launch(BaseModel):
    image_id: str
    instance_type: str = "t2.micro"
    user_data: str = ""  # base64
    group: str | None = None
    tags: dict[str, str] = {}


def install_test_routes(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    @app.post("/test/instances", dependencies=[Depends(authorized)], status_code=201)
    async def launch(body: Launch) -> dict[str, Any]:
        compute = cloud.service("compute", Compute)
        spec = LaunchSpec(
            image_id=body.image_id,
            instance_type=body.instance_type,
            user_data=base64.b64decode(body.user_data),
            group=body.group,
            tags=body.tags,
        )
        return await compute.launch(spec)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    server.serve(args.data_dir, "127.0.0.1:0", [*installers(), install_test_routes])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A real ``gitterra server`` with one more githost subscriber, for delivery and crash tests.

``python -m tests.cloud.githost.launcher --data-dir DIR --listen HOST:PORT``: the installers
of ``gitterra server`` plus :func:`install_recorder`, whose subscriber (named
``tests.recorder``) appends every delivery attempt to ``DIR/delivered.jsonl`` (written and
fsynced before it returns or raises) and, by ``DIR/subscriber-mode``, acknowledges (``ok``),
raises (``fail``) or never returns (``hang``). Each line says whether the event was already
stored when the subscriber was called.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from gitterra import server
from gitterra.cli._server import installers
from gitterra.cloud import Cloud
from gitterra.cloud.githost import GitHost
from gitterra.triggers import Event


def install_recorder(app: FastAPI, cloud: Cloud, authorized: Any) -> None:
    del app, authorized
    host = cloud.service("githost", GitHost)
    path = cloud.data_dir / "delivered.jsonl"
    mode_file = cloud.data_dir / "subscriber-mode"

    async def record(event: Event) -> None:
        mode = mode_file.read_text().strip() if mode_file.exists() else "ok"
        stored = any(
            d["delivery_id"] == event.delivery_id for d in host.stored_events(event.repository)
        )
        line = {
            "mode": mode,
            "stored_first": stored,
            "delivery_id": event.delivery_id,
            "kind": event.kind,
            "head_ref": event.head_ref,
            "before": event.before,
            "after": event.after,
            "pull_request": event.pull_request,
        }
        with path.open("a") as fh:
            fh.write(json.dumps(line) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if mode == "fail":
            raise RuntimeError("the test subscriber was told to fail")
        if mode == "hang":
            await asyncio.Event().wait()

    host.subscribe(record, name="tests.recorder")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--listen", default="127.0.0.1:0")
    args = parser.parse_args()
    server.serve(args.data_dir, args.listen, [*installers(), install_recorder])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``gitterra server``: run the local cloud (API, and later webhooks, git host, dashboard)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from gitterra import cloud, server
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.kits import default_data_dir

FLAGS = (
    flags.Flag(
        "data-dir",
        kind="str",
        metavar="DIR",
        help="Where the server keeps everything (default $GITTERRA_DATA_DIR, "
        "~/.local/share/gitterra).",
    ),
    flags.Flag(
        "listen",
        kind="str",
        default="127.0.0.1:7070",
        metavar="HOST:PORT",
        help="Address of the API and dashboard (port 0: any free port).",
    ),
    flags.Flag("verbose", help="Log what controllers do."),
)

HELP = """Usage: gitterra server [--data-dir DIR] [--listen HOST:PORT]

  Runs the gitterra server: the local cloud that applies run against, its API (see
  /openapi.json) and dashboard. Prints the URL and the environment line that points clients
  (the aws provider, gitterra cloud ...) at it. Ctrl-C or SIGTERM stops it cleanly.

Options:
"""


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if opts.args:
        raise flags.UsageError(f"server takes no positional arguments, got {opts.args[0]!r}")
    data_dir = Path(opts.get_str("data-dir") or default_data_dir()).expanduser().resolve()
    logging.basicConfig(
        level=logging.INFO if opts.get_bool("verbose") else logging.WARNING,
        format="%(asctime)s %(name)s %(message)s",
    )

    def ready(running: server.Running) -> None:
        ui.print(f"gitterra server {running.url} (data dir {running.data_dir}, pid {os.getpid()})")
        ui.print(f"dashboard: {running.url}/")
        ui.print(f"export GITTERRA_ENDPOINT={running.url} GITTERRA_TOKEN={running.token}")

    try:
        server.serve(data_dir, opts.get_str("listen") or "127.0.0.1:7070", installers(), ready)
    except (server.ListenError, cloud.crypto.CryptoError, cloud.isolation.IsolationError) as exc:
        ui.error(f"Error: {exc}")
        return 1
    return 0


def installers() -> list[server.RouteInstaller]:
    """Every service's routes (each service package adds its installer here)."""
    from gitterra.server import (
        _routes_autoscaling,
        _routes_codebuild,
        _routes_compute,
        _routes_ec2,
        _routes_elb,
        _routes_githost,
        _routes_logs,
        _routes_state,
    )

    return [
        _routes_ec2.install,
        _routes_logs.install,
        _routes_compute.install,
        _routes_elb.install,
        _routes_autoscaling.install,
        _routes_githost.install,
        _routes_codebuild.install,
        _routes_state.install,
    ]

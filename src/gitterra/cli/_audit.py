"""``gitterra audit``: the server's audit log (the admin token only).

Each line is one record: time (UTC), sequence number, actor (``admin``, ``token:<id>``,
``build:<id>``, ``anonymous``), action (an HTTP method and route, or a named action such as
``state.lock`` or ``git.push``), outcome (the HTTP status), source address and target. ``-f``
follows new records like ``tail -f`` until Ctrl-C, which ends it normally (status 0).
"""

from __future__ import annotations

import time
from typing import Any

from gitterra.cli import _cloud
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.cloud import tokens

FLAGS = (
    flags.Flag("limit", kind="int", default=50, metavar="N", help="The newest N (default 50)."),
    flags.Flag(
        "actor",
        kind="str",
        metavar="A",
        help="Only this actor: admin, token:ID, build:ID, or a prefix ending in ':' (build:).",
    ),
    flags.Flag("project", kind="str", metavar="P", help="Only records of project P."),
    flags.Flag(
        "outcome",
        kind="str",
        metavar="O",
        help="Only allowed (1xx-3xx), refused (401, 403, 413, 429) or failed (the rest).",
    ),
    flags.Flag("follow", help="Keep printing new records as they come, until Ctrl-C."),
    flags.Flag("f", help="Same as -follow."),
)

HELP = """Usage: gitterra audit [--limit N] [--actor A] [--project P] [--outcome O] [-f]

  Shows the audit log: every API call that changed something or tried to (allowed or
  refused), and every use of a build's token: who, what, to what, when, from where, and how
  it ended.

Options:
"""

MAX_LIMIT = 1000
OUTCOMES = tokens.VERDICTS


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if opts.args:
        raise flags.UsageError("audit takes no arguments (filter with --actor and --project)")
    limit = opts.get_int("limit")
    if not 1 <= limit <= MAX_LIMIT:
        raise flags.UsageError(f"--limit must be between 1 and {MAX_LIMIT}, got {limit}")
    outcome = opts.get_str("outcome")
    if outcome and outcome not in OUTCOMES:
        raise flags.UsageError(f"--outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    follow = opts.get_bool("follow") or opts.get_bool("f")
    params: dict[str, Any] = {"limit": limit}
    for name in ("actor", "project", "outcome"):
        if opts.get_str(name):
            params[name] = opts.get_str(name)
    try:
        api = _cloud._connect()
        try:
            _show(ui, api, params, follow)
        finally:
            api.close()
    except _cloud.CloudCommandError as exc:
        ui.error(f"Error: {exc}")
        return 1
    except KeyboardInterrupt:
        if not follow:
            raise
    return 0


def _show(ui: UI, api: _cloud._Api, params: dict[str, Any], follow: bool) -> None:
    page = api.get("/audit", params)
    for record in page["items"]:
        ui.print(line(record))
    if not follow:
        if not page["items"]:
            ui.print("No audit records.")
        return
    since = int(page.get("next") or 0)
    while True:
        page = api.get("/audit", {**params, "since": since, "limit": 1000})
        for record in page["items"]:
            ui.print(line(record))
        since = int(page.get("next", since))
        if not page["items"]:
            time.sleep(_cloud.FOLLOW_INTERVAL)


def line(record: dict[str, Any]) -> str:
    """One record on one line."""
    return (
        f"{_cloud.when(record.get('time'))}  {record.get('seq', ''):>6}  "
        f"{record.get('actor', '')}  {record.get('action', '')}  {record.get('outcome', '')}  "
        f"{record.get('source') or '-'}  {record.get('target', '')}"
        + (f"  ({record['detail']})" if record.get("detail") else "")
    )

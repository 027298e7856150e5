"""``gitterra builds``, ``gitterra build start|stop`` and ``gitterra logs``: the build service
for a person at the terminal (docs/cloud-api.md, "CodeBuild").

They talk to the server's API like any client (the server is found as ``gitterra cloud`` finds
it). ``logs -f`` follows a build's log as it is written (long-polling the server) and ends when
the build ends; Ctrl-C ends it early, normally.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from gitterra.cli import _cloud
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI

#: How long one follow request waits on the server for new lines.
FOLLOW_WAIT = 25

BUILDS_FLAGS = (
    flags.Flag("status", kind="str", metavar="STATUS", help="Only builds in this status."),
    flags.Flag("limit", kind="int", default=20, metavar="N", help="At most N builds (default 20)."),
)
BUILDS_HELP = """Usage: gitterra builds [PROJECT] [-status STATUS] [-limit N]

  Lists builds, newest first: all projects', or PROJECT's.

Options:
"""

BUILD_FLAGS = (
    flags.Flag(
        "source-version",
        kind="str",
        metavar="REF",
        help="start: a commit, branch, tag or pr/N (default: the project's).",
    ),
    flags.Flag(
        "env",
        kind="list",
        metavar="NAME=VALUE",
        help="start: set an environment variable for this build (repeatable; CodeBuild's "
        "environment-variables-override).",
    ),
)
BUILD_HELP = """Usage: gitterra build start PROJECT [--source-version REF] [--env NAME=VALUE]...
       gitterra build stop ID

  Starts a build of PROJECT (queued; prints its id), or stops build ID.

Options:
"""

LOGS_FLAGS = (
    flags.Flag("follow", help="Keep printing the log as it is written, until the build ends."),
    flags.Flag("f", help="Same as -follow."),
)
LOGS_HELP = """Usage: gitterra logs ID [-f]

  Prints build ID's log; with -f, follows it until the build ends.

Options:
"""


def run_builds(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(BUILDS_FLAGS, argv, interspersed=True)
    if len(opts.args) > 1:
        raise flags.UsageError("builds takes at most one argument, a project name")
    params: dict[str, Any] = {"limit": opts.get_int("limit")}
    if opts.args:
        params["project"] = opts.args[0]
    if opts.get_str("status"):
        params["status"] = opts.get_str("status")

    def list_builds(api: _cloud._Api) -> None:
        if opts.args:
            api.get(f"/codebuild/projects/{_quote(opts.args[0])}")  # an unknown one says so
        ui.print(builds_table(api.get("/codebuild/builds", params)["items"]))

    return _with_api(ui, list_builds)


def run_build(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(BUILD_FLAGS, argv, interspersed=True)
    if not opts.args or opts.args[0] not in ("start", "stop"):
        raise flags.UsageError("build needs a subcommand: start PROJECT, or stop ID")
    action, args = opts.args[0], opts.args[1:]
    if len(args) != 1:
        raise flags.UsageError(
            f"build {action} takes one argument: "
            + ("a project name" if action == "start" else "a build id")
        )
    version = opts.get_str("source-version")
    if action == "stop" and (version is not None or opts.get_list("env")):
        raise flags.UsageError("--source-version and --env are for build start")
    overrides = []
    for item in opts.get_list("env"):
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise flags.UsageError(f"--env takes NAME=VALUE, got {item!r}")
        overrides.append({"name": name, "value": value, "type": "PLAINTEXT"})

    def act(api: _cloud._Api) -> None:
        if action == "start":
            body: dict[str, Any] = {"project_name": args[0]}
            if version:
                body["source_version"] = version
            if overrides:
                body["environment_variables_override"] = overrides
            doc = api.post("/codebuild/builds", body)
            ui.print(f"Build {doc['id']} queued (#{doc['build_number']}).")
            ui.print(f"Follow it with: gitterra logs -f {doc['id']}")
        else:
            doc = api.post(f"/codebuild/builds/{_quote(args[0])}/stop", {})
            shown = "stopping" if doc["status"] == "IN_PROGRESS" else doc["status"]
            ui.print(f"Build {doc['id']}: {shown}.")

    return _with_api(ui, act)


def run_logs(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(LOGS_FLAGS, argv, interspersed=True)
    if len(opts.args) != 1:
        raise flags.UsageError("logs takes one argument: a build id")
    follow = opts.get_bool("follow") or opts.get_bool("f")
    path = f"/codebuild/builds/{_quote(opts.args[0])}/logs"

    def show(api: _cloud._Api) -> None:
        offset, complete = 0, False
        while True:
            params = {"offset": offset, "wait": FOLLOW_WAIT if follow and offset else 0}
            page = api.get(path, params)
            text = str(page.get("text") or "")
            if text:
                ui.out.write(text)
                ui.out.flush()
            offset = int(page.get("next_offset", offset))
            complete = bool(page.get("complete"))
            if complete or (not follow and not text):
                return

    try:
        return _with_api(ui, show)
    except KeyboardInterrupt:
        if not follow:
            raise
        return 0


def _with_api(ui: UI, work: Any) -> int:
    try:
        api = _cloud._connect()
        try:
            work(api)
        finally:
            api.close()
    except _cloud.CloudCommandError as exc:
        ui.error(f"Error: {exc}")
        return 1
    return 0


def builds_table(items: list[dict[str, Any]]) -> str:
    rows = []
    for b in items:
        trigger = b.get("trigger") or {}
        source = (b.get("resolved_source_version") or "")[:10] or b.get("source_version") or "-"
        why = b.get("webhook_variables", {}).get("CODEBUILD_WEBHOOK_TRIGGER") or b.get("initiator")
        rows.append(
            [
                b.get("id"),
                f"#{b.get('build_number')}",
                b.get("status"),
                b.get("current_phase") or "-",
                source,
                f"{why}" + (f" ({trigger.get('event')})" if trigger.get("event") else ""),
                _cloud.age(b.get("queued_at")),
                _duration(b),
            ]
        )
    headers = ("ID", "NUMBER", "STATUS", "PHASE", "SOURCE", "TRIGGER", "QUEUED", "DURATION")
    return _cloud.table(headers, rows, "No builds.")


def _duration(build: dict[str, Any]) -> str:
    start, end = build.get("start_time"), build.get("end_time")
    if not start or not end:
        return "-"
    parse = _cloud._parse_time
    begun, ended = parse(start), parse(end)
    if begun is None or ended is None:
        return "-"
    return f"{max(0, round((ended - begun).total_seconds()))}s"


def _quote(part: str) -> str:
    return urllib.parse.quote(part, safe=":")

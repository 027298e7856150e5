"""``gitterra token``: scoped tokens for people and automation (create, list, revoke).

Only the admin token manages tokens. ``create`` prints the new token alone on stdout (so
``TOKEN=$(gitterra token create --project web --read-only)`` works) and what it may do on
stderr; the server keeps only its hash, so this is the only time it is shown. Bad input (an
unknown subcommand, a malformed duration or project) is refused before anything is made; the
server names the field it refuses.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from gitterra.cli import _cloud
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI

FLAGS = (
    flags.Flag(
        "project",
        kind="str",
        metavar="P",
        help="create: the project the token acts for (its state, the resources it created).",
    ),
    flags.Flag("read-only", help="create: the token may only read (as builds of pull requests)."),
    flags.Flag(
        "expires",
        kind="str",
        metavar="DURATION",
        help="create: how long it is valid: 90s, 30m, 24h, 7d, 1h30m, or never (default 30d).",
    ),
    flags.Flag("description", kind="str", metavar="TEXT", help="create: what it is for."),
    flags.Flag("all", help="list: also revoked and expired tokens (ended builds' among them)."),
)

HELP = """Usage: gitterra token <subcommand> [options]

  Manages the server's scoped tokens (the admin token only). A token with --project acts for
  that project: it reads everything, writes its project's state, and changes only the cloud
  resources its project created; --read-only ones change nothing. Each build gets a token
  of its own while it runs, read-only for pull requests.

Subcommands:
  create [--project P] [--read-only] [--expires 24h] [--description TEXT]
                      Make a token and print it (the only time it is shown)
  list [--all]        List tokens (never their text)
  revoke ID           Revoke token ID at once

Options:
"""

_ARGS = {"create": 0, "list": 0, "revoke": 1}
_CREATE_ONLY = ("project", "read-only", "expires", "description")


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if not opts.args or opts.args[0] not in _ARGS:
        given = f'"{opts.args[0]}" is not a token subcommand' if opts.args else "token needs a"
        raise flags.UsageError(
            f"{given}{'' if opts.args else ' subcommand'}: use create, list or revoke ID"
        )
    name, args = opts.args[0], opts.args[1:]
    if len(args) != _ARGS[name]:
        raise flags.UsageError(
            f"token {name} takes " + ("a token ID" if _ARGS[name] else "no arguments")
        )
    misplaced = [f for f in _CREATE_ONLY if f in opts.given] if name != "create" else []
    if misplaced or (name != "list" and "all" in opts.given):
        shown = ", ".join(f"--{f}" for f in misplaced) or "--all"
        raise flags.UsageError(f"{shown} is not an option of token {name}")

    def act(api: _cloud._Api) -> None:
        if name == "create":
            _create(ui, api, opts)
        elif name == "list":
            ui.print(tokens_table(api.get("/tokens")["items"], opts.get_bool("all")))
        else:
            doc = api._call("DELETE", f"/tokens/{urllib.parse.quote(args[0], safe='')}")
            ui.print(f"Revoked token {doc['id']} ({_scope(doc)}).")

    try:
        api = _cloud._connect()
        try:
            act(api)
        finally:
            api.close()
    except _cloud.CloudCommandError as exc:
        ui.error(f"Error: {exc}")
        return 1
    return 0


def _create(ui: UI, api: _cloud._Api, opts: flags.Parsed) -> None:
    body: dict[str, Any] = {"read_only": opts.get_bool("read-only")}
    for flag, field in (("project", "project"), ("expires", "expires_in")):
        if opts.get_str(flag) is not None:
            body[field] = opts.get_str(flag)
    if opts.get_str("description") is not None:
        body["description"] = opts.get_str("description")
    doc = api.post("/tokens", body)
    ui.print(doc["token"])
    expires = (
        f"expires {_cloud.when(doc['expires_at'])} UTC" if doc["expires_at"] else "never expires"
    )
    ui.error(
        f"Created token {doc['id']} ({_scope(doc)}; {expires}). It is shown only this once: "
        "keep it secret."
    )


def _scope(doc: dict[str, Any]) -> str:
    project = f"project {doc['project']}" if doc.get("project") else "no project"
    return f"{project}, {'read-only' if doc.get('read_only') else 'read-write'}"


def tokens_table(items: list[dict[str, Any]], everything: bool = False) -> str:
    rows = [
        [
            t.get("id"),
            t.get("kind"),
            t.get("project") or "-",
            "read-only" if t.get("read_only") else "read-write",
            t.get("state"),
            _cloud.when(t.get("expires_at")) if t.get("expires_at") else "never",
            t.get("created_by"),
            t.get("description") or "-",
        ]
        for t in items
        if everything or t.get("state") == "active"
    ]
    headers = ("ID", "KIND", "PROJECT", "ACCESS", "STATE", "EXPIRES", "CREATED BY", "DESCRIPTION")
    return _cloud.table(
        headers, rows, "No tokens." + ("" if everything else " (--all: every record)")
    )

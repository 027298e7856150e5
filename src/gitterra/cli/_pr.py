"""``gitterra pr``: pull requests on the git host (open, list, show, close, reopen, merge).

The repository is ``-repo NAME``, else the one the current directory's ``origin`` remote
points at. Failures (no server, unknown branch, a merge that conflicts, with its files) are one
line on stderr, exit status 1.
"""

from __future__ import annotations

from typing import Any

from gitterra.cli import _flags as flags
from gitterra.cli._cloud import age, table
from gitterra.cli._repo import Api, RepoCommandError, quote, repository_of
from gitterra.cli._ui import UI

FLAGS = (
    flags.Flag("repo", kind="str", metavar="NAME", help="The repository (default: origin's)."),
    flags.Flag(
        "title", kind="str", metavar="TEXT", help="open: the title (default: head's subject)."
    ),
    flags.Flag("state", kind="str", metavar="STATE", help="list: only open, closed or merged."),
)

HELP = """Usage: gitterra pr <subcommand> [options]

  Pull requests on the gitterra server's git host. Opening one, pushing to its head branch,
  closing, reopening and merging it are events that can start builds; a build's commit
  statuses show in `pr show`.

Subcommands:
  open HEAD BASE [-title TEXT]   Propose branch HEAD for branch BASE
  list [-state STATE]            List pull requests
  show N                         Show one, with the statuses of its head commit
  close N                        Close it without merging
  reopen N                       Reopen a closed one
  merge N                        Merge it into BASE (fast-forward, or a merge commit)

Options:
"""

_ARGS = {"open": 2, "list": 0, "show": 1, "close": 1, "reopen": 1, "merge": 1}
_DONE = {"close": "Closed", "reopen": "Reopened"}


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if not opts.args or opts.args[0] not in _ARGS:
        given = f'"{opts.args[0]}" is not a pr subcommand' if opts.args else "pr needs a subcommand"
        raise flags.UsageError(f"{given}: use one of {', '.join(_ARGS)}")
    name, args = opts.args[0], opts.args[1:]
    if len(args) != _ARGS[name]:
        wanted = {0: "no arguments", 1: "a pull request number N", 2: "HEAD and BASE"}
        raise flags.UsageError(f"pr {name} takes {wanted[_ARGS[name]]}")
    number = _number(args[0]) if _ARGS[name] == 1 else 0
    try:
        repo = repository_of(opts.get_str("repo"))
        api = Api.connect()
        try:
            _run(ui, api, repo, name, args, number, opts)
        finally:
            api.close()
    except RepoCommandError as exc:
        ui.error(f"Error: {exc}")
        return 1
    return 0


def _number(text: str) -> int:
    digits = text.removeprefix("#")
    if not digits.isdigit() or int(digits) < 1:
        raise flags.UsageError(f"{text!r} is not a pull request number (1, 2, ...)")
    return int(digits)


def _run(
    ui: UI, api: Api, repo: str, name: str, args: list[str], number: int, opts: flags.Parsed
) -> None:
    base = f"/repositories/{quote(repo)}/pulls"
    if name == "open":
        body = {"head": args[0], "base": args[1], "title": opts.get_str("title")}
        pr = api.call("POST", base, body)
        ui.print(f"Opened pull request #{pr['number']} in {repo}: {_line(pr)}")
    elif name == "list":
        state = opts.get_str("state")
        items = api.call("GET", base + (f"?state={quote(state)}" if state else ""))["items"]
        ui.print(_table(items))
    elif name == "show":
        ui.print(_details(api.call("GET", f"{base}/{number}")))
    elif name == "merge":
        pr = api.call("POST", f"{base}/{number}/merge")
        ui.print(f"Merged pull request #{number} into {pr['base']}: {_merge_line(pr)}")
    else:
        pr = api.call("POST", f"{base}/{number}/{name}")
        ui.print(f"{_DONE[name]} pull request #{number}: {_line(pr)}")


def _line(pr: dict[str, Any]) -> str:
    return f"{pr.get('head')} -> {pr.get('base')} ({pr.get('title')})"


def _merge_line(pr: dict[str, Any]) -> str:
    sha = str(pr.get("merge_commit_sha") or "")
    if sha == pr.get("head_sha"):
        return f"fast-forward to {sha[:12]}"
    return f"merge commit {sha[:12]}"


def _table(items: list[dict[str, Any]]) -> str:
    rows = [
        [
            f"#{p.get('number')}",
            p.get("state"),
            f"{p.get('head')} -> {p.get('base')}",
            p.get("status") or "-",
            age(p.get("updated_at")),
            p.get("title"),
        ]
        for p in items
    ]
    headers = ("PR", "STATE", "BRANCHES", "CHECKS", "UPDATED", "TITLE")
    return table(headers, rows, "No pull requests.")


def _details(pr: dict[str, Any]) -> str:
    lines = [
        f"#{pr.get('number')} {pr.get('title')}",
        f"state:   {pr.get('state')}",
        f"head:    {pr.get('head')} {pr.get('head_sha')}",
        f"base:    {pr.get('base')} {pr.get('base_sha')}",
    ]
    if pr.get("merge_commit_sha"):
        lines.append(f"merged:  {pr.get('merge_commit_sha')} at {pr.get('merged_at')}")
    lines.append(f"opened:  {pr.get('created_at')} by {pr.get('author')}")
    statuses = pr.get("statuses") or []
    lines.append(f"checks:  {pr.get('status') or 'none'}")
    if statuses:
        rows = [
            [
                s.get("context"),
                s.get("state"),
                s.get("description") or "-",
                s.get("target_url") or "-",
            ]
            for s in statuses
        ]
        lines.append("")
        lines.append(table(("CONTEXT", "STATE", "DESCRIPTION", "TARGET URL"), rows, ""))
    return "\n".join(lines)

"""``gitterra cloud``: the local cloud for a person at the terminal (instances, groups,
balancers, an instance's console, terminating one, the event log).

It talks to the server's API (docs/cloud-api.md) exactly as any client: the server is found with
:func:`gitterra.kits.find_endpoint` (``GITTERRA_ENDPOINT``/``GITTERRA_TOKEN``, else the data
dir's ``server.json`` and ``token``). Failures are one line on stderr saying what to do (no
server, wrong token, unknown instance) and exit status 1. ``console -f`` and ``events -f``
follow new output like ``tail -f`` until Ctrl-C, which ends them normally (status 0).

Errors::

    CloudCommandError           no server, unreachable, token refused, API error (message)
"""

from __future__ import annotations

import datetime
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

import httpx

from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.kits import default_data_dir, find_endpoint

#: Seconds between polls while following; a person reading output does not notice it.
FOLLOW_INTERVAL = 0.5

FLAGS = (
    flags.Flag("group", kind="str", metavar="NAME", help="instances: only this group's."),
    flags.Flag("state", kind="str", metavar="STATE", help="instances: only in this state."),
    flags.Flag("kind", kind="str", metavar="KIND", help="events: only of this kind."),
    flags.Flag("since", kind="int", default=0, metavar="SEQ", help="events: after this one."),
    flags.Flag("follow", help="console, events: keep printing new output until Ctrl-C."),
    flags.Flag("f", help="Same as -follow."),
)

HELP = """Usage: gitterra cloud <subcommand> [options]

  Shows and acts on the local cloud of the running gitterra server (found from
  GITTERRA_ENDPOINT and GITTERRA_TOKEN, else from the data dir's server.json and token).

Subcommands:
  info                                     Show the server and region the commands use
  instances [-group NAME] [-state STATE]   List instances
  groups                                   List auto scaling groups
  balancers                                List load balancers with their listeners
  console ID [-f]                          Print an instance's console output (-f: follow)
  terminate ID                             Terminate an instance
  events [-kind KIND] [-since SEQ] [-f]    Show what the cloud's controllers did

Options:
"""

_SUBCOMMANDS = {
    "info": 0,
    "instances": 0,
    "groups": 0,
    "balancers": 0,
    "console": 1,
    "terminate": 1,
    "events": 0,
}


class CloudCommandError(Exception):
    """A failure the person can act on; the message says how."""


class _Api:
    """The server's API through httpx, with its failures turned into :class:`CloudCommandError`."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._call("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._call("POST", path, json=body)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, "/api/v1" + path, **kwargs)
        except httpx.TransportError as exc:
            raise CloudCommandError(
                f"cannot reach the gitterra server at {self.url} ({exc or type(exc).__name__}): "
                "is `gitterra server` running?"
            ) from exc
        try:
            body = response.json() if response.content else None
        except ValueError as exc:
            raise CloudCommandError(
                f"unexpected answer from {self.url}{path}: HTTP {response.status_code}, not JSON"
            ) from exc
        if response.status_code == 401:
            raise CloudCommandError(
                f"the gitterra server at {self.url} refused the token: set GITTERRA_TOKEN to the "
                "token in the server's data dir (DIR/token), or unset it to read that file"
            )
        if response.is_error:
            raise CloudCommandError(_api_error(self.url, path, response.status_code, body))
        return body


def _api_error(url: str, path: str, status: int, body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return f"unexpected answer from {url}{path}: HTTP {status}"
    message = str(error.get("message", ""))
    if status == 404 and message == "Not Found":
        return f"the gitterra server at {url} does not serve {path} (is it an older version?)"
    field = f" (field {error['field']})" if error.get("field") else ""
    return f"{error.get('code', 'Error')}: {message}{field}"


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if not opts.args:
        raise flags.UsageError("cloud needs a subcommand: " + ", ".join(_SUBCOMMANDS))
    name, args = opts.args[0], opts.args[1:]
    if name not in _SUBCOMMANDS:
        raise flags.UsageError(
            f'"{name}" is not a cloud subcommand: use one of ' + ", ".join(_SUBCOMMANDS)
        )
    if len(args) != _SUBCOMMANDS[name]:
        wanted = "an instance ID" if _SUBCOMMANDS[name] else "no arguments"
        raise flags.UsageError(f"cloud {name} takes {wanted}")
    follow = opts.get_bool("follow") or opts.get_bool("f")
    try:
        api = _connect()
        try:
            return _run(ui, api, name, args, opts, follow)
        finally:
            api.close()
    except CloudCommandError as exc:
        ui.error(f"Error: {exc}")
        return 1
    except KeyboardInterrupt:
        if not follow:
            raise
        return 0  # Ctrl-C is how following ends


def _connect() -> _Api:
    endpoint = find_endpoint()
    if endpoint is None:
        raise CloudCommandError(
            "no gitterra server found: set GITTERRA_ENDPOINT and GITTERRA_TOKEN, or start "
            f"`gitterra server` (looked for {default_data_dir() / 'server.json'} and its token)"
        )
    return _Api(endpoint.url, endpoint.token)


def _run(ui: UI, api: _Api, name: str, args: list[str], opts: flags.Parsed, follow: bool) -> int:
    if name == "info":
        _info(ui, api)
    elif name == "instances":
        params = {k: opts.get_str(k) for k in ("group", "state") if opts.get_str(k)}
        ui.print(_instances_table(api.get("/instances", params)["items"]))
    elif name == "groups":
        ui.print(_groups_table(api.get("/autoscaling-groups")["items"]))
    elif name == "balancers":
        ui.print(_balancers_table(api))
    elif name == "console":
        _console(ui, api, args[0], follow)
    elif name == "terminate":
        doc = api.post(f"/instances/{_quote(args[0])}/terminate", {})
        state = doc.get("state") if isinstance(doc, dict) else None
        ui.print(f"{args[0]}: terminating" + (f" (state {state})" if state else ""))
    else:
        _events(ui, api, opts.get_str("kind"), opts.get_int("since"), follow)
    return 0


def _info(ui: UI, api: _Api) -> None:
    meta = api.get("/meta")
    ui.print(f"server:             {api.url}")
    ui.print(f"region:             {meta.get('region')}")
    ui.print(f"account:            {meta.get('account_id')}")
    ui.print(f"availability zones: {', '.join(meta.get('availability_zones') or [])}")
    confined = meta.get("isolation")
    if isinstance(confined, dict):  # what keeps user code from the server's files
        ui.print(f"isolation:          {confined.get('description')}")


def _quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> str:
    """Rows under headers, columns aligned with two spaces between them."""
    if not rows:
        return empty
    text = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in text) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in text]
    return "\n".join(line.rstrip() for line in lines)


def _instances_table(items: list[dict[str, Any]]) -> str:
    rows = [
        [
            i.get("id"),
            i.get("state"),
            # Status checks are a running instance's: an ended one has none to show.
            (i.get("health") if i.get("state") in ("pending", "running") else None) or "-",
            i.get("group") or "-",
            f"{i.get('private_ip')}:{i.get('port')}" if i.get("private_ip") else "-",
            i.get("instance_type"),
            age(i.get("launched_at")),
        ]
        for i in sorted(items, key=lambda i: (str(i.get("launched_at") or ""), str(i.get("id"))))
    ]
    headers = ("ID", "STATE", "HEALTH", "GROUP", "ADDRESS", "TYPE", "AGE")
    return table(headers, rows, "No instances.")


def _groups_table(items: list[dict[str, Any]]) -> str:
    rows = []
    for g in items:
        members = g.get("instances") or []
        in_service = sum(1 for m in members if m.get("lifecycle_state") == "InService")
        template = g.get("launch_template")
        launch = (
            f"{template.get('id')}:{template.get('version')}"
            if isinstance(template, dict)
            else g.get("launch_configuration") or "-"
        )
        rows.append(
            [
                g.get("name"),
                g.get("desired_capacity"),
                g.get("min_size"),
                g.get("max_size"),
                f"{in_service}/{len(members)}",
                launch,
                g.get("status") or "-",
            ]
        )
    headers = ("NAME", "DESIRED", "MIN", "MAX", "IN SERVICE", "LAUNCH", "STATUS")
    return table(headers, rows, "No auto scaling groups.")


def _balancers_table(api: _Api) -> str:
    balancers = api.get("/load-balancers")["items"]
    if not balancers:
        return "No load balancers."
    groups = {tg.get("arn"): tg for tg in api.get("/target-groups")["items"]}
    rows = []
    for lb in balancers:
        listeners = api.get("/listeners", {"load_balancer_arn": lb.get("arn")})["items"]
        head = [lb.get("name"), lb.get("state")]
        if not listeners:
            rows.append([*head, "-", "-", "-"])
        for listener in sorted(listeners, key=lambda x: int(x.get("port") or 0)):
            rows.append(
                [
                    *head,
                    f"{listener.get('protocol', 'HTTP')}:{listener.get('port')}",
                    listener.get("url") or "-",
                    _action(api, listener.get("default_action") or {}, groups),
                ]
            )
    return table(("NAME", "STATE", "LISTENER", "URL", "ACTION"), rows, "No load balancers.")


def _action(api: _Api, action: dict[str, Any], groups: dict[Any, dict[str, Any]]) -> str:
    kind = action.get("type")
    if kind == "forward":
        arn = str(action.get("target_group_arn"))
        targets = api.get(f"/target-groups/{_quote(arn)}/targets")["items"]
        healthy = sum(1 for t in targets if t.get("state") == "healthy")
        name = groups.get(arn, {}).get("name", arn)
        return f"forward to {name} ({healthy}/{len(targets)} healthy)"
    if kind == "fixed-response":
        return f"fixed response {action.get('status_code')}"
    if kind == "redirect":
        return f"redirect {action.get('status_code')}"
    return str(kind)


def _console(ui: UI, api: _Api, instance_id: str, follow: bool) -> None:
    path = f"/instances/{_quote(instance_id)}/console"
    offset = 0
    while True:
        chunk = api.get(path, {"offset": offset})
        text = str(chunk.get("text") or "")
        if text:
            ui.out.write(text)
            ui.out.flush()
        offset = int(chunk.get("next_offset", offset + len(text)))
        if not follow:
            if text and not text.endswith("\n"):
                ui.print()
            return
        if not text:
            time.sleep(FOLLOW_INTERVAL)


def _events(ui: UI, api: _Api, kind: str | None, since: int, follow: bool) -> None:
    shown = 0
    while True:
        params: dict[str, Any] = {"since": since, **({"kind": kind} if kind else {})}
        page = api.get("/events", params)
        for event in page["items"]:
            seq, kind_ = str(event.get("seq", "")), str(event.get("kind", ""))
            ui.print(
                f"{when(event.get('time'))}  {seq:>5}  {kind_:<22}  "
                f"{event.get('subject', '')}  {event.get('message', '')}"
            )
        shown += len(page["items"])
        since = int(page.get("next", since))
        if page["items"]:
            continue
        if not follow:
            if not shown:
                ui.print("No events.")
            return
        time.sleep(FOLLOW_INTERVAL)


def _parse_time(value: object) -> datetime.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, datetime.UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
    return None


def when(value: object) -> str:
    """A time (RFC 3339 text or epoch seconds) as ``2026-11-26 15:16:17`` UTC."""
    parsed = _parse_time(value)
    return parsed.strftime("%Y-%m-%d %H:%M:%S") if parsed else "-"


def age(value: object, now: datetime.datetime | None = None) -> str:
    """How long ago: ``45s``, ``12m``, ``3h``, ``2d``."""
    parsed = _parse_time(value)
    if parsed is None:
        return "-"
    seconds = max(0, int(((now or datetime.datetime.now(datetime.UTC)) - parsed).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"

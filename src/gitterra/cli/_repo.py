"""``gitterra repo``: the git host's repositories (create, list), and the API client the ``pr``
command shares.

The server is found as for ``gitterra cloud`` (``GITTERRA_ENDPOINT``/``GITTERRA_TOKEN``, else
the data dir's ``server.json`` and ``token``). Failures are one line on stderr saying what to
do, exit status 1.

Errors::

    RepoCommandError            no server, unreachable, token refused, API error, no repository
"""

from __future__ import annotations

import re
import subprocess
import urllib.parse
from typing import Any

import httpx

from gitterra.cli import _flags as flags
from gitterra.cli._cloud import age, table
from gitterra.cli._ui import UI
from gitterra.kits import default_data_dir, find_endpoint

FLAGS: tuple[flags.Flag, ...] = ()

HELP = """Usage: gitterra repo <subcommand>

  Manages the repositories of the gitterra server's git host. Cloning and fetching need no
  credentials; pushing asks for them: any user name, and the server's token as password.

Subcommands:
  create NAME        Create a bare repository (default branch main) and print its clone URL
  list               List the repositories
  credential OP      A git credential helper that answers with the server's token:
                       git config --global credential.helper '!gitterra repo credential'

"""

_SUBCOMMANDS = {"create": 1, "list": 0, "credential": 1}
_REPO_URL = re.compile(r"/git/([A-Za-z0-9][A-Za-z0-9._-]*?)(?:\.git)?/?$")


class RepoCommandError(Exception):
    """A failure the person can act on; the message says how."""


class Api:
    """The server's API through httpx, failures turned into :class:`RepoCommandError`."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )

    @classmethod
    def connect(cls) -> Api:
        endpoint = find_endpoint()
        if endpoint is None:
            raise RepoCommandError(
                "no gitterra server found: set GITTERRA_ENDPOINT and GITTERRA_TOKEN, or start "
                f"`gitterra server` (looked for {default_data_dir() / 'server.json'} and its token)"
            )
        return cls(endpoint.url, endpoint.token)

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        try:
            response = self.http.request(method, "/api/v1" + path, json=body, params=params)
        except httpx.TransportError as exc:
            raise RepoCommandError(
                f"cannot reach the gitterra server at {self.url} ({exc or type(exc).__name__}): "
                "is `gitterra server` running?"
            ) from exc
        if response.status_code == 401:
            raise RepoCommandError(
                f"the gitterra server at {self.url} refused the token: set GITTERRA_TOKEN to the "
                "token in the server's data dir (DIR/token), or unset it to read that file"
            )
        try:
            doc = response.json() if response.content else None
        except ValueError as exc:
            raise RepoCommandError(
                f"unexpected answer from {self.url}{path}: HTTP {response.status_code}, not JSON"
            ) from exc
        if response.is_error:
            raise RepoCommandError(_error_text(self.url, path, response.status_code, doc))
        return doc


def _error_text(url: str, path: str, status: int, doc: Any) -> str:
    error = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(error, dict):
        return f"unexpected answer from {url}{path}: HTTP {status}"
    if status == 404 and error.get("message") == "Not Found":
        return f"the gitterra server at {url} has no git host (is it an older version?)"
    field = f" (field {error['field']})" if error.get("field") else ""
    return f"{error.get('code', 'Error')}: {error.get('message', '')}{field}"


def quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def repository_of(explicit: str | None) -> str:
    """``explicit``, else the repository the current directory's ``origin`` remote points at
    (``http://host:port/git/NAME.git``)."""
    if explicit:
        return explicit
    try:
        done = subprocess.run(
            ["git", "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RepoCommandError(
            f"cannot run git to find the repository ({exc}): use -repo NAME"
        ) from exc
    if done.returncode != 0:
        raise RepoCommandError(
            "cannot tell which repository: this directory has no git remote 'origin'; "
            "use -repo NAME"
        )
    url = done.stdout.strip()
    found = _REPO_URL.search(urllib.parse.urlsplit(url).path)
    if found is None:
        raise RepoCommandError(
            f"cannot tell which repository: origin is {url}, not a gitterra repository URL "
            "(http://HOST:PORT/git/NAME.git); use -repo NAME"
        )
    return found.group(1)


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if not opts.args or opts.args[0] not in _SUBCOMMANDS:
        given = f'"{opts.args[0]}" is not a repo subcommand: ' if opts.args else "repo needs "
        raise flags.UsageError(given + "use create NAME, list or credential OP")
    name, args = opts.args[0], opts.args[1:]
    if len(args) != _SUBCOMMANDS[name]:
        wanted = {"create": "one NAME", "list": "no arguments", "credential": "get, store or erase"}
        raise flags.UsageError(f"repo {name} takes {wanted[name]}")
    if name == "credential":
        return _credential(ui, args[0])
    try:
        api = Api.connect()
        try:
            if name == "create":
                _create(ui, api, args[0])
            else:
                _list(ui, api)
        finally:
            api.close()
    except RepoCommandError as exc:
        ui.error(f"Error: {exc}")
        return 1
    return 0


def _create(ui: UI, api: Api, name: str) -> None:
    doc = api.call("POST", "/repositories", {"name": name})
    url = doc["clone_url"]
    ui.print(f"Created repository {doc['name']} (default branch {doc['default_branch']}).")
    ui.print(f"clone URL: {url}")
    ui.print()
    ui.print(f"  git clone {url}")
    ui.print(f"  git remote add origin {url}      # in an existing repository")
    ui.print()
    ui.print("Pushing asks for credentials: any user name, and the server's token as password.")
    ui.print("To let git ask gitterra for them:")
    ui.print("  git config --global credential.helper '!gitterra repo credential'")


def _list(ui: UI, api: Api) -> None:
    items = api.call("GET", "/repositories")["items"]
    rows = [
        [r.get("name"), r.get("default_branch"), r.get("clone_url"), age(r.get("created_at"))]
        for r in items
    ]
    ui.print(table(("NAME", "DEFAULT BRANCH", "CLONE URL", "AGE"), rows, "No repositories."))


def _credential(ui: UI, operation: str) -> int:
    """git's credential helper protocol: for ``get`` of this server's address, answer with
    the token (any other address: say nothing, so git asks elsewhere); ``store`` and
    ``erase`` change nothing (the token lives with the server)."""
    fields = {}
    for line in ui.inp:
        if not line.strip():
            break
        key, sep, value = line.rstrip("\n").partition("=")
        if sep:
            fields[key] = value
    if operation != "get":
        return 0
    endpoint = find_endpoint()
    if endpoint is None:
        return 0
    server = urllib.parse.urlsplit(endpoint.url)
    if fields.get("protocol") == server.scheme and fields.get("host") == server.netloc:
        ui.print("username=gitterra")
        ui.print(f"password={endpoint.token}")
    return 0

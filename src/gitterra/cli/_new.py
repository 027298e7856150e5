"""``gitterra new DIR [--name NAME]``: the Fox-or-Bear project, scaffolded and pushed.

Writes the scaffold (``cli/scaffold/fox-or-bear``: the site, ``infra/``,
``deployment-pipeline/``, the buildspec and its scripts, a README) into DIR with NAME in place
of ``@@NAME@@``, makes its first commit, creates the repository NAME on the server's git host,
sets it as ``origin`` with gitterra as git's credential helper for the server, and pushes
``main``. Everything that can be checked is checked before anything is written: the name, the
directory, the server, and that the repository does not exist yet.

Errors::

    NewError        a bad name or directory, no server, git failing (the message says what to do)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from gitterra.cli import _flags as flags
from gitterra.cli._repo import Api, RepoCommandError, quote
from gitterra.cli._ui import UI

FLAGS = (
    flags.Flag(
        "name",
        kind="str",
        metavar="NAME",
        help="The project's name (repository, build project, resource names); default: DIR's.",
    ),
)

HELP = """Usage: gitterra new DIR [--name NAME]

  Creates the Fox-or-Bear project in DIR (which must not exist, or be empty): the site (www/),
  its infrastructure (infra/), the pipeline as code (deployment-pipeline/) and the buildspec;
  commits it, creates the repository NAME on the gitterra server's git host and pushes it
  (remote origin). The server is found from GITTERRA_ENDPOINT/GITTERRA_TOKEN, else the data
  dir. Then follow DIR/README.md: apply deployment-pipeline/, and every push to main deploys.

  NAME: 1 to 28 letters, digits and hyphens, starting with a letter (it prefixes the load
  balancer's and target group's names, which AWS limits to 32 characters).

Options:
"""

SCAFFOLD = "fox-or-bear"
PLACEHOLDER = "@@NAME@@"
_NAME = re.compile(r"[A-Za-z](?:[A-Za-z0-9-]{0,26}[A-Za-z0-9])?")


class NewError(Exception):
    """A failure the person can act on; the message says how."""


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    if len(opts.args) != 1:
        raise flags.UsageError("new takes one argument: the directory to create")
    target = Path(opts.args[0])
    name = opts.get_str("name") or target.resolve().name
    try:
        check_name(name)
        check_directory(target)
        api = Api.connect()
        try:
            create(ui, api, target, name)
        finally:
            api.close()
    except (NewError, RepoCommandError) as exc:
        ui.error(f"Error: {exc}")
        return 1
    return 0


def check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise NewError(
            f"--name {name!r}: a project name is 1 to 28 letters, digits and hyphens, starting "
            "with a letter and not ending with a hyphen (use --name to choose one)"
        )


def check_directory(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise NewError(f"{target}: already exists and is not an empty directory")


def create(ui: UI, api: Api, target: Path, name: str) -> None:
    """Scaffold, commit, create the repository, push; each step said as it is done."""
    try:
        api.call("GET", f"/repositories/{quote(name)}")
    except RepoCommandError as exc:
        if "NotFound" not in str(exc):
            raise
    else:
        raise NewError(f"the git host already has a repository {name!r}: choose another --name")
    written = write_scaffold(target, name)
    ui.print(f"Wrote {len(written)} files to {target}/")
    git = Git(target)
    git.run("init", "--quiet", "--initial-branch=main")
    if not git.output("config", "user.email"):
        git.run("config", "user.name", "gitterra")
        git.run("config", "user.email", "gitterra@localhost")
        ui.print("No git identity configured: this repository commits as gitterra.")
    git.run("add", "--all")
    git.run("commit", "--quiet", "--message", "Fox or Bear: first commit")
    doc = api.call("POST", "/repositories", {"name": name})
    url = str(doc["clone_url"])
    ui.print(f"Created repository {name} on the git host: {url}")
    git.run("remote", "add", "origin", url)
    server = url[: url.index("/git/")]
    git.run(
        "config", f"credential.{server}.helper", f"!{_quote_sh(gitterra_command())} repo credential"
    )
    git.run("push", "--quiet", "--set-upstream", "origin", "main")
    ui.print(f"Pushed main ({git.output('rev-parse', '--short', 'HEAD')}).")
    ui.print()
    ui.print("Next, create the pipeline (a CodeBuild project and its webhook):")
    ui.print(f"  cd {target}/deployment-pipeline && gitterra init && gitterra apply")
    ui.print(f"then every push to main deploys; see {target}/README.md.")


def write_scaffold(target: Path, name: str) -> list[Path]:
    """Copy the scaffold into ``target`` with ``name`` in place of the placeholder."""
    root = resources.files("gitterra.cli") / "scaffold" / SCAFFOLD
    written = []
    target.mkdir(parents=True, exist_ok=True)
    for rel, source in _files(root, Path()):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(source.read_text(encoding="utf-8").replace(PLACEHOLDER, name))
        if dest.suffix == ".sh" and rel.parts[0] == "buildspec":
            dest.chmod(0o755)
        written.append(dest)
    return written


def _files(node: Traversable, rel: Path) -> Iterator[tuple[Path, Traversable]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name == "__pycache__":
            continue
        if child.is_dir():
            yield from _files(child, rel / child.name)
        else:
            yield rel / child.name, child


def gitterra_command() -> str:
    """The ``gitterra`` that is running (beside this Python, else on PATH)."""
    beside = Path(sys.executable).parent / "gitterra"
    if beside.exists():
        return str(beside)
    return shutil.which("gitterra") or "gitterra"


def _quote_sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


class Git:
    """git in one directory; failures become :class:`NewError` with git's own words."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}

    def run(self, *args: str) -> None:
        self._call(args)

    def output(self, *args: str) -> str:
        return self._call(args, check=False).strip()

    def _call(self, args: tuple[str, ...], check: bool = True) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.cwd,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise NewError(f"git {args[0]} could not run: {exc}") from exc
        if check and done.returncode != 0:
            said = (done.stderr or done.stdout).strip()
            raise NewError(f"git {' '.join(args[:2])} failed in {self.cwd}: {said}")
        return done.stdout

"""``gitterra workspace list|show|new|select|delete``: several states for one configuration."""

from __future__ import annotations

import re

from gitterra import state
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.cli._workdir import DATA_DIR, ENVIRONMENT_FILE, Workdir
from gitterra.diag import Diagnostic

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FLAGS = (
    flags.Flag("force", help="Delete a workspace even if it still tracks resources."),
    flags.Flag("lock", default=True),
    flags.Flag("lock-timeout", kind="str", default="0s"),
)


def run(ui: UI, argv: list[str]) -> int:
    if not argv:
        ui.print("Usage: gitterra [global options] workspace <list|show|new|select|delete> [NAME]")
        return 1
    sub, rest = argv[0], argv[1:]
    opts = flags.parse(
        (
            flags.Flag("force"),
            flags.Flag("lock", default=True),
            flags.Flag("lock-timeout", kind="str", default="0s"),
        ),
        rest,
    )
    wd = Workdir(ui)
    module = wd.load(validate=False)
    backend = wd.backend(module)
    try:
        return _subcommand(ui, wd, backend, sub, opts)
    except state.StateError as exc:
        raise wd.fail(Diagnostic.error(f"Failed to run workspace {sub}", str(exc))) from exc


def _subcommand(ui: UI, wd: Workdir, backend: state.Backend, sub: str, opts: flags.Parsed) -> int:
    current = wd.workspace()
    if sub == "show":
        ui.print(current)
        return 0
    if sub == "list":
        for name in backend.workspaces():
            ui.print(f"{'*' if name == current else ' '} {name}")
        return 0
    if len(opts.args) != 1:
        raise flags.UsageError(f"workspace {sub} needs a workspace name")
    name = opts.args[0]
    existing = backend.workspaces()
    if sub == "new":
        if not _NAME.match(name):
            raise wd.fail(
                Diagnostic.error(
                    "Invalid workspace name",
                    f'"{name}" is not a valid workspace name: use letters, digits, ".", "-", '
                    'and "_".',
                )
            )
        if name in existing:
            raise wd.fail(
                Diagnostic.error("Workspace already exists", f'Workspace "{name}" already exists.')
            )
        state.Manager(backend.client(name)).persist(state.State.new())
        _select(name)
        ui.print(ui.style(f'Created and switched to workspace "{name}"!', "1;32"))
        ui.print(
            "\nYou're now on a new, empty workspace. Workspaces isolate their state,\n"
            'so if you run "gitterra plan" gitterra will not see any existing state\n'
            "for this configuration."
        )
        return 0
    if sub == "select":
        if name not in existing:
            raise wd.fail(
                Diagnostic.error(
                    "Workspace doesn't exist",
                    f'Workspace "{name}" doesn\'t exist. You can create this workspace with '
                    'the "new" subcommand.',
                )
            )
        _select(name)
        ui.print(f'Switched to workspace "{name}".')
        return 0
    if sub == "delete":
        if name == "default":
            raise wd.fail(
                Diagnostic.error(
                    "Cannot delete the default workspace", "The default workspace always exists."
                )
            )
        if name == current:
            raise wd.fail(
                Diagnostic.error(
                    "Workspace is selected",
                    f'Workspace "{name}" is your active workspace. You cannot delete the '
                    "currently active workspace; select another first.",
                )
            )
        if name not in existing:
            raise wd.fail(
                Diagnostic.error("Workspace doesn't exist", f'Workspace "{name}" doesn\'t exist.')
            )
        held = state.Manager(backend.client(name)).read()
        if held is not None and not held.is_empty and not opts.get_bool("force"):
            raise wd.fail(
                Diagnostic.error(
                    "Workspace is not empty",
                    f'Workspace "{name}" is currently tracking resources. Deleting it would '
                    "lose track of them; destroy them first, or use -force.",
                )
            )
        backend.delete_workspace(name)
        ui.print(ui.style(f'Deleted workspace "{name}"!', "1;32"))
        return 0
    raise flags.UsageError(f'"workspace {sub}" is not a gitterra command')


def _select(name: str) -> None:
    DATA_DIR.mkdir(exist_ok=True)
    ENVIRONMENT_FILE.write_text(name + "\n")

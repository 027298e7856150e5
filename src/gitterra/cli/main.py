"""The ``gitterra`` command: Terraform's command line, plus gitterra's own commands.

Global options come before the command, as Terraform's do: ``gitterra -chdir=infra validate``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gitterra import __version__
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.cli._workdir import CommandError

Command = Callable[[UI, list[str]], int]


@dataclass(frozen=True, slots=True)
class Entry:
    """A command, imported only when run (so the CLI starts fast and one command's imports
    never break another)."""

    module: str
    function: str
    summary: str
    help_attr: str = "HELP"
    flags_attr: str = "FLAGS"

    def load(self) -> tuple[Command, str, Sequence[flags.Flag]]:
        mod = importlib.import_module(f"gitterra.cli.{self.module}")
        command: Command = getattr(mod, self.function)
        return command, getattr(mod, self.help_attr, ""), getattr(mod, self.flags_attr, ())


COMMANDS: dict[str, Entry] = {
    "init": Entry("_init", "run", "Prepare your working directory for other commands"),
    "validate": Entry("_validate", "run", "Check whether the configuration is valid"),
    "fmt": Entry("_fmt", "run", "Reformat your configuration in the standard style"),
    "plan": Entry(
        "_plan_apply",
        "run_plan",
        "Show changes required by the current configuration",
        "PLAN_HELP",
        "PLAN_FLAGS",
    ),
    "apply": Entry(
        "_plan_apply", "run_apply", "Create or update infrastructure", "APPLY_HELP", "APPLY_FLAGS"
    ),
    "destroy": Entry(
        "_plan_apply",
        "run_destroy",
        "Destroy previously-created infrastructure",
        "DESTROY_HELP",
        "DESTROY_FLAGS",
    ),
    "refresh": Entry(
        "_plan_apply",
        "run_refresh",
        "Update the state to match remote systems",
        "REFRESH_HELP",
        "REFRESH_FLAGS",
    ),
    "console": Entry("_console", "run", "Try expressions in the context of a module"),
    "output": Entry("_output", "run", "Show output values from your root module"),
    "show": Entry("_show", "run", "Show the current state or a saved plan"),
    "state": Entry("_state_cmds", "run", "Advanced state management"),
    "import": Entry("_import", "run", "Associate existing infrastructure with a resource"),
    "workspace": Entry("_workspace", "run", "Workspace management"),
    "force-unlock": Entry(
        "_state_cmds", "run_force_unlock", "Release a stuck lock on the current workspace"
    ),
    "server": Entry("_server", "run", "Run the gitterra server (local cloud, API, dashboard)"),
    "cloud": Entry("_cloud", "run", "Show and act on the local cloud (instances, balancers...)"),
    "repo": Entry("_repo", "run", "Create and list the git host's repositories"),
    "new": Entry("_new", "run", "Create the Fox-or-Bear project and push it to the git host"),
    "demo": Entry("_demo", "run", "Play Fox-or-Bear end to end on a private local cloud"),
    "pr": Entry("_pr", "run", "Open, show, close and merge pull requests on the git host"),
    "builds": Entry("_builds", "run_builds", "List builds", "BUILDS_HELP", "BUILDS_FLAGS"),
    "build": Entry("_builds", "run_build", "Start or stop a build", "BUILD_HELP", "BUILD_FLAGS"),
    "logs": Entry(
        "_builds", "run_logs", "Print or follow a build's log", "LOGS_HELP", "LOGS_FLAGS"
    ),
    "token": Entry("_token", "run", "Create, list and revoke scoped tokens"),
    "audit": Entry("_audit", "run", "Show the server's audit log (who changed what, when)"),
    "version": Entry("main", "run_version", "Show the current gitterra version"),
}

GLOBAL_FLAGS = (
    flags.Flag(
        "chdir",
        kind="str",
        metavar="DIR",
        help="Switch to directory DIR before running the command.",
    ),
    flags.Flag("help", help="Show this help output, or the help for a specified command."),
    flags.Flag("h", help="Same as -help."),
    flags.Flag("version", help='An alias for the "version" command.'),
    flags.Flag("v", help="Same as -version."),
)


def run_version(ui: UI, argv: list[str]) -> int:
    del argv
    ui.print(f"gitterra v{__version__}")
    return 0


def _help() -> str:
    width = max(len(n) for n in COMMANDS)
    rows = "\n".join(f"  {name:<{width}}  {entry.summary}" for name, entry in COMMANDS.items())
    return (
        "Usage: gitterra [global options] <subcommand> [args]\n\n"
        "gitterra is a GitOps + Terraform system: git pushes run a CodeBuild-compatible\n"
        "pipeline that plans and applies infrastructure written in the Terraform language.\n\n"
        f"Commands:\n{rows}\n\nGlobal options (use these before the subcommand, if any):\n"
        + flags.usage(GLOBAL_FLAGS)
    )


def main(argv: Sequence[str] | None = None, ui: UI | None = None) -> int:
    """Run one command; returns its exit status. Tests pass ``ui`` to capture the streams."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Like Terraform, -no-color counts wherever it is (even after a plan file argument, as in
    # `apply -auto-approve terraform.plan -no-color`), so it is taken out before parsing.
    no_color = any(a in ("-no-color", "--no-color") for a in args)
    args = [a for a in args if a not in ("-no-color", "--no-color")]
    ui = ui or UI.system(no_color=no_color)
    if no_color:
        ui.color = False
    try:
        return _dispatch(ui, args)
    except flags.UsageError as exc:
        ui.error(f"Error: {exc}\n\nRun 'gitterra -help' for usage.")
        return 2
    except CommandError as exc:
        ui.diagnostics(exc.diagnostics, exc.sources)
        return 1
    except KeyboardInterrupt:
        ui.error("Interrupted.")
        return 130


def _dispatch(ui: UI, args: list[str]) -> int:
    opts = flags.parse(GLOBAL_FLAGS, args)
    if opts.get_bool("version") or opts.get_bool("v"):
        return run_version(ui, [])
    rest = opts.args
    if not rest or opts.get_bool("help") or opts.get_bool("h"):
        if rest and rest[0] in COMMANDS:
            _, text, cmd_flags = COMMANDS[rest[0]].load()
            ui.print(text + flags.usage(cmd_flags))
            return 0
        ui.print(_help())
        return 0 if (opts.get_bool("help") or opts.get_bool("h")) else 1
    name, cmd_args = rest[0], rest[1:]
    entry = COMMANDS.get(name)
    if entry is None:
        raise flags.UsageError(f'"{name}" is not a gitterra command')
    command, text, cmd_flags = entry.load()
    if any(a in ("-help", "--help", "-h") for a in cmd_args):
        ui.print(text + flags.usage(cmd_flags))
        return 0
    chdir = opts.get_str("chdir")
    if chdir is not None:
        try:
            os.chdir(chdir)
        except OSError as exc:
            ui.error(f"Error handling -chdir option: {exc.strerror}: {chdir}")
            return 1
    return command(ui, cmd_args)


def entrypoint() -> None:
    sys.exit(main())

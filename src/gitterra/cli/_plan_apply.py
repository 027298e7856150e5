"""``plan``, ``apply`` and ``destroy``: Terraform's workflow commands, with its flags."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Final

from gitterra import __version__, config, engine, state
from gitterra.cli import _flags as flags
from gitterra.cli._render_plan import render_plan
from gitterra.cli._ui import UI
from gitterra.cli._workdir import Workdir
from gitterra.diag import Diagnostic

_COMMON = (
    flags.Flag("var", kind="list", metavar="NAME=VALUE", help="Set a value for an input variable."),
    flags.Flag("var-file", kind="list", metavar="FILE", help="Load variable values from a file."),
    flags.Flag("input", default=True, help="Ask for input for variables not set otherwise."),
    flags.Flag("lock", default=True, help="Lock the state while the command runs."),
    flags.Flag(
        "lock-timeout",
        kind="str",
        default="0s",
        metavar="DURATION",
        help="Retry taking the lock this long.",
    ),
    flags.Flag(
        "parallelism", kind="int", default=10, metavar="N", help="Limit concurrent operations."
    ),
    flags.Flag("refresh", default=True, help="Read the current state of remote objects first."),
    flags.Flag(
        "target",
        kind="list",
        metavar="ADDR",
        help="Plan only this resource (and what it depends on).",
    ),
    flags.Flag(
        "replace", kind="list", metavar="ADDR", help="Plan to replace this resource instance."
    ),
    flags.Flag("no-color", help="Do not use colour in the output."),
    flags.Flag("compact-warnings", help="Show warnings in a compact form (accepted)."),
    flags.Flag("json", help="Machine-readable output."),
)
PLAN_FLAGS = (
    *_COMMON,
    flags.Flag("out", kind="str", metavar="FILE", help="Save the plan to FILE for apply."),
    flags.Flag("destroy", help="Plan to destroy every object."),
    flags.Flag("refresh-only", help="Plan only to update state from remote objects."),
    flags.Flag("detailed-exitcode", help="Exit 0 when no changes, 1 on error, 2 with changes."),
)
APPLY_FLAGS = (
    *_COMMON,
    flags.Flag("auto-approve", help="Skip the interactive approval."),
    flags.Flag("destroy", help="Destroy every object (as gitterra destroy)."),
    flags.Flag("refresh-only", help="Only update state from remote objects."),
    flags.Flag("backup", kind="str", metavar="PATH", help="Accepted for compatibility."),
    flags.Flag(
        "state", kind="str", metavar="PATH", help="Accepted for compatibility (use a backend)."
    ),
)
DESTROY_FLAGS = tuple(f for f in APPLY_FLAGS if f.name != "destroy")
REFRESH_FLAGS = tuple(
    f for f in APPLY_FLAGS if f.name not in ("destroy", "refresh-only", "auto-approve", "replace")
)

PLAN_HELP = """Usage: gitterra [global options] plan [options]

  Shows the changes that apply would make to match the configuration, without making them.

Options:
"""
APPLY_HELP = """Usage: gitterra [global options] apply [options] [PLAN]

  Creates or updates infrastructure according to the configuration, after showing the plan
  and asking for approval; or carries out a plan saved with plan -out.

Options:
"""
REFRESH_HELP = """Usage: gitterra [global options] refresh [options]

  Updates the state from the real objects without changing them: the same as
  "gitterra apply -refresh-only -auto-approve" (Terraform deprecates this command in favour
  of that one; prefer it, it shows what would change and asks first).

Options:
"""

DESTROY_HELP = """Usage: gitterra [global options] destroy [options]

  Destroys every object managed by the configuration's state (as apply -destroy).

Options:
"""


def _plan_options(opts: flags.Parsed, destroy: bool = False) -> engine.PlanOptions:
    mode: engine.PlanMode = "normal"
    if destroy or opts.get_bool("destroy"):
        mode = "destroy"
    elif opts.get_bool("refresh-only"):
        mode = "refresh-only"
    try:
        targets = tuple(engine.parse_target(t) for t in opts.get_list("target"))
        replace = tuple(engine.parse_target(t) for t in opts.get_list("replace"))
    except engine.AddressError as exc:
        raise flags.UsageError(f"invalid address: {exc}") from None
    parallelism = opts.get_int("parallelism")
    if parallelism < 1:
        raise flags.UsageError("-parallelism must be at least 1")
    return engine.PlanOptions(
        mode=mode,
        refresh=opts.get_bool("refresh"),
        targets=targets,
        replace=replace,
        parallelism=parallelism,
    )


def _make_plan(
    wd: Workdir,
    module: config.Module,
    manager: state.Manager,
    opts: flags.Parsed,
    destroy: bool = False,
) -> engine.Plan:
    inputs = wd.inputs(module, opts)
    prior = wd.read_state(manager)
    the_plan, diags = asyncio.run(
        engine.plan(
            module,
            prior,
            wd.registry(),
            inputs,
            wd.function_context(),
            wd.cwd,
            _plan_options(opts, destroy),
            wd.workspace(),
        )
    )
    return wd.checked(diags, the_plan)


def _schema_lookup(wd: Workdir, module: config.Module) -> engine.SchemaLookup:
    return engine.schema_lookup(wd.registry(), module)


def run_plan(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(PLAN_FLAGS, argv)
    if opts.args:
        raise flags.UsageError(f"plan takes no positional arguments, got {opts.args[0]!r}")
    ui.machine_output = opts.get_bool("json")
    wd = Workdir(ui)
    module = wd.load()
    manager = wd.manager(module)
    with wd.locked(manager, "OperationTypePlan", opts):
        the_plan = _make_plan(wd, module, manager, opts)
    schema_of = _schema_lookup(wd, module)
    if opts.get_bool("json"):
        ui.print(engine.json_dumps(engine.plan_json(the_plan, schema_of, __version__)))
    else:
        ui.print(render_plan(the_plan, schema_of, ui.color))
    out = opts.get_str("out")
    if out:
        meta = {"workspace": wd.workspace(), "backend": _backend_meta(wd)}
        try:
            Path(out).write_bytes(engine.write_plan(the_plan, wd.sources, meta))
        except OSError as exc:
            raise wd.fail(
                Diagnostic.error("Failed to write plan file", f"{out}: {exc.strerror or exc}")
            ) from exc
        ui.print(
            f"\nSaved the plan to: {out}\n\nTo perform exactly these actions, run the "
            f'following command to apply:\n    gitterra apply "{out}"'
        )
    if opts.get_bool("detailed-exitcode"):
        return 2 if the_plan.has_changes else 0
    return 0


def _backend_meta(wd: Workdir) -> dict[str, object]:
    record = wd.backend_record()
    if record is None:
        return {"type": "local", "config": {}}
    return {"type": record.type, "config": record.config}


class UIHooks:
    """Terraform's progress lines during apply."""

    _VERBS: Final = {
        "creating": ("Creating...", "Still creating...", "Creation complete", "Creation errored"),
        "modifying": (
            "Modifying...",
            "Still modifying...",
            "Modifications complete",
            "Modifications errored",
        ),
        "destroying": (
            "Destroying...",
            "Still destroying...",
            "Destruction complete",
            "Destruction errored",
        ),
        "reading": ("Reading...", "Still reading...", "Read complete", "Read errored"),
    }

    def __init__(self, ui: UI) -> None:
        self.ui = ui

    def _label(self, change: engine.ResourceChange) -> str:
        suffix = f" (deposed object {change.deposed})" if change.deposed else ""
        return self.ui.style(f"{change.addr}{suffix}", "1")

    def start(self, change: engine.ResourceChange, operation: str) -> None:
        ident = _object_id(change)
        extra = f" [id={ident}]" if ident and operation != "creating" else ""
        self.ui.print(f"{self._label(change)}: {self._VERBS[operation][0]}{extra}")

    def still(self, change: engine.ResourceChange, operation: str, elapsed: float) -> None:
        self.ui.print(
            f"{self._label(change)}: {self._VERBS[operation][1]} [{_elapsed(elapsed)} elapsed]"
        )

    def finish(
        self,
        change: engine.ResourceChange,
        operation: str,
        elapsed: float,
        object_id: str | None,
        error: bool,
    ) -> None:
        verb = self._VERBS[operation][3 if error else 2]
        ident = (
            f" [id={object_id}]" if object_id and not error and operation != "destroying" else ""
        )
        self.ui.print(f"{self._label(change)}: {verb} after {_elapsed(elapsed)}{ident}")

    def provisioning(self, change: engine.ResourceChange, provisioner: str) -> None:
        self.ui.print(f"{self._label(change)}: Provisioning with '{provisioner}'...")

    def output(self, change: engine.ResourceChange, provisioner: str, line: str) -> None:
        self.ui.print(f"{self._label(change)} ({provisioner}): {line}")


def _object_id(change: engine.ResourceChange) -> str | None:
    before = change.before
    if before is None or not before.is_known or before.is_null:
        return None
    ident = before.items().get("id")
    if ident is None or not ident.is_known or ident.is_null or ident.sensitive:
        return None
    return str(ident.raw)


def _elapsed(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    return f"{whole // 60}m{whole % 60}s"


def run_apply(ui: UI, argv: list[str], destroy: bool = False) -> int:
    opts = flags.parse(DESTROY_FLAGS if destroy else APPLY_FLAGS, argv)
    wd = Workdir(ui)
    if opts.args:
        if len(opts.args) > 1:
            raise flags.UsageError("apply takes at most one plan file")
        return _apply_saved(ui, wd, opts, Path(opts.args[0]))
    return _apply_fresh(ui, wd, opts, destroy)


def _apply_fresh(ui: UI, wd: Workdir, opts: flags.Parsed, destroy: bool) -> int:
    module = wd.load()
    manager = wd.manager(module)
    with wd.locked(manager, "OperationTypeApply", opts):
        the_plan = _make_plan(wd, module, manager, opts, destroy)
        schema_of = _schema_lookup(wd, module)
        ui.print(render_plan(the_plan, schema_of, ui.color))
        if not the_plan.has_changes and not (the_plan.refresh_only and the_plan.drift):
            # Nothing to approve (a refresh-only plan that found no drift included).
            _finish(ui, wd, manager, the_plan, None)
            return 0
        if not opts.get_bool("auto-approve") and not _approved(ui, opts, the_plan.destroy):
            ui.print("\nApply cancelled." if not the_plan.destroy else "\nDestroy cancelled.")
            return 1
        return _carry_out(ui, wd, manager, the_plan, module, opts)


def _approved(ui: UI, opts: flags.Parsed, destroy: bool) -> bool:
    if not opts.get_bool("input"):
        ui.error("\nError: No approval given: with -input=false, apply needs -auto-approve.")
        return False
    if destroy:
        ui.print(
            "\nDo you really want to destroy all resources?\n"
            "  gitterra will destroy all your managed infrastructure, as shown above.\n"
            "  There is no undo. Only 'yes' will be accepted to confirm.\n"
        )
    else:
        ui.print(
            "\nDo you want to perform these actions?\n"
            "  gitterra will perform the actions described above.\n"
            "  Only 'yes' will be accepted to approve.\n"
        )
    ui.out.write("  Enter a value: ")
    ui.out.flush()
    answer = ui.inp.readline().strip()
    ui.print()
    return answer == "yes"


def _carry_out(
    ui: UI,
    wd: Workdir,
    manager: state.Manager,
    the_plan: engine.Plan,
    module: config.Module,
    opts: flags.Parsed,
) -> int:
    async def persist(snapshot: state.State) -> None:
        # The engine edits state copy-on-write, so unchanged resources' encodings are reused.
        await asyncio.to_thread(functools.partial(manager.persist, snapshot, copy_on_write=True))

    final, diags = asyncio.run(
        engine.apply(
            the_plan,
            module,
            wd.registry(),
            wd.function_context(),
            wd.cwd,
            persist,
            UIHooks(ui),
            opts.get_int("parallelism"),
            wd.workspace(),
        )
    )
    wd.checked(diags, None)
    _finish(ui, wd, manager, the_plan, final)
    return 0


def _finish(
    ui: UI, wd: Workdir, manager: state.Manager, the_plan: engine.Plan, final: state.State | None
) -> None:
    """The closing summary (and, when nothing was applied, the refreshed state saved)."""
    add, change, destroy = the_plan.counts()
    if final is None:
        final = the_plan.prior_state or wd.read_state(manager)
        if not the_plan.refresh_only:
            # No changes: still record the refreshed state and outputs.
            manager.persist(final)
    if the_plan.destroy:
        ui.print(ui.style("\nDestroy complete!", "1;32") + f" Resources: {destroy} destroyed.")
        return
    ui.print(
        ui.style("\nApply complete!", "1;32")
        + f" Resources: {add} added, {change} changed, {destroy} destroyed."
    )
    from gitterra.cli._output import render_outputs

    text = render_outputs(final, ui)
    if text:
        ui.print("\nOutputs:\n\n" + text)


def _apply_saved(ui: UI, wd: Workdir, opts: flags.Parsed, path: Path) -> int:
    if opts.get_list("var") or opts.get_list("var-file"):
        raise wd.fail(
            Diagnostic.error(
                "Can't set variables when applying a saved plan",
                "The -var and -var-file options cannot be used when applying a saved plan file, "
                "because a saved plan includes the variable values that were set when it was "
                "created.",
            )
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise wd.fail(
            Diagnostic.error("Failed to read the plan file", f"{path}: {exc.strerror}")
        ) from exc
    try:
        the_plan, sources, meta = engine.read_plan(data, str(path))
    except engine.PlanFileError as exc:
        raise wd.fail(Diagnostic.error("Failed to read the plan file", str(exc))) from exc
    module = wd.load_snapshot(sources)
    manager = wd.manager(module)
    with wd.locked(manager, "OperationTypeApply", opts):
        current = wd.read_state(manager)
        fresh = current.serial == 0 and the_plan.prior_serial == 0 and not current.resources
        stale = (current.lineage, current.serial) != (the_plan.prior_lineage, the_plan.prior_serial)
        if stale and not fresh:
            raise wd.fail(
                Diagnostic.error(
                    "Saved plan is stale",
                    "The given plan file can no longer be applied because the state was "
                    "changed by another operation after the plan was created.",
                )
            )
        if the_plan.errored:
            raise wd.fail(
                Diagnostic.error(
                    "Cannot apply incomplete plan",
                    "The plan was created with errors and cannot be applied.",
                )
            )
        del meta
        return _carry_out(ui, wd, manager, the_plan, module, opts)


def run_destroy(ui: UI, argv: list[str]) -> int:
    return run_apply(ui, argv, destroy=True)


def run_refresh(ui: UI, argv: list[str]) -> int:
    """``refresh``: Terraform's (deprecated) alias of ``apply -refresh-only -auto-approve``."""
    opts = flags.parse(REFRESH_FLAGS, argv)
    if opts.args:
        raise flags.UsageError("refresh takes no positional arguments")
    return run_apply(ui, ["-refresh-only", "-auto-approve", *argv])

"""``gitterra init``: prepare a working directory — configure the backend (recording it in
``.terraform/``), migrate state between backends on request, and check the providers."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from gitterra import backends, config, lang, state
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.cli._workdir import (
    BACKEND_FILE,
    DATA_DIR,
    BackendRecord,
    CommandError,
    Workdir,
    block_settings,
    constant_setting,
    settings_hash,
)
from gitterra.diag import Diagnostic, DiagnosticError
from gitterra.engine import _providers as engine_providers

FLAGS = (
    flags.Flag("backend", default=True, help="Configure the backend for this configuration."),
    flags.Flag(
        "backend-config",
        kind="list",
        metavar="KEY=VALUE|FILE",
        help="Backend setting, or a file of settings.",
    ),
    flags.Flag("reconfigure", help="Reconfigure the backend, ignoring any saved configuration."),
    flags.Flag("migrate-state", help="Copy existing state to the newly configured backend."),
    flags.Flag("force-copy", help="Answer yes to copying state when migrating."),
    flags.Flag("input", default=True, help="Ask for input if necessary."),
    flags.Flag("lock", default=True, help="Lock the state while migrating it."),
    flags.Flag(
        "lock-timeout",
        kind="str",
        default="0s",
        metavar="DURATION",
        help="Retry taking the lock this long.",
    ),
    flags.Flag("no-color", help="Do not use colour in the output."),
    flags.Flag("upgrade", help="Accepted for compatibility (providers are built in)."),
    flags.Flag(
        "get", default=True, help="Accepted for compatibility (local modules need no download)."
    ),
)

HELP = """Usage: gitterra [global options] init [options]

  Prepares the working directory: configures the backend that keeps the state (recorded in
  .terraform/), migrates state when the backend changes (-migrate-state), and checks that every
  provider the configuration uses is available.

Options:
"""


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv)
    if opts.args:
        raise flags.UsageError("init takes no positional arguments; use -chdir=DIR")
    wd = Workdir(ui)
    module = wd.load(validate=False)
    if opts.get_bool("backend"):
        _init_backend(ui, wd, module, opts)
    _check_providers(ui, wd, module)
    ui.print(ui.style("\ngitterra has been successfully initialized!", "1;32"))
    ui.print(
        '\nYou may now begin working with gitterra. Try running "gitterra plan" to see any\n'
        "changes that are required for your infrastructure."
    )
    return 0


def backend_settings(
    wd: Workdir, module: config.Module, extra: list[str]
) -> tuple[str, dict[str, Any]]:
    """The backend type and its settings: the backend block's constants, then each
    -backend-config in order (later wins)."""
    kind = module.backend.type if module.backend is not None else "local"
    structured = backends.STRUCTURED_SETTINGS.get(kind, frozenset())
    settings: dict[str, Any] = {}
    settings.update(block_settings(module))
    for item in extra:
        if "=" in item and not Path(item).is_file():
            key, _, value = item.partition("=")
            key = key.strip()
            # Terraform parses the value of an object or list setting as an HCL expression
            # (-backend-config='endpoints={s3="http://..."}'); other values stay strings.
            settings[key] = _expression_setting(wd, key, value) if key in structured else value
        else:
            settings.update(_settings_file(wd, item))
    return kind, settings


def _expression_setting(wd: Workdir, key: str, text: str) -> Any:
    """The value of ``-backend-config=key=text`` for an object or list setting: ``text`` as a
    constant HCL expression; mistakes are diagnostics pointing into it."""
    source = f"-backend-config={key}"
    wd.sources[source] = f"{key} = {text}\n"
    try:
        body = lang.parse_file(wd.sources[source], source)
    except DiagnosticError as exc:
        raise wd.fail(*exc.diagnostics) from None
    if body.blocks or len(body.attributes) != 1:
        raise wd.fail(
            Diagnostic.error(
                "Invalid backend configuration argument",
                f"The value of -backend-config={key}=... must be one expression, such as "
                '{ name = "value" } or ["a", "b"].',
            )
        )
    return constant_setting(body.attributes[0], source)


def _settings_file(wd: Workdir, path: str) -> dict[str, Any]:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise wd.fail(
            Diagnostic.error(
                "Failed to read -backend-config file", f"{path}: {exc.strerror or exc}"
            )
        ) from exc
    wd.sources[path] = text
    try:
        body = lang.parse_file(text, path)
    except DiagnosticError as exc:
        raise wd.fail(*exc.diagnostics) from None
    if body.blocks:
        block = body.blocks[0]
        raise wd.fail(
            Diagnostic.error(
                "Invalid backend configuration file",
                "A -backend-config file holds only name = value settings, not blocks.",
                block.type_rng,
            )
        )
    return {a.name: constant_setting(a, path) for a in body.attributes}


def _init_backend(ui: UI, wd: Workdir, module: config.Module, opts: flags.Parsed) -> None:
    ui.print(ui.style("Initializing the backend...", "1"))
    kind, settings = backend_settings(wd, module, opts.get_list("backend-config"))
    new_backend = wd.configure_backend(kind, settings)
    previous = None if opts.get_bool("reconfigure") else wd.backend_record()
    if previous is None and kind != "local" and not opts.get_bool("reconfigure"):
        # Implicit local state from before any backend was configured.
        previous = BackendRecord("local", {}) if Path("terraform.tfstate").exists() else None
    changed = previous is not None and (previous.type, previous.config) != (kind, settings)
    if changed:
        assert previous is not None
        old_backend = wd.configure_backend(previous.type, previous.config)
        if opts.get_bool("migrate-state"):
            _migrate(wd, opts, old_backend, new_backend, previous.type, kind)
        elif _has_state(old_backend):
            raise wd.fail(
                Diagnostic.error(
                    "Backend configuration changed",
                    "A change in the backend configuration has been detected, which may require "
                    "migrating existing state.\n\nIf you wish to attempt automatic migration of "
                    'the state, use "gitterra init -migrate-state".\nIf you wish to store the '
                    'current configuration with no changes to the state, use "gitterra init '
                    '-reconfigure".',
                )
            )
    _read_current_state(wd, new_backend)
    DATA_DIR.mkdir(exist_ok=True)
    block_hash = settings_hash(block_settings(module)) if module.backend is not None else None
    BACKEND_FILE.write_text(BackendRecord(kind, settings, block_hash).to_json())
    BACKEND_FILE.chmod(0o600)
    if module.backend is not None:
        ui.print(
            f'\nSuccessfully configured the backend "{kind}"! gitterra will automatically\n'
            "use this backend unless the backend configuration changes."
        )


def _read_current_state(wd: Workdir, backend: state.Backend) -> None:
    """Read the selected workspace's state, as Terraform's init does, so that an unreachable or
    misconfigured backend fails here, before anything is recorded."""
    workspace = wd.workspace()
    try:
        if workspace in backend.workspaces():
            state.Manager(backend.client(workspace)).read()
    except state.StateError as exc:
        raise wd.fail(Diagnostic.error("Failed to load state", str(exc))) from exc


def _has_state(backend: state.Backend) -> bool:
    try:
        return any(
            (st := state.Manager(backend.client(ws)).read()) is not None and not st.is_empty
            for ws in backend.workspaces()
        )
    except state.StateError as exc:
        raise CommandError(Diagnostic.error("Failed to read existing state", str(exc))) from exc


def _migrate(
    wd: Workdir,
    opts: flags.Parsed,
    old: state.Backend,
    new: state.Backend,
    old_kind: str,
    new_kind: str,
) -> None:
    """Copy every workspace's state from ``old`` to ``new``, each copy made holding the locks of
    both sides (unless ``-lock=false``), as Terraform does."""
    ui = wd.ui
    ui.print(f'Migrating state from the "{old_kind}" backend to the "{new_kind}" backend...')
    copied: list[str] = []
    try:
        for ws in old.workspaces():
            source = state.Manager(old.client(ws))
            target = state.Manager(new.client(ws))
            with contextlib.ExitStack() as held:
                held.enter_context(wd.locked(source, "migration", opts))
                held.enter_context(wd.locked(target, "migration", opts))
                found = _copy(source, target, ws, old_kind, new_kind, opts.get_bool("force-copy"))
            if found is not None:
                copied.append(ws)
                ui.print(
                    f'  - workspace "{ws}": copied (serial {found.serial}, lineage {found.lineage})'
                )
        if old_kind == "local" and new_kind != "local":
            # As Terraform does, the local state is removed once it lives in the new backend (its
            # .backup keeps a copy): a stale local copy would block migrating back later.
            for ws in copied:
                old.client(ws).delete()
    except state.StateError as exc:
        raise CommandError(Diagnostic.error("Failed to migrate state", str(exc))) from exc


def _copy(
    source: state.Manager,
    target: state.Manager,
    ws: str,
    old_kind: str,
    new_kind: str,
    force: bool,
) -> state.State | None:
    """Copy one workspace's state (the same lineage and serial, as Terraform migrates); what
    was copied, None when the source holds none."""
    found = source.read()
    if found is None or found.is_empty:
        return None
    existing = target.read()
    if existing is not None and not existing.is_empty and not force:
        raise CommandError(
            Diagnostic.error(
                "Destination backend already has state",
                f'The "{new_kind}" backend already holds a non-empty state for workspace '
                f'"{ws}". Use -force-copy to overwrite it with the "{old_kind}" state.',
            )
        )
    target.overwrite(found.copy())
    return found


def _check_providers(ui: UI, wd: Workdir, module: config.Module) -> None:
    ui.print(ui.style("\nInitializing provider plugins...", "1"))
    registry = wd.registry()
    providers = engine_providers.ProviderSet(registry, module)
    needed = _provider_keys(module)
    problems = []
    for key in sorted(needed):
        source = providers.source_of(key)
        if registry.factory(source) is None:
            problems.append(
                Diagnostic.error(
                    "Failed to query available provider packages",
                    f'gitterra has no provider "{source}". The available providers are: '
                    + ", ".join(sorted(registry.factories))
                    + ".",
                )
            )
        else:
            ui.print(f"- Using built-in provider {source.removeprefix('registry.terraform.io/')}")
    if problems:
        raise wd.fail(*problems)


def _provider_keys(module: config.Module) -> set[str]:
    keys = set(module.required_providers)
    keys |= {p.name for p in module.providers.values()}
    keys |= {r.provider.name for r in module.resources.values()}
    for child in module.children.values():
        keys |= _provider_keys(child)
    return keys

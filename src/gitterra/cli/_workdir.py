"""The working directory a Terraform-style command runs in: its configuration, the backend
recorded by ``init`` in ``.terraform/``, the selected workspace, variable values, and the lock
on the state for the command's duration."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from gitterra import backends, config, engine, lang, providers, state
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics
from gitterra.kits import LocalFileSystem, OverlayFileSystem
from gitterra.lang import functions

T = TypeVar("T")

DATA_DIR = Path(".terraform")
BACKEND_FILE = DATA_DIR / "terraform.tfstate"
ENVIRONMENT_FILE = DATA_DIR / "environment"


class CommandError(Exception):
    """The command cannot go on. The command line shows its diagnostics (with the source
    snippets in ``sources``) and exits 1."""

    def __init__(self, *diags: Diagnostic, sources: Mapping[str, str] | None = None) -> None:
        super().__init__("; ".join(d.summary for d in diags))
        self.diagnostics = diags
        self.sources = dict(sources or {})


def duration_seconds(text: str, flag: str) -> float:
    try:
        return functions.parse_duration(text) / 1e9
    except functions.DurationError as exc:
        raise flags.UsageError(f"invalid value {text!r} for -{flag}: {exc}") from None


@dataclass(frozen=True, slots=True)
class BackendRecord:
    """What ``init`` recorded: the backend type, its full settings, and (as Terraform's
    ``hash``) a hash of the backend block's own settings, so that editing the block later is
    noticed."""

    type: str
    config: dict[str, Any]
    hash: int | None = None

    def to_json(self) -> str:
        backend: dict[str, Any] = {"type": self.type, "config": self.config}
        if self.hash is not None:
            backend["hash"] = self.hash
        return json.dumps({"version": 3, "backend": backend}, indent=2) + "\n"


def constant_setting(attr: lang.Attribute, context: str) -> Any:
    """A backend setting's value: a constant (backend settings cannot refer to anything)."""
    if lang.traversals(attr.expr):
        raise CommandError(
            Diagnostic.error(
                "Variables not allowed",
                "Variables may not be used here: pass backend settings with -backend-config.",
                attr.expr.rng,
                context,
            )
        )
    try:
        value = lang.evaluate(attr.expr, lang.Scope({}, {}))
    except DiagnosticError as exc:
        raise CommandError(*exc.diagnostics) from None
    return value.to_python()


def block_settings(module: config.Module) -> dict[str, Any]:
    """The settings written in the module's backend block (without -backend-config)."""
    if module.backend is None:
        return {}
    context = f'backend "{module.backend.type}"'
    return {a.name: constant_setting(a, context) for a in module.backend.config.attributes}


def settings_hash(settings: Mapping[str, Any]) -> int:
    """A stable 64-bit hash of backend settings."""
    text = json.dumps(settings, sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


class Workdir:
    def __init__(self, ui: UI, env: Mapping[str, str] | None = None) -> None:
        self.ui = ui
        self.env = dict(os.environ if env is None else env)
        self.cwd = os.getcwd()
        self.fs: lang.FileSystem = LocalFileSystem(".")
        self.sources: dict[str, str] = {}
        #: The configuration, once a command has loaded it.
        self.module: config.Module | None = None

    # ---- configuration ----

    def load(self, validate: bool = True) -> config.Module:
        module, diags = config.load_module(self.fs, ".")
        self.sources = module.all_sources()
        if not module.sources and not diags.has_errors:
            diags.add(
                Diagnostic.error(
                    "No configuration files",
                    "There are no .tf files in this directory; change to the module's "
                    "directory or use -chdir=DIR.",
                )
            )
        if validate and not diags.has_errors and module.is_complete():
            diags.extend(
                config.validate(module, self.function_context(), config.ScopeOptions(cwd=self.cwd))
            )
        return self.checked(diags, module)

    def load_snapshot(self, sources: Mapping[str, str]) -> config.Module:
        """The configuration a saved plan was made from (its .tf files from the plan)."""
        self.fs = OverlayFileSystem(LocalFileSystem("."), sources)
        try:
            return self.load(validate=False)
        finally:
            self.sources = dict(sources)

    def function_context(self) -> lang.FunctionContext:
        return lang.function_context(self.fs, functions.builtins())

    def registry(self) -> engine.ProviderRegistry:
        return providers.builtin_registry(workdir=Path(self.cwd))

    def show(self, diags: Diagnostics) -> None:
        self.ui.diagnostics(diags, self.sources)

    def fail(self, *diags: Diagnostic) -> CommandError:
        return CommandError(*diags, sources=self.sources)

    def checked(self, diags: Diagnostics, result: T) -> T:
        """``result``, after showing the warnings; raises CommandError when there are errors."""
        self.show(Diagnostics(diags.warnings))
        if diags.has_errors:
            raise self.fail(*diags.errors)
        return result

    def show_all(self, diags: Iterable[Diagnostic]) -> None:
        self.ui.diagnostics(list(diags), self.sources)

    # ---- variables ----

    def inputs(self, module: config.Module, opts: flags.Parsed) -> dict[str, lang.Value]:
        cli_vars = _cli_vars(opts)
        allowed = opts.get_bool("input") and self.ui.inp.isatty()
        values, diags = config.input_values(
            module, self.fs, self.env, cli_vars, input_allowed=allowed, prompt=self._prompt
        )
        return self.checked(diags, dict(values))

    def _prompt(self, var: config.Variable) -> str:
        text = f"var.{var.name}\n"
        if var.description:
            text += f"  {var.description}\n"
        self.ui.out.write(text + "\n  Enter a value: ")
        self.ui.out.flush()
        return self.ui.inp.readline().rstrip("\n")

    # ---- backend and workspace ----

    def backend_record(self) -> BackendRecord | None:
        try:
            data = json.loads(BACKEND_FILE.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise self.fail(
                Diagnostic.error(
                    "Unreadable backend record",
                    f"{BACKEND_FILE} cannot be read: {exc}; run gitterra init -reconfigure.",
                )
            ) from exc
        backend = data.get("backend") or {}
        recorded_hash = backend.get("hash")
        return BackendRecord(
            str(backend.get("type", "local")),
            dict(backend.get("config") or {}),
            recorded_hash if isinstance(recorded_hash, int) else None,
        )

    def backend(self, module: config.Module) -> state.Backend:
        record = self.backend_record()
        if module.backend is not None and (record is None or record.type != module.backend.type):
            raise self.fail(
                Diagnostic.error(
                    'Backend initialization required, please run "gitterra init"',
                    f'The configuration asks for the "{module.backend.type}" backend, which has '
                    "not been initialized in this working directory.",
                    module.backend.rng,
                )
            )
        if (
            module.backend is not None
            and record is not None
            and record.hash is not None
            and record.hash != settings_hash(block_settings(module))
        ):
            raise self.fail(
                Diagnostic.error(
                    'Backend initialization required, please run "gitterra init"',
                    "The backend configuration block has changed since gitterra init. Run "
                    "gitterra init with -migrate-state to move the state to the new settings, or "
                    "with -reconfigure to use them without moving it.",
                    module.backend.rng,
                )
            )
        if module.backend is None and record is not None and record.type != "local":
            raise self.fail(
                Diagnostic.error(
                    "Backend configuration changed",
                    f'This working directory was initialized with the "{record.type}" backend, '
                    "but the configuration no longer declares it. Run gitterra init "
                    "-migrate-state to move the state back to a local file, or -reconfigure.",
                )
            )
        kind = record.type if record is not None else "local"
        settings = record.config if record is not None else {}
        return self.configure_backend(kind, settings)

    def configure_backend(self, kind: str, settings: Mapping[str, Any]) -> state.Backend:
        try:
            return backends.configure(kind, settings, self.env, self.cwd)
        except backends.BackendConfigError as exc:
            raise self.fail(Diagnostic.error("Invalid backend configuration", str(exc))) from exc

    def workspace(self) -> str:
        env = self.env.get("TF_WORKSPACE")
        if env:
            return env
        try:
            return ENVIRONMENT_FILE.read_text().strip() or "default"
        except FileNotFoundError:
            return "default"

    def manager(self, module: config.Module) -> state.Manager:
        backend = self.backend(module)
        workspace = self.workspace()
        if workspace != "default" and workspace not in self._workspaces(backend):
            raise self.fail(
                Diagnostic.error(
                    "Currently selected workspace does not exist",
                    f'The workspace "{workspace}" does not exist; select another with '
                    "gitterra workspace select, or create it with gitterra workspace new.",
                )
            )
        return state.Manager(backend.client(workspace))

    def _workspaces(self, backend: state.Backend) -> list[str]:
        try:
            return backend.workspaces()
        except state.StateError as exc:
            raise self.fail(Diagnostic.error("Failed to list workspaces", str(exc))) from exc

    def read_state(self, manager: state.Manager) -> state.State:
        try:
            current = manager.read()
        except state.StateError as exc:
            raise self.fail(Diagnostic.error("Failed to load state", str(exc))) from exc
        return current if current is not None else state.State.new()

    @contextlib.contextmanager
    def locked(self, manager: state.Manager, operation: str, opts: flags.Parsed) -> Iterator[None]:
        """Hold the state lock for the block (unless ``-lock=false``)."""
        if not opts.get_bool("lock"):
            yield
            return
        timeout = duration_seconds(opts.get_str("lock-timeout") or "0s", "lock-timeout")
        try:
            lock_id = manager.lock(operation, timeout)
        except state.StateLockedError as exc:
            raise self.fail(Diagnostic.error("Error acquiring the state lock", str(exc))) from exc
        except state.StateError as exc:
            raise self.fail(Diagnostic.error("Error acquiring the state lock", str(exc))) from exc
        try:
            yield
        finally:
            try:
                manager.unlock(lock_id)
            except state.StateError as exc:
                detail = (
                    f"{exc}\n\ngitterra acquired a lock on the state but could not release it; "
                    f"release it with: gitterra force-unlock {lock_id}"
                )
                self.show(Diagnostics([Diagnostic.error("Error releasing the state lock", detail)]))


def _cli_vars(opts: flags.Parsed) -> list[config.CliVar]:
    """-var and -var-file in command-line order."""
    return [
        config.CliVar("var" if name == "var" else "var_file", value)
        for name, value in opts.order
        if name in ("var", "var-file")
    ]

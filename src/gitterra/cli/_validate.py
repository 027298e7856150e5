"""``gitterra validate``: check a module's configuration, reporting every problem at once."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from gitterra import config, engine, lang, providers
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.diag import Diagnostic, Diagnostics, render_json
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions

FLAGS = (
    flags.Flag("json", help="Print the result as Terraform's validate -json document."),
    flags.Flag("no-color", help="Do not use colour in the output."),
    flags.Flag("no-tests", help="Accepted for compatibility (gitterra has no test files)."),
)

HELP = """Usage: gitterra [global options] validate [options]

  Validates the configuration files in the current directory: syntax, block structure,
  references, function calls, the types of expressions that do not depend on input values,
  and every resource and data block against its provider's schema (arguments, nested blocks,
  required arguments, value types, lifecycle ignore_changes). Nothing remote is contacted.
  Exit status 0 when valid, 1 when not.

Options:
"""


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv)
    if opts.args:
        raise flags.UsageError(
            "validate takes no positional arguments; use -chdir=DIR to validate another directory"
        )
    fs = LocalFileSystem(".")
    module, diags = config.load_module(fs, ".")
    if not module.sources and not diags.has_errors:
        diags.add(
            Diagnostic.error(
                "No configuration files",
                "There are no .tf files in this directory to validate; change to the module's "
                "directory or use -chdir=DIR.",
            )
        )
    # Decoding errors leave the rest of the module usable, so validation goes on and reports
    # everything at once; a file that failed to parse would make references look undeclared.
    if module.sources and module.is_complete():
        fctx = lang.function_context(fs, functions.builtins())
        diags.extend(config.validate(module, fctx, config.ScopeOptions(cwd=os.getcwd())))
        if not diags.has_errors:  # the references resolve: check against provider schemas
            registry = providers.builtin_registry(workdir=Path.cwd())
            diags.extend(asyncio.run(engine.validate(module, registry, fctx, os.getcwd())))
    sources = module.all_sources()
    if opts.get_bool("json"):
        ui.print(json.dumps(result_json(diags, sources), indent=2, ensure_ascii=False))
        return 1 if diags.has_errors else 0
    ui.diagnostics(diags, sources)
    if diags.has_errors:
        return 1
    ui.print(ui.style("Success!", "1;32") + " The configuration is valid.")
    return 0


def result_json(diags: Diagnostics, sources: dict[str, str]) -> dict[str, object]:
    return {
        "format_version": "1.0",
        "valid": not diags.has_errors,
        "error_count": len(diags.errors),
        "warning_count": len(diags.warnings),
        "diagnostics": [render_json(d, sources) for d in diags],
    }

"""``gitterra fmt``: rewrite configuration files to the canonical layout (``terraform fmt``).

What changes is :func:`gitterra.lang.format_source`'s (indentation, alignment of ``=`` and of
trailing comments, trailing whitespace). A file is written only when its formatted text parses
and means what the original meant (python-hcl2 reads both to the same document): a formatter
bug can leave a file unformatted, never changed in meaning. Exit status: 0, 2 on an error (a
syntax error, a missing target), 3 with ``-check`` when some input is not formatted.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import hcl2
from lark.exceptions import LarkError

from gitterra import lang
from gitterra.cli import _flags as flags
from gitterra.cli._ui import UI
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics

FLAGS = (
    flags.Flag(
        "list", default=True, help="List the files whose layout changes (-list=false: don't)."
    ),
    flags.Flag("write", default=True, help="Write the changes to the files (-write=false: don't)."),
    flags.Flag("diff", help="Show the changes as a unified diff."),
    flags.Flag("check", help="Change nothing: exit 3 when some input is not formatted."),
    flags.Flag("recursive", help="Also process the directories below the targets."),
    flags.Flag("no-color", help="Do not use colour in the output."),
)

HELP = """Usage: gitterra [global options] fmt [options] [target...]

  Rewrites configuration files (.tf, .tfvars, .tftest.hcl) to the canonical layout:
  indentation of two spaces per level, the "=" of consecutive one-line attributes aligned,
  trailing comments aligned, one space after "=", no trailing whitespace, one final newline.
  Spacing inside expressions is left as written. A target is a directory (default: the
  current one), a file, or - for standard input (the result goes to standard output).
  Exit status 0; 2 on an error; 3 with -check when some input is not formatted.

Options:
"""

SUFFIXES = (".tf", ".tfvars", ".tftest.hcl")
ERROR, UNFORMATTED = 2, 3


def run(ui: UI, argv: list[str]) -> int:
    opts = flags.parse(FLAGS, argv, interspersed=True)
    check = opts.get_bool("check")
    fmt = _Fmt(ui)
    targets = opts.args or ["."]
    if "-" in targets:
        if len(targets) > 1:
            raise flags.UsageError("fmt reads standard input (-) alone, without other targets")
        return fmt.stdin(check, opts.get_bool("diff"))
    for target in targets:
        for path in fmt.files(Path(target), opts.get_bool("recursive")):
            fmt.file(path)
    if fmt.diags:  # nothing is written when any input is wrong
        ui.diagnostics(fmt.diags, fmt.sources)
        return ERROR
    for path, text, formatted in fmt.changes:
        if opts.get_bool("list"):
            ui.print(str(path))
        if opts.get_bool("diff"):
            ui.print(_diff(text, formatted, str(path)))
        if opts.get_bool("write") and not check:
            try:
                path.write_text(formatted, encoding="utf-8")
            except OSError as exc:
                fmt.error(f"Failed to write {path}", str(exc))
    if fmt.diags:
        ui.diagnostics(fmt.diags, fmt.sources)
        return ERROR
    return UNFORMATTED if check and fmt.changes else 0


class _Fmt:
    """What formatting the targets finds: the files whose layout changes, and the problems."""

    def __init__(self, ui: UI) -> None:
        self.ui = ui
        self.changes: list[tuple[Path, str, str]] = []
        self.diags = Diagnostics()
        self.sources: dict[str, str] = {}

    def error(self, summary: str, detail: str) -> None:
        self.diags.add(Diagnostic.error(summary, detail))

    def files(self, target: Path, recursive: bool) -> list[Path]:
        """The files of ``target`` to format (an error when it names none)."""
        if target.is_file():
            if not target.name.endswith(SUFFIXES):
                self.error(
                    "Only .tf, .tfvars and .tftest.hcl files can be processed with fmt",
                    f"{target} is none of them.",
                )
                return []
            return [target]
        if not target.is_dir():
            self.error("No file or directory at " + str(target), "Give a file or a directory.")
            return []
        found = sorted(p for p in target.iterdir() if p.is_file() and p.name.endswith(SUFFIXES))
        if recursive:
            for sub in sorted(p for p in target.iterdir() if p.is_dir()):
                if not sub.name.startswith("."):  # .terraform, .git
                    found += self.files(sub, recursive)
        return found

    def file(self, path: Path) -> None:
        """Format one file, remembering it when its layout changes."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(f"Failed to read {path}", str(exc))
            return
        formatted = self._format(text, str(path))
        if formatted is not None and formatted != text:
            self.changes.append((path, text, formatted))

    def stdin(self, check: bool, diff: bool) -> int:
        """Standard input formatted to standard output (or its diff); the exit status."""
        text = self.ui.inp.read()
        formatted = self._format(text, "<stdin>")
        if formatted is None:
            self.ui.diagnostics(self.diags, self.sources)
            return ERROR
        if diff:
            if formatted != text:
                self.ui.print(_diff(text, formatted, "<stdin>"))
        elif not check:
            self.ui.out.write(formatted)
            self.ui.out.flush()
        return UNFORMATTED if check and formatted != text else 0

    def _format(self, text: str, name: str) -> str | None:
        """The formatted text; None (and a diagnostic) when the input does not parse or the
        result would not mean the same."""
        self.sources[name] = text
        try:
            lang.parse_file(text, name)
        except DiagnosticError as exc:
            self.diags.extend(exc.diagnostics)
            return None
        formatted = lang.format_source(text)
        if formatted != text and not _same_meaning(text, formatted, name):
            self.error(
                f"Not formatted: {name}",
                f"The formatted text of {name} would not mean what the file means, so it was "
                "left as it is. This is a bug in gitterra fmt: please report it with the file.",
            )
            return None
        return formatted


def _same_meaning(text: str, formatted: str, name: str) -> bool:
    """Whether both texts parse to the same document (python-hcl2's reading, which ignores
    layout); when python-hcl2 cannot read the original, that the result parses at all."""
    try:
        before = hcl2.loads(text)
    except (LarkError, ValueError, TypeError):
        before = None
    try:
        lang.parse_file(formatted, name)
        after = hcl2.loads(formatted)
    except (DiagnosticError, LarkError, ValueError, TypeError):
        return False
    return before is None or before == after


def _diff(text: str, formatted: str, name: str) -> str:
    lines = difflib.unified_diff(
        text.splitlines(keepends=True),
        formatted.splitlines(keepends=True),
        fromfile=f"old/{name}",
        tofile=f"new/{name}",
    )
    return "".join(lines).rstrip("\n")

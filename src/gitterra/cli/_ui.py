"""Terminal output for commands: diagnostics, colour, and the streams."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from gitterra.diag import Diagnostic, render_text


@dataclass(slots=True)
class UI:
    """Where a command writes. Tests pass string buffers; the real command passes sys streams."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    inp: TextIO = field(default_factory=lambda: sys.stdin)
    color: bool = False
    #: Standard output carries a document (``-json``): warnings go to stderr too.
    machine_output: bool = False

    @classmethod
    def system(cls, no_color: bool = False) -> UI:
        color = not no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        return cls(color=color)

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def error(self, text: str) -> None:
        self.err.write(text + "\n")
        self.err.flush()

    def style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def diagnostics(
        self, diags: Iterable[Diagnostic], sources: Mapping[str, str] | None = None
    ) -> None:
        """Errors to stderr, warnings to stdout, as Terraform does (to stderr as well when
        stdout carries a JSON document)."""
        for diag in diags:
            text = render_text([diag], sources).rstrip("\n")
            if self.color:
                label = "Error" if diag.is_error else "Warning"
                colour = "1;31" if diag.is_error else "1;33"
                text = text.replace(f"{label}:", self.style(f"{label}:", colour), 1)
            if diag.is_error or self.machine_output:
                self.error("\n" + text + "\n")
            else:
                self.print("\n" + text + "\n")

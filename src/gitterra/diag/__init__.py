"""Diagnostics: what gitterra tells a user about their input.

A :class:`Diagnostic` is a value: a severity, a one-line summary, an optional detail paragraph and,
when the problem sits in a file, the :class:`SourceRange` it covers. User mistakes travel as
diagnostics (returned beside results, collected in a :class:`Diagnostics` list, all of a file at
once); bugs are exceptions. Only the command line and the server render them (``render_text``,
``render_json``), following the shape Terraform prints: summary, ``on FILE:LINE:COL``, the offending
line with the range underlined, then the detail.
"""

from gitterra.diag._diagnostic import (
    Diagnostic,
    DiagnosticError,
    Diagnostics,
    Pos,
    Severity,
    SourceRange,
)
from gitterra.diag._render import render_json, render_text, source_snippet

__all__ = [
    "Diagnostic",
    "DiagnosticError",
    "Diagnostics",
    "Pos",
    "Severity",
    "SourceRange",
    "render_json",
    "render_text",
    "source_snippet",
]

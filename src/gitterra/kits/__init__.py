"""Kits: small, self-contained building blocks that depend only on the standard library and
``gitterra.diag``.

- :class:`Graph`: a dependency graph with deterministic topological order and cycle reports
  (locals, and later the plan and apply walks).
- :class:`LocalFileSystem`: a real directory behind the language's ``FileSystem`` protocol. The
  protocols are structural, so a kit satisfies one without importing it; the command line wires
  them together and tests use fakes.
- :func:`clean_path`: Go's ``filepath.Clean``, shared by the adapter and the path functions.
"""

from gitterra.kits._dag import CycleError, Graph
from gitterra.kits._files import GlobPatternError, LocalFileSystem, clean_path

__all__ = ["CycleError", "GlobPatternError", "Graph", "LocalFileSystem", "clean_path"]

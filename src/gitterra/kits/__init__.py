"""Kits: small, self-contained building blocks that depend only on the standard library and
``gitterra.diag`` (never on the core they serve).

Among them are the I/O adapters behind the core's protocols: :class:`LocalFileSystem` gives the
language's file functions a real directory. The protocols are structural, so a kit satisfies one
without importing it, and the pure core never imports a kit; the caller wires them together.
"""

from gitterra.kits._files import GlobPatternError, LocalFileSystem

__all__ = ["GlobPatternError", "LocalFileSystem"]

"""Functions of the language: collections."""

from __future__ import annotations

from gitterra.lang._function import Function

FUNCTIONS: tuple[Function, ...] = ()

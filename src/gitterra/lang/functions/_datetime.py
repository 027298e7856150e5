"""Functions of the language: datetime."""

from __future__ import annotations

from gitterra.lang._function import Function

FUNCTIONS: tuple[Function, ...] = ()

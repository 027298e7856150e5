"""Functions of the language: strings."""

from __future__ import annotations

from gitterra.lang._function import Function

FUNCTIONS: tuple[Function, ...] = ()

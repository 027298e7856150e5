"""Functions of the language: network."""

from __future__ import annotations

from gitterra.lang._function import Function

FUNCTIONS: tuple[Function, ...] = ()

"""Functions of the language: encoding."""

from __future__ import annotations

from gitterra.lang._function import Function

FUNCTIONS: tuple[Function, ...] = ()

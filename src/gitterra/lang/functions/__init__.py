"""The built-in function library of the Terraform language.

Each module holds one family of functions (Terraform's documentation groups them the same way) and
exports them as ``FUNCTIONS``; :func:`builtins` gathers them by name. ``try`` and ``can`` are not
here: they take unevaluated expressions, so the evaluator implements them.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from gitterra.lang._function import Function
from gitterra.lang.functions import (
    _collections,
    _collections_more,
    _collections_sets,
    _crypto,
    _datetime,
    _encoding,
    _filesystem,
    _network,
    _numeric,
    _strings,
    _strings_format,
    _strings_regex,
    _typeconv,
)
from gitterra.lang.functions._datetime_parse import DurationError, parse_duration

__all__ = ["DurationError", "builtins", "parse_duration"]

_MODULES = (
    _numeric,
    _strings,
    _strings_format,
    _strings_regex,
    _collections,
    _collections_more,
    _collections_sets,
    _typeconv,
    _encoding,
    _filesystem,
    _crypto,
    _datetime,
    _network,
)


@functools.cache
def builtins() -> Mapping[str, Function]:
    """Every built-in function by name."""
    table: dict[str, Function] = {}
    for module in _MODULES:
        for fn in module.FUNCTIONS:
            if fn.name in table:
                raise RuntimeError(f"function {fn.name} is defined twice")
            table[fn.name] = fn
    return table

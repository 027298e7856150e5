"""Fixtures for calling built-in functions directly with plain Python arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gitterra import lang
from gitterra.lang import functions

Call = Callable[..., lang.Value]


def call_function(name: str, *args: Any, ctx: lang.FunctionContext | None = None) -> lang.Value:
    """Call built-in ``name``; plain Python arguments go through ``lang.from_python``."""
    fn = functions.builtins()[name]
    return fn.call(ctx or lang.FunctionContext(), [lang.from_python(a) for a in args])


@pytest.fixture
def call() -> Call:
    return call_function

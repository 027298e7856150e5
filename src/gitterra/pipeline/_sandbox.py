"""``Sandbox``: how the build service confines a build's shell (it decides; the runner asks).

The runner knows the shell's command line and its own private directory; the service knows the
build's workspace and how this system confines code. ``wrap`` joins the two: given the shell's
argv and the directories the shell must be able to write besides the build's own, it returns
the argv that runs the shell confined (for instance under bubblewrap and as another user). The
runner starts that argv as its own user; ``wrap`` switches users itself when ``user`` is set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

Wrap = Callable[[list[str], Sequence[Path]], list[str]]


@dataclass(frozen=True, slots=True)
class Sandbox:
    """``user``: who every build runs as (a buildspec's ``run-as`` may only name that user;
    None: the runner's own user); ``wrap``: see the module docstring."""

    user: str | None
    wrap: Wrap

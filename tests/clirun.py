"""Running the ``gitterra`` command in-process with captured streams (fast), or as a real process
(for what only a process shows: the console script, exit codes, ``python -m``)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gitterra.cli._ui import UI
from gitterra.cli.main import main

REPO = Path(__file__).resolve().parent.parent
GITTERRA = Path(sys.executable).parent / "gitterra"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


class _TextIn(io.StringIO):
    def isatty(self) -> bool:
        return False


def run_cli(args: list[str], cwd: Path, stdin: str = "") -> Result:
    """``gitterra ARGS`` in ``cwd``, in this process; the working directory is restored after."""
    out, err = io.StringIO(), io.StringIO()
    ui = UI(out=out, err=err, inp=_TextIn(stdin))
    before = os.getcwd()
    os.chdir(cwd)
    try:
        code = main(args, ui)
    finally:
        os.chdir(before)
    return Result(code, out.getvalue(), err.getvalue())


def run_process(args: list[str], cwd: Path, stdin: str = "", timeout: float = 120) -> Result:
    """``gitterra ARGS`` as a real process (the installed console script)."""
    proc = subprocess.run(
        [str(GITTERRA), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)

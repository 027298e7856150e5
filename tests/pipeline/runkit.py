"""Running real builds for the tests: a buildspec text, a workdir, real bash, collected log."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitterra import pipeline

#: Generous: a loaded 2-core machine must not time out a build that should succeed.
TIMEOUT = 60.0
_STAMP = re.compile(r"^\[Container\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} ")


@dataclass
class Run:
    result: pipeline.BuildResult
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def status(self) -> pipeline.Status:
        return self.result.status

    @property
    def output(self) -> list[str]:
        """The lines that are not the runner's own (what the commands printed, and blanks)."""
        return [line for line in self.lines if not line.startswith("[Container] ")]

    @property
    def patterns(self) -> list[str]:
        """The log with each ``[Container]`` time replaced by ``<time>``."""
        return [_STAMP.sub("[Container] <time> ", line) for line in self.lines]

    def phases(self) -> list[tuple[str, str]]:
        return [(p.name.value, p.status.value) for p in self.result.phases]

    def phase(self, name: str) -> pipeline.PhaseRecord:
        return next(p for p in self.result.phases if p.name == name)


def spec_of(text: str) -> pipeline.Buildspec:
    spec, diags = pipeline.load_buildspec(text, "buildspec.yml")
    assert spec is not None, [str(d) for d in diags]
    return spec


def base_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}


def build(
    workdir: Path,
    text: str,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
    stop: asyncio.Event | None = None,
    masks: Sequence[str] = (),
    overrides: Mapping[str, str] | None = None,
    on_line: Callable[[str, asyncio.Event], None] | None = None,
    runner: pipeline.BuildRunner | None = None,
    loop: Callable[[Coroutine[Any, Any, pipeline.BuildResult]], pipeline.BuildResult] = asyncio.run,
) -> Run:
    """Run ``text`` in ``workdir`` with real processes; the result and every log line."""
    spec = spec_of(text)
    lines: list[str] = []

    async def main() -> pipeline.BuildResult:
        event = stop or asyncio.Event()

        def log(line: str) -> None:
            assert "\n" not in line
            lines.append(line)
            if on_line is not None:
                on_line(line, event)

        return await (runner or pipeline.BuildRunner(kill_grace=2.0)).run(
            spec,
            workdir=workdir,
            env=base_env() if env is None else env,
            log=log,
            timeout=timeout,
            stop=event,
            masks=masks,
            overrides=overrides,
        )

    started = time.monotonic()
    result = loop(main())
    return Run(result, lines, time.monotonic() - started)


def commands(*phases: tuple[str, Sequence[str]], head: str = "") -> str:
    """A buildspec with the given phases' commands (each given as YAML-quoted text)."""
    out = ["version: 0.2", head, "phases:"]
    for name, cmds in phases:
        out.append(f"  {name}:")
        out.append("    commands:")
        out.extend(f"      - {quote(c)}" for c in cmds)
    return "\n".join(line for line in out if line) + "\n"


def quote(command: str) -> str:
    """A YAML double-quoted scalar holding exactly ``command``."""
    escaped = command.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def wait_gone(pid: int, deadline: float = 10.0) -> bool:
    """Whether process ``pid`` has ended (gone, or a zombie nobody reaped) within ``deadline``."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.02)
    return False

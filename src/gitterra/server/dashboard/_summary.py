"""What a build's log says about Terraform: the plan's summary line and the apply's result.

Read from the log as Terraform (and gitterra) print them, colours stripped::

    Plan: 1 to add, 1 to change, 0 to destroy.
    No changes. Your infrastructure matches the configuration.
    Apply complete! Resources: 1 added, 1 changed, 0 destroyed.
    Destroy complete! Resources: 2 destroyed.
    Error: ...

The last plan and apply lines win (a buildspec may plan twice); the first error is kept.
:class:`Summaries` reads each log once, from where it stopped the previous time, so a page
that shows many builds reads only what was appended since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from gitterra.server.dashboard import _ansi

_PLAN = re.compile(r"^Plan: \d+ to add, \d+ to change, \d+ to destroy\.")
_NO_CHANGES = re.compile(r"^No changes\.")
_APPLY = re.compile(r"^(?:Apply|Destroy) complete! Resources: .*")
_ERROR = re.compile(r"^[│|]?\s*Error: .+")
#: The most of one log that is scanned per call (the rest waits for the next page).
CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LogSummary:
    plan: str = ""
    apply: str = ""
    error: str = ""


def scan(summary: LogSummary, lines: list[str]) -> LogSummary:
    """``summary`` updated with ``lines`` (pure)."""
    for raw in lines:
        line = _ansi.strip(raw).strip()
        if _PLAN.match(line) or _NO_CHANGES.match(line):
            summary = replace(summary, plan=line)
        elif _APPLY.match(line):
            summary = replace(summary, apply=line)
        elif not summary.error and _ERROR.match(line):
            summary = replace(summary, error=line.lstrip("│| "))
    return summary


@dataclass(slots=True)
class _Read:
    offset: int
    summary: LogSummary
    final: bool = False


class Summaries:
    """Log summaries by build id, read incrementally."""

    def __init__(self) -> None:
        self._seen: dict[str, _Read] = {}

    def get(self, build_id: str, path: Path, complete: bool) -> LogSummary:
        """The summary of ``path`` so far; ``complete``: the build ended (its log will not
        grow), so once read to the end it is never read again."""
        seen = self._seen.setdefault(build_id, _Read(0, LogSummary()))
        if seen.final:
            return seen.summary
        try:
            with path.open("rb") as fh:
                fh.seek(seen.offset)
                data = fh.read(CHUNK)
        except FileNotFoundError:
            return seen.summary
        end = data.rfind(b"\n") + 1
        if complete and len(data) < CHUNK:
            end = len(data)
        text = data[:end].decode("utf-8", errors="replace")
        seen.summary = scan(seen.summary, text.splitlines())
        seen.offset += end
        seen.final = complete and end == len(data) and len(data) < CHUNK
        return seen.summary

"""Golden files: expected output kept beside the tests, compared as full text.

Set ``GITTERRA_UPDATE_GOLDEN=1`` to rewrite them from the current output (then review the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("GITTERRA_UPDATE_GOLDEN") == "1"

SEPARATOR = "=== "


def read_cases(path: Path) -> dict[str, str]:
    """A golden file of cases: each starts with ``=== <input>`` (``\\n`` escapes newlines in the
    input); the expected text follows until the next case."""
    cases: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in path.read_text().split("\n"):
        if line.startswith(SEPARATOR):
            if current is not None:
                cases[current] = "\n".join(lines).strip("\n")
            current = line[len(SEPARATOR) :].replace("\\n", "\n")
            lines = []
        else:
            lines.append(line)
    if current is not None:
        cases[current] = "\n".join(lines).strip("\n")
    return cases


def write_cases(path: Path, cases: dict[str, str]) -> None:
    parts = [
        f"{SEPARATOR}{key.replace(chr(10), chr(92) + 'n')}\n{value}\n"
        for key, value in cases.items()
    ]
    path.write_text("\n".join(parts))


def check_text(path: Path, actual: str) -> None:
    """Compare ``actual`` with the golden file ``path`` (or rewrite it when updating)."""
    if UPDATE:
        path.write_text(actual)
        return
    assert path.exists(), f"{path} is missing: run with GITTERRA_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text()

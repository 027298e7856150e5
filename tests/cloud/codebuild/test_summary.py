"""The one line of a build's log its commit status quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra.cloud.codebuild import _summary

PLAN = "Plan: 0 to add, 1 to change, 0 to destroy."
APPLY = "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."


@pytest.mark.parametrize(
    ("log", "said"),
    [
        (f"x\n{PLAN}\nmore\n", PLAN),
        (f"{PLAN}\n{APPLY}\n", APPLY),  # an apply build: what it did
        ("No changes. Your infrastructure matches the configuration.\n", "No changes."),
        (
            "Destroy complete! Resources: 6 destroyed.\n",
            "Destroy complete! Resources: 6 destroyed.",
        ),
        (f"Plan: 2 to add, 0 to change, 0 to destroy.\n{PLAN}\n", PLAN),  # the last one
        ("echo Plan: 1 to add\n  Plan: 9 to add, 0 to change, 0 to destroy.\n", None),
        ("", None),
    ],
)
def test_summary_line(tmp_path: Path, log: str, said: str | None) -> None:
    path = tmp_path / "build.log"
    path.write_text(log)
    assert _summary.summary(path) == said


def test_only_the_end_of_a_long_log_is_read(tmp_path: Path) -> None:
    path = tmp_path / "build.log"
    path.write_text(PLAN + "\n" + "x" * (_summary.TAIL_BYTES + 10) + "\n")
    assert _summary.summary(path) is None
    assert _summary.summary(tmp_path / "missing.log") is None

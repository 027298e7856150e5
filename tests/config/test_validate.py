"""``gitterra validate`` on fixture modules: the whole rendered output, compared as text with
each fixture's expected.txt (text mode) and checked in JSON mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import run_cli
from tests.golden import check_text

CASES = Path(__file__).parent / "testdata" / "validate"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", NAMES)
def test_validate_text(name: str) -> None:
    result = run_cli(["validate", "-no-color"], CASES / name)
    rendered = f"exit status {result.code}\n--- stdout\n{result.out}--- stderr\n{result.err}"
    check_text(CASES / name / "expected.txt", rendered)


@pytest.mark.parametrize("name", NAMES)
def test_validate_json_agrees_with_text(name: str) -> None:
    text = run_cli(["validate"], CASES / name)
    result = run_cli(["validate", "-json"], CASES / name)
    doc = json.loads(result.out)
    assert result.code == text.code
    assert doc["format_version"] == "1.0"
    assert doc["valid"] is (result.code == 0)
    assert doc["error_count"] == sum(d["severity"] == "error" for d in doc["diagnostics"])
    assert doc["error_count"] == text.err.count("Error: ")
    for diag in doc["diagnostics"]:
        assert diag["summary"]
        if "range" in diag:
            start, end = diag["range"]["start"], diag["range"]["end"]
            assert (start["line"], start["column"]) <= (end["line"], end["column"])
            assert start["byte"] <= end["byte"]


def test_only_the_seed_like_module_is_valid() -> None:
    for name in NAMES:
        result = run_cli(["validate"], CASES / name)
        assert (result.code == 0) == (name == "seed_like"), name


def test_errors_change_nothing(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("locals {\n  a = nope()\n}\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    assert run_cli(["validate"], tmp_path).code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before

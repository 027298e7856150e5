"""Terraform's flag spelling, as Go's flag package reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra.cli import _flags as flags
from tests.clirun import run_cli

FLAGS = (
    flags.Flag("auto-approve"),
    flags.Flag("lock", default=True),
    flags.Flag("var", kind="list"),
    flags.Flag("parallelism", kind="int", default=10),
    flags.Flag("out", kind="str"),
)


@pytest.mark.parametrize(
    ("argv", "values", "args"),
    [
        ([], {"auto-approve": False, "lock": True, "var": [], "parallelism": 10, "out": None}, []),
        (["-auto-approve"], {"auto-approve": True}, []),
        (["--auto-approve"], {"auto-approve": True}, []),
        (["-lock=false"], {"lock": False}, []),
        (["-lock=true", "-lock=0"], {"lock": False}, []),
        (["-var", "a=1", "-var=b=2"], {"var": ["a=1", "b=2"]}, []),
        (["-parallelism=3", "-out", "p.tfplan"], {"parallelism": 3, "out": "p.tfplan"}, []),
        (
            ["-auto-approve", "plan.tfplan", "-lock=false"],
            {"lock": True},
            ["plan.tfplan", "-lock=false"],
        ),
        (["--", "-auto-approve"], {"auto-approve": False}, ["-auto-approve"]),
        (["-out=-"], {"out": "-"}, []),
    ],
)
def test_parse(argv: list[str], values: dict[str, object], args: list[str]) -> None:
    parsed = flags.parse(FLAGS, argv)
    for name, value in values.items():
        assert parsed.values[name] == value
    assert parsed.args == args


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-nope"], "flag provided but not defined: -nope"),
        (["-lock=maybe"], 'invalid boolean value "maybe" for -lock'),
        (["-parallelism=many"], 'invalid value "many" for -parallelism'),
        (["-out"], "flag needs an argument: -out"),
    ],
)
def test_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(flags.UsageError, match=message):
        flags.parse(FLAGS, argv)


def test_interspersed_flags_for_gitterra_commands() -> None:
    parsed = flags.parse(FLAGS, ["x", "-auto-approve", "y"], interspersed=True)
    assert parsed.args == ["x", "y"]
    assert parsed.get_bool("auto-approve")


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run_cli(["validate", "-bogus"], tmp_path)
    assert result.code == 2
    assert "flag provided but not defined: -bogus" in result.err
    result = run_cli(["frobnicate"], tmp_path)
    assert result.code == 2
    assert '"frobnicate" is not a gitterra command' in result.err


def test_help_and_version(tmp_path: Path) -> None:
    result = run_cli(["-help"], tmp_path)
    assert result.code == 0
    assert "console" in result.out
    assert "validate" in result.out
    assert run_cli([], tmp_path).code == 1
    result = run_cli(["validate", "-help"], tmp_path)
    assert "-json" in result.out
    assert run_cli(["-version"], tmp_path).out.startswith("gitterra v")


def test_bad_chdir(tmp_path: Path) -> None:
    result = run_cli([f"-chdir={tmp_path / 'nope'}", "validate"], tmp_path)
    assert result.code == 1
    assert "Error handling -chdir option" in result.err

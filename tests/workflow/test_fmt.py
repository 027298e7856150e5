"""gitterra fmt: files rewritten and listed, -check (exit 3, nothing written), -diff,
-write=false, -list=false, -recursive (not into .terraform), standard input, and mistakes
(a syntax error, a missing target, a file of another kind) named with exit 2, nothing written."""

from __future__ import annotations

from tests.workflow.conftest import ModuleDir

UGLY = 'resource "terraform_data" "a" {\ninput="x"\n    triggers_replace = [1]\n}\n'
TIDY = 'resource "terraform_data" "a" {\n  input            = "x"\n  triggers_replace = [1]\n}\n'


def test_rewrites_and_lists_what_changed(ws: ModuleDir) -> None:
    ws.write(UGLY)
    ws.write(TIDY.replace('"a"', '"b"'), "tidy.tf")
    ws.write('region="eu-west-3"\n', "terraform.tfvars")
    result = ws.ok("fmt")
    assert result.out.splitlines() == ["main.tf", "terraform.tfvars"]
    assert (ws.path / "main.tf").read_text() == TIDY
    assert (ws.path / "terraform.tfvars").read_text() == 'region = "eu-west-3"\n'
    assert ws.ok("fmt").out == "", "formatting again changes nothing"
    ws.ok("validate")


def test_check_changes_nothing_and_exits_3(ws: ModuleDir) -> None:
    ws.write(UGLY)
    before = ws.snapshot()
    result = ws.fails("fmt", "-check", code=3)
    assert result.out.splitlines() == ["main.tf"]
    assert ws.snapshot() == before
    diff = ws.fails("fmt", "-check", "-diff", "-list=false", code=3).out
    assert "--- old/main.tf\n+++ new/main.tf\n" in diff
    assert '-input="x"\n' in diff
    assert '+  input            = "x"\n' in diff
    assert ws.snapshot() == before
    assert ws.ok("fmt", "-write=false").out == "main.tf\n"
    assert ws.snapshot() == before
    ws.write(TIDY)
    assert ws.ok("fmt", "-check").out == ""


def test_targets_recursion_and_standard_input(ws: ModuleDir) -> None:
    ws.write(UGLY, "modules/web/main.tf")
    ws.write(UGLY, ".terraform/modules/copy/main.tf")
    assert ws.ok("fmt").out == "", "no file in the directory itself"
    assert ws.ok("fmt", "-recursive").out == "modules/web/main.tf\n"
    assert (ws.path / ".terraform/modules/copy/main.tf").read_text() == UGLY, "not .terraform"
    ws.write(UGLY, "one.tf")
    assert ws.ok("fmt", "one.tf").out == "one.tf\n"
    piped = ws.ok("fmt", "-", stdin=UGLY)
    assert piped.out == TIDY
    assert ws.fails("fmt", "-check", "-", stdin=UGLY, code=3).out == ""


def test_mistakes_are_named_and_change_nothing(ws: ModuleDir) -> None:
    ws.write('resource "terraform_data" "a" {\n  input = \n}\n')
    ws.write(UGLY.replace('"a"', '"b"'), "other.tf")
    ws.write("not configuration", "notes.txt")
    before = ws.snapshot()
    broken = ws.fails("fmt", code=2)
    assert "on main.tf:2:11:" in broken.err
    assert broken.out == "", "nothing listed"
    assert ws.snapshot() == before, "nothing written while any input is wrong, other.tf neither"
    missing = ws.fails("fmt", "nowhere", code=2)
    assert "No file or directory at nowhere" in missing.err
    other = ws.fails("fmt", "notes.txt", code=2)
    assert "Only .tf, .tfvars and .tftest.hcl files can be processed with fmt" in other.err
    assert "gitterra fmt" not in ws.fails("fmt", "-", stdin="x = ", code=2).out
    usage = ws.fails("fmt", "-", "main.tf", code=2)
    assert "fmt reads standard input (-) alone" in usage.err
    assert ws.snapshot() == before


def test_the_scaffold_is_laid_out_canonically(ws: ModuleDir) -> None:
    """What gitterra new writes passes its own fmt -check (and so a user's first fmt changes
    nothing they did not write)."""
    from gitterra.cli._new import write_scaffold

    write_scaffold(ws.path / "fob", "fob")
    result = ws.run("fmt", "-check", "-recursive", "-diff", "fob")
    assert result.code == 0, result.out + result.err

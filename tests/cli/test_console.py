"""``gitterra console``: results as terraform console prints them, -json one object per line,
errors that never stop the session, and the module's context (defaults, locals, path.*)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import REPO, run_cli, run_process

MODULE = """
variable "ports" {
  type    = list(number)
  default = [80, 443]
}

variable "required" {
  type = string
}

variable "secret" {
  type      = string
  default   = "hunter2"
  sensitive = true
}

locals {
  listeners = { for p in var.ports : "http-${p}" => p }
  greeting  = templatefile("${path.module}/greeting.tpl", { names = ["fox", "bear"] })
  broken    = var.required
}
"""


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text(MODULE)
    (tmp_path / "greeting.tpl").write_text("%{ for n in names ~}\nhello ${n}\n%{ endfor ~}\n")
    return tmp_path


def test_results_print_as_terraform_console(module: Path) -> None:
    lines = [
        "local.listeners",
        "var.ports[1] + 1",
        "local.greeting",
        "path.module",
        "var.secret",
        "upper(var.secret)",
        'cidrsubnets("10.0.0.0/16", 8, 8)',
        "type(local.listeners)",
        "null",
    ]
    result = run_cli(["console"], module, "\n".join(lines) + "\n")
    assert result.code == 0, result.err
    assert result.out == (
        '{\n  "http-443" = 443\n  "http-80" = 80\n}\n'
        "444\n"
        "<<EOT\nhello fox\nhello bear\n\nEOT\n"
        '"."\n'
        "(sensitive value)\n"
        "(sensitive value)\n"
        'tolist([\n  "10.0.0.0/24",\n  "10.0.1.0/24",\n])\n'
        "object({\n    http-443: number,\n    http-80: number,\n})\n"
        "null\n"
    )


def test_errors_are_reported_and_the_session_goes_on(module: Path) -> None:
    result = run_cli(["console"], module, "nope\nvar.ports[0]\nlocal.broken\n1 +\n2\n")
    assert result.out == "80\n2\n"
    assert "Error: Unknown variable" not in result.err  # undeclared roots are named properly
    assert "Invalid reference" in result.err
    assert "No value for required variable" in result.err
    assert 'The input variable "required" is not set' in result.err
    assert "on <console-input>:1:1" in result.err
    assert result.code == 1  # a non-interactive session with errors fails


def test_multi_line_input_continues_while_brackets_are_open(module: Path) -> None:
    text = "[\n  for p in var.ports :\n  p * 2\n]\n<<EOT\nline ${1}\nEOT\n"
    result = run_cli(["console"], module, text)
    assert result.code == 0, result.err
    assert result.out == "[\n  160,\n  886,\n]\n<<EOT\nline 1\n\nEOT\n"


def test_json_prints_one_object_per_input_line(module: Path) -> None:
    lines = [
        "local.listeners",
        "var.ports",
        "type(var.ports)",
        "nope(",
        "var.secret",
        "timestamp()",
        "1.5 * 2",
        "[for p in var.ports : p][",
        "exit",
        "not reached",
    ]
    result = run_cli(["console", "-json"], module, "\n".join(lines) + "\n")
    answers = [json.loads(line) for line in result.out.splitlines()]
    assert answers[0] == {
        "value": {"http-443": 443, "http-80": 80},
        "type": "object({http-443=number, http-80=number})",
    }
    assert answers[1] == {"value": [80, 443], "type": "list(number)"}
    assert answers[2] == {"value": "list(number)", "type": "type"}
    assert answers[3]["error"].startswith("<console-input>:1:")
    assert answers[4] == {"sensitive": True, "type": "string"}
    assert answers[5]["type"] == "string"
    assert answers[6] == {"value": 3, "type": "number"}
    assert "error" in answers[7]
    assert len(answers) == 8  # "exit" ends the session
    assert result.code == 0


def test_unknown_values_in_json(module: Path) -> None:
    (module / "main.tf").write_text(MODULE + '\nresource "terraform_data" "x" {}\n')
    result = run_cli(["console", "-json"], module, "terraform_data.x\n[1, terraform_data.x]\n")
    answers = [json.loads(line) for line in result.out.splitlines()]
    assert answers[0] == {"unknown": True, "type": "any"}
    assert answers[1]["unknown"] is True


def test_invalid_configuration_refuses_to_start(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("locals {\n  a = \n}\n")
    result = run_cli(["console"], tmp_path, "1\n")
    assert result.code == 1
    assert result.out == ""
    assert "on main.tf:2:" in result.err
    assert "Expected the start of an expression" in result.err


def test_console_as_a_real_process_with_chdir(
    module: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = run_process([f"-chdir={module}", "console"], elsewhere, "var.ports[0] * 2\n")
    assert result.code == 0, result.err
    assert result.out == "160\n"


def test_python_dash_m_runs_the_same_command() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "gitterra", "version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("gitterra v")

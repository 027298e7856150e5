"""Input variables from the command line, files and the environment, with Terraform's precedence,
and the errors for missing, unsuitable and invalid values (naming where the value came from)."""

from __future__ import annotations

import json

import pytest

from tests.workflow.conftest import ModuleDir

MODULE = """
variable "name" {
  type = string
}
variable "port" {
  type    = number
  default = 80
  validation {
    condition     = var.port > 0 && var.port < 65536
    error_message = "The port must be between 1 and 65535."
  }
}
variable "tags" {
  type    = map(string)
  default = {}
}
resource "terraform_data" "d" {
  input = "${var.name}:${var.port}"
}
output "name" {
  value = var.name
}
output "port" {
  value = var.port
}
output "tags" {
  value = var.tags
}
"""


def planned_vars(ws: ModuleDir, *args: str) -> dict[str, object]:
    doc = json.loads(ws.ok("plan", "-json", "-input=false", *args).out)
    return {name: v["value"] for name, v in doc["variables"].items()}


def test_var_and_var_file(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.write('name = "from-file"\ntags = { team = "web" }\n', "extra.tfvars")
    assert planned_vars(ws, "-var", "name=cli", "-var=port=8080") == {
        "name": "cli",
        "port": 8080,
        "tags": {},
    }
    assert planned_vars(ws, "-var-file=extra.tfvars") == {
        "name": "from-file",
        "port": 80,
        "tags": {"team": "web"},
    }
    ws.apply("-var", "name=web", "-var", 'tags={"a" = "b"}')
    outputs = json.loads(ws.ok("output", "-json").out)
    assert outputs["name"]["value"] == "web"
    assert outputs["port"]["value"] == 80
    assert outputs["tags"]["value"] == {"a": "b"}


def test_precedence(ws: ModuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.write(MODULE)
    monkeypatch.setenv("TF_VAR_name", "env")
    monkeypatch.setenv("TF_VAR_port", "1")
    assert planned_vars(ws)["name"] == "env"
    ws.write('name = "tfvars"\nport = 2\n', "terraform.tfvars")
    assert planned_vars(ws)["name"] == "tfvars"
    ws.write('{"name": "tfvars-json"}', "terraform.tfvars.json")
    assert planned_vars(ws)["name"] == "tfvars-json"
    ws.write('name = "auto-a"\n', "a.auto.tfvars")
    ws.write('name = "auto-b"\n', "b.auto.tfvars")
    assert planned_vars(ws) == {"name": "auto-b", "port": 2, "tags": {}}
    ws.write('name = "var-file"\n', "x.tfvars")
    # -var and -var-file: the later on the command line wins.
    assert planned_vars(ws, "-var=name=cli", "-var-file=x.tfvars")["name"] == "var-file"
    assert planned_vars(ws, "-var-file=x.tfvars", "-var=name=cli")["name"] == "cli"


def test_missing_required_variable_with_input_false(ws: ModuleDir) -> None:
    ws.write(MODULE)
    for args in (["plan", "-input=false"], ["apply", "-input=false", "-auto-approve"]):
        result = ws.fails(*args)
        assert "Error: No value for required variable" in result.err
        assert 'variable "name"' in result.err
        assert "main.tf" in result.err
    assert not ws.state_file().exists()


def test_a_prompt_answers_a_missing_variable_only_on_a_terminal(ws: ModuleDir) -> None:
    # In-process stdin is not a terminal: no prompt, the same error as -input=false.
    ws.write(MODULE)
    result = ws.fails("plan", stdin="typed\n")
    assert "No value for required variable" in result.err


@pytest.mark.parametrize(
    ("setup", "args", "origin"),
    [
        (None, ["-var", "port=abc"], 'set using -var="port=..."'),
        ({"x.tfvars": 'port = "abc"\n'}, ["-var-file=x.tfvars"], "x.tfvars:1"),
        ({"terraform.tfvars": 'port = "abc"\n'}, [], "terraform.tfvars:1"),
        ({"z.auto.tfvars": 'port = "abc"\n'}, [], "z.auto.tfvars:1"),
        ("env", [], "TF_VAR_port environment variable"),
    ],
)
def test_unsuitable_value_names_its_origin(
    ws: ModuleDir,
    monkeypatch: pytest.MonkeyPatch,
    setup: dict[str, str] | str | None,
    args: list[str],
    origin: str,
) -> None:
    ws.write(MODULE)
    if setup == "env":
        monkeypatch.setenv("TF_VAR_port", "abc")
    elif isinstance(setup, dict):
        for name, text in setup.items():
            ws.write(text, name)
    result = ws.fails("apply", "-auto-approve", "-var=name=n", *args)
    assert "Error: Invalid value for input variable" in result.err
    assert origin in result.err
    assert "a number is required" in result.err
    assert not ws.state_file().exists()


def test_validation_block(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("apply", "-auto-approve", "-var=name=n", "-var=port=0")
    assert "Error: Invalid value for variable" in result.err
    assert "The port must be between 1 and 65535." in result.err
    assert "main.tf" in result.err
    assert not ws.state_file().exists()
    assert planned_vars(ws, "-var=name=n", "-var=port=65535")["port"] == 65535


def test_undeclared_variable_on_the_command_line(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("plan", "-var=name=n", "-var=colour=red")
    assert "Value for undeclared variable" in result.err
    assert '"colour"' in result.err


def test_var_file_that_does_not_exist(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("plan", "-var=name=n", "-var-file=nope.tfvars")
    assert "nope.tfvars" in result.err

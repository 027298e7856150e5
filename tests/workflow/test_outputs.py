"""output: all outputs, one by name, -json and -raw, and sensitive outputs."""

from __future__ import annotations

import json

from tests.workflow.conftest import ModuleDir

MODULE = """
variable "secret" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
resource "terraform_data" "d" {
  input = "hello"
}
output "greeting" {
  value       = terraform_data.d.output
  description = "A greeting."
}
output "count" {
  value = 3
}
output "list" {
  value = ["a", "b"]
}
output "password" {
  value     = var.secret
  sensitive = true
}
"""


def test_outputs(ws: ModuleDir) -> None:
    ws.write(MODULE)
    applied = ws.apply()
    assert "Outputs:" in applied.out
    assert 'greeting = "hello"' in applied.out
    assert "password = <sensitive>" in applied.out
    assert "hunter2" not in applied.out

    every = ws.ok("output").out
    assert every.splitlines() == [
        "count = 3",
        'greeting = "hello"',
        "list = [",
        '  "a",',
        '  "b",',
        "]",
        "password = <sensitive>",
    ]
    assert ws.ok("output", "greeting").out == '"hello"\n'
    assert ws.ok("output", "-raw", "greeting").out == "hello"
    assert ws.ok("output", "-raw", "count").out == "3"
    # A sensitive output asked for by name is shown, as in Terraform.
    assert ws.ok("output", "-raw", "password").out == "hunter2"
    assert json.loads(ws.ok("output", "-json", "list").out) == ["a", "b"]

    doc = json.loads(ws.ok("output", "-json").out)
    assert doc["greeting"] == {"sensitive": False, "type": "string", "value": "hello"}
    assert doc["password"] == {"sensitive": True, "type": "string", "value": "hunter2"}
    assert doc["list"]["type"] == ["tuple", ["string", "string"]]
    assert doc["count"]["value"] == 3


def test_output_errors(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.apply()
    missing = ws.fails("output", "nope")
    assert 'Error: Output "nope" not found' in missing.err
    raw = ws.fails("output", "-raw", "list")
    assert "Unsupported value for raw output" in raw.err


def test_no_outputs(ws: ModuleDir) -> None:
    ws.write('resource "terraform_data" "d" {}\n')
    ws.apply()
    result = ws.ok("output")
    assert "No outputs found" in result.err
    assert ws.ok("output", "-json").out.strip() == "{}"


def test_output_of_a_sensitive_value_must_be_marked(ws: ModuleDir) -> None:
    ws.write(
        'variable "secret" {\n  type = string\n  default = "s"\n  sensitive = true\n}\n'
        'resource "terraform_data" "d" {}\n'
        'output "leak" {\n  value = "x-${var.secret}"\n}\n'
    )
    for args in (["plan"], ["apply", "-auto-approve"]):
        result = ws.fails(*args)
        assert "Error: Output refers to sensitive values" in result.err
        assert "main.tf" in result.err
    assert not ws.state_file().exists()


def test_plan_shows_sensitive_output_changes_hidden(ws: ModuleDir) -> None:
    ws.write(MODULE)
    text = ws.ok("plan").out
    assert "+ password = (sensitive value)" in text
    assert "hunter2" not in text


def test_sensitive_values_stay_hidden_in_later_plans(ws: ModuleDir) -> None:
    module = """
    variable "v" {
      type    = string
      default = "one"
    }
    variable "secret" {
      type      = string
      default   = "hunter2"
      sensitive = true
    }
    resource "terraform_data" "d" {
      input = %s
    }
    """
    ws.write(module % '"${var.v}-${var.secret}"')
    ws.apply()
    assert "input" in json.dumps(ws.state()["resources"][0]["instances"][0]["sensitive_attributes"])
    for args in ([], ["-refresh=false"]):
        doc = json.loads(ws.ok("plan", "-json", "-var=v=two", *args).out)
        assert doc["resource_changes"][0]["change"]["before_sensitive"] == {"input": True}
    ws.write(module % "var.v")
    text = ws.ok("plan").out
    assert "~ input  = (sensitive value)" in text
    assert '"one-hunter2" -> "one"' not in text

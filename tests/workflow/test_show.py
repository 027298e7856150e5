"""show: the current state for people and as Terraform's ``show -json`` document."""

from __future__ import annotations

import json

from tests.workflow.conftest import ModuleDir

MODULE = """
resource "terraform_data" "t" {
  count = 1
  input = "x"
}
resource "local_sensitive_file" "s" {
  filename = "s.txt"
  content  = "secret"
}
module "m" {
  source = "./m"
}
output "o" {
  value = terraform_data.t[0].output
}
"""


def test_show_state(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.write('resource "terraform_data" "i" {\n  input = 1\n}\n', "m/main.tf")
    assert ws.ok("show").out == "The state file is empty. No resources are represented.\n"
    ws.apply()
    text = ws.ok("show").out
    assert '# terraform_data.t[0]:\nresource "terraform_data" "t" {' in text
    assert '    input  = "x"' in text
    assert "# module.m.terraform_data.i:" in text
    assert "    content              = (sensitive value)" in text
    assert "secret" not in text
    assert text.endswith('Outputs:\n\no = "x"\n')

    doc = json.loads(ws.ok("show", "-json").out)
    assert doc["format_version"] == "1.0"
    root = doc["values"]["root_module"]
    by_address = {r["address"]: r for r in root["resources"]}
    t = by_address["terraform_data.t[0]"]
    assert t["index"] == 0
    assert t["values"]["input"] == "x", "values as their types, not the state encoding"
    assert t["sensitive_values"] == {}
    s = by_address["local_sensitive_file.s"]
    assert s["values"]["content"] == "secret"
    assert s["sensitive_values"]["content"] is True
    (child,) = root["child_modules"]
    assert child["address"] == "module.m"
    assert child["resources"][0]["values"]["input"] == 1
    assert doc["values"]["outputs"]["o"] == {"sensitive": False, "value": "x", "type": "string"}

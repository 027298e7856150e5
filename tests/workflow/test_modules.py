"""Local child modules: inputs and outputs, nesting, count and for_each on module calls, and
removing module instances."""

from __future__ import annotations

import json
from typing import Any

from tests.workflow.conftest import ModuleDir, addresses, attrs

CHILD = """
variable "name" {
  type = string
}
variable "size" {
  type    = number
  default = 1
}
resource "terraform_data" "item" {
  count = var.size
  input = "${var.name}-${count.index}"
}
module "leaf" {
  source = "../leaf"
  label  = var.name
}
output "items" {
  value = terraform_data.item[*].output
}
output "leaf" {
  value = module.leaf.upper
}
"""
LEAF = """
variable "label" {
  type = string
}
resource "terraform_data" "l" {
  input = upper(var.label)
}
output "upper" {
  value = terraform_data.l.output
}
"""


def setup(ws: ModuleDir, root: str) -> None:
    ws.write(CHILD, "modules/child/main.tf")
    ws.write(LEAF, "modules/leaf/main.tf")
    ws.write(root)


def plan_actions(ws: ModuleDir, *args: str) -> dict[str, tuple[list[str], Any]]:
    doc = json.loads(ws.ok("plan", "-json", *args).out)
    return {
        rc["address"]: (rc["change"]["actions"], rc.get("action_reason"))
        for rc in doc["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    }


def test_inputs_outputs_and_nesting(ws: ModuleDir) -> None:
    setup(
        ws,
        """
        module "web" {
          source = "./modules/child"
          name   = "web"
          size   = 2
        }
        output "items" {
          value = module.web.items
        }
        output "leaf" {
          value = module.web.leaf
        }
        """,
    )
    ws.apply()
    outputs = json.loads(ws.ok("output", "-json").out)
    assert outputs["items"]["value"] == ["web-0", "web-1"]
    assert outputs["leaf"]["value"] == "WEB"
    assert addresses(ws.state()) == [
        "module.web.module.leaf.terraform_data.l",
        "module.web.terraform_data.item[0]",
        "module.web.terraform_data.item[1]",
    ]
    assert ws.run("plan", "-detailed-exitcode").code == 0


def test_count_and_for_each_on_module_calls(ws: ModuleDir) -> None:
    root = """
    variable "n" {
      type = number
    }
    variable "names" {
      type = set(string)
    }
    module "counted" {
      source = "./modules/child"
      count  = var.n
      name   = "c${count.index}"
    }
    module "each" {
      source   = "./modules/child"
      for_each = var.names
      name     = each.key
    }
    output "each" {
      value = { for k, m in module.each : k => m.leaf }
    }
    """
    setup(ws, root)
    ws.apply("-var=n=2", '-var=names=["a","b"]')
    assert addresses(ws.state()) == sorted(
        [
            'module.each["a"].module.leaf.terraform_data.l',
            'module.each["a"].terraform_data.item[0]',
            'module.each["b"].module.leaf.terraform_data.l',
            'module.each["b"].terraform_data.item[0]',
            "module.counted[0].module.leaf.terraform_data.l",
            "module.counted[0].terraform_data.item[0]",
            "module.counted[1].module.leaf.terraform_data.l",
            "module.counted[1].terraform_data.item[0]",
        ]
    )
    assert json.loads(ws.ok("output", "-json", "each").out) == {"a": "A", "b": "B"}
    assert attrs(ws.state(), "module.counted[1].terraform_data.item", 0)["input"]["value"] == "c1-0"

    # Fewer module instances: their resources are deleted.
    changes = plan_actions(ws, "-var=n=1", '-var=names=["a"]')
    assert changes == {
        'module.each["b"].module.leaf.terraform_data.l': (["delete"], "delete_because_no_module"),
        'module.each["b"].terraform_data.item[0]': (["delete"], "delete_because_no_module"),
        "module.counted[1].module.leaf.terraform_data.l": (["delete"], "delete_because_no_module"),
        "module.counted[1].terraform_data.item[0]": (["delete"], "delete_because_no_module"),
    }
    text = ws.ok("plan", "-var=n=1", '-var=names=["a"]').out
    assert "# (because module.counted[1] is not in configuration)" in text
    ws.apply("-var=n=1", '-var=names=["a"]')
    assert len(addresses(ws.state())) == 4


def test_removing_a_module_call_deletes_its_resources(ws: ModuleDir) -> None:
    setup(
        ws,
        'module "a" {\n  source = "./modules/child"\n  name = "a"\n}\n'
        'module "b" {\n  source = "./modules/child"\n  name = "b"\n}\n',
    )
    ws.apply()
    ws.write('module "a" {\n  source = "./modules/child"\n  name = "a"\n}\n')
    assert plan_actions(ws) == {
        "module.b.module.leaf.terraform_data.l": (["delete"], "delete_because_no_module"),
        "module.b.terraform_data.item[0]": (["delete"], "delete_because_no_module"),
    }
    ws.apply()
    assert all(a.startswith("module.a.") for a in addresses(ws.state()))


def test_module_errors(ws: ModuleDir) -> None:
    ws.write('module "m" {\n  source = "./nope"\n}\n')
    missing = ws.fails("plan")
    assert "nope" in missing.err
    setup(ws, 'module "m" {\n  source = "./modules/child"\n}\n')
    required = ws.fails("plan")
    assert "Missing required argument" in required.err
    assert '"name"' in required.err
    assert not ws.state_file().exists()

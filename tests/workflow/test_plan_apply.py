"""plan, apply and destroy with the built-in providers: each kind of change, as text, as plan
JSON and as state, with Terraform's exit codes."""

from __future__ import annotations

import json
from typing import Any

from tests.clirun import run_cli
from tests.workflow.conftest import ModuleDir, addresses, attrs

DATA = """
variable "input" {
  type    = string
  default = "one"
}
resource "terraform_data" "d" {
  input = var.input
}
"""


def plan_json(ws: ModuleDir, *args: str) -> dict[str, Any]:
    return json.loads(ws.ok("plan", "-json", *args).out)  # type: ignore[no-any-return]


def actions(doc: dict[str, Any]) -> dict[str, tuple[list[str], str | None]]:
    """Each resource change's actions and reason, by address (no-ops left out)."""
    return {
        rc["address"]: (rc["change"]["actions"], rc.get("action_reason"))
        for rc in doc.get("resource_changes", [])
        if rc["change"]["actions"] != ["no-op"]
    }


def test_create_no_op_update_and_detailed_exitcode(ws: ModuleDir) -> None:
    ws.write(DATA)
    first = ws.run("plan", "-detailed-exitcode")
    assert first.code == 2, first.err
    assert "# terraform_data.d will be created" in first.out
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in first.out
    assert not ws.state_file().exists(), "plan writes no state"

    applied = ws.apply()
    assert "terraform_data.d: Creation complete" in applied.out
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in applied.out
    doc = ws.state()
    assert doc["version"] == 4
    assert attrs(doc, "terraform_data.d")["input"] == {"value": "one", "type": "string"}
    ident = attrs(doc, "terraform_data.d")["id"]

    same = ws.run("plan", "-detailed-exitcode")
    assert same.code == 0, same.err
    assert "No changes. Your infrastructure matches the configuration." in same.out

    changed = ws.run("plan", "-detailed-exitcode", "-var", "input=two")
    assert changed.code == 2
    assert "# terraform_data.d will be updated in-place" in changed.out
    assert '~ input  = "one" -> "two"' in changed.out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in changed.out

    ws.apply("-var", "input=two")
    doc = ws.state()
    assert attrs(doc, "terraform_data.d")["input"] == {"value": "two", "type": "string"}
    assert attrs(doc, "terraform_data.d")["id"] == ident, "updated in place, not replaced"

    ws.write(DATA + '\nresource "terraform_data" "bad" { input = nope.x }\n')
    broken = ws.run("plan", "-detailed-exitcode")
    assert broken.code == 1
    assert "Error:" in broken.err


def test_replace_when_a_force_new_attribute_changes(ws: ModuleDir) -> None:
    ws.write('resource "local_file" "f" {\n  filename = "f.txt"\n  content = "one"\n}\n')
    ws.apply()
    assert (ws.path / "f.txt").read_text() == "one"
    ws.write('resource "local_file" "f" {\n  filename = "f.txt"\n  content = "two"\n}\n')
    plan = ws.ok("plan")
    assert "# local_file.f must be replaced" in plan.out
    assert '~ content              = "one" -> "two" # forces replacement' in plan.out
    assert "Plan: 1 to add, 0 to change, 1 to destroy." in plan.out
    doc = plan_json(ws)
    assert actions(doc) == {"local_file.f": (["delete", "create"], "replace_because_cannot_update")}
    (change,) = doc["resource_changes"]
    assert ["content"] in change["change"]["replace_paths"]
    ws.apply()
    assert (ws.path / "f.txt").read_text() == "two"


def test_count_up_and_down(ws: ModuleDir) -> None:
    ws.write(
        'variable "n" { type = number }\n'
        'resource "terraform_data" "c" {\n  count = var.n\n  input = count.index\n}\n'
    )
    ws.apply("-var", "n=3")
    assert addresses(ws.state()) == [f"terraform_data.c[{i}]" for i in range(3)]
    up = plan_json(ws, "-var", "n=4")
    assert actions(up) == {"terraform_data.c[3]": (["create"], None)}
    down = plan_json(ws, "-var", "n=1")
    assert actions(down) == {
        "terraform_data.c[1]": (["delete"], "delete_because_count_index"),
        "terraform_data.c[2]": (["delete"], "delete_because_count_index"),
    }
    text = ws.ok("plan", "-var", "n=1").out
    assert "# (because index [2] is out of range for count)" in text
    ws.apply("-var", "n=1")
    assert addresses(ws.state()) == ["terraform_data.c[0]"]


def test_for_each_key_removed(ws: ModuleDir) -> None:
    ws.write(
        'variable "keys" { type = set(string) }\n'
        'resource "terraform_data" "e" {\n  for_each = var.keys\n  input = each.key\n}\n'
    )
    ws.apply("-var", 'keys=["a","b","c"]')
    assert addresses(ws.state()) == [f'terraform_data.e["{k}"]' for k in "abc"]
    doc = plan_json(ws, "-var", 'keys=["a","c"]')
    assert actions(doc) == {'terraform_data.e["b"]': (["delete"], "delete_because_each_key")}
    text = ws.ok("plan", "-var", 'keys=["a","c"]').out
    assert '# (because key ["b"] is not in for_each map)' in text
    ws.apply("-var", 'keys=["a","c"]')
    assert addresses(ws.state()) == ['terraform_data.e["a"]', 'terraform_data.e["c"]']


def test_resource_removed_from_config(ws: ModuleDir) -> None:
    ws.write('resource "terraform_data" "a" {}\nresource "terraform_data" "b" {}\n')
    ws.apply()
    ws.write('resource "terraform_data" "a" {}\n')
    doc = plan_json(ws)
    assert actions(doc) == {"terraform_data.b": (["delete"], "delete_because_no_resource_config")}
    text = ws.ok("plan").out
    assert "# (because terraform_data.b is not in configuration)" in text
    ws.apply()
    assert addresses(ws.state()) == ["terraform_data.a"]


def test_target_plans_only_the_target_and_its_dependencies(ws: ModuleDir) -> None:
    ws.write(
        'resource "terraform_data" "base" { input = "b" }\n'
        'resource "terraform_data" "top" { input = terraform_data.base.output }\n'
        'resource "terraform_data" "other" { input = "o" }\n'
    )
    doc = plan_json(ws, "-target=terraform_data.top")
    assert set(actions(doc)) == {"terraform_data.base", "terraform_data.top"}
    applied = ws.apply("-target", "terraform_data.top")
    assert addresses(ws.state()) == ["terraform_data.base", "terraform_data.top"]
    assert "Warning: Resource targeting is in effect" in applied.out
    assert "Warning: Applied changes may be incomplete" in applied.out
    assert set(actions(plan_json(ws))) == {"terraform_data.other"}


def test_replace_flag(ws: ModuleDir) -> None:
    ws.write('resource "random_id" "r" {\n  byte_length = 4\n}\nresource "terraform_data" "t" {}\n')
    ws.apply()
    before = attrs(ws.state(), "random_id.r")["id"]
    doc = plan_json(ws, "-replace=random_id.r")
    assert actions(doc) == {"random_id.r": (["delete", "create"], "replace_by_request")}
    text = ws.ok("plan", "-replace", "random_id.r").out
    assert "# random_id.r will be replaced, as requested" in text
    ws.apply("-replace=random_id.r")
    assert attrs(ws.state(), "random_id.r")["id"] != before


FILE = 'resource "local_file" "f" {\n  filename = "f.txt"\n  content  = "managed"\n}\n'


def test_refresh_detects_a_file_edited_outside(ws: ModuleDir) -> None:
    ws.write(FILE)
    ws.apply()
    (ws.path / "f.txt").write_text("edited by hand")
    assert "No changes." in ws.ok("plan", "-refresh=false").out
    # As hashicorp/local does: a file whose content differs is gone, so it is created again.
    text = ws.ok("plan").out
    assert "Objects have changed outside of gitterra" in text
    assert "# local_file.f has been deleted" in text
    assert "# local_file.f will be created" in text
    doc = plan_json(ws)
    assert actions(doc) == {"local_file.f": (["create"], None)}
    assert [d["address"] for d in doc["resource_drift"]] == ["local_file.f"]
    ws.apply()
    assert (ws.path / "f.txt").read_text() == "managed"
    assert "No changes." in ws.ok("plan").out


def test_refresh_detects_a_file_deleted_outside(ws: ModuleDir) -> None:
    ws.write(FILE)
    ws.apply()
    serial = ws.state()["serial"]
    (ws.path / "f.txt").unlink()
    assert "No changes." in ws.ok("plan", "-refresh=false").out
    text = ws.ok("plan").out
    assert "# local_file.f will be created" in text
    assert "Plan: 1 to add" in text
    assert ws.state()["serial"] == serial, "plan writes no state"
    ws.apply()
    assert (ws.path / "f.txt").read_text() == "managed"


def test_refresh_only(ws: ModuleDir) -> None:
    ws.write(FILE)
    ws.apply()
    (ws.path / "f.txt").unlink()
    text = ws.ok("plan", "-refresh-only").out
    assert "local_file.f has been deleted" in text
    assert "Plan:" not in text
    assert "local_file.f" in addresses(ws.state())
    ws.ok("apply", "-refresh-only", "-auto-approve")
    assert addresses(ws.state()) == []
    assert not (ws.path / "f.txt").exists(), "refresh-only creates nothing"


def test_refresh_is_apply_refresh_only(ws: ModuleDir) -> None:
    """Terraform's deprecated refresh: apply -refresh-only -auto-approve, its flags checked."""
    ws.write(FILE)
    ws.apply()
    (ws.path / "f.txt").unlink()
    assert "local_file.f has been deleted" in ws.ok("refresh", "-no-color").out
    assert addresses(ws.state()) == []
    assert not (ws.path / "f.txt").exists(), "refresh creates nothing"
    before = ws.snapshot()
    assert "-replace" in ws.fails("refresh", "-replace=local_file.f", code=2).err
    assert "no positional arguments" in ws.fails("refresh", "plan.out", code=2).err
    assert ws.snapshot() == before


def test_plan_json_shape(ws: ModuleDir) -> None:
    ws.write(
        'resource "random_string" "s" {\n  length = 8\n}\n'
        'output "s" {\n  value = random_string.s.result\n}\n'
    )
    doc = plan_json(ws)
    assert doc["format_version"]
    (rc,) = doc["resource_changes"]
    assert {k: rc[k] for k in ("address", "mode", "type", "name")} == {
        "address": "random_string.s",
        "mode": "managed",
        "type": "random_string",
        "name": "s",
    }
    change = rc["change"]
    assert change["actions"] == ["create"]
    assert change["before"] is None
    assert change["after"]["length"] == 8
    assert change["after_unknown"]["result"] is True
    assert "before_sensitive" in change
    assert "after_sensitive" in change
    assert doc["output_changes"]["s"]["actions"] == ["create"]
    assert doc["output_changes"]["s"]["after_unknown"] is True


CHAIN = """
resource "terraform_data" "a" { input = "a" }
resource "terraform_data" "b" { input = terraform_data.a.output }
resource "terraform_data" "c" { input = terraform_data.b.output }
"""


def destroy_order(out: str) -> list[str]:
    return [line.split(":")[0] for line in out.splitlines() if ": Destroying..." in line]


def test_destroy_goes_in_reverse_dependency_order(ws: ModuleDir) -> None:
    ws.write(CHAIN)
    ws.apply()
    out = ws.ok("destroy", "-auto-approve").out
    assert destroy_order(out) == ["terraform_data.c", "terraform_data.b", "terraform_data.a"]


def test_resources_removed_from_config_are_deleted_in_reverse_dependency_order(
    ws: ModuleDir,
) -> None:
    ws.write(CHAIN)
    ws.apply()
    ws.write('resource "terraform_data" "other" {}\n')
    out = ws.apply().out
    assert destroy_order(out) == ["terraform_data.c", "terraform_data.b", "terraform_data.a"]


def test_destroy(ws: ModuleDir) -> None:
    ws.write(
        'resource "local_file" "f" {\n  filename = "f.txt"\n  content = "x"\n}\n'
        'resource "terraform_data" "t" { input = local_file.f.id }\n'
        'output "o" { value = terraform_data.t.output }\n'
    )
    ws.apply()
    assert (ws.path / "f.txt").exists()
    plan = ws.ok("plan", "-destroy")
    assert "Plan: 0 to add, 0 to change, 2 to destroy." in plan.out
    out = ws.ok("destroy", "-auto-approve").out
    assert "Destroy complete! Resources: 2 destroyed." in out
    assert out.index("terraform_data.t: Destroying") < out.index("local_file.f: Destroying")
    assert not (ws.path / "f.txt").exists()
    doc = ws.state()
    assert doc["resources"] == []
    assert doc["outputs"] == {}
    assert "No changes." in ws.ok("destroy", "-auto-approve").out


def test_target_leaves_other_deletions_alone(ws: ModuleDir) -> None:
    ws.write(
        'resource "terraform_data" "a" {}\n'
        'resource "terraform_data" "n" {\n  count = 2\n}\n'
        'resource "terraform_data" "gone" {}\n'
    )
    ws.apply()
    ws.write(
        'resource "terraform_data" "a" {\n  input = "changed"\n}\n'
        'resource "terraform_data" "n" {\n  count = 1\n}\n'
    )
    assert actions(plan_json(ws, "-target=terraform_data.a")) == {
        "terraform_data.a": (["update"], None)
    }
    assert actions(plan_json(ws, "-target=terraform_data.n")) == {
        "terraform_data.n[1]": (["delete"], "delete_because_count_index")
    }
    assert actions(plan_json(ws, "-target=terraform_data.gone")) == {
        "terraform_data.gone": (["delete"], "delete_because_no_resource_config")
    }
    ws.apply("-target=terraform_data.a")
    assert addresses(ws.state()) == [
        "terraform_data.a",
        "terraform_data.gone",
        "terraform_data.n[0]",
        "terraform_data.n[1]",
    ]


def test_destroy_with_target_takes_the_target_and_its_dependents(ws: ModuleDir) -> None:
    ws.write(CHAIN + 'resource "terraform_data" "other" {}\n')
    ws.apply()
    doc = plan_json(ws, "-destroy", "-target=terraform_data.b")
    assert set(actions(doc)) == {"terraform_data.b", "terraform_data.c"}
    assert set(actions(plan_json(ws, "-destroy", "-target=terraform_data.c"))) == {
        "terraform_data.c"
    }
    out = ws.ok("destroy", "-auto-approve", "-target=terraform_data.b").out
    assert destroy_order(out) == ["terraform_data.c", "terraform_data.b"]
    assert addresses(ws.state()) == ["terraform_data.a", "terraform_data.other"]


def test_a_provider_error_during_apply_names_the_resource(ws: ModuleDir) -> None:
    (ws.path / "blocker").write_text("a file where a directory should be")
    ws.write(
        'resource "local_file" "f" {\n  filename = "blocker/f.txt"\n  content  = "x"\n}\n'
        'resource "terraform_data" "ok" {}\n'
        'resource "terraform_data" "after" {\n  input = local_file.f.id\n}\n'
    )
    result = ws.fails("apply", "-auto-approve")
    assert "local_file.f: Creation errored" in result.out
    assert "Error: Create local file error" in result.err
    assert 'on main.tf:1:1, in resource "local_file" "f"' in result.err
    # What did not depend on the failure was applied and recorded; its dependent was skipped.
    assert addresses(ws.state()) == ["terraform_data.ok"]


def test_refresh_only_without_drift_asks_nothing(ws: ModuleDir) -> None:
    ws.write(FILE)
    ws.apply()
    serial = ws.state()["serial"]
    result = ws.ok("apply", "-refresh-only", stdin="no\n")
    assert "No changes. Your infrastructure still matches the configuration." in result.out
    assert "Enter a value:" not in result.out
    assert ws.state()["serial"] == serial
    (ws.path / "f.txt").unlink()
    cancelled = ws.fails("apply", "-refresh-only", stdin="no\n")
    assert "Enter a value:" in cancelled.out
    assert "local_file.f" in addresses(ws.state())
    ws.ok("apply", "-refresh-only", stdin="yes\n")
    assert addresses(ws.state()) == []


def test_chdir(ws: ModuleDir) -> None:
    ws.write(
        'resource "local_file" "f" {\n  filename = "${path.module}/f.txt"\n  content = "x"\n}\n'
    )
    parent = ws.path.parent
    result = run_cli(["-chdir=module", "apply", "-auto-approve"], parent)
    assert result.code == 0, result.err
    assert (ws.path / "f.txt").read_text() == "x"
    assert addresses(ws.state()) == ["local_file.f"]
    assert not (parent / "terraform.tfstate").exists()
    missing = run_cli(["-chdir=nowhere", "plan"], parent)
    assert missing.code == 1
    assert "-chdir" in missing.err


def test_destroy_does_not_expand_what_has_no_instances(ws: ModuleDir) -> None:
    """A resource with count = 0 refers to another's [0]: destroy checks the body with
    resources unknown, as validate does, instead of failing on an index that is not there."""
    ws.write(
        """
        variable "on" {
          type    = bool
          default = false
        }
        resource "terraform_data" "r" {
          count = var.on ? 1 : 0
          input = "x"
        }
        resource "terraform_data" "s" {
          count = var.on ? 1 : 0
          input = terraform_data.r[0].id
        }
        """
    )
    assert "Destroy complete! Resources: 0 destroyed." in ws.ok("destroy", "-auto-approve").out
    ws.apply("-var=on=true")
    done = ws.ok("destroy", "-auto-approve")
    assert "Destroy complete! Resources: 2 destroyed." in done.out
    ws.write('resource "terraform_data" "t" {\n  input = terraform_data.nope.id\n}\n')
    assert "Reference to undeclared resource" in ws.fails("destroy", "-auto-approve").err

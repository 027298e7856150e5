"""Saved plans (plan -out, apply PLANFILE, show PLANFILE) and apply's approval prompt."""

from __future__ import annotations

import json

from tests.workflow.conftest import ModuleDir, addresses, attrs

MODULE = """
variable "content" {
  type    = string
  default = "one"
}
resource "local_file" "f" {
  filename = "f.txt"
  content  = var.content
}
output "name" {
  value = local_file.f.filename
}
"""


def test_plan_out_then_apply_the_file(ws: ModuleDir) -> None:
    ws.write(MODULE)
    saved = ws.ok("plan", "-out=tf.plan", "-var", "content=from-plan")
    assert "Saved the plan to: tf.plan" in saved.out
    assert not ws.state_file().exists()
    # The saved plan carries its variables; setting them again is refused.
    refused = ws.fails("apply", "-var", "content=other", "tf.plan")
    assert "Can't set variables when applying a saved plan" in refused.err
    assert not ws.state_file().exists()
    applied = ws.ok("apply", "tf.plan")
    assert "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in applied.out
    assert (ws.path / "f.txt").read_text() == "from-plan"
    assert attrs(ws.state(), "local_file.f")["content"] == "from-plan"
    assert ws.state()["outputs"]["name"]["value"] == "f.txt"


def test_a_saved_plan_applies_once_then_is_stale(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.ok("plan", "-out=tf.plan")
    ws.ok("apply", "tf.plan")
    state_before = ws.state_file().read_bytes()
    again = ws.fails("apply", "tf.plan")
    assert "Saved plan is stale" in again.err
    assert ws.state_file().read_bytes() == state_before


def test_a_plan_made_before_another_apply_is_stale_and_changes_nothing(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.apply()
    ws.ok("plan", "-out=tf.plan", "-var", "content=two")
    ws.apply("-var", "content=three")
    before = ws.snapshot()
    stale = ws.fails("apply", "tf.plan")
    assert "Error: Saved plan is stale" in stale.err
    assert "the state was changed by another operation" in stale.err
    assert ws.snapshot() == before
    assert (ws.path / "f.txt").read_text() == "three"


def test_show_a_saved_plan_as_text_and_json(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.ok("plan", "-out=tf.plan")
    text = ws.ok("show", "tf.plan").out
    assert "# local_file.f will be created" in text
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in text
    doc = json.loads(ws.ok("show", "-json", "tf.plan").out)
    (rc,) = doc["resource_changes"]
    assert rc["address"] == "local_file.f"
    assert rc["change"]["actions"] == ["create"]
    assert rc["change"]["after"]["content"] == "one"
    assert doc["output_changes"]["name"]["actions"] == ["create"]
    assert doc["variables"] == {"content": {"value": "one"}}
    # Showing is read-only.
    assert not ws.state_file().exists()
    assert not (ws.path / "f.txt").exists()


def test_show_an_unreadable_plan_file(ws: ModuleDir) -> None:
    ws.write(MODULE)
    (ws.path / "junk.plan").write_text("not a plan")
    result = ws.fails("show", "junk.plan")
    assert "Failed to read the plan file" in result.err
    assert "junk.plan" in result.err
    missing = ws.fails("apply", "nope.plan")
    assert "Failed to read the plan file" in missing.err
    assert not ws.state_file().exists()


def test_approval_yes_applies(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.ok("apply", stdin="yes\n")
    assert "Do you want to perform these actions?" in result.out
    assert "Enter a value:" in result.out
    assert "Apply complete!" in result.out
    assert addresses(ws.state()) == ["local_file.f"]


def test_approval_anything_but_yes_cancels(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("apply", stdin="no\n")
    assert "Apply cancelled." in result.out
    assert not ws.state_file().exists()
    assert not (ws.path / "f.txt").exists()


def test_destroy_approval(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.apply()
    result = ws.fails("destroy", stdin="y\n")
    assert "Do you really want to destroy all resources?" in result.out
    assert "Destroy cancelled." in result.out
    assert (ws.path / "f.txt").exists()
    ws.ok("destroy", stdin="yes\n")
    assert not (ws.path / "f.txt").exists()


def test_input_false_without_auto_approve_refuses(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("apply", "-input=false")
    assert "No approval given" in result.err
    assert not ws.state_file().exists()
    assert not (ws.path / "f.txt").exists()


def test_plan_out_to_an_unwritable_place(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("plan", "-out=missing-dir/tf.plan")
    assert "Error: Failed to write plan file" in result.err
    assert "missing-dir/tf.plan" in result.err
    assert sorted(ws.snapshot()) == ["main.tf"]

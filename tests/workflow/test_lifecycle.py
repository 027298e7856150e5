"""lifecycle: create_before_destroy (observed order), prevent_destroy, ignore_changes,
replace_triggered_by."""

from __future__ import annotations

import json
import re

from tests.workflow.conftest import ModuleDir, addresses, attrs, resources

CBD = """
variable "v" {
  type    = string
  default = "one"
}
resource "local_file" "f" {
  filename = "f-${var.v}.txt"
  content  = var.v
  lifecycle {
    create_before_destroy = %s
  }
  provisioner "local-exec" {
    command = "echo create ${self.filename} $(ls f-*.txt | tr '\\n' ' ') >> log.txt"
  }
  provisioner "local-exec" {
    when    = destroy
    command = "echo destroy ${self.filename} $(ls f-*.txt | tr '\\n' ' ') >> log.txt"
  }
}
"""


def test_create_before_destroy_order(ws: ModuleDir) -> None:
    ws.write(CBD % "true")
    ws.apply()
    plan = json.loads(ws.ok("plan", "-json", "-var=v=two").out)
    (rc,) = plan["resource_changes"]
    assert rc["change"]["actions"] == ["create", "delete"]
    assert "+/- resource" in ws.ok("plan", "-var=v=two").out
    ws.apply("-var=v=two")
    # Each line: the event, then the files that existed when its provisioner ran.
    assert (ws.path / "log.txt").read_text().splitlines() == [
        "create f-one.txt f-one.txt",
        "create f-two.txt f-one.txt f-two.txt",
        "destroy f-one.txt f-one.txt f-two.txt",
    ]
    assert not (ws.path / "f-one.txt").exists()
    doc = ws.state()
    assert attrs(doc, "local_file.f")["filename"] == "f-two.txt"
    (inst,) = doc["resources"][0]["instances"]
    assert "deposed" not in inst
    assert inst["create_before_destroy"] is True


def test_destroy_before_create_by_default(ws: ModuleDir) -> None:
    ws.write(CBD % "false")
    ws.apply()
    assert "-/+ resource" in ws.ok("plan", "-var=v=two").out
    ws.apply("-var=v=two")
    assert (ws.path / "log.txt").read_text().splitlines() == [
        "create f-one.txt f-one.txt",
        "destroy f-one.txt f-one.txt",
        "create f-two.txt f-two.txt",
    ]


PREVENT = """
variable "v" {
  type    = string
  default = "one"
}
resource "terraform_data" "keep" {
  count            = %d
  triggers_replace = var.v
  lifecycle {
    prevent_destroy = true
  }
}
"""


def test_prevent_destroy_blocks_destroy_and_replace(ws: ModuleDir) -> None:
    ws.write(PREVENT % 1)
    ws.apply()
    before = ws.state_file().read_bytes()
    message = (
        "Resource terraform_data.keep[0] has lifecycle.prevent_destroy set, but the plan calls "
        "for this resource to be destroyed."
    )
    for args in (
        ["plan", "-var=v=two"],
        ["apply", "-auto-approve", "-var=v=two"],
        ["destroy", "-auto-approve"],
        ["plan", "-destroy"],
    ):
        result = ws.fails(*args)
        assert "Error: Instance cannot be destroyed" in result.err, args
        assert message in result.err
        assert "main.tf" in result.err
    ws.write(PREVENT % 0)
    shrink = ws.fails("apply", "-auto-approve")
    assert "Error: Instance cannot be destroyed" in shrink.err
    assert ws.state_file().read_bytes() == before
    # In-place changes are allowed.
    ws.write(PREVENT % 1 + 'resource "terraform_data" "other" {}\n')
    ws.apply()


def test_ignore_changes(ws: ModuleDir) -> None:
    module = """
    resource "terraform_data" "d" {
      input = "%s"
      lifecycle {
        ignore_changes = [input]
      }
    }
    resource "terraform_data" "all" {
      triggers_replace = "%s"
      lifecycle {
        ignore_changes = all
      }
    }
    """
    ws.write(module % ("one", "one"))
    ws.apply()
    ws.write(module % ("two", "two"))
    assert ws.run("plan", "-detailed-exitcode").code == 0
    ws.apply()
    doc = ws.state()
    assert attrs(doc, "terraform_data.d")["input"]["value"] == "one"
    assert attrs(doc, "terraform_data.all")["triggers_replace"]["value"] == "one"


def test_replace_triggered_by(ws: ModuleDir) -> None:
    module = """
    resource "terraform_data" "trigger" {
      input = "%s"
    }
    resource "terraform_data" "dependent" {
      input = "constant"
      lifecycle {
        replace_triggered_by = [terraform_data.trigger]
      }
    }
    """
    ws.write(module % "one")
    ws.apply()
    ident = attrs(ws.state(), "terraform_data.dependent")["id"]
    assert ws.run("plan", "-detailed-exitcode").code == 0
    ws.write(module % "two")
    doc = json.loads(ws.ok("plan", "-json").out)
    changes = {rc["address"]: rc for rc in doc["resource_changes"]}
    assert changes["terraform_data.trigger"]["change"]["actions"] == ["update"]
    assert changes["terraform_data.dependent"]["change"]["actions"] == ["delete", "create"]
    assert changes["terraform_data.dependent"]["action_reason"] == "replace_by_triggers"
    text = ws.ok("plan").out
    assert (
        "# terraform_data.dependent will be replaced due to changes in replace_triggered_by" in text
    )
    ws.apply()
    assert attrs(ws.state(), "terraform_data.dependent")["id"] != ident
    assert addresses(ws.state()) == ["terraform_data.dependent", "terraform_data.trigger"]


def test_create_before_destroy_updates_dependents_before_destroying(ws: ModuleDir) -> None:
    module = """
    variable "v" {
      type    = string
      default = "one"
    }
    resource "terraform_data" "base" {
      triggers_replace = var.v
      lifecycle {
        create_before_destroy = true
      }
    }
    resource "terraform_data" "dep" {
      input = terraform_data.base.id
    }
    """
    ws.write(module)
    ws.apply()
    old_id = attrs(ws.state(), "terraform_data.base")["id"]
    out = ws.apply("-var=v=two").out
    steps = [
        re.sub(r"deposed object [0-9a-f]{8}", "deposed object KEY", line.split(" [")[0])
        for line in out.splitlines()
        if line.startswith("terraform_data.") and "..." in line
    ]
    assert steps == [
        "terraform_data.base: Creating...",
        "terraform_data.dep: Modifying...",
        "terraform_data.base (deposed object KEY): Destroying...",
    ]
    doc = ws.state()
    new_id = attrs(doc, "terraform_data.base")["id"]
    assert new_id != old_id
    assert attrs(doc, "terraform_data.dep")["input"]["value"] == new_id


def test_a_failed_create_before_destroy_keeps_the_old_object_current(ws: ModuleDir) -> None:
    (ws.path / "blocker").write_text("a file where a directory should be")
    module = """
    variable "dir" {
      type    = string
      default = "ok"
    }
    resource "local_file" "f" {
      filename = "${var.dir}/f.txt"
      content  = "x"
      lifecycle {
        create_before_destroy = true
      }
    }
    """
    ws.write(module)
    ws.apply()
    before = resources(ws.state())["local_file.f"]
    result = ws.fails("apply", "-auto-approve", "-var=dir=blocker")
    assert "local_file.f: Creation errored" in result.out
    assert "Destroying" not in result.out
    assert resources(ws.state())["local_file.f"] == before, "the old object is current again"
    assert (ws.path / "ok" / "f.txt").exists()
    assert ws.run("plan", "-detailed-exitcode").code == 0

"""local-exec provisioners: streamed output, environment, working_dir, interpreter,
when = destroy, and on_failure (continue warns; fail taints, and the next plan replaces)."""

from __future__ import annotations

import json
import sys

from tests.workflow.conftest import ModuleDir, addresses, resources


def test_output_streams_with_environment_working_dir_and_interpreter(ws: ModuleDir) -> None:
    (ws.path / "sub").mkdir()
    ws.write(
        f"""
        resource "terraform_data" "p" {{
          input = "payload"
          provisioner "local-exec" {{
            command     = "echo hello $GREETING from ${{self.output}}; pwd"
            working_dir = "sub"
            environment = {{
              GREETING = "world"
            }}
          }}
          provisioner "local-exec" {{
            command     = "import sys; print('python', sys.argv[1:])"
            interpreter = ["{sys.executable}", "-c"]
          }}
        }}
        """
    )
    out = ws.apply().out
    lines = out.splitlines()
    provisioning = "terraform_data.p: Provisioning with 'local-exec'..."
    assert lines.count(provisioning) == 2, "one line as each of the two provisioners starts"
    assert lines.index(provisioning) < next(
        i for i, line in enumerate(lines) if "(local-exec): Executing:" in line
    )
    assert "terraform_data.p (local-exec): Executing: ['/bin/sh', '-c', " in out
    assert "terraform_data.p (local-exec): hello world from payload" in out
    assert f"terraform_data.p (local-exec): {ws.path / 'sub'}" in out
    assert "terraform_data.p (local-exec): python []" in out
    assert out.index("hello world") < out.index("python []"), "provisioners run in order"
    assert "Apply complete! Resources: 1 added" in out


def test_when_destroy(ws: ModuleDir) -> None:
    ws.write(
        """
        resource "terraform_data" "d" {
          input = "x"
          provisioner "local-exec" {
            command = "echo created >> log.txt"
          }
          provisioner "local-exec" {
            when    = destroy
            command = "echo destroying ${self.output} >> log.txt"
          }
        }
        """
    )
    ws.apply()
    assert (ws.path / "log.txt").read_text() == "created\n"
    out = ws.ok("destroy", "-auto-approve").out
    assert "terraform_data.d (local-exec): Executing:" in out
    assert (ws.path / "log.txt").read_text() == "created\ndestroying x\n"


def test_on_failure_continue_is_a_warning(ws: ModuleDir) -> None:
    ws.write(
        """
        resource "terraform_data" "c" {
          provisioner "local-exec" {
            command    = "echo trying; exit 3"
            on_failure = continue
          }
        }
        """
    )
    result = ws.apply()
    assert "terraform_data.c (local-exec): trying" in result.out
    assert "Warning: local-exec provisioner error" in result.out
    assert "exit status 3" in result.out
    (inst,) = resources(ws.state())["terraform_data.c"]
    assert "status" not in inst
    assert ws.run("plan", "-detailed-exitcode").code == 0


def test_on_failure_fail_taints_and_the_next_plan_replaces(ws: ModuleDir) -> None:
    ws.write(
        """
        variable "code" {
          type    = number
          default = 4
        }
        resource "terraform_data" "f" {
          provisioner "local-exec" {
            command = "echo failing; exit ${var.code}"
          }
        }
        resource "terraform_data" "after" {
          input = terraform_data.f.id
        }
        resource "terraform_data" "independent" {}
        """
    )
    result = ws.fails("apply", "-auto-approve")
    assert "terraform_data.f (local-exec): failing" in result.out
    assert "Error: local-exec provisioner error" in result.err
    assert "exit status 4" in result.err
    assert 'in resource "terraform_data" "f"' in result.err
    doc = ws.state()
    (inst,) = resources(doc)["terraform_data.f"]
    assert inst["status"] == "tainted"
    assert addresses(doc) == ["terraform_data.f", "terraform_data.independent"]

    plan = json.loads(ws.ok("plan", "-json").out)
    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    assert changes["terraform_data.f"]["change"]["actions"] == ["delete", "create"]
    assert changes["terraform_data.f"]["action_reason"] == "replace_because_tainted"
    assert "# terraform_data.f is tainted, so must be replaced" in ws.ok("plan").out

    ws.apply("-var=code=0")
    doc = ws.state()
    (inst,) = resources(doc)["terraform_data.f"]
    assert "status" not in inst
    assert addresses(doc) == [
        "terraform_data.after",
        "terraform_data.f",
        "terraform_data.independent",
    ]

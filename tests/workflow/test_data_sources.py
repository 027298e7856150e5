"""Data sources: read during plan when their arguments are known, during apply when they
depend on changes pending, and read again (not "drifted") on every plan."""

from __future__ import annotations

import json

from tests.workflow.conftest import ModuleDir, attrs

MODULE = """
data "local_file" "in" {
  filename = "in.txt"
}
resource "local_file" "made" {
  filename = "made.txt"
  content  = "made from ${trimspace(data.local_file.in.content)}"
}
data "local_file" "made" {
  filename = local_file.made.filename
}
output "in" {
  value = data.local_file.in.content
}
output "made" {
  value = data.local_file.made.content
}
"""


def test_read_during_plan_and_during_apply(ws: ModuleDir) -> None:
    (ws.path / "in.txt").write_text("hello\n")
    ws.write(MODULE)
    doc = json.loads(ws.ok("plan", "-json").out)
    changes = {rc["address"]: rc for rc in doc["resource_changes"]}
    # Known arguments: read during plan (its value is already in the plan, not a change).
    assert "data.local_file.in" not in changes
    assert changes["local_file.made"]["change"]["after"]["content"] == "made from hello"
    read = changes["data.local_file.made"]
    assert read["change"]["actions"] == ["read"]
    assert read["action_reason"] == "read_because_dependency_pending"
    text = ws.ok("plan").out
    assert "# data.local_file.made will be read during apply" in text
    assert "<= data" in text

    applied = ws.apply().out
    assert applied.index("local_file.made: Creation complete") < applied.index(
        "data.local_file.made: Reading..."
    )
    assert "data.local_file.made: Read complete" in applied
    outputs = json.loads(ws.ok("output", "-json").out)
    assert outputs["in"]["value"] == "hello\n"
    assert outputs["made"]["value"] == "made from hello"
    assert attrs(ws.state(), "data.local_file.in")["content"] == "hello\n"
    assert ws.run("plan", "-detailed-exitcode").code == 0


def test_a_changed_file_is_read_again_not_reported_as_drift(ws: ModuleDir) -> None:
    (ws.path / "in.txt").write_text("hello\n")
    ws.write(MODULE)
    ws.apply()
    (ws.path / "in.txt").write_text("changed\n")
    text = ws.ok("plan").out
    assert "changed outside" not in text
    assert "data.local_file.in has" not in text
    assert "# local_file.made must be replaced" in text
    ws.apply()
    assert (ws.path / "made.txt").read_text() == "made from changed"


def test_a_missing_file_is_an_error_naming_the_data_source(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("plan")
    assert "Read local file data source error" in result.err
    assert "data.local_file.in" in result.err or 'data "local_file" "in"' in result.err
    assert not ws.state_file().exists()

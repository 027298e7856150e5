"""state list|show|rm|mv|pull|push on a real applied state, and what plan makes of the edits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.workflow.conftest import ModuleDir, addresses, attrs

MODULE = """
resource "terraform_data" "c" {
  count = 2
  input = "c-${count.index}"
}
resource "random_id" "r" {
  byte_length = 4
}
module "m" {
  source = "./mod"
}
"""
CHILD = 'resource "terraform_data" "inner" {\n  input = "inner"\n}\n'


def applied(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.write(CHILD, "mod/main.tf")
    ws.apply()


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_list_with_filters(ws: ModuleDir) -> None:
    applied(ws)
    assert lines(ws.ok("state", "list").out) == [
        "random_id.r",
        "terraform_data.c[0]",
        "terraform_data.c[1]",
        "module.m.terraform_data.inner",
    ]
    assert lines(ws.ok("state", "list", "terraform_data.c").out) == [
        "terraform_data.c[0]",
        "terraform_data.c[1]",
    ]
    assert lines(ws.ok("state", "list", "terraform_data.c[1]").out) == ["terraform_data.c[1]"]
    assert lines(ws.ok("state", "list", "module.m").out) == ["module.m.terraform_data.inner"]
    ident = attrs(ws.state(), "random_id.r")["id"]
    assert lines(ws.ok("state", "list", f"-id={ident}").out) == ["random_id.r"]
    assert ws.ok("state", "list", "terraform_data.nope").out == ""


def test_show(ws: ModuleDir) -> None:
    applied(ws)
    text = ws.ok("state", "show", "terraform_data.c[1]").out
    assert text.startswith('# terraform_data.c[1]:\nresource "terraform_data" "c" {\n')
    assert '    input  = "c-1"' in text
    assert '    output = "c-1"' in text
    inner = ws.ok("state", "show", "module.m.terraform_data.inner").out
    assert inner.startswith("# module.m.terraform_data.inner:")
    many = ws.fails("state", "show", "terraform_data.c")
    assert "No instance found for the given address" in many.err
    none = ws.fails("state", "show", "random_id.nope")
    assert "No instance found for the given address" in none.err


def test_rm_then_plan_creates_it_again(ws: ModuleDir) -> None:
    applied(ws)
    serial = ws.state()["serial"]
    dry = ws.ok("state", "rm", "-dry-run", "random_id.r")
    assert "Would remove random_id.r" in dry.out
    assert ws.state()["serial"] == serial
    result = ws.ok("state", "rm", "random_id.r", "terraform_data.c[0]")
    assert "Removed random_id.r" in result.out
    assert "Successfully removed 2 resource instance(s)." in result.out
    doc = ws.state()
    assert doc["serial"] == serial + 1
    assert addresses(doc) == ["module.m.terraform_data.inner", "terraform_data.c[1]"]
    plan = ws.ok("plan").out
    assert "# random_id.r will be created" in plan
    assert "# terraform_data.c[0] will be created" in plan
    assert "Plan: 2 to add, 0 to change, 0 to destroy." in plan
    missing = ws.fails("state", "rm", "random_id.r")
    assert "No matching objects found" in missing.err


def test_mv_resource_and_instance_then_no_changes(ws: ModuleDir) -> None:
    applied(ws)
    ids = {a: attrs(ws.state(), "terraform_data.c", i)["id"] for i, a in enumerate("ab")}
    result = ws.ok("state", "mv", "terraform_data.c[1]", "terraform_data.second")
    assert 'Move "terraform_data.c[1]" to "terraform_data.second"' in result.out
    ws.ok("state", "mv", "terraform_data.c", "terraform_data.first")
    ws.ok("state", "mv", "random_id.r", "random_id.renamed")
    doc = ws.state()
    assert attrs(doc, "terraform_data.first", 0)["id"] == ids["a"]
    assert attrs(doc, "terraform_data.second")["id"] == ids["b"]
    ws.write(
        """
        resource "terraform_data" "first" {
          count = 1
          input = "c-${count.index}"
        }
        resource "terraform_data" "second" {
          input = "c-1"
        }
        resource "random_id" "renamed" {
          byte_length = 4
        }
        module "m" {
          source = "./mod"
        }
        """
    )
    assert ws.run("plan", "-detailed-exitcode").code == 0


def test_mv_refusals(ws: ModuleDir) -> None:
    applied(ws)
    before = ws.state_file().read_bytes()
    taken = ws.fails("state", "mv", "terraform_data.c[0]", "terraform_data.c[1]")
    assert "already a resource instance at that address" in taken.err
    absent = ws.fails("state", "mv", "terraform_data.nope", "terraform_data.x")
    assert "does not exist in the state" in absent.err
    kinds = ws.fails("state", "mv", "terraform_data.c", "random_id.c", code=2)
    assert "the resource types differ" in kinds.err
    assert ws.state_file().read_bytes() == before


def pull(ws: ModuleDir) -> dict[str, Any]:
    return json.loads(ws.ok("state", "pull").out)  # type: ignore[no-any-return]


def test_pull_gives_valid_v4_json(ws: ModuleDir) -> None:
    applied(ws)
    doc = pull(ws)
    assert doc == ws.state()
    assert doc["version"] == 4
    assert {"terraform_version", "serial", "lineage", "outputs", "resources"} <= set(doc)
    for rs in doc["resources"]:
        assert {"mode", "type", "name", "provider", "instances"} <= set(rs)
        for inst in rs["instances"]:
            assert {"schema_version", "attributes", "sensitive_attributes"} <= set(inst)


def test_push_checks_lineage_and_serial(ws: ModuleDir, tmp_path: Path) -> None:
    applied(ws)
    doc = pull(ws)
    current = ws.state_file().read_bytes()

    def write(name: str, **changes: Any) -> str:
        path = tmp_path / name
        path.write_text(json.dumps({**doc, **changes}))
        return str(path)

    older = ws.fails("state", "push", write("older.json", serial=doc["serial"] - 1))
    assert "cannot import state with serial" in older.err
    other = ws.fails("state", "push", write("other.json", lineage="someone-else"))
    assert "cannot import state with lineage" in other.err
    assert ws.state_file().read_bytes() == current

    trimmed = [r for r in doc["resources"] if r["type"] != "random_id"]
    ws.ok("state", "push", write("newer.json", serial=doc["serial"] + 5, resources=trimmed))
    assert "random_id.r" not in addresses(ws.state())
    assert ws.state()["lineage"] == doc["lineage"]

    ws.ok("state", "push", "-force", write("forced.json", lineage="someone-else", serial=1))
    assert ws.state()["lineage"] == "someone-else"

    (tmp_path / "junk.json").write_text("{not json")
    junk = ws.fails("state", "push", str(tmp_path / "junk.json"))
    assert "Invalid state file" in junk.err
    assert ws.state()["lineage"] == "someone-else"


def test_push_from_stdin_and_unreadable_files(ws: ModuleDir) -> None:
    applied(ws)
    doc = pull(ws)
    trimmed = [r for r in doc["resources"] if r["type"] != "random_id"]
    pushed = {**doc, "serial": doc["serial"] + 1, "resources": trimmed}
    ws.ok("state", "push", "-", stdin=json.dumps(pushed))
    assert "random_id.r" not in addresses(ws.state())
    missing = ws.fails("state", "push", "nope.json")
    assert "Failed to read the state file" in missing.err
    assert "nope.json" in missing.err


def test_mv_into_a_module_and_rm_a_module(ws: ModuleDir) -> None:
    applied(ws)
    ws.ok("state", "rm", "module.m.terraform_data.inner")
    ident = attrs(ws.state(), "terraform_data.c", 0)["id"]
    ws.ok("state", "mv", "terraform_data.c[0]", "module.m.terraform_data.inner")
    assert attrs(ws.state(), "module.m.terraform_data.inner")["id"] == ident
    removed = ws.ok("state", "rm", "module.m")
    assert "Removed module.m.terraform_data.inner" in removed.out
    assert not any(a.startswith("module.") for a in addresses(ws.state()))

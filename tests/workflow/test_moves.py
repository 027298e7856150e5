"""Implied moves: adding ``count`` to a resource (or taking it away) keeps its object — the
plan says "has moved to", apply records the new address, nothing is destroyed."""

from __future__ import annotations

import json

from tests.workflow.conftest import ModuleDir

SINGLE = 'resource "random_id" "r" {\n  byte_length = 4\n}\n'
COUNTED = 'resource "random_id" "r" {\n  count       = 1\n  byte_length = 4\n}\n'


def ids(ws: ModuleDir) -> dict[str, str]:
    out = {}
    for rs in ws.state()["resources"]:
        for inst in rs["instances"]:
            key = inst.get("index_key")
            suffix = "" if key is None else f"[{json.dumps(key)}]"
            out[f"{rs['type']}.{rs['name']}{suffix}"] = inst["attributes"]["id"]
    return out


def test_adding_count_moves_the_object_to_index_zero(ws: ModuleDir) -> None:
    ws.write(SINGLE)
    ws.apply()
    before = ids(ws)["random_id.r"]
    ws.write(COUNTED)
    planned = ws.run("plan", "-detailed-exitcode")
    assert planned.code == 2, planned.out + planned.err  # a move is a change to apply
    assert "# random_id.r has moved to random_id.r[0]" in planned.out
    assert "Plan: 0 to add, 0 to change, 0 to destroy." in planned.out
    doc = json.loads(ws.ok("plan", "-json").out)
    (change,) = doc["resource_changes"]
    assert change["address"] == "random_id.r[0]"
    assert change["previous_address"] == "random_id.r"
    assert change["change"]["actions"] == ["no-op"]
    ws.apply()
    assert ids(ws) == {"random_id.r[0]": before}
    assert ws.run("plan", "-detailed-exitcode").code == 0


def test_removing_count_moves_index_zero_back(ws: ModuleDir) -> None:
    ws.write(COUNTED)
    ws.apply()
    before = ids(ws)["random_id.r[0]"]
    ws.write(SINGLE.replace("byte_length = 4", 'byte_length = 4\n  prefix      = "p-"'))
    text = ws.ok("plan", "-out=moved.plan").out
    # a move and a change together: the change's comment says where it came from
    assert "# random_id.r must be replaced" in text
    assert "# (moved from random_id.r[0])" in text
    ws.ok("apply", "moved.plan")
    assert list(ids(ws)) == ["random_id.r"]
    assert ids(ws)["random_id.r"] != before  # prefix forces replacement: a new object


def test_no_implied_move_when_more_than_index_zero_exists(ws: ModuleDir) -> None:
    ws.write(COUNTED.replace("count       = 1", "count       = 2"))
    ws.apply()
    ws.write(SINGLE)
    text = ws.ok("plan").out
    assert "has moved" not in text
    assert "Plan: 1 to add, 0 to change, 2 to destroy." in text

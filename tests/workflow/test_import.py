"""import ADDR ID: a random_id brought under management by its base64 id."""

from __future__ import annotations

from tests.workflow.conftest import ModuleDir, attrs

MODULE = 'resource "random_id" "r" {\n  byte_length = 4\n}\n'


def test_import_then_no_changes(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.ok("import", "random_id.r", "6x0bug")
    assert 'random_id.r: Importing from ID "6x0bug"...' in result.out
    assert "Import successful!" in result.out
    assert 'hex         = "eb1d1bba"' in result.out
    got = attrs(ws.state(), "random_id.r")
    assert got["id"] == "6x0bug"
    assert got["hex"] == "eb1d1bba"
    assert got["dec"] == "3944553402"
    assert got["byte_length"] == 4
    assert ws.run("plan", "-detailed-exitcode").code == 0


def test_import_into_a_counted_instance(ws: ModuleDir) -> None:
    ws.write('resource "random_id" "r" {\n  count = 2\n  byte_length = 4\n}\n')
    ws.ok("import", "random_id.r[1]", "6x0bug")
    assert attrs(ws.state(), "random_id.r", 1)["hex"] == "eb1d1bba"
    plan = ws.ok("plan").out
    assert "# random_id.r[0] will be created" in plan
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in plan


def test_import_into_an_undeclared_address(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("import", "random_id.other", "6x0bug")
    assert "Configuration for import target does not exist" in result.err
    assert "random_id.other" in result.err
    assert not ws.state_file().exists()


def test_import_into_an_already_managed_address(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.apply()
    before = ws.state_file().read_bytes()
    result = ws.fails("import", "random_id.r", "6x0bug")
    assert "Resource already managed by gitterra" in result.err
    assert ws.state_file().read_bytes() == before


def test_import_with_an_invalid_id(ws: ModuleDir) -> None:
    ws.write(MODULE)
    result = ws.fails("import", "random_id.r", "!!!")
    assert "Error:" in result.err
    assert "!!!" in result.err
    assert not ws.state_file().exists()

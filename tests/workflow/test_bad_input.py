"""Bad configurations: each a clear error naming the place, exit status 1, and no state
written (neither a new state nor a change to an existing one)."""

from __future__ import annotations

import pytest

from tests.workflow.conftest import ModuleDir

GOOD = 'resource "terraform_data" "existing" {\n  input = "kept"\n}\n'

CASES = {
    "unknown resource type": (
        'resource "local_fiel" "x" {\n  filename = "x"\n}\n',
        ["Error: Invalid resource type", 'Did you mean "local_file"?', "main.tf:"],
    ),
    "unknown provider": (
        'resource "nope_thing" "x" {}\n',
        ["Error: Provider not available", '"nope"', 'main.tf:1:1, in resource "nope_thing" "x"'],
    ),
    "unknown attribute": (
        'resource "terraform_data" "x" {\n  inptu = 1\n}\n',
        ["Error: Unsupported argument", 'Did you mean "input"?', "main.tf:2:"],
    ),
    "missing required attribute": (
        'resource "local_file" "x" {\n  content = "a"\n}\n',
        ["Error: Missing required argument", '"filename" is required', "main.tf:1:"],
    ),
    "wrong attribute type": (
        'resource "random_id" "x" {\n  byte_length = "many"\n}\n',
        ["Error: Incorrect attribute value type", "a number is required", "main.tf:2:"],
    ),
    "syntax error": (
        'resource "terraform_data" "x" {\n  input = \n}\n',
        ["Error:", "main.tf:2:"],
    ),
    "reference cycle": (
        'resource "terraform_data" "a" {\n  input = terraform_data.b.id\n}\n'
        'resource "terraform_data" "b" {\n  input = terraform_data.a.id\n}\n',
        [
            "Error: Cycle",
            "terraform_data.a (main.tf:1:1) -> terraform_data.b (main.tf:4:1) -> terraform_data.a",
        ],
    ),
    "self reference": (
        'resource "random_id" "x" {\n  byte_length = 4\n  prefix = random_id.x.hex\n}\n',
        ["Error: Self-referential block", "random_id.x may not refer to itself", "main.tf:3:12"],
    ),
    "ignore_changes naming nothing": (
        'resource "terraform_data" "x" {\n  input = 1\n  lifecycle {\n'
        "    ignore_changes = [inptu]\n  }\n}\n",
        ["Error: Unsupported attribute", 'Did you mean "input"?', "main.tf:4:23"],
    ),
    "ignore_changes with one wrong name among good ones": (
        'resource "local_file" "x" {\n  filename = "x"\n  lifecycle {\n'
        "    ignore_changes = [content, sensitive_content]\n  }\n}\n"
        'resource "random_password" "p" {\n  length = 8\n  lifecycle {\n'
        "    ignore_changes = [length, keepers, specail]\n  }\n}\n",
        ["Error: Unsupported attribute", '"specail"', 'Did you mean "special"?', "main.tf:10:"],
    ),
    "undeclared reference": (
        'resource "terraform_data" "x" {\n  input = var.nope\n}\n',
        ["Error: Reference to undeclared input variable", "main.tf:2:"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_configuration_changes_nothing(ws: ModuleDir, name: str) -> None:
    text, expected = CASES[name]
    # A fresh directory: no state appears.
    ws.write(text)
    for args in (["plan"], ["apply", "-auto-approve"]):
        result = ws.fails(*args)
        for part in expected:
            assert part in result.err, f"{name}: {part!r} not in\n{result.err}"
    assert sorted(ws.snapshot()) == ["main.tf"]
    # An applied state: untouched, and nothing else was created or destroyed.
    ws.write(GOOD)
    ws.apply()
    ws.write(GOOD + text, "main.tf")
    before = ws.snapshot()
    for args in (
        ["plan", "-detailed-exitcode"],
        ["apply", "-auto-approve"],
        ["destroy", "-auto-approve"],
    ):
        ws.fails(*args)
    assert ws.snapshot() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{broken", "not valid JSON"),
        (
            '{"version": 4, "serial": 1, "lineage": "x", "resources": [{"mode": "managed"}]}',
            "resources[0].type",
        ),
    ],
)
def test_a_damaged_state_file_is_named_and_left_alone(
    ws: ModuleDir, content: str, message: str
) -> None:
    ws.write(GOOD)
    ws.state_file().write_text(content)
    before = ws.snapshot()
    for args in (["plan"], ["apply", "-auto-approve"], ["state", "list"], ["output"]):
        result = ws.fails(*args)
        assert "Error: Failed to load state" in result.err
        assert "terraform.tfstate" in result.err
        assert message in result.err
    assert ws.snapshot() == before

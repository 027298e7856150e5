"""workspace new|list|select|show|delete: one state per workspace."""

from __future__ import annotations

import pytest

from tests.backends.state_server import StateServer
from tests.workflow.conftest import ModuleDir, addresses, attrs

MODULE = 'resource "terraform_data" "w" {\n  input = terraform.workspace\n}\n'


def test_state_per_workspace(ws: ModuleDir) -> None:
    ws.write(MODULE)
    assert ws.ok("workspace", "show").out == "default\n"
    assert ws.ok("workspace", "list").out == "* default\n"
    ws.apply()
    created = ws.ok("workspace", "new", "dev")
    assert 'Created and switched to workspace "dev"!' in created.out
    assert ws.ok("workspace", "show").out == "dev\n"
    assert ws.ok("workspace", "list").out == "  default\n* dev\n"
    # The new workspace starts empty; its state is a file of its own.
    assert "# terraform_data.w will be created" in ws.ok("plan").out
    ws.apply()
    dev = ws.state("terraform.tfstate.d/dev/terraform.tfstate")
    assert attrs(dev, "terraform_data.w")["input"]["value"] == "dev"
    assert attrs(ws.state(), "terraform_data.w")["input"]["value"] == "default"
    assert dev["lineage"] != ws.state()["lineage"]
    ws.ok("workspace", "select", "default")
    assert ws.ok("workspace", "show").out == "default\n"
    assert "No changes." in ws.ok("plan").out


def test_delete_rules(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.ok("workspace", "new", "dev")
    ws.apply()
    current = ws.fails("workspace", "delete", "dev")
    assert "Workspace is selected" in current.err
    ws.ok("workspace", "select", "default")
    default = ws.fails("workspace", "delete", "default")
    assert "Cannot delete the default workspace" in default.err
    busy = ws.fails("workspace", "delete", "dev")
    assert "Workspace is not empty" in busy.err
    assert "-force" in busy.err
    assert (ws.path / "terraform.tfstate.d/dev/terraform.tfstate").exists()
    deleted = ws.ok("workspace", "delete", "-force", "dev")
    assert 'Deleted workspace "dev"!' in deleted.out
    assert not (ws.path / "terraform.tfstate.d/dev").exists()
    assert ws.ok("workspace", "list").out == "* default\n"


def test_empty_workspace_deletes_without_force(ws: ModuleDir) -> None:
    ws.write(MODULE)
    ws.ok("workspace", "new", "tmp")
    ws.apply()
    ws.ok("destroy", "-auto-approve")
    ws.ok("workspace", "select", "default")
    ws.ok("workspace", "delete", "tmp")
    assert ws.ok("workspace", "list").out == "* default\n"


def test_workspace_errors(ws: ModuleDir) -> None:
    ws.write(MODULE)
    missing = ws.fails("workspace", "select", "nope")
    assert "Workspace doesn't exist" in missing.err
    ws.ok("workspace", "new", "dev")
    again = ws.fails("workspace", "new", "dev")
    assert "Workspace already exists" in again.err
    bad = ws.fails("workspace", "new", "no/slashes")
    assert "Invalid workspace name" in bad.err
    assert ws.ok("workspace", "show").out == "dev\n"


def test_tf_workspace_environment_variable(ws: ModuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.write(MODULE)
    ws.ok("workspace", "new", "staging")
    ws.ok("workspace", "select", "default")
    monkeypatch.setenv("TF_WORKSPACE", "staging")
    assert ws.ok("workspace", "show").out == "staging\n"
    ws.apply()
    assert addresses(ws.state("terraform.tfstate.d/staging/terraform.tfstate")) == [
        "terraform_data.w"
    ]
    assert not ws.state_file().exists()


def test_the_http_backend_has_only_the_default_workspace(
    ws: ModuleDir, server: StateServer
) -> None:
    ws.write('terraform {\n  backend "http" {}\n}\n' + MODULE)
    ws.ok("init", f"-backend-config=address={server.url()}")
    result = ws.fails("workspace", "new", "dev")
    assert "Failed to run workspace new" in result.err
    assert "only the default workspace" in result.err
    assert ws.ok("workspace", "list").out == "* default\n"
    assert not (ws.path / ".terraform" / "environment").exists()

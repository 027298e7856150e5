"""init and backends: the local default, the http backend against a real state server,
-backend-config (settings and files), changed configurations, -reconfigure, -migrate-state both
ways, an unreachable server, and commands run before init."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest

from tests.backends.state_server import StateServer
from tests.workflow.conftest import ModuleDir, addresses

RESOURCE = 'resource "terraform_data" "a" {\n  input = "x"\n}\n'
HTTP = 'terraform {\n  backend "http" {}\n}\n'


def http_flags(server: StateServer, path: str = "/state/demo") -> list[str]:
    url = server.url(path)
    return [
        f"-backend-config=address={url}",
        f"-backend-config=lock_address={url}",
        f"-backend-config=unlock_address={url}",
    ]


def server_state(server: StateServer, path: str = "/state/demo") -> dict[str, Any]:
    with server.data.mutex:
        return json.loads(server.data.states[path])  # type: ignore[no-any-return]


def test_init_local_default(ws: ModuleDir) -> None:
    ws.write('resource "random_pet" "p" {}\n' + RESOURCE)
    result = ws.ok("init")
    assert "gitterra has been successfully initialized!" in result.out
    assert "- Using built-in provider hashicorp/random" in result.out
    assert "- Using built-in provider terraform.io/builtin/terraform" in result.out
    assert not ws.state_file().exists(), "init creates no state"
    ws.apply()
    assert addresses(ws.state()) == ["random_pet.p", "terraform_data.a"]
    assert ws.ok("init").code == 0, "init again is harmless"


def test_init_http_with_backend_config_settings(ws: ModuleDir, server: StateServer) -> None:
    ws.write(HTTP + RESOURCE)
    result = ws.ok("init", *http_flags(server))
    assert 'Successfully configured the backend "http"!' in result.out
    ws.apply()
    assert not ws.state_file().exists(), "the state lives in the backend"
    doc = server_state(server)
    assert addresses(doc) == ["terraform_data.a"]
    methods = server.methods()
    assert "LOCK" in methods
    assert "UNLOCK" in methods
    assert "POST" in methods
    with server.data.mutex:
        assert server.data.locks == {}, "the lock is released after apply"
    pulled = json.loads(ws.ok("state", "pull").out)
    assert pulled["lineage"] == doc["lineage"]


def test_init_http_with_a_backend_config_file(ws: ModuleDir, server: StateServer) -> None:
    ws.write(HTTP + RESOURCE)
    url = server.url("/from/file")
    ws.write(
        f'address        = "{url}"\nlock_address   = "{url}"\nunlock_address = "{url}"\n',
        "http.hcl",
    )
    ws.ok("init", "-backend-config=http.hcl")
    ws.apply()
    assert addresses(server_state(server, "/from/file")) == ["terraform_data.a"]


def test_backend_config_file_errors_name_the_file(ws: ModuleDir) -> None:
    ws.write(HTTP + RESOURCE)
    missing = ws.fails("init", "-backend-config=nope.hcl")
    assert "Failed to read -backend-config file" in missing.err
    assert "nope.hcl" in missing.err
    ws.write('address = "http://x"\nblock {}\n', "bad.hcl")
    bad = ws.fails("init", "-backend-config=bad.hcl")
    assert "Invalid backend configuration file" in bad.err
    assert "bad.hcl" in bad.err
    unknown = ws.fails(
        "init", "-backend-config=address=http://127.0.0.1:1/s", "-backend-config=colour=red"
    )
    assert "colour" in unknown.err
    assert not (ws.path / ".terraform").exists()


def test_changed_backend_config_needs_migrate_or_reconfigure(
    ws: ModuleDir, server: StateServer
) -> None:
    ws.write(HTTP + RESOURCE)
    ws.ok("init", *http_flags(server, "/one"))
    ws.apply()
    record = (ws.path / ".terraform" / "terraform.tfstate").read_bytes()
    changed = ws.fails("init", *http_flags(server, "/two"))
    assert "Error: Backend configuration changed" in changed.err
    assert "-migrate-state" in changed.err
    assert "-reconfigure" in changed.err
    assert (ws.path / ".terraform" / "terraform.tfstate").read_bytes() == record
    # -reconfigure: use the new settings, leave the old state where it is.
    ws.ok("init", "-reconfigure", *http_flags(server, "/two"))
    assert "No changes." not in ws.ok("plan").out, "the new backend's state is empty"
    assert addresses(server_state(server, "/one")) == ["terraform_data.a"]
    with server.data.mutex:
        assert "/two" not in server.data.states


def test_migrate_local_to_http_and_back_keeps_lineage_and_serial(
    ws: ModuleDir, server: StateServer
) -> None:
    ws.write(RESOURCE)
    ws.ok("init")
    ws.apply()
    ws.write(RESOURCE.replace('"x"', '"y"'))
    ws.apply()
    local = ws.state()
    assert local["serial"] >= 2

    ws.write(HTTP + RESOURCE.replace('"x"', '"y"'))
    refused = ws.fails("init", *http_flags(server))
    assert "Backend configuration changed" in refused.err
    with server.data.mutex:
        assert server.data.states == {}
    migrated = ws.ok("init", "-migrate-state", *http_flags(server))
    assert 'Migrating state from the "local" backend to the "http" backend' in migrated.out
    remote = server_state(server)
    assert (remote["lineage"], remote["serial"]) == (local["lineage"], local["serial"])
    assert remote["resources"] == local["resources"]
    assert not ws.state_file().exists(), "the local copy is gone once migrated"
    assert (ws.path / "terraform.tfstate.backup").exists()
    assert "No changes." in ws.ok("plan").out

    ws.write(RESOURCE.replace('"x"', '"z"'))
    assert "Backend configuration changed" in ws.fails("plan").err
    ws.ok("init", "-migrate-state")
    back = ws.state()
    assert (back["lineage"], back["serial"]) == (local["lineage"], local["serial"])
    ws.apply()
    assert ws.state()["serial"] > local["serial"]
    assert ws.state()["lineage"] == local["lineage"]


def test_migrate_holds_both_locks(ws: ModuleDir, server: StateServer) -> None:
    """-migrate-state copies under the locks of both sides: a destination locked by someone
    else stops it with the holder named and nothing copied; -lock=false takes no lock."""
    ws.write(RESOURCE)
    ws.ok("init")
    ws.apply()
    local = ws.state()
    ws.write(HTTP + RESOURCE)
    with server.data.mutex:
        server.data.locks["/state/demo"] = {"ID": "other-lock", "Who": "someone@elsewhere"}
    refused = ws.fails("init", "-migrate-state", *http_flags(server))
    assert "Error acquiring the state lock" in refused.err
    assert "someone@elsewhere" in refused.err
    with server.data.mutex:
        assert server.data.states == {}
    assert ws.state() == local, "the local state stays where it was"

    # without locking, this server still refuses the write the holder did not make
    before = len(server.methods())
    unlocked = ws.fails("init", "-migrate-state", "-lock=false", *http_flags(server))
    assert "someone@elsewhere (lock ID other-lock); the write was refused" in unlocked.err
    assert "LOCK" not in server.methods()[before:]
    assert ws.state() == local

    with server.data.mutex:
        server.data.locks.clear()
    before = len(server.methods())
    ws.ok("init", "-migrate-state", *http_flags(server))
    assert server_state(server)["lineage"] == local["lineage"]
    methods = server.methods()[before:]
    assert methods.index("LOCK") < methods.index("POST") < methods.index("UNLOCK")
    with server.data.mutex:
        assert server.data.locks == {}, "released after the copy"


def test_unreachable_http_backend(ws: ModuleDir) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ws.write(HTTP + RESOURCE)
    before = ws.snapshot()
    result = ws.fails(
        "init", f"-backend-config=address=http://127.0.0.1:{port}/s", "-backend-config=retry_max=0"
    )
    assert "Error: Failed to load state" in result.err
    assert f"127.0.0.1:{port}" in result.err
    assert ws.snapshot() == before, "nothing recorded"
    assert not (ws.path / ".terraform").exists()


def test_commands_before_init_with_a_backend_block(ws: ModuleDir) -> None:
    ws.write(HTTP + RESOURCE)
    for args in (["plan"], ["apply", "-auto-approve"], ["state", "list"], ["output"]):
        result = ws.fails(*args)
        assert 'Backend initialization required, please run "gitterra init"' in result.err
        assert "main.tf" in result.err
    assert sorted(ws.snapshot()) == ["main.tf"]


def test_changed_backend_block_settings_need_init(ws: ModuleDir, server: StateServer) -> None:
    url = server.url()
    ws.write(f'terraform {{\n  backend "http" {{\n    address = "{url}"\n  }}\n}}\n' + RESOURCE)
    ws.ok("init")
    ws.apply()
    ws.write(
        f'terraform {{\n  backend "http" {{\n    address = "{server.url("/moved")}"\n  }}\n}}\n'
        + RESOURCE
    )
    result = ws.fails("plan")
    assert "Backend initialization required" in result.err
    assert "main.tf" in result.err
    ws.ok("init", "-migrate-state")
    assert "No changes." in ws.ok("plan").out
    assert addresses(server_state(server, "/moved")) == ["terraform_data.a"]


def test_http_address_missing_or_from_the_environment(
    ws: ModuleDir, server: StateServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.write(HTTP + RESOURCE)
    missing = ws.fails("init", "-input=false")
    assert "Error: Invalid backend configuration" in missing.err
    assert "address" in missing.err
    assert "TF_HTTP_ADDRESS" in missing.err
    assert sorted(ws.snapshot()) == ["main.tf"]
    monkeypatch.setenv("TF_HTTP_ADDRESS", server.url("/from/env"))
    ws.ok("init", "-input=false")
    ws.apply()
    assert addresses(server_state(server, "/from/env")) == ["terraform_data.a"]


def test_init_backend_false_configures_no_backend(ws: ModuleDir) -> None:
    ws.write(HTTP + RESOURCE)
    result = ws.ok("init", "-backend=false")
    assert "gitterra has been successfully initialized!" in result.out
    assert "Initializing the backend" not in result.out
    assert not (ws.path / ".terraform" / "terraform.tfstate").exists()
    assert "Backend initialization required" in ws.fails("plan").err

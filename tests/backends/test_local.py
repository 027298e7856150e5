"""The local backend: the conformance suite, then files on disk as Terraform lays them out."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from gitterra import backends, state
from tests.backends.conformance import BackendConformance
from tests.state.samples import sample_state


def local(tmp_path: Path, **settings: str) -> backends.LocalBackend:
    backend = backends.configure("local", settings, {}, str(tmp_path))
    assert isinstance(backend, backends.LocalBackend)
    return backend


class TestLocalConformance(BackendConformance):
    @pytest.fixture
    def backend(self, tmp_path: Path) -> state.Backend:
        return local(tmp_path)


def test_layout_is_terraforms(tmp_path: Path) -> None:
    backend = local(tmp_path)
    state.Manager(backend.client("default")).persist(sample_state())
    state.Manager(backend.client("dev")).persist(sample_state())
    assert (tmp_path / "terraform.tfstate").is_file()
    assert (tmp_path / "terraform.tfstate.d" / "dev" / "terraform.tfstate").is_file()
    stored = json.loads((tmp_path / "terraform.tfstate").read_bytes())
    assert (stored["version"], stored["serial"]) == (4, 1)


def test_custom_paths_are_relative_to_cwd(tmp_path: Path) -> None:
    backend = local(tmp_path, path="states/main.tfstate", workspace_dir="ws")
    state.Manager(backend.client("default")).persist(sample_state())
    state.Manager(backend.client("blue")).persist(sample_state())
    assert (tmp_path / "states" / "main.tfstate").is_file()
    assert (tmp_path / "ws" / "blue" / "terraform.tfstate").is_file()
    assert backend.workspaces() == ["default", "blue"]


def test_write_keeps_the_previous_content_as_backup(tmp_path: Path) -> None:
    manager = state.Manager(local(tmp_path).client("default"))
    s = sample_state()
    manager.persist(s)
    first = (tmp_path / "terraform.tfstate").read_bytes()
    assert not (tmp_path / "terraform.tfstate.backup").exists()
    s.outputs["more"] = state.OutputState(1, "number", False)
    manager.persist(s)
    assert (tmp_path / "terraform.tfstate.backup").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "terraform.tfstate",
        "terraform.tfstate.backup",
    ]


def test_delete_keeps_a_backup(tmp_path: Path) -> None:
    client = local(tmp_path).client("default")
    state.Manager(client).persist(sample_state())
    stored = client.get()
    client.delete()
    assert not (tmp_path / "terraform.tfstate").exists()
    assert (tmp_path / "terraform.tfstate.backup").read_bytes() == stored


def test_new_state_files_are_private_and_modes_are_kept(tmp_path: Path) -> None:
    client = local(tmp_path).client("default")
    client.put(b"{}")
    path = tmp_path / "terraform.tfstate"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o640)
    client.put(b"{ }")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_an_empty_state_file_is_no_state(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfstate").write_bytes(b"")
    assert local(tmp_path).client("default").get() is None


def test_corrupt_state_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "terraform.tfstate"
    path.write_text('{"version": 4, "serial": "one"}')
    manager = state.Manager(local(tmp_path).client("default"))
    with pytest.raises(state.CorruptStateError) as caught:
        manager.read()
    assert str(caught.value) == (
        f"{path}: serial: expected a whole number from 0 to 18446744073709551615, found a string"
    )
    with pytest.raises(state.CorruptStateError):
        manager.persist(sample_state())
    assert path.read_text() == '{"version": 4, "serial": "one"}'


def test_unwritable_directory_is_a_backend_error(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where a directory should be")
    client = local(tmp_path, path="blocked/terraform.tfstate").client("default")
    with pytest.raises(state.BackendError, match=r"blocked/terraform\.tfstate: cannot"):
        client.put(b"{}")
    with pytest.raises(state.BackendError, match="cannot read the state"):
        client.get()
    with pytest.raises(state.BackendError, match="cannot open the lock file"):
        client.lock(state.LockInfo.new("OperationTypeApply"))


def test_lock_file_holds_terraforms_lock_info(tmp_path: Path) -> None:
    client = local(tmp_path).client("default")
    info = state.LockInfo.new("OperationTypeApply", info="deploying")
    lock_id = client.lock(info)
    lock_file = tmp_path / ".terraform.tfstate.lock.info"
    recorded = json.loads(lock_file.read_bytes())
    assert list(recorded) == ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"]
    assert recorded["ID"] == info.id
    assert recorded["Path"] == str(tmp_path / "terraform.tfstate")
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600
    client.unlock(lock_id)
    assert not lock_file.exists()


def test_stale_lock_file_of_a_dead_holder_is_taken_over(tmp_path: Path) -> None:
    stale = state.LockInfo.new("OperationTypeApply")
    (tmp_path / ".terraform.tfstate.lock.info").write_bytes(stale.to_json())
    client = local(tmp_path).client("default")
    lock_id = client.lock(state.LockInfo.new("OperationTypePlan"))
    assert lock_id != stale.id
    client.unlock(lock_id)


def test_force_unlock_cleans_up_a_stale_lock_file(tmp_path: Path) -> None:
    stale = state.LockInfo.new("OperationTypeApply")
    lock_file = tmp_path / ".terraform.tfstate.lock.info"
    lock_file.write_bytes(stale.to_json())
    client = local(tmp_path).client("default")
    with pytest.raises(state.StateLockError, match="does not match the stale lock"):
        client.force_unlock("another-id")
    client.force_unlock(stale.id)
    assert not lock_file.exists()


def test_unlock_when_not_locked_is_refused(tmp_path: Path) -> None:
    with pytest.raises(state.StateLockError, match="not locked"):
        local(tmp_path).client("default").unlock("some-id")


def test_workspace_listing_ignores_files_and_bad_names(tmp_path: Path) -> None:
    workspaces = tmp_path / "terraform.tfstate.d"
    for name in ("zeta", "alpha", "has space"):
        (workspaces / name).mkdir(parents=True)
    (workspaces / "a-file").write_text("")
    assert local(tmp_path).workspaces() == ["default", "alpha", "zeta"]


def test_unreadable_workspace_dir_is_a_backend_error(tmp_path: Path) -> None:
    (tmp_path / "terraform.tfstate.d").write_text("not a directory")
    with pytest.raises(state.BackendError, match="cannot list workspaces"):
        local(tmp_path).workspaces()


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "has space", "ü"])
def test_invalid_workspace_names(tmp_path: Path, name: str) -> None:
    backend = local(tmp_path)
    with pytest.raises(state.WorkspaceError, match="not a valid workspace name"):
        backend.client(name)
    with pytest.raises(state.WorkspaceError, match="not a valid workspace name"):
        backend.delete_workspace(name)
    assert os.listdir(tmp_path) == []

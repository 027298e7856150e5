"""The suite every backend must pass (as Terraform's ``TestBackendStates``/``TestBackendLocked``).

A backend's test module subclasses :class:`BackendConformance` and provides a ``backend``
fixture; ``supports_workspaces`` says whether it stores workspaces other than ``default``.
Two clients of one workspace stand for two users: they share the store, not their locks.
"""

from __future__ import annotations

import threading

import pytest

from gitterra import state
from tests.state.samples import sample_state

DEFAULT = state.DEFAULT_WORKSPACE


class BackendConformance:
    supports_workspaces = True

    @pytest.fixture
    def backend(self) -> state.Backend:
        raise NotImplementedError

    # -- reading and writing ------------------------------------------------------------------

    def test_empty_read(self, backend: state.Backend) -> None:
        client = backend.client(DEFAULT)
        assert client.get() is None
        assert state.Manager(client).read() is None

    def test_write_read_round_trip(self, backend: state.Backend) -> None:
        written = state.Manager(backend.client(DEFAULT)).persist(sample_state())
        read = state.Manager(backend.client(DEFAULT)).read()
        assert read is not None
        assert state.encode(read) == state.encode(written)
        assert read.resources["aws_instance.web"].instances[1].deposed["0badc0de"].tainted
        assert read.outputs["password"].sensitive

    def test_serial_increments_only_when_content_changes(self, backend: state.Backend) -> None:
        client = backend.client(DEFAULT)
        manager = state.Manager(client)
        s = sample_state()
        assert manager.persist(s).serial == 1
        stored = client.get()
        assert manager.persist(s).serial == 1
        assert client.get() == stored
        s.outputs["extra"] = state.OutputState("x", "string", False)
        assert manager.persist(s).serial == 2
        read = state.Manager(backend.client(DEFAULT)).read()
        assert read is not None
        assert read.serial == 2
        assert read.outputs["extra"].value == "x"

    def test_lineage_refusal(self, backend: state.Backend) -> None:
        state.Manager(backend.client(DEFAULT)).persist(sample_state())
        stored = backend.client(DEFAULT).get()
        other = sample_state(lineage="another-lineage")
        with pytest.raises(state.StateLineageError, match="another-lineage"):
            state.Manager(backend.client(DEFAULT)).persist(other)
        assert backend.client(DEFAULT).get() == stored

    def test_delete(self, backend: state.Backend) -> None:
        client = backend.client(DEFAULT)
        state.Manager(client).persist(sample_state())
        client.delete()
        assert client.get() is None
        assert state.Manager(backend.client(DEFAULT)).read() is None
        client.delete()  # deleting nothing is fine

    # -- locks --------------------------------------------------------------------------------

    def test_lock_unlock(self, backend: state.Backend) -> None:
        client = backend.client(DEFAULT)
        info = state.LockInfo.new("OperationTypeApply")
        lock_id = client.lock(info)
        assert lock_id == info.id
        client.unlock(lock_id)
        again = client.lock(state.LockInfo.new("OperationTypePlan"))
        client.unlock(again)

    def test_holder_writes_while_locked(self, backend: state.Backend) -> None:
        client = backend.client(DEFAULT)
        manager = state.Manager(client)
        lock_id = manager.lock("OperationTypeApply", 0)
        assert manager.persist(sample_state()).serial == 1
        manager.unlock(lock_id)
        assert state.Manager(backend.client(DEFAULT)).read() is not None

    def test_lock_conflict_reports_the_holder(self, backend: state.Backend) -> None:
        first, second = backend.client(DEFAULT), backend.client(DEFAULT)
        info = state.LockInfo.new("OperationTypeApply", info="first")
        lock_id = first.lock(info)
        with pytest.raises(state.StateLockedError) as caught:
            second.lock(state.LockInfo.new("OperationTypePlan"))
        holder = caught.value.holder
        assert holder is not None
        assert (holder.id, holder.who, holder.operation) == (info.id, info.who, info.operation)
        assert holder.who in str(caught.value)
        first.unlock(lock_id)
        second.unlock(second.lock(state.LockInfo.new("OperationTypePlan")))

    def test_wrong_id_unlock_is_refused(self, backend: state.Backend) -> None:
        first, second = backend.client(DEFAULT), backend.client(DEFAULT)
        lock_id = first.lock(state.LockInfo.new("OperationTypeApply"))
        with pytest.raises(state.StateLockError, match="does not match"):
            first.unlock("00000000-0000-0000-0000-000000000000")
        with pytest.raises(state.StateLockedError):
            second.lock(state.LockInfo.new("OperationTypePlan"))
        first.unlock(lock_id)

    def test_force_unlock(self, backend: state.Backend) -> None:
        first, second = backend.client(DEFAULT), backend.client(DEFAULT)
        info = state.LockInfo.new("OperationTypeApply")
        first.lock(info)
        with pytest.raises(state.StateLockError):
            second.force_unlock("00000000-0000-0000-0000-000000000000")
        second.force_unlock(info.id)
        lock_id = second.lock(state.LockInfo.new("OperationTypePlan"))
        second.unlock(lock_id)

    def test_lock_timeout_waits_for_release_by_another_thread(self, backend: state.Backend) -> None:
        holder = backend.client(DEFAULT)
        holder_id = holder.lock(state.LockInfo.new("OperationTypeApply"))
        asked, released = threading.Event(), threading.Event()

        def release() -> None:
            assert asked.wait(120)
            holder.unlock(holder_id)
            released.set()

        thread = threading.Thread(target=release, name="lock-holder")
        thread.start()
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            asked.set()
            assert released.wait(120)

        manager = state.Manager(backend.client(DEFAULT))
        lock_id = manager.lock("OperationTypePlan", 300, sleep=sleep)
        thread.join(120)
        assert waits == [1.0]
        manager.unlock(lock_id)

    def test_lock_timeout_expires_naming_the_holder(self, backend: state.Backend) -> None:
        holder = backend.client(DEFAULT)
        info = state.LockInfo.new("OperationTypeApply")
        holder.lock(info)
        now = [1000.0]
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            now[0] += seconds

        manager = state.Manager(backend.client(DEFAULT))
        with pytest.raises(state.StateLockedError) as caught:
            manager.lock("OperationTypePlan", 10, sleep=sleep, clock=lambda: now[0])
        assert waits == [1.0, 2.0, 4.0, 3.0]
        message = str(caught.value)
        assert caught.value.summary == "Error acquiring the state lock"
        assert caught.value.holder is not None
        assert caught.value.holder.id == info.id
        for part in (info.who, "OperationTypeApply", info.id, "Lock Info:", "after waiting 10s"):
            assert part in message
        holder.unlock(info.id)

    # -- workspaces ---------------------------------------------------------------------------

    def test_workspaces(self, backend: state.Backend) -> None:
        assert backend.workspaces() == [DEFAULT]
        with pytest.raises(state.WorkspaceError, match="default"):
            backend.delete_workspace(DEFAULT)
        with pytest.raises(state.WorkspaceError, match="not a valid workspace name"):
            backend.client("a/b")
        if not self.supports_workspaces:
            with pytest.raises(state.WorkspaceError, match="only the default workspace"):
                backend.client("dev")
            with pytest.raises(state.WorkspaceError):
                backend.delete_workspace("dev")
            return
        state.Manager(backend.client("prod")).persist(sample_state())
        state.Manager(backend.client("dev")).persist(state.State.new())
        assert backend.workspaces() == [DEFAULT, "dev", "prod"]
        assert backend.client(DEFAULT).get() is None
        dev = state.Manager(backend.client("dev")).read()
        assert dev is not None
        assert dev.is_empty
        backend.delete_workspace("dev")
        assert backend.workspaces() == [DEFAULT, "prod"]
        with pytest.raises(state.WorkspaceError, match="does not exist"):
            backend.delete_workspace("dev")

    def test_locked_workspace_is_not_deleted(self, backend: state.Backend) -> None:
        if not self.supports_workspaces:
            pytest.skip("this backend has only the default workspace")
        client = backend.client("dev")
        state.Manager(client).persist(state.State.new())
        lock_id = client.lock(state.LockInfo.new("OperationTypeApply"))
        with pytest.raises(state.StateLockedError):
            backend.delete_workspace("dev")
        client.unlock(lock_id)
        backend.delete_workspace("dev")
        assert backend.workspaces() == [DEFAULT]

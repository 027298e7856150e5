"""The state manager's rules, over the in-memory backend with a client that counts calls."""

from __future__ import annotations

import json
import threading
import uuid

import pytest

from gitterra import __version__, state
from tests.state.samples import sample_state


class Counting:
    """A StateClient that records the calls it passes on."""

    def __init__(self, inner: state.StateClient) -> None:
        self.inner = inner
        self.calls: list[str] = []
        self.location = "counted.tfstate"

    def get(self) -> bytes | None:
        self.calls.append("get")
        return self.inner.get()

    def put(self, data: bytes) -> None:
        self.calls.append("put")
        self.inner.put(data)

    def delete(self) -> None:
        self.calls.append("delete")
        self.inner.delete()

    def lock(self, info: state.LockInfo) -> str:
        self.calls.append("lock")
        return self.inner.lock(info)

    def unlock(self, lock_id: str) -> None:
        self.calls.append("unlock")
        self.inner.unlock(lock_id)

    def force_unlock(self, lock_id: str) -> None:
        self.calls.append("force_unlock")
        self.inner.force_unlock(lock_id)


@pytest.fixture
def backend() -> state.MemoryBackend:
    return state.MemoryBackend()


def counting(backend: state.MemoryBackend) -> Counting:
    return Counting(backend.client("default"))


def test_first_write(backend: state.MemoryBackend) -> None:
    s = sample_state()
    s.terraform_version = "1.9.4"
    written = state.Manager(counting(backend)).persist(s)
    assert (written.serial, written.lineage) == (1, s.lineage)
    assert written.terraform_version == __version__
    assert (s.serial, s.terraform_version) == (0, "1.9.4")  # the argument is not changed
    stored = backend.client("default").get()
    assert stored == state.encode(written)


def test_only_changes_are_written(backend: state.MemoryBackend) -> None:
    client = counting(backend)
    manager = state.Manager(client)
    s = sample_state()
    manager.persist(s)
    client.calls.clear()
    assert manager.persist(s).serial == 1
    assert "put" not in client.calls
    terraform_written = s.copy()
    terraform_written.terraform_version = "1.9.4"  # who wrote last is not a change
    assert manager.persist(terraform_written).serial == 1
    assert "put" not in client.calls


def test_empty_lineage_takes_the_stored_one(backend: state.MemoryBackend) -> None:
    manager = state.Manager(counting(backend))
    fresh = manager.persist(state.State())
    assert uuid.UUID(fresh.lineage)
    again = state.State()
    again.outputs["x"] = state.OutputState(1, "number", False)
    assert manager.persist(again).lineage == fresh.lineage


def test_lineage_mismatch_message(backend: state.MemoryBackend) -> None:
    state.Manager(counting(backend)).persist(sample_state(lineage="aaa"))
    with pytest.raises(state.StateLineageError) as caught:
        state.Manager(counting(backend)).persist(sample_state(lineage="bbb"))
    assert str(caught.value) == (
        "counted.tfstate: the stored state has lineage 'aaa' but the state being written has "
        "lineage 'bbb'; they are different states, so the write was refused (check the backend "
        "configuration and workspace)"
    )
    assert (caught.value.stored, caught.value.given) == ("aaa", "bbb")


def test_unlocked_writes_see_other_writers(backend: state.MemoryBackend) -> None:
    mine, theirs = state.Manager(counting(backend)), state.Manager(counting(backend))
    s = sample_state()
    mine.persist(s)
    for n in range(3):
        s.outputs["n"] = state.OutputState(n, "number", False)
        theirs.persist(s)
    s.outputs["n"] = state.OutputState("mine", "string", False)
    assert mine.persist(s).serial == 5


def test_locked_writes_trust_what_was_read(backend: state.MemoryBackend) -> None:
    client = counting(backend)
    manager = state.Manager(client)
    lock_id = manager.lock("OperationTypeApply", 0)
    s = sample_state()
    for n in range(3):
        s.outputs["n"] = state.OutputState(n, "number", False)
        manager.persist(s)
    assert client.calls == ["lock", "get", "put", "put", "put"]
    manager.unlock(lock_id)


def test_overwrite_keeps_lineage_and_serial(backend: state.MemoryBackend) -> None:
    manager = state.Manager(counting(backend))
    manager.persist(sample_state(lineage="old"))
    pushed = sample_state(lineage="new")
    pushed.serial = 42
    written = manager.overwrite(pushed)
    assert (written.serial, written.lineage) == (42, "new")
    read = state.Manager(counting(backend)).read()
    assert read is not None
    assert (read.serial, read.lineage) == (42, "new")


def test_corrupt_stored_state_names_the_source(backend: state.MemoryBackend) -> None:
    backend.client("default").put(b'{"version": 4, "resources": {}}')
    with pytest.raises(state.CorruptStateError, match=r"^counted\.tfstate: resources: expected"):
        state.Manager(counting(backend)).read()
    with pytest.raises(state.CorruptStateError, match=r"^elsewhere: resources"):
        state.Manager(counting(backend), source="elsewhere").read()


def test_zero_timeout_tries_once(backend: state.MemoryBackend) -> None:
    holder = state.LockInfo.new("OperationTypeApply")
    backend.client("default").lock(holder)
    client = counting(backend)

    def no_sleep(seconds: float) -> None:
        raise AssertionError("a zero timeout must not wait")

    with pytest.raises(state.StateLockedError) as caught:
        state.Manager(client).lock("OperationTypePlan", 0, sleep=no_sleep)
    assert client.calls == ["lock"]
    detail = str(caught.value)
    assert detail.startswith(
        f"Error message: the state is locked by {holder.who} for OperationTypeApply since "
    )
    assert "gave up (no -lock-timeout was given)" in detail
    assert holder.describe() in detail
    assert detail.endswith(f"release it with 'gitterra force-unlock {holder.id}'.")
    assert caught.value.detail == detail


def test_other_lock_failures_are_not_retried(backend: state.MemoryBackend) -> None:
    class Unreachable(Counting):
        def lock(self, info: state.LockInfo) -> str:
            self.calls.append("lock")
            raise state.BackendError("cannot reach the backend")

    client = Unreachable(backend.client("default"))
    with pytest.raises(state.BackendError):
        state.Manager(client).lock("OperationTypeApply", 60, sleep=lambda s: None)
    assert client.calls == ["lock"]


def test_holder_unknown_keeps_retrying_then_says_so(backend: state.MemoryBackend) -> None:
    class Anonymous(Counting):
        def lock(self, info: state.LockInfo) -> str:
            self.calls.append("lock")
            raise state.StateLockedError("x.lock: locked, holder unknown", None)

    client = Anonymous(backend.client("default"))
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(state.StateLockedError) as caught:
        state.Manager(client).lock("OperationTypeApply", 2, sleep=sleep, clock=lambda: now[0])
    assert client.calls == ["lock"] * 3
    assert caught.value.holder is None
    assert "x.lock: locked, holder unknown" in str(caught.value)
    assert "gitterra force-unlock <LOCK ID>" in str(caught.value)


def test_concurrent_persists_from_threads(backend: state.MemoryBackend) -> None:
    manager = state.Manager(counting(backend))
    manager.persist(sample_state())
    barrier = threading.Barrier(8)

    def write(n: int) -> None:
        s = sample_state()
        s.outputs["writer"] = state.OutputState(n, "number", False)
        barrier.wait(60)
        manager.persist(s)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stored = backend.client("default").get()
    assert stored is not None
    assert json.loads(stored)["serial"] == 9

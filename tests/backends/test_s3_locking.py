"""s3 locks between processes, through moto's server: a lock held by another process is refused
with its holder, waited for, and taken once released; processes racing for a free lock get it
exactly once (S3's If-None-Match: * and DynamoDB's conditional put decide); a lock outlives a
killed holder and is released with force-unlock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitterra import state
from tests.backends.s3_server import LockProcess, MotoServer, isolate_environment, s3_backend
from tests.clirun import REPO

DEFAULT = state.DEFAULT_WORKSPACE
KEY = "app/terraform.tfstate"


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    return isolate_environment(monkeypatch, tmp_path)


@pytest.fixture(params=["lockfile", "dynamodb"])
def lock_settings(request: pytest.FixtureRequest, moto: MotoServer) -> dict[str, Any]:
    if request.param == "lockfile":
        return {"use_lockfile": True}
    return {"dynamodb_table": moto.new_table()}


@pytest.fixture
def processes() -> Iterator[list[LockProcess]]:
    started: list[LockProcess] = []
    yield started
    for proc in started:
        proc.stop()


def test_a_lock_held_by_another_process(
    moto: MotoServer,
    env: dict[str, str],
    lock_settings: dict[str, Any],
    processes: list[LockProcess],
) -> None:
    bucket = moto.new_bucket()
    holder = LockProcess("hold", moto.settings(bucket, **lock_settings), REPO)
    processes.append(holder)
    held = holder.next()
    client = s3_backend(moto, env, bucket, **lock_settings).client(DEFAULT)
    with pytest.raises(state.StateLockedError) as caught:
        client.lock(state.LockInfo.new("OperationTypePlan"))
    info = caught.value.holder
    assert info is not None
    assert (info.id, info.who, info.operation) == (held["id"], held["who"], "OperationTypeApply")
    assert info.info == f"hold in pid {holder.proc.pid}"
    assert info.path == f"{bucket}/{KEY}"
    assert held["id"] in str(caught.value)

    # Waiting with a timeout: the holder releases while we wait, and we get the lock.
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1:
            holder.say()
            assert holder.next() == {"released": True}

    manager = state.Manager(client)
    lock_id = manager.lock("OperationTypePlan", 300, sleep=sleep)
    assert waits == [1.0]
    manager.unlock(lock_id)
    assert holder.proc.wait(120) == 0


def test_racing_processes_get_the_lock_once(
    moto: MotoServer,
    env: dict[str, str],
    lock_settings: dict[str, Any],
    processes: list[LockProcess],
) -> None:
    bucket = moto.new_bucket()
    settings = moto.settings(bucket, **lock_settings)
    racers = [LockProcess("try-lock", settings, REPO) for _ in range(3)]
    processes.extend(racers)
    for racer in racers:
        assert racer.next() == {"ready": True}
    for racer in racers:
        racer.say()
    outcomes = [racer.next() for racer in racers]
    winners = [o for o in outcomes if o["locked"]]
    assert len(winners) == 1, outcomes
    losers = [o for o in outcomes if not o["locked"]]
    assert [o["holder"] for o in losers] == [winners[0]["id"]] * 2
    winner = racers[outcomes.index(winners[0])]
    winner.say()
    assert winner.next() == {"released": True}
    for racer in racers:
        assert racer.proc.wait(120) == 0
    client = s3_backend(moto, env, bucket, **lock_settings).client(DEFAULT)
    client.unlock(client.lock(state.LockInfo.new("OperationTypePlan")))


def test_a_killed_holder_leaves_its_lock_for_force_unlock(
    moto: MotoServer,
    env: dict[str, str],
    lock_settings: dict[str, Any],
    processes: list[LockProcess],
) -> None:
    bucket = moto.new_bucket()
    holder = LockProcess("hold", moto.settings(bucket, **lock_settings), REPO)
    processes.append(holder)
    held = holder.next()
    holder.stop()  # SIGKILL: nothing releases the lock
    client = s3_backend(moto, env, bucket, **lock_settings).client(DEFAULT)
    with pytest.raises(state.StateLockedError, match=held["id"]):
        client.lock(state.LockInfo.new("OperationTypePlan"))
    with pytest.raises(state.StateLockError, match="does not match the lock held"):
        client.force_unlock("00000000-0000-0000-0000-000000000000")
    client.force_unlock(held["id"])
    client.unlock(client.lock(state.LockInfo.new("OperationTypePlan")))

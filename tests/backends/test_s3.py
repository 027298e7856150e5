"""The s3 backend against moto's server over real HTTP: the conformance suite with each kind of
lock, then the layout in the bucket (workspaces, workspace_key_prefix), the lock object and
item as Terraform writes them, encryption and ACL arguments, and the DynamoDB digest."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitterra import backends, state
from tests.backends.conformance import BackendConformance
from tests.backends.s3_server import MotoServer, isolate_environment, s3_backend
from tests.state.samples import sample_state

DEFAULT = state.DEFAULT_WORKSPACE
KEY = "app/terraform.tfstate"


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    return isolate_environment(monkeypatch, tmp_path)


@pytest.fixture
def bucket(moto: MotoServer) -> str:
    return moto.new_bucket()


class TestS3LockfileConformance(BackendConformance):
    @pytest.fixture
    def backend(self, moto: MotoServer, env: dict[str, str], bucket: str) -> state.Backend:
        return s3_backend(moto, env, bucket, use_lockfile=True)


class TestS3DynamoDBConformance(BackendConformance):
    @pytest.fixture
    def backend(self, moto: MotoServer, env: dict[str, str], bucket: str) -> state.Backend:
        return s3_backend(moto, env, bucket, dynamodb_table=moto.new_table())


class TestS3BothLocksConformance(BackendConformance):
    @pytest.fixture
    def backend(self, moto: MotoServer, env: dict[str, str], bucket: str) -> state.Backend:
        table = moto.new_table()
        return s3_backend(moto, env, bucket, use_lockfile=True, dynamodb_table=table)


# -- layout -----------------------------------------------------------------------------------


def test_layout_is_terraforms(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    backend = s3_backend(moto, env, bucket, use_lockfile=True)
    state.Manager(backend.client(DEFAULT)).persist(sample_state())
    state.Manager(backend.client("dev")).persist(state.State.new())
    objects = moto.objects(bucket)
    assert sorted(objects) == [KEY, f"env:/dev/{KEY}"]
    doc = json.loads(objects[KEY])
    assert (doc["version"], doc["serial"]) == (4, 1)
    put = [r for r in moto.requests("s3") if r.method == "PUT" and r.path.endswith(KEY)][-1]
    assert put.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("workspaces", "workspaces/blue/app/terraform.tfstate"),
        ("teams/web", "teams/web/blue/app/terraform.tfstate"),
        ("", "blue/app/terraform.tfstate"),
    ],
)
def test_workspace_key_prefix(
    moto: MotoServer, env: dict[str, str], bucket: str, prefix: str, expected: str
) -> None:
    backend = s3_backend(moto, env, bucket, use_lockfile=True, workspace_key_prefix=prefix)
    assert backend.state_key("blue") == expected
    assert backend.state_key(DEFAULT) == KEY
    for name in ("blue", "amber"):
        state.Manager(backend.client(name)).persist(state.State.new())
    state.Manager(backend.client(DEFAULT)).persist(sample_state())
    # Objects that are not states of this key are not workspaces.
    s3 = moto.client("s3")
    amber_lock = expected.replace("blue", "amber") + ".tflock"
    for stray in (f"{prefix}/x/other.tfstate", f"{prefix}/y/z/{KEY}", amber_lock):
        s3.put_object(Bucket=bucket, Key=stray.lstrip("/"), Body=b"{}")
    assert backend.workspaces() == [DEFAULT, "amber", "blue"]
    backend.delete_workspace("blue")
    assert backend.workspaces() == [DEFAULT, "amber"]
    assert expected not in moto.objects(bucket)


def test_workspaces_of_another_prefix_are_not_listed(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    first = s3_backend(moto, env, bucket, use_lockfile=True, workspace_key_prefix="one")
    second = s3_backend(moto, env, bucket, use_lockfile=True, workspace_key_prefix="two")
    state.Manager(first.client("dev")).persist(state.State.new())
    assert first.workspaces() == [DEFAULT, "dev"]
    assert second.workspaces() == [DEFAULT]


def test_workspaces_list_past_one_page(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    backend = s3_backend(moto, env, bucket, use_lockfile=True)
    s3 = moto.client("s3")
    names = [f"ws{i:04d}" for i in range(1005)]
    for name in names:
        s3.put_object(Bucket=bucket, Key=f"env:/{name}/{KEY}", Body=b"")
    assert backend.workspaces() == [DEFAULT, *names]
    lists = [r for r in moto.requests("s3") if r.query.get("list-type") == ["2"]]
    assert any("continuation-token" in r.query for r in lists)


def test_deleting_a_workspace_removes_its_state_and_leaves_no_lock(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    table = moto.new_table()
    backend = s3_backend(moto, env, bucket, use_lockfile=True, dynamodb_table=table)
    state.Manager(backend.client("dev")).persist(sample_state())
    assert f"{bucket}/env:/dev/{KEY}-md5" in moto.items(table)
    backend.delete_workspace("dev")
    assert moto.objects(bucket) == {}
    assert moto.items(table) == {}


# -- locks as Terraform writes them -----------------------------------------------------------


def test_lock_object_and_item_hold_terraforms_lock_info(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    table = moto.new_table()
    backend = s3_backend(moto, env, bucket, use_lockfile=True, dynamodb_table=table)
    client = backend.client(DEFAULT)
    info = state.LockInfo.new("OperationTypeApply", info="deploy")
    assert client.lock(info) == info.id
    stored = json.loads(moto.objects(bucket)[f"{KEY}.tflock"])
    assert list(stored) == ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"]
    assert (stored["ID"], stored["Path"]) == (info.id, f"{bucket}/{KEY}")
    item = moto.items(table)[f"{bucket}/{KEY}"]
    assert json.loads(item["Info"]) == stored
    client.unlock(info.id)
    assert moto.objects(bucket) == {}
    assert moto.items(table) == {}


def test_the_lock_request_is_a_conditional_put(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    backend = s3_backend(moto, env, bucket, use_lockfile=True, encrypt=True, acl="private")
    client = backend.client(DEFAULT)
    moto.clear()
    info = state.LockInfo.new("OperationTypeApply")
    client.lock(info)
    (put,) = [r for r in moto.requests("s3") if r.method == "PUT"]
    assert put.path == f"/{bucket}/{KEY}.tflock"
    assert put.headers["If-None-Match"] == "*"
    assert put.headers["Content-Type"] == "application/json"
    assert put.headers["X-Amz-Server-Side-Encryption"] == "AES256"
    assert put.headers["X-Amz-Acl"] == "private"
    assert json.loads(put.body)["ID"] == info.id
    moto.clear()
    with pytest.raises(state.StateLockedError):
        client.lock(state.LockInfo.new("OperationTypePlan"))
    assert [(r.method, r.path) for r in moto.requests("s3")] == [
        ("PUT", f"/{bucket}/{KEY}.tflock"),  # refused with 412
        ("GET", f"/{bucket}/{KEY}.tflock"),  # the holder, for the message
    ]
    client.unlock(info.id)


def test_without_lock_settings_there_is_no_locking(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    client = s3_backend(moto, env, bucket).client(DEFAULT)
    moto.clear()
    assert client.lock(state.LockInfo.new("OperationTypeApply")) == ""
    client.unlock("")
    assert moto.requests("s3") == []


def test_a_lost_answer_to_our_own_lock_request_still_holds_the_lock(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    client = s3_backend(moto, env, bucket, use_lockfile=True).client(DEFAULT)
    info = state.LockInfo.new("OperationTypeApply")
    moto.client("s3").put_object(Bucket=bucket, Key=f"{KEY}.tflock", Body=info.to_json())
    assert client.lock(info) == info.id
    client.unlock(info.id)


def test_a_failed_dynamodb_lock_releases_the_lock_object(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    table = moto.new_table()
    backend = s3_backend(moto, env, bucket, use_lockfile=True, dynamodb_table=table)
    other = state.LockInfo.new("OperationTypeApply")
    moto.client("dynamodb").put_item(
        TableName=table,
        Item={"LockID": {"S": f"{bucket}/{KEY}"}, "Info": {"S": other.to_json().decode()}},
    )
    with pytest.raises(state.StateLockedError) as caught:
        backend.client(DEFAULT).lock(state.LockInfo.new("OperationTypePlan"))
    assert caught.value.holder is not None
    assert caught.value.holder.id == other.id
    assert moto.objects(bucket) == {}, "the .tflock taken first was released"


def test_unreadable_lock_object(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    client = s3_backend(moto, env, bucket, use_lockfile=True).client(DEFAULT)
    moto.client("s3").put_object(Bucket=bucket, Key=f"{KEY}.tflock", Body=b"garbage")
    with pytest.raises(state.StateLockedError, match="could not be read") as caught:
        client.lock(state.LockInfo.new("OperationTypePlan"))
    assert caught.value.holder is None
    with pytest.raises(state.StateLockError, match=r"delete s3://.*\.tflock by hand"):
        client.unlock("whatever")


def test_unlocking_what_is_not_locked(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    table = moto.new_table()
    for settings in ({"use_lockfile": True}, {"dynamodb_table": table}):
        client = s3_backend(moto, env, bucket, **settings).client(DEFAULT)
        with pytest.raises(state.StateLockError, match="is not locked"):
            client.unlock("00000000-0000-0000-0000-000000000000")


# -- encryption -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, {}),
        ({"encrypt": True}, {"X-Amz-Server-Side-Encryption": "AES256"}),
        (
            {"encrypt": True, "kms_key_id": "alias/terraform"},
            {
                "X-Amz-Server-Side-Encryption": "aws:kms",
                "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "alias/terraform",
            },
        ),
        ({"kms_key_id": "alias/terraform"}, {}),  # as Terraform: only with encrypt = true
        ({"acl": "bucket-owner-full-control"}, {"X-Amz-Acl": "bucket-owner-full-control"}),
    ],
)
def test_write_arguments(
    moto: MotoServer,
    env: dict[str, str],
    bucket: str,
    settings: dict[str, Any],
    expected: dict[str, str],
) -> None:
    client = s3_backend(moto, env, bucket, **settings).client(DEFAULT)
    moto.clear()
    client.put(b"{}")
    (put,) = moto.requests("s3")
    sent = {
        k: v
        for k, v in put.headers.items()
        if k.startswith("X-Amz-Server-Side") or k == "X-Amz-Acl"
    }
    assert sent == expected


def test_customer_provided_key_is_sent_on_reads_and_writes(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    key = bytes(range(32))
    encoded = base64.b64encode(key).decode()
    client = s3_backend(moto, env, bucket, encrypt=True, sse_customer_key=encoded).client(DEFAULT)
    moto.clear()
    client.put(b'{"version": 4}')
    client.get()
    key_md5 = base64.b64encode(hashlib.md5(key).digest()).decode()
    for request in moto.requests("s3"):
        assert request.headers["X-Amz-Server-Side-Encryption-Customer-Algorithm"] == "AES256"
        assert request.headers["X-Amz-Server-Side-Encryption-Customer-Key"] == encoded
        assert request.headers["X-Amz-Server-Side-Encryption-Customer-Key-Md5"] == key_md5


# -- the DynamoDB digest ----------------------------------------------------------------------


def test_digest_is_recorded_and_checked(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    table = moto.new_table()
    now, waits = [0.0], []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    config = s3_backend(moto, env, bucket, dynamodb_table=table).config
    backend = backends.S3Backend(config, sleep=sleep, clock=lambda: now[0])
    client = backend.client(DEFAULT)
    client.put(b'{"version": 4, "serial": 1}')
    digest = hashlib.md5(b'{"version": 4, "serial": 1}').hexdigest()
    assert moto.items(table)[f"{bucket}/{KEY}-md5"]["Digest"] == digest
    assert client.get() == b'{"version": 4, "serial": 1}'
    # S3 serving another copy than the last write: retried for 10 s, then a clear error.
    moto.client("s3").put_object(Bucket=bucket, Key=KEY, Body=b'{"stale": true}')
    with pytest.raises(state.BackendError, match="does not have the expected content") as caught:
        client.get()
    assert waits == [2.0] * 5
    assert digest in str(caught.value)
    assert f"LockID='{bucket}/{KEY}-md5'" in str(caught.value)
    client.delete()
    assert moto.items(table) == {}
    assert client.get() is None

"""LockInfo: Terraform's JSON, Go's time spellings, and clear refusals of malformed locks."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest

from gitterra import __version__, state

GO_LOCK = (
    b'{"ID":"3f1c2b1e-0000-4000-8000-000000000001","Operation":"OperationTypeApply",'
    b'"Info":"","Who":"ci@runner-7","Version":"1.9.4",'
    b'"Created":"2024-05-01T10:00:00.123456789Z","Path":"terraform.tfstate"}'
)


def test_new_lock_info() -> None:
    info = state.LockInfo.new("OperationTypeApply", info="deploy", path="x.tfstate")
    assert uuid.UUID(info.id).version == 4
    assert re.fullmatch(r".+@.+", info.who)
    assert (info.operation, info.info, info.path, info.version) == (
        "OperationTypeApply",
        "deploy",
        "x.tfstate",
        __version__,
    )
    assert info.created.tzinfo is UTC
    assert state.LockInfo.new("x").id != info.id


def test_reads_terraforms_lock_json() -> None:
    info = state.LockInfo.from_json(GO_LOCK)
    assert info.id == "3f1c2b1e-0000-4000-8000-000000000001"
    assert info.who == "ci@runner-7"
    assert info.created == datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)


def test_writes_gos_json() -> None:
    info = state.LockInfo(
        id="i",
        operation="OperationTypePlan",
        info="<x>",
        who="me@host",
        version="0.1.0",
        created=datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC),
        path="p",
    )
    assert info.to_json() == (
        b'{"ID":"i","Operation":"OperationTypePlan","Info":"\\u003cx\\u003e","Who":"me@host",'
        b'"Version":"0.1.0","Created":"2024-05-01T10:00:00.5Z","Path":"p"}'
    )
    assert state.LockInfo.from_json(info.to_json()) == info
    whole = info.__class__(**{**info.__dict__, "created": datetime(2024, 5, 1, tzinfo=UTC)})
    assert json.loads(whole.to_json())["Created"] == "2024-05-01T00:00:00Z"


def test_offsets_are_converted_to_utc() -> None:
    data = json.dumps({"ID": "i", "Created": "2024-05-01T12:30:00+02:30"}).encode()
    assert state.LockInfo.from_json(data).created == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def test_missing_fields_are_go_zero_values() -> None:
    info = state.LockInfo.from_json(b'{"ID": "only"}')
    assert (info.id, info.who, info.operation) == ("only", "", "")
    assert info.created == datetime(1, 1, 1, tzinfo=UTC)


def test_describe_is_terraforms_lock_info_block() -> None:
    info = state.LockInfo.from_json(GO_LOCK)
    assert info.describe() == (
        "Lock Info:\n"
        "  ID:        3f1c2b1e-0000-4000-8000-000000000001\n"
        "  Path:      terraform.tfstate\n"
        "  Operation: OperationTypeApply\n"
        "  Who:       ci@runner-7\n"
        "  Version:   1.9.4\n"
        "  Created:   2024-05-01 10:00:00.123456 +0000 UTC\n"
        "  Info:      \n"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not json", "lock.info: not valid lock JSON: Expecting value: line 1 column 1 (char 0)"),
        (b"\xff", "lock.info: not valid lock JSON: 'utf-8' codec can't decode byte 0xff"),
        (b"[]", "lock.info: lock information must be a JSON object"),
        (b'{"ID": 5}', "lock.info: ID: expected a string"),
        (b'{"Created": "yesterday"}', "lock.info: Created: not an RFC 3339 time"),
        (b'{"Created": "2024-02-30T00:00:00Z"}', "lock.info: Created: not an RFC 3339 time"),
        (b'{"Created": 5}', "lock.info: Created: not an RFC 3339 time"),
    ],
)
def test_malformed_lock_json(data: bytes, message: str) -> None:
    with pytest.raises(state.StateLockError) as caught:
        state.LockInfo.from_json(data, source="lock.info")
    assert str(caught.value).startswith(message)


def test_go_zero_time_round_trips() -> None:
    # The http backend unlocks with lock info whose Created is Go's zero time.
    info = state.LockInfo.from_json(b'{"ID": "x"}')
    assert b'"Created":"0001-01-01T00:00:00Z"' in info.to_json()
    assert state.LockInfo.from_json(info.to_json()) == info
    assert "0001-01-01 00:00:00 +0000 UTC" in info.describe()

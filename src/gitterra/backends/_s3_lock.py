"""The s3 backend's state locks: Terraform's lock object in the bucket, and its DynamoDB item.

- ``use_lockfile``: the lock is the object ``<state key>.tflock`` holding the LockInfo JSON,
  created with ``If-None-Match: *`` so that S3 itself refuses a second writer (412
  ``PreconditionFailed``; 409 ``ConditionalRequestConflict`` while another conditional write
  is in flight). Unlocking reads the object, checks the lock ID and deletes it. The object gets
  the state's encryption and ACL.
- ``dynamodb_table`` (deprecated by Terraform, still supported): the lock is the item
  ``LockID = "<bucket>/<state key>"`` with the LockInfo JSON in ``Info``, put with the condition
  ``attribute_not_exists(LockID)``. Unlocking deletes it on the condition that ``Info`` is the
  lock that was checked, so a lock taken in between is never removed.
- Both set: the object is taken first, then the item; if the item cannot be taken the object is
  released again. Neither set: no locking at all (lock IDs are ``""``), as in Terraform.

The LockInfo's ``Path`` is ``<bucket>/<state key>``, as Terraform records it. When a lock is
refused, the holder is read back from the object or item (``StateLockedError.holder``); a
refused attempt that finds its own lock ID there (an earlier try whose answer was lost, retried
by botocore) holds the lock.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from gitterra import state
from gitterra.backends import _s3_aws

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from gitterra.backends._s3_config import S3Config

LOCK_SUFFIX = ".tflock"
_TAKEN = ("PreconditionFailed", "ConditionalRequestConflict")


class Locks:
    """The lock of the state at ``key``, in whichever forms the configuration asks for."""

    def __init__(
        self,
        config: S3Config,
        aws: _s3_aws.Aws,
        key: str,
        object_args: Callable[[], dict[str, Any]],
    ) -> None:
        self._config = config
        self._aws = aws
        self._object_args = object_args
        self.object_key = key + LOCK_SUFFIX
        self.lock_path = f"{config.bucket}/{key}"
        self.location = f"s3://{config.bucket}/{key}"
        self.object_location = f"s3://{config.bucket}/{self.object_key}"

    @property
    def enabled(self) -> bool:
        return self._config.use_lockfile or bool(self._config.dynamodb_table)

    def lock(self, info: state.LockInfo) -> str:
        if not self.enabled:
            return ""
        info = dataclasses.replace(info, path=self.lock_path)
        if self._config.use_lockfile:
            self._lock_object(info)
        if self._config.dynamodb_table:
            try:
                self._lock_item(info)
            except state.StateError:
                if self._config.use_lockfile:
                    self._delete_object("release the lock object again")
                raise
        return info.id

    def unlock(self, lock_id: str) -> None:
        if self._config.use_lockfile:
            self._unlock_object(lock_id)
        if self._config.dynamodb_table:
            self._unlock_item(lock_id)

    # -- the lock object ----------------------------------------------------------------------

    def _lock_object(self, info: state.LockInfo) -> None:
        body = info.to_json()
        try:
            _s3_aws.call(
                "lock the state",
                self.object_location,
                self._aws.s3().put_object,
                Bucket=self._config.bucket,
                Key=self.object_key,
                Body=body,
                ContentType="application/json",
                IfNoneMatch="*",
                **self._object_args(),
            )
        except _s3_aws.AwsError as exc:
            if exc.code not in _TAKEN:
                raise
            holder, problem = self._object_holder()
            if holder is not None and holder.id == info.id:
                return  # our own earlier attempt got through
            raise _locked(self.location, holder, problem) from exc

    def _object_holder(self) -> tuple[state.LockInfo | None, str]:
        """The lock object's LockInfo, or None and why it could not be read."""
        data = self._read_object("read the lock information")
        if data is None:
            return None, "the lock object is gone (it was released meanwhile)"
        return _parse(data, self.object_location)

    def _read_object(self, doing: str) -> bytes | None:
        s3 = self._aws.s3()
        try:
            resp = _s3_aws.call(
                doing,
                self.object_location,
                s3.get_object,
                Bucket=self._config.bucket,
                Key=self.object_key,
                **_read_args(self._object_args()),
            )
        except _s3_aws.AwsError as exc:
            if exc.code == "NoSuchKey":
                return None
            raise
        return _s3_aws.call(doing, self.object_location, resp["Body"].read)

    def _unlock_object(self, lock_id: str) -> None:
        data = self._read_object("read the lock information")
        if data is None:
            raise state.StateLockError(f"{self.location} is not locked (no {self.object_key})")
        holder, problem = _parse(data, self.object_location)
        if holder is None:
            raise state.StateLockError(
                f"{problem}; the lock ID cannot be checked: delete {self.object_location} by "
                "hand if no one holds the lock"
            )
        _check_id(self.location, holder, lock_id)
        self._delete_object("unlock the state")

    def _delete_object(self, doing: str) -> None:
        _s3_aws.call(
            doing,
            self.object_location,
            self._aws.s3().delete_object,
            Bucket=self._config.bucket,
            Key=self.object_key,
        )

    # -- the DynamoDB item --------------------------------------------------------------------

    def _lock_item(self, info: state.LockInfo) -> None:
        try:
            self._call(
                "lock the state",
                "put_item",
                Item={"LockID": {"S": self.lock_path}, "Info": {"S": info.to_json().decode()}},
                ConditionExpression="attribute_not_exists(LockID)",
            )
        except _s3_aws.AwsError as exc:
            if exc.code != "ConditionalCheckFailedException":
                raise
            text = self._item_info()
            holder, problem = (
                (None, "the lock item is gone")
                if text is None
                else _parse(text.encode(), self._item_location)
            )
            if holder is not None and holder.id == info.id:
                return
            raise _locked(self.location, holder, problem) from exc

    def _item_info(self) -> str | None:
        resp = self._call(
            "read the lock information",
            "get_item",
            Key={"LockID": {"S": self.lock_path}},
            ProjectionExpression="LockID, Info",
            ConsistentRead=True,
        )
        value = resp.get("Item", {}).get("Info", {}).get("S")
        return value if isinstance(value, str) else None

    def _unlock_item(self, lock_id: str) -> None:
        text = self._item_info()
        if text is None:
            raise state.StateLockError(f"{self.location} is not locked (no item in DynamoDB)")
        holder, problem = _parse(text.encode(), self._item_location)
        if holder is None:
            raise state.StateLockError(f"{problem}; the lock ID cannot be checked")
        _check_id(self.location, holder, lock_id)
        try:
            self._call(
                "unlock the state",
                "delete_item",
                Key={"LockID": {"S": self.lock_path}},
                ConditionExpression="Info = :info",
                ExpressionAttributeValues={":info": {"S": text}},
            )
        except _s3_aws.AwsError as exc:
            if exc.code != "ConditionalCheckFailedException":
                raise
            raise state.StateLockError(
                f"{self.location}: the lock changed while it was being released; it was left"
            ) from exc

    @property
    def _item_location(self) -> str:
        return f"DynamoDB table {self._config.dynamodb_table!r}, item LockID={self.lock_path!r}"

    def _call(self, doing: str, operation: str, **kwargs: Any) -> Any:
        fn = getattr(self._aws.dynamodb(), operation)
        table = self._config.dynamodb_table
        return _s3_aws.call(doing, self._item_location, fn, TableName=table, **kwargs)


def _read_args(args: dict[str, Any]) -> dict[str, Any]:
    """Of the write arguments, those a read needs too (the SSE-C key)."""
    return {k: v for k, v in args.items() if k.startswith("SSECustomer")}


def _parse(data: bytes, source: str) -> tuple[state.LockInfo | None, str]:
    try:
        info = state.LockInfo.from_json(data, source=source)
    except state.StateLockError as exc:
        return None, str(exc)
    if not info.id:
        return None, f"{source}: the lock information has no ID"
    return info, ""


def _check_id(location: str, holder: state.LockInfo, lock_id: str) -> None:
    if holder.id != lock_id:
        raise state.StateLockError(
            f"{location}: lock ID {lock_id!r} does not match the lock held "
            f"({holder.id}, by {holder.who})"
        )


def _locked(location: str, holder: state.LockInfo | None, problem: str) -> state.StateLockedError:
    if holder is None:
        return state.StateLockedError(
            f"{location} is locked, but the lock information could not be read: {problem}", None
        )
    return state.StateLockedError(
        f"{location} is locked by {holder.who} for {holder.operation} (lock ID {holder.id})",
        holder,
    )

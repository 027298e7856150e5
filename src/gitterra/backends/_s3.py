"""The ``s3`` backend: states as objects in an S3 bucket, laid out and locked as Terraform does.

Layout: the default workspace's state is the object ``key``; workspace ``w`` is at
``<workspace_key_prefix>/w/<key>`` (prefix ``env:`` unless set; with an empty prefix,
``w/<key>``). The workspaces are found by listing the objects under the prefix: a workspace
exists when its state object does, so ``workspace new`` writes an empty state. ``default``
always exists and comes first.

Writes are ``PutObject`` with ``Content-Type: application/json``; with ``encrypt`` the object is
encrypted by S3 (SSE-S3, or SSE-KMS with ``kms_key_id``, or SSE-C with ``sse_customer_key``),
and ``acl`` sets its canned ACL. With ``dynamodb_table``, the MD5 of each write is kept in the
item ``LockID = "<bucket>/<key>-md5"`` (``Digest``, hex), and a read whose content does not
match it is retried for up to 10 seconds (S3 may answer with an older copy) before it fails.
Locks are in :mod:`._s3_lock`, connections and retries in :mod:`._s3_aws`.

Errors (the ``gitterra.state`` family, causes kept)::

    StateError
     ├── StateLockError            wrong lock ID on unlock, unreadable lock information
     │    └── StateLockedError     the lock object or item exists (.holder: its LockInfo)
     └── BackendError              the digest does not match the state, ...
          ├── AwsError             an AWS request failed: .code (NoSuchBucket, AccessDenied,
          │                        SlowDown, EndpointConnectionError, ...), .status
          └── WorkspaceError       a bad workspace name, deleting default or a missing one
"""

from __future__ import annotations

import hashlib
import posixpath
import time
from collections.abc import Callable
from typing import Any

from gitterra import state
from gitterra.backends import _s3_aws, _s3_lock
from gitterra.backends._s3_config import S3Config

DIGEST_SUFFIX = "-md5"
CONSISTENCY_TIMEOUT = 10.0
CONSISTENCY_POLL = 2.0


class S3Backend:
    """States in one bucket, by workspace. Connects to AWS on first use."""

    def __init__(
        self,
        config: S3Config,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.aws = _s3_aws.Aws(config.aws)
        self.clock = clock
        self._sleep = sleep

    def state_key(self, workspace: str) -> str:
        """The object key of ``workspace``'s state (Go's ``path.Join`` of the parts)."""
        state.check_workspace_name(workspace)
        if workspace == state.DEFAULT_WORKSPACE:
            return self.config.key
        prefix = self.config.workspace_key_prefix
        return posixpath.normpath(posixpath.join(prefix, workspace, self.config.key))

    def workspace_of(self, key: str) -> str | None:
        """The workspace whose state ``key`` is, if it is one (Terraform's ``keyEnv``)."""
        prefix = self.config.workspace_key_prefix
        if prefix:
            if not key.startswith(prefix + "/"):
                return None
            key = key[len(prefix) + 1 :]
        name, slash, rest = key.partition("/")
        if not slash or rest != self.config.key or not name:
            return None
        return name

    def workspaces(self) -> list[str]:
        prefix = self.config.workspace_key_prefix
        listed = prefix + "/" if prefix else ""
        names = {name for key in self._keys(listed) if (name := self.workspace_of(key))}
        names.discard(state.DEFAULT_WORKSPACE)
        return [state.DEFAULT_WORKSPACE, *sorted(n for n in names if _valid(n))]

    def client(self, workspace: str) -> S3Client:
        return S3Client(self, self.state_key(workspace))

    def delete_workspace(self, workspace: str) -> None:
        """Delete the workspace's state object (and its digest), holding its lock meanwhile so
        that a workspace in use is refused; refuses ``default`` and a missing workspace."""
        state.check_workspace_name(workspace)
        if workspace == state.DEFAULT_WORKSPACE:
            raise state.WorkspaceError('the "default" workspace cannot be deleted')
        client = self.client(workspace)
        if not client.exists():
            raise state.WorkspaceError(f"workspace {workspace!r} does not exist")
        lock_id = client.lock(state.LockInfo.new("delete workspace"))
        try:
            client.delete()
        finally:
            if lock_id:
                client.unlock(lock_id)

    def _keys(self, prefix: str) -> list[str]:
        s3 = self.aws.s3()
        where = f"s3://{self.config.bucket}/{prefix}"
        args: dict[str, Any] = {"Bucket": self.config.bucket, "Prefix": prefix}
        keys: list[str] = []
        while True:
            page = _s3_aws.call("list the workspaces", where, s3.list_objects_v2, **args)
            keys += [obj["Key"] for obj in page.get("Contents", []) if "Key" in obj]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return keys
            args["ContinuationToken"] = token

    def wait(self, deadline: float) -> bool:
        """Sleep before another consistency check, unless the deadline has passed."""
        remaining = deadline - self.clock()
        if remaining <= 0:
            return False
        self._sleep(min(CONSISTENCY_POLL, remaining))
        return True


class S3Client:
    """One workspace's state object, its digest and its lock."""

    def __init__(self, backend: S3Backend, key: str) -> None:
        self._backend = backend
        self._config = backend.config
        self._aws = backend.aws
        self.key = key
        self.location = f"s3://{self._config.bucket}/{key}"
        self.locks = _s3_lock.Locks(self._config, self._aws, key, self._write_args)

    def get(self) -> bytes | None:
        deadline = self._backend.clock() + CONSISTENCY_TIMEOUT
        while True:
            data = self._read()
            expected = self._digest()
            actual = hashlib.md5(data, usedforsecurity=False).digest() if data else b""
            if expected is None or expected == actual:
                return data
            if not self._backend.wait(deadline):
                raise state.BackendError(
                    f"{self.location}: the state in S3 does not have the expected content: its "
                    f"MD5 digest is {actual.hex() or '(none: no state)'}, but DynamoDB table "
                    f"{self._config.dynamodb_table!r} records {expected.hex()} for the last "
                    "write. S3 may still be serving an older copy: wait a minute and try "
                    "again. If this persists, check the state object and set the Digest of "
                    f"item LockID={self._digest_id!r} to {actual.hex() or '(delete the item)'}"
                )

    def exists(self) -> bool:
        """Whether the state object exists (a listing: unlike HEAD, it tells a missing bucket
        from a missing object, and reads nothing)."""
        page = _s3_aws.call(
            "look for the state",
            self.location,
            self._aws.s3().list_objects_v2,
            Bucket=self._config.bucket,
            Prefix=self.key,
            MaxKeys=1,
        )
        return any(obj.get("Key") == self.key for obj in page.get("Contents", []))

    def put(self, data: bytes) -> None:
        _s3_aws.call(
            "write the state",
            self.location,
            self._aws.s3().put_object,
            Bucket=self._config.bucket,
            Key=self.key,
            Body=data,
            ContentType="application/json",
            **self._write_args(),
        )
        if self._config.dynamodb_table:
            digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
            self._dynamodb(
                f"record the state's digest {digest} (the state was written; reads will report "
                "a digest mismatch until the item is set)",
                "put_item",
                Item={"LockID": {"S": self._digest_id}, "Digest": {"S": digest}},
            )

    def delete(self) -> None:
        _s3_aws.call(
            "delete the state",
            self.location,
            self._aws.s3().delete_object,
            Bucket=self._config.bucket,
            Key=self.key,
        )
        if self._config.dynamodb_table:
            self._dynamodb(
                "delete the state's digest (the state was deleted)",
                "delete_item",
                Key={"LockID": {"S": self._digest_id}},
            )

    def lock(self, info: state.LockInfo) -> str:
        return self.locks.lock(info)

    def unlock(self, lock_id: str) -> None:
        self.locks.unlock(lock_id)

    def force_unlock(self, lock_id: str) -> None:
        self.locks.unlock(lock_id)

    # -- helpers ------------------------------------------------------------------------------

    def _read(self) -> bytes | None:
        s3 = self._aws.s3()
        try:
            resp = _s3_aws.call(
                "read the state",
                self.location,
                s3.get_object,
                Bucket=self._config.bucket,
                Key=self.key,
                **self._read_args(),
            )
        except _s3_aws.AwsError as exc:
            if exc.code == "NoSuchKey":
                return None
            raise
        data = _s3_aws.call("read the state", self.location, resp["Body"].read)
        return data or None

    def _digest(self) -> bytes | None:
        """The MD5 recorded for the last write, when DynamoDB keeps one."""
        if not self._config.dynamodb_table:
            return None
        resp = self._dynamodb(
            "read the state's digest",
            "get_item",
            Key={"LockID": {"S": self._digest_id}},
            ProjectionExpression="LockID, Digest",
            ConsistentRead=True,
        )
        text = resp.get("Item", {}).get("Digest", {}).get("S", "")
        try:
            digest = bytes.fromhex(text)
        except ValueError:
            return None  # as Terraform: an unusable digest is no digest
        return digest if len(digest) == 16 else None

    @property
    def _digest_id(self) -> str:
        return f"{self._config.bucket}/{self.key}{DIGEST_SUFFIX}"

    def _dynamodb(self, doing: str, operation: str, **kwargs: Any) -> Any:
        table = self._config.dynamodb_table
        where = f"{self.location} (DynamoDB table {table!r})"
        fn = getattr(self._aws.dynamodb(), operation)
        return _s3_aws.call(doing, where, fn, TableName=table, **kwargs)

    def _write_args(self) -> dict[str, Any]:
        """Encryption and ACL arguments of PutObject (for the state and its lock object)."""
        cfg = self._config
        args: dict[str, Any] = {}
        if cfg.encrypt:
            if cfg.kms_key_id:
                args["ServerSideEncryption"] = "aws:kms"
                args["SSEKMSKeyId"] = cfg.kms_key_id
            elif cfg.sse_customer_key:
                args["SSECustomerAlgorithm"] = "AES256"
                args["SSECustomerKey"] = cfg.sse_customer_key
            else:
                args["ServerSideEncryption"] = "AES256"
        if cfg.acl:
            args["ACL"] = cfg.acl
        return args

    def _read_args(self) -> dict[str, Any]:
        cfg = self._config
        if cfg.encrypt and cfg.sse_customer_key:
            return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": cfg.sse_customer_key}
        return {}


def _valid(name: str) -> bool:
    try:
        state.check_workspace_name(name)
    except state.WorkspaceError:
        return False
    return True

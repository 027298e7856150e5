"""State: what gitterra knows about the infrastructure it manages, in Terraform's state v4 format.

Concepts:

- The model (:class:`State` > :class:`ResourceState` > :class:`InstanceState` >
  :class:`ObjectState`, plus root :class:`OutputState`) is plain mutable data. Attributes and
  output values are JSON data; the engine gives them types from provider schemas. Resources are
  keyed by their address (``module.web[0].aws_lb.web``, ``data.aws_ami.x``).
- The codec (:func:`encode`, :func:`decode`) reads and writes Terraform's state file byte for
  byte, so ``terraform`` and gitterra can share a state. Bad input raises
  :class:`CorruptStateError` naming the source and the field or JSON position; nothing is half
  read.
- Storage is behind two protocols, :class:`StateClient` (one workspace's bytes and lock) and
  :class:`Backend` (clients by workspace), implemented by ``gitterra.backends`` and by the fake
  :class:`MemoryBackend`. :class:`Manager` adds the rules on top: serials, lineage checks,
  writing only changes, lock retries with backoff. :class:`LockInfo` is Terraform's lock
  metadata.

Rules: this package does no I/O of its own (all of it goes through a client passed in) and
imports only ``gitterra.diag``; values are JSON data, never ``gitterra.lang`` values.

Exceptions, all keeping their cause (``raise ... from exc``)::

    StateError
     ├── CorruptStateError      stored bytes are not a state we can read (source, field)
     ├── StateLineageError      a write would replace a state of another lineage
     ├── StateLockError         a lock operation failed (wrong lock id, bad lock information)
     │    └── StateLockedError  someone else holds the lock (.holder: LockInfo | None)
     └── BackendError           the store failed: unreachable, HTTP status, file system
          └── WorkspaceError    a workspace name or operation the backend refuses
"""

from gitterra.state._client import (
    DEFAULT_WORKSPACE,
    Backend,
    MemoryBackend,
    MemoryClient,
    StateClient,
    check_workspace_name,
)
from gitterra.state._decode import decode
from gitterra.state._encode import encode
from gitterra.state._errors import (
    BackendError,
    CorruptStateError,
    StateError,
    StateLineageError,
    StateLockedError,
    StateLockError,
    WorkspaceError,
)
from gitterra.state._lock import LockInfo
from gitterra.state._manager import Manager
from gitterra.state._model import (
    InstanceKey,
    InstanceState,
    ObjectState,
    OutputState,
    ResourceState,
    State,
    format_instance_key,
    new_deposed_key,
)

__all__ = [
    "DEFAULT_WORKSPACE",
    "Backend",
    "BackendError",
    "CorruptStateError",
    "InstanceKey",
    "InstanceState",
    "LockInfo",
    "Manager",
    "MemoryBackend",
    "MemoryClient",
    "ObjectState",
    "OutputState",
    "ResourceState",
    "State",
    "StateClient",
    "StateError",
    "StateLineageError",
    "StateLockError",
    "StateLockedError",
    "WorkspaceError",
    "check_workspace_name",
    "decode",
    "encode",
    "format_instance_key",
    "new_deposed_key",
]

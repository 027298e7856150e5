"""The ``local`` backend: state files on this machine, as Terraform lays them out.

The default workspace lives at ``path`` (``terraform.tfstate``); another workspace ``w`` at
``<workspace_dir>/w/terraform.tfstate``. Relative paths are taken from the working directory
given to :func:`configure`.

A write is atomic: the new content goes to a temporary file in the same directory, is flushed
to disk (``fsync``) and renamed over the state, and the directory is synced, so a crash leaves
either the old state or the new one, never a torn file. The content being replaced is first
kept in ``<path>.backup`` the same way. A new state file gets mode 0600 (state holds secrets);
an existing one keeps its mode. Locks are in :mod:`._filelock`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import stat
import tempfile

from gitterra import state
from gitterra.backends import _filelock, _settings

DEFAULT_PATH = "terraform.tfstate"
DEFAULT_WORKSPACE_DIR = "terraform.tfstate.d"


def from_settings(settings: _settings.Settings, cwd: str) -> LocalBackend:
    path = settings.string("path", DEFAULT_PATH)
    workspace_dir = settings.string("workspace_dir", DEFAULT_WORKSPACE_DIR)
    for name, value in (("path", path), ("workspace_dir", workspace_dir)):
        if not value:
            raise settings.fail(name, name, "must not be empty")
        if "\x00" in value:
            raise settings.fail(name, name, "must not contain a NUL character")
    if path.endswith("/"):
        raise settings.fail("path", "path", f"{path!r} names a directory, not a state file")
    return LocalBackend(os.path.join(cwd, path), os.path.join(cwd, workspace_dir))


class LocalBackend:
    """Workspaces as files: ``path`` for ``default``, ``workspace_dir/<name>/`` for others."""

    def __init__(self, path: str, workspace_dir: str) -> None:
        self.path = path
        self.workspace_dir = workspace_dir

    def workspaces(self) -> list[str]:
        try:
            entries = sorted(
                e.name for e in os.scandir(self.workspace_dir) if e.is_dir(follow_symlinks=True)
            )
        except FileNotFoundError:
            entries = []
        except OSError as exc:
            raise state.BackendError(
                f"{self.workspace_dir}: cannot list workspaces: {exc}"
            ) from exc
        names = [e for e in entries if e != state.DEFAULT_WORKSPACE and _valid(e)]
        return [state.DEFAULT_WORKSPACE, *names]

    def client(self, workspace: str) -> LocalClient:
        return LocalClient(self.state_path(workspace))

    def state_path(self, workspace: str) -> str:
        state.check_workspace_name(workspace)
        if workspace == state.DEFAULT_WORKSPACE:
            return self.path
        return os.path.join(self.workspace_dir, workspace, DEFAULT_PATH)

    def delete_workspace(self, workspace: str) -> None:
        """Remove the workspace's directory; refuses ``default`` and a locked workspace."""
        state.check_workspace_name(workspace)
        if workspace == state.DEFAULT_WORKSPACE:
            raise state.WorkspaceError('the "default" workspace cannot be deleted')
        directory = os.path.join(self.workspace_dir, workspace)
        if not os.path.isdir(directory):
            raise state.WorkspaceError(f"workspace {workspace!r} does not exist")
        client = self.client(workspace)
        lock_id = client.lock(state.LockInfo.new("delete workspace", path=client.path))
        try:
            shutil.rmtree(directory)
        except OSError as exc:
            raise state.BackendError(f"{directory}: cannot delete the workspace: {exc}") from exc
        finally:
            client.unlock(lock_id)
            _remove_empty_dir(directory)


class LocalClient:
    """One state file and its lock file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.location = path
        self.backup_path = path + ".backup"
        self.lock_path = _filelock.lock_file_for(path)

    def get(self) -> bytes | None:
        data = _read(self.path)
        return data or None

    def put(self, data: bytes) -> None:
        old = _read(self.path)
        if old and old != data:
            _atomic_write(self.backup_path, old, _mode(self.path))
        _atomic_write(self.path, data, _mode(self.path))

    def delete(self) -> None:
        old = _read(self.path)
        if old is None:
            return
        if old:
            _atomic_write(self.backup_path, old, _mode(self.path))
        try:
            os.unlink(self.path)
            _sync_dir(os.path.dirname(self.path))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise state.BackendError(f"{self.path}: cannot delete the state: {exc}") from exc

    def lock(self, info: state.LockInfo) -> str:
        # Terraform's local backend records the state file's path in the lock.
        return _filelock.acquire(self.lock_path, dataclasses.replace(info, path=self.path))

    def unlock(self, lock_id: str) -> None:
        _filelock.release(self.lock_path, lock_id, force=False)

    def force_unlock(self, lock_id: str) -> None:
        _filelock.release(self.lock_path, lock_id, force=True)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise state.BackendError(f"{path}: cannot read the state: {exc}") from exc


def _mode(path: str) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o600


def _atomic_write(path: str, data: bytes, mode: int) -> None:
    directory = os.path.dirname(path) or "."
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
        )
    except OSError as exc:
        raise state.BackendError(f"{path}: cannot write the state: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _sync_dir(directory)
    except OSError as exc:
        _discard(tmp)
        raise state.BackendError(f"{path}: cannot write the state: {exc}") from exc
    except BaseException:
        _discard(tmp)
        raise


def _sync_dir(directory: str) -> None:
    fd = os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _discard(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _remove_empty_dir(directory: str) -> None:
    # Gone already, or someone put something there: leave it.
    with contextlib.suppress(OSError):
        os.rmdir(directory)


def _valid(name: str) -> bool:
    try:
        state.check_workspace_name(name)
    except state.WorkspaceError:
        return False
    return True

"""The git host's errors, each a :class:`~gitterra.cloud.CloudError` so the API maps it.

::

    CloudError                      (gitterra.cloud)
    ├── ValidationError             bad repository name, unknown branch, bad status field
    ├── NotFound                    unknown repository or pull request
    ├── Conflict                    name taken, pull request not open, nothing to merge
    │   └── MergeConflict           the branches conflict; ``files`` lists the paths
    └── GitError                    a git command failed unexpectedly (500; stderr kept)

User mistakes are ``ValidationError``/``NotFound``/``Conflict`` with a message the user can act
on; ``GitError`` is the server's own failure (git missing, a damaged repository) and keeps the
command and its output for the log.
"""

from __future__ import annotations

from collections.abc import Sequence

from gitterra.cloud import CloudError, Conflict


class GitError(CloudError):
    """A git command failed where it should not have (the server's fault, not the user's)."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message + (f": {stderr.strip()}" if stderr.strip() else ""))
        self.stderr = stderr


class MergeConflict(Conflict):
    """A pull request cannot be merged: both sides changed these files."""

    def __init__(self, message: str, files: Sequence[str]) -> None:
        super().__init__(message)
        self.files = tuple(files)

    def to_json(self) -> dict[str, object]:
        """The API error, with the conflicting paths as ``error.files``."""
        body = super().to_json()
        error = body["error"]
        assert isinstance(error, dict)
        error["files"] = list(self.files)
        return body

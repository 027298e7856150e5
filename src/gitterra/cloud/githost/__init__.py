"""The git host: bare repositories served over git's smart HTTP, pushes and pull requests as
events, and commit statuses.

Concept: :class:`GitHost` (registered as ``"githost"``) keeps bare repositories under
``DATA_DIR/git/<name>.git`` (default branch ``main``) and serves them through ``git
http-backend`` (:mod:`._smart_http`) at ``/git/<name>.git``. Fetching and cloning are
anonymous: whoever reaches the server can read every repository (instances clone the site from
here); a push needs the server's token. A push, a merge, or a restart that finds refs moved
while no server watched, is announced as events (:mod:`._push`): one ``PUSH`` per changed ref
and the ``PULL_REQUEST_*`` events of the pull requests it touches (:mod:`._pulls`).

Rules:

- Events are stored before anyone hears of them, and delivered to every subscriber in order,
  at least once, across crashes (:mod:`._events`); subscribers de-duplicate by
  ``delivery_id``.
- Every ref change of a repository (a receive-pack request, a merge) holds that repository's
  lock, so concurrent pushes are announced one by one with exact before/after commits.
- Git runs with argument lists and an explicit environment (:mod:`._git`); branch names,
  commit messages and paths are data, never shell.
- Bad input (a repository name, a branch, a status field, a request body) is a
  ``ValidationError`` naming the field or header, before anything changes.

Errors::

    CloudError
    ├── ValidationError / NotFound / Conflict     (gitterra.cloud: user mistakes)
    │                     └── MergeConflict       (the conflicting files in .files)
    └── GitError                                  (git failed where it should not: 500)
"""

from gitterra.cloud.githost._errors import GitError, MergeConflict
from gitterra.cloud.githost._events import Callback
from gitterra.cloud.githost._service import DEFAULT_BRANCH, GitHost
from gitterra.cloud.githost._smart_http import GitRequest, Responder, needs_auth
from gitterra.cloud.githost._statuses import STATES as STATUS_STATES

__all__ = [
    "DEFAULT_BRANCH",
    "STATUS_STATES",
    "Callback",
    "GitError",
    "GitHost",
    "GitRequest",
    "MergeConflict",
    "Responder",
    "needs_auth",
]

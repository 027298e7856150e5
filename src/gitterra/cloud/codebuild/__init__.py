"""CodeBuild: build projects, webhooks, the persistent build queue, builds, logs, artifacts and
commit statuses (docs/cloud-api.md, "CodeBuild").

Concept: an event (a forge's webhook delivery, or a push to gitterra's own git host) is matched
against a project's webhook filter groups (``gitterra.triggers``); a match becomes a QUEUED build
in the store, copied from its project; the scheduler runs it with ``pipeline.BuildRunner`` in a
fresh workspace with the exact commit checked out, the CodeBuild variables set and the log
written line by line; its outcome is posted as a commit status.

Rules:

- Acknowledged means durable: a delivery's record, its "seen" mark and its builds are stored
  before the forge gets its 202; a build asked for through the API is stored before the 201.
- Untrusted text (branch names, commit messages, payload fields) is data: git runs with
  argument lists (``_source``), buildspec commands reach one shell as data (``pipeline``), and
  event values reach builds only as environment variables.
- Every delivery is recorded, accepted or refused, with the reason and the filter group that
  matched; a delivery id is built once per webhook.
- A crash loses nothing acknowledged: QUEUED builds run after a restart; builds that were
  running end FAULT with the reason, their leftover processes killed (``_reap``).
- Secrets and source credentials are never returned by the API; secret values used by a build
  (and the build's token) are masked in its log.

Errors are the cloud's (``ValidationError`` naming the field, ``NotFound``, ``Conflict``); inside a
build, problems are the build's status and log, never an exception::

    _source.SourceError       git could not fetch or check out the source (build FAILED)
    _secrets.SecretMissing    a variable names a secret that does not exist (build FAILED)
    _statuses.StatusError     a commit status could not be posted (written in the log)
"""

from gitterra.cloud.codebuild._deliveries import Outcome
from gitterra.cloud.codebuild._ports import EventCallback, GitHost
from gitterra.cloud.codebuild._service import CodeBuild, Render

__all__ = ["CodeBuild", "EventCallback", "GitHost", "Outcome", "Render"]

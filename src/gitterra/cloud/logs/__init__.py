"""CloudWatch Logs' log groups: named homes for build and instance logs.

One service, :class:`LogGroups` (registered as ``"logs"``). A group is addressed by its name
(which may contain ``/``, as ``/aws/codebuild/site``); ``retention_in_days`` is one of the
values CloudWatch accepts, 0 meaning "never expire" (the AWS provider's default). Inputs are
checked field by field before anything is written; names are unique (Conflict).
"""

from gitterra.cloud.logs._log_groups import RETENTION_DAYS, LogGroups

__all__ = ["RETENTION_DAYS", "LogGroups"]

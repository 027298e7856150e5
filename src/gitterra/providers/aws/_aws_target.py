"""The AWS target: ``_target.Target`` on AWS (or any AWS-compatible endpoint) through boto3.

:func:`connect` resolves the credentials and learns the account (STS ``GetCallerIdentity``)
on a worker thread; each service is one module (``_aws_ec2``/``_aws_network``,
``_aws_autoscaling``, ``_aws_elbv2``/``_aws_target_groups``, ``_aws_logs``,
``_aws_codebuild``) over one set of clients. Errors are the ``_client`` family
(``_aws_call`` maps AWS's codes onto it).
"""

from __future__ import annotations

import asyncio

from gitterra.providers.aws import (
    _aws_autoscaling,
    _aws_codebuild,
    _aws_logs,
    _aws_network,
    _aws_session,
    _aws_settings,
    _aws_target_groups,
    _client,
    _target,
)
from gitterra.providers.aws._target import Doc


class AwsTarget:
    kind: _target.TargetKind = "aws"
    filters_on_server = True
    label = "AWS"
    unreachable_hint = (
        "check the network, the region, and the endpoints { } settings or AWS_ENDPOINT_URL."
    )

    def __init__(
        self, conn: _aws_session.Connection, endpoints: dict[str, str], timing: _client.Timing
    ):
        self.conn = conn
        self.endpoints = endpoints
        self.ec2: _target.Ec2 = _aws_network.Network(conn, timing)
        self.autoscaling: _target.Autoscaling = _aws_autoscaling.Autoscaling(conn, timing)
        self.elbv2: _target.Elbv2 = _aws_target_groups.TargetGroups(conn, timing)
        self.logs: _target.Logs = _aws_logs.Logs(conn, timing)
        self.codebuild: _target.CodeBuild = _aws_codebuild.CodeBuild(conn, timing)
        self.iam: _target.Iam | None = _aws_logs.Iam(conn, timing)
        custom = sorted(set(endpoints.values()))
        self.where = ", ".join(custom) if custom else f"AWS in {conn.region}"

    def describe(self) -> str:
        who = f"AWS account {self.conn.account_id}" if self.conn.account_id else "AWS"
        custom = sorted(set(self.endpoints.values()))
        via = f" (endpoint {custom[0]})" if len(custom) == 1 else ""
        via = " (custom endpoints)" if len(custom) > 1 else via
        return f"{who} in {self.conn.region}{via}"

    def identity(self) -> Doc:
        return {
            "account_id": self.conn.account_id,
            "arn": self.conn.arn,
            "user_id": self.conn.user_id,
        }

    async def close(self) -> None:
        """boto3's connection pools need no closing; nothing to do."""


async def connect(settings: _aws_settings.AwsSettings, timing: _client.Timing) -> AwsTarget:
    """The target for ``settings`` (the credentials resolved and checked); the
    ``_client.CloudError`` family when AWS cannot be reached or refuses them."""
    conn = await asyncio.to_thread(_aws_session.connect, settings, timing)
    return AwsTarget(conn, dict(settings.endpoints), timing)

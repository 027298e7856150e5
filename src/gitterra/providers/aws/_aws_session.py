"""Connecting to AWS: credentials resolved in the AWS provider's order (see ``_aws_settings``),
a role assumed when ``assume_role`` is set (its credentials refreshed before they expire), the
clients' settings (endpoints, retries, timeouts), and STS ``GetCallerIdentity`` to learn the
account, as the AWS provider does when it is configured.

Side effects: reads of the shared config and credentials files; calls to STS and, when no
credentials are configured, to the instance metadata service (unless it is disabled).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from gitterra import __version__
from gitterra.providers.aws import _aws_call, _aws_settings, _client

if TYPE_CHECKING:
    import botocore.session
    from botocore.config import Config
    from botocore.credentials import Credentials
    from botocore.loaders import Loader


@dataclass(frozen=True, slots=True)
class Connection:
    """The clients of a configured AWS target and who they act as."""

    clients: _aws_call.Clients
    region: str
    partition: str
    account_id: str
    arn: str
    user_id: str


def connect(settings: _aws_settings.AwsSettings, timing: _client.Timing) -> Connection:
    """Resolve the credentials, assume the role, check them with STS (blocking: run it on a
    worker thread). ``UnauthorizedError`` when there are none or AWS refuses them."""
    import boto3  # a sixth of a second to import: only when AWS is the target

    session = boto3.Session(botocore_session=_session(settings, timing))
    clients = _aws_call.Clients(session, functools.partial(_client_args, settings, timing))
    account, arn, user = "", "", ""
    if not settings.skip_credentials_validation and not settings.skip_requesting_account_id:
        who = clients.call_now("sts", "get_caller_identity")
        account, arn, user = str(who["Account"]), str(who["Arn"]), str(who["UserId"])
    partition = session.get_partition_for_region(settings.region) if settings.region else "aws"
    return Connection(clients, settings.region, partition, account, arn, user)


def _session(settings: _aws_settings.AwsSettings, timing: _client.Timing) -> Any:
    """A botocore session whose credentials are resolved (and, with ``assume_role``, those
    of the role)."""
    try:
        session, credentials = _credentials(settings)
    except botocore.exceptions.ProfileNotFound as exc:
        files = ", ".join((*settings.shared_config_files, *settings.shared_credentials_files))
        raise _client.BadRequestError(
            400,
            "ProfileNotFound",
            f'the profile "{settings.profile}" is in none of the shared AWS files'
            + (f" ({files})" if files else " (~/.aws/config, ~/.aws/credentials)"),
            "profile",
        ) from exc
    except botocore.exceptions.BotoCoreError as exc:
        raise _aws_call.error(exc, "resolving credentials") from exc
    if credentials is None:
        raise _client.UnauthorizedError(
            401,
            "NoCredentials",
            "found no AWS credentials: set access_key and secret_key or a profile in the "
            "provider block, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
            None,
        )
    if settings.assume_role is None:
        return session
    return _assumed(settings, settings.assume_role, session, credentials, timing)


def _credentials(
    settings: _aws_settings.AwsSettings,
) -> tuple[botocore.session.Session, Credentials | None]:
    """The static keys, else the profile's and the rest of botocore's chain (the key
    variables were read into the settings already, so botocore's own reading of them is
    removed)."""
    import botocore.session

    session = botocore.session.Session(profile=settings.profile or None)
    session.register_component("data_loader", data_loader())
    if settings.shared_credentials_files:
        session.set_config_variable("credentials_file", settings.shared_credentials_files[-1])
    if settings.shared_config_files:
        session.set_config_variable("config_file", settings.shared_config_files[-1])
    resolver = session.get_component("credential_provider")
    resolver.remove("env")
    if settings.skip_metadata_api_check:
        resolver.remove("iam-role")
    if settings.access_key:
        session.set_credentials(settings.access_key, settings.secret_key, settings.token or None)
    return session, session.get_credentials()


def _assumed(
    settings: _aws_settings.AwsSettings,
    role: _aws_settings.AssumeRole,
    base: botocore.session.Session,
    source: Credentials,
    timing: _client.Timing,
) -> botocore.session.Session:
    """A session with ``role``'s credentials, fetched with ``source`` and refreshed."""
    import botocore.session
    from botocore.credentials import (
        AssumeRoleCredentialFetcher,
        CredentialProvider,
        CredentialResolver,
        DeferredRefreshableCredentials,
    )

    def sts_client(service: str, **credentials: Any) -> Any:
        return base.create_client(service, **_client_args(settings, timing, "sts"), **credentials)

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=sts_client,
        source_credentials=source,
        role_arn=role.role_arn,
        extra_args=role.sts_arguments(),
    )
    assumed = DeferredRefreshableCredentials(fetcher.fetch_credentials, "assume-role")
    try:
        assumed.get_frozen_credentials()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise _aws_call.error(exc, "AssumeRole") from exc

    class Assumed(CredentialProvider):
        METHOD = "assume-role"

        def load(self) -> DeferredRefreshableCredentials:
            return assumed

    session = botocore.session.Session()
    session.register_component("data_loader", data_loader())
    session.register_component("credential_provider", CredentialResolver([Assumed()]))
    return session


@functools.cache
def data_loader() -> Loader:
    """botocore's loader of service models and endpoint data, shared by every session of the
    process (it caches what it parsed)."""
    from botocore.loaders import create_loader

    return create_loader()


def _client_args(
    settings: _aws_settings.AwsSettings, timing: _client.Timing, service: str
) -> dict[str, Any]:
    return {
        "region_name": settings.region,
        "endpoint_url": settings.endpoints.get(service) or None,
        "config": _config(settings, timing),
    }


def _config(settings: _aws_settings.AwsSettings, timing: _client.Timing) -> Config:
    from botocore.config import Config

    return Config(
        retries={"total_max_attempts": settings.max_retries + 1, "mode": "standard"},
        connect_timeout=min(timing.request_timeout, 60.0),
        read_timeout=timing.request_timeout,
        user_agent_extra=f"gitterra/{__version__}",
    )

"""AWS clients for the s3 backend (boto3), and AWS failures as :class:`AwsError`.

:class:`Aws` connects on first use, not when the backend is configured: credentials are
resolved (static keys, a profile of the shared files, the default chain), a role is assumed
when ``assume_role`` is set (credentials refreshed before they expire), and, unless
``skip_credentials_validation``, STS ``GetCallerIdentity`` checks them, as Terraform does
before the first state operation. One S3 client and one DynamoDB client are then shared by
every state client of the backend (boto3 clients are thread-safe).

Requests that fail with throttling, a 5xx or a connection error are retried by botocore's
``standard`` (or ``adaptive``) retry mode with exponential backoff and jitter, up to
``max_retries`` retries. A failure that remains becomes an :class:`AwsError` (a
``BackendError``) saying what was being done, on which object, and AWS's error code.

Side effects: network calls to the configured endpoints (S3, DynamoDB, STS) and, when no
credentials are configured, to the instance metadata service (unless
``skip_metadata_api_check``); reads of the shared credentials and config files.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import botocore.exceptions

from gitterra import __version__, state

if TYPE_CHECKING:
    import botocore.session
    from botocore.config import Config
    from botocore.credentials import Credentials
    from botocore.loaders import Loader
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sts import STSClient

T = TypeVar("T")

# Hints for the codes a user can act on.
_HINTS = {
    "NoSuchBucket": "the bucket must exist before gitterra can keep state in it: create it, "
    "or check the bucket and region settings",
    "AccessDenied": "the credentials in use are not allowed to do this: check their IAM "
    "policy (s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject on the state and "
    "its .tflock; dynamodb:GetItem, PutItem, DeleteItem on the lock table)",
    "InvalidAccessKeyId": "the access key is not known to AWS: check the credentials",
    "SignatureDoesNotMatch": "the secret key does not match the access key",
    "ExpiredToken": "the session token has expired: get fresh credentials",
    "InvalidClientTokenId": "the security token is not valid: check the credentials",
    "ResourceNotFoundException": "the DynamoDB table must exist, with a string partition key "
    "named LockID",
    "PermanentRedirect": "the bucket is in another region: set region to the bucket's region",
    "AuthorizationHeaderMalformed": "the bucket is in another region: set region to the "
    "bucket's region",
}


class AwsError(state.BackendError):
    """An AWS request failed. ``code`` is AWS's error code (``NoSuchBucket``, ``AccessDenied``,
    ``SlowDown``, ... or the exception name for failures without one, such as
    ``EndpointConnectionError``); ``status`` the HTTP status (0 when there was no answer)."""

    def __init__(self, message: str, code: str, status: int) -> None:
        self.code = code
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class AssumeRole:
    """The role to assume (Terraform's ``assume_role`` object)."""

    role_arn: str
    session_name: str = ""
    external_id: str = ""
    duration_seconds: int | None = None
    policy: str = ""
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str = ""

    def sts_arguments(self) -> dict[str, Any]:
        """The extra AssumeRole parameters."""
        args: dict[str, Any] = {}
        if self.session_name:
            args["RoleSessionName"] = self.session_name
        if self.external_id:
            args["ExternalId"] = self.external_id
        if self.duration_seconds is not None:
            args["DurationSeconds"] = self.duration_seconds
        if self.policy:
            args["Policy"] = self.policy
        if self.policy_arns:
            args["PolicyArns"] = [{"arn": arn} for arn in self.policy_arns]
        if self.tags:
            args["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags]
        if self.transitive_tag_keys:
            args["TransitiveTagKeys"] = list(self.transitive_tag_keys)
        if self.source_identity:
            args["SourceIdentity"] = self.source_identity
        return args


@dataclass(frozen=True)
class AwsConfig:
    """How to reach AWS: region, credentials, endpoints, retries."""

    region: str
    sts_region: str = ""
    access_key: str = ""
    secret_key: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    profile: str = ""
    shared_credentials_files: tuple[str, ...] = ()
    shared_config_files: tuple[str, ...] = ()
    assume_role: AssumeRole | None = None
    s3_endpoint: str = ""
    dynamodb_endpoint: str = ""
    sts_endpoint: str = ""
    use_path_style: bool = False
    skip_credentials_validation: bool = False
    skip_requesting_account_id: bool = False
    skip_metadata_api_check: bool = False
    skip_s3_checksum: bool = False
    max_retries: int = 5
    retry_mode: str = "standard"
    custom_ca_bundle: str = ""
    insecure: bool = False
    use_fips_endpoint: bool = False
    use_dualstack_endpoint: bool = False


class Aws:
    """The backend's AWS clients, made on first use (by any thread; once)."""

    def __init__(self, config: AwsConfig) -> None:
        self.config = config
        self._mutex = threading.Lock()
        self._clients: tuple[S3Client, DynamoDBClient] | None = None

    def s3(self) -> S3Client:
        return self._connect()[0]

    def dynamodb(self) -> DynamoDBClient:
        return self._connect()[1]

    def _connect(self) -> tuple[S3Client, DynamoDBClient]:
        with self._mutex:
            if self._clients is None:
                self._clients = _connect(self.config)
            return self._clients


def call(doing: str, where: str, fn: Callable[..., T], /, **kwargs: Any) -> T:
    """``fn(**kwargs)``, with any AWS failure raised as an :class:`AwsError` that says we could
    not ``doing`` at ``where``."""
    try:
        return fn(**kwargs)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
        raise error(exc, doing, where) from exc


def error(exc: Exception, doing: str, where: str) -> AwsError:
    """The :class:`AwsError` for a boto3 failure while trying to ``doing`` at ``where``."""
    if isinstance(exc, botocore.exceptions.ClientError):
        details = exc.response.get("Error", {})
        meta = exc.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode") or 0)
        code = str(details.get("Code") or status or "Unknown")
        message = str(details.get("Message") or "").strip() or "(no message)"
        retries = int(meta.get("RetryAttempts") or 0)
        tried = f" (gave up after {retries + 1} attempts)" if retries else ""
        hint = _HINTS.get(code) or _HINTS.get("AccessDenied" if status == 403 else "", "")
        text = f"{where}: could not {doing}: {exc.operation_name} failed with {code}"
        text += f" ({status}){tried}: {message}"
        return AwsError(text + (f"; {hint}" if hint else ""), code, status)
    code = type(exc).__name__
    if isinstance(exc, (botocore.exceptions.EndpointConnectionError, *_timeouts())):
        return AwsError(f"{where}: could not {doing}: cannot reach AWS: {exc}", code, 0)
    return AwsError(f"{where}: could not {doing}: {code}: {exc}", code, 0)


def _timeouts() -> tuple[type[Exception], ...]:
    return (
        botocore.exceptions.ConnectTimeoutError,
        botocore.exceptions.ReadTimeoutError,
        botocore.exceptions.ConnectionClosedError,
    )


def _connect(cfg: AwsConfig) -> tuple[S3Client, DynamoDBClient]:
    """The S3 and DynamoDB clients, after resolving (and checking) the credentials."""
    import boto3  # a sixth of a second to import: only when used

    session = boto3.Session(botocore_session=_session(cfg))
    if not cfg.skip_credentials_validation:
        sts: STSClient = session.client("sts", **_client_args(cfg, "sts"))
        call(
            "check its AWS credentials with STS GetCallerIdentity",
            "the s3 backend",
            sts.get_caller_identity,
        )
    s3: S3Client = session.client("s3", **_client_args(cfg, "s3"))
    dynamodb: DynamoDBClient = session.client("dynamodb", **_client_args(cfg, "dynamodb"))
    return s3, dynamodb


def _session(cfg: AwsConfig) -> botocore.session.Session:
    """A botocore session whose credentials are resolved (raises :class:`AwsError`)."""
    where = "the s3 backend"
    try:
        session, credentials = _credentials(cfg)
    except botocore.exceptions.BotoCoreError as exc:
        raise error(exc, "find AWS credentials", where) from exc
    if credentials is None:
        raise AwsError(
            f"{where}: found no AWS credentials: set access_key and secret_key, a profile, or "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            "NoCredentials",
            0,
        )
    if cfg.assume_role is None:
        return session
    return _assumed(cfg, cfg.assume_role, session, credentials)


def _credentials(cfg: AwsConfig) -> tuple[botocore.session.Session, Credentials | None]:
    """A session and the credentials it found: the static keys, else those of the profile
    and the rest of botocore's chain (the key variables were read by the configuration)."""
    import botocore.session

    session = botocore.session.Session(profile=cfg.profile or None)
    session.register_component("data_loader", data_loader())
    if cfg.shared_credentials_files:
        path = _file_for_profile(cfg.shared_credentials_files, cfg.profile or "default", "")
        session.set_config_variable("credentials_file", path)
    if cfg.shared_config_files:
        path = _file_for_profile(cfg.shared_config_files, cfg.profile or "default", "profile ")
        session.set_config_variable("config_file", path)
    resolver = session.get_component("credential_provider")
    resolver.remove("env")
    if cfg.skip_metadata_api_check:
        resolver.remove("iam-role")
    if cfg.access_key:
        session.set_credentials(cfg.access_key, cfg.secret_key, cfg.token or None)
    return session, session.get_credentials()


def _assumed(
    cfg: AwsConfig, role: AssumeRole, base: botocore.session.Session, source: Credentials
) -> botocore.session.Session:
    """A session with ``role``'s credentials, fetched with ``source`` (and refreshed)."""
    import botocore.session
    from botocore.credentials import (
        AssumeRoleCredentialFetcher,
        CredentialProvider,
        CredentialResolver,
        DeferredRefreshableCredentials,
    )

    def sts_client(service: str, **credentials: Any) -> Any:
        return base.create_client(service, **_client_args(cfg, "sts"), **credentials)

    fetcher = AssumeRoleCredentialFetcher(
        client_creator=sts_client,
        source_credentials=source,
        role_arn=role.role_arn,
        extra_args=role.sts_arguments(),
    )
    assumed = DeferredRefreshableCredentials(fetcher.fetch_credentials, "assume-role")
    doing = f"assume the role {role.role_arn}"
    call(doing, "the s3 backend", assumed.get_frozen_credentials)

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
    """botocore's loader of its service models and endpoint data, shared by every session of
    the process: it caches what it parsed, which saves most of a second per backend."""
    from botocore.loaders import create_loader

    return create_loader()


def _file_for_profile(files: tuple[str, ...], profile: str, prefix: str) -> str:
    """Of several shared files, the last one that defines ``profile`` (the first when none
    does): boto3 reads one file of each kind, where the AWS SDK for Go merges them."""
    from botocore.configloader import raw_config_parse

    if len(files) == 1:
        return files[0]
    sections = {profile} if profile == "default" else {prefix + profile, profile}
    chosen = files[0]
    for path in files:
        try:
            if sections & set(raw_config_parse(path)):
                chosen = path
        except botocore.exceptions.ConfigNotFound:
            continue
        except botocore.exceptions.ConfigParseError as exc:
            raise error(exc, "read the shared AWS files", "the s3 backend") from exc
    return chosen


def _client_args(cfg: AwsConfig, service: str) -> dict[str, Any]:
    endpoint = {"s3": cfg.s3_endpoint, "dynamodb": cfg.dynamodb_endpoint}.get(
        service, cfg.sts_endpoint
    )
    region = cfg.sts_region or cfg.region if service == "sts" else cfg.region
    verify: bool | str | None = cfg.custom_ca_bundle or None
    if cfg.insecure:
        verify = False
    return {
        "region_name": region,
        "endpoint_url": endpoint or None,
        "verify": verify,
        "config": _botocore_config(cfg),
    }


def _botocore_config(cfg: AwsConfig) -> Config:
    from botocore.config import Config

    checksums: Literal["when_supported", "when_required"] = (
        "when_required" if cfg.skip_s3_checksum else "when_supported"
    )
    mode: Literal["standard", "adaptive"] = (
        "adaptive" if cfg.retry_mode == "adaptive" else "standard"
    )
    return Config(
        retries={"total_max_attempts": cfg.max_retries + 1, "mode": mode},
        s3={"addressing_style": "path" if cfg.use_path_style else "auto"},
        use_fips_endpoint=cfg.use_fips_endpoint,
        use_dualstack_endpoint=cfg.use_dualstack_endpoint,
        request_checksum_calculation=checksums,
        response_checksum_validation=checksums,
        user_agent_extra=f"gitterra/{__version__}",
    )

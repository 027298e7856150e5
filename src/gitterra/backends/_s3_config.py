"""The s3 backend's settings, checked as Terraform's s3 backend checks them.

Every argument of Terraform's backend is read here with its type, default and environment
variable; a mistake is a :class:`BackendConfigError` naming the argument (and the variable it
came from). Arguments gitterra does not implement yet are refused by name rather than ignored.
The AWS variables are read from the ``env`` given to :func:`from_settings`, the way boto3 reads
them: ``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
``AWS_SESSION_TOKEN``, ``AWS_PROFILE``, ``AWS_SHARED_CREDENTIALS_FILE``, ``AWS_CONFIG_FILE``,
``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>`` (and Terraform's older
``AWS_<SERVICE>_ENDPOINT``), ``AWS_RETRY_MODE``, ``AWS_CA_BUNDLE``, ``AWS_USE_FIPS_ENDPOINT``,
``AWS_USE_DUALSTACK_ENDPOINT``, ``AWS_EC2_METADATA_DISABLED``, ``AWS_SSE_CUSTOMER_KEY``.

Credentials, in Terraform's order: ``access_key``/``secret_key``/``token``; then a ``profile``
setting (which, as in Terraform, hides the credential variables); then the credential variables;
then ``AWS_PROFILE`` or the default profile of the shared files; then the instance metadata
service (unless ``skip_metadata_api_check``). ``assume_role`` assumes a role with them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitterra.backends import _s3_aws, _s3_settings, _settings

KNOWN = (
    "bucket",
    "key",
    "region",
    "encrypt",
    "kms_key_id",
    "sse_customer_key",
    "acl",
    "workspace_key_prefix",
    "use_lockfile",
    "dynamodb_table",
    "skip_s3_checksum",
    "profile",
    "shared_credentials_files",
    "shared_credentials_file",
    "shared_config_files",
    "access_key",
    "secret_key",
    "token",
    "assume_role",
    "endpoints",
    "endpoint",
    "dynamodb_endpoint",
    "iam_endpoint",
    "sts_endpoint",
    "sts_region",
    "use_path_style",
    "force_path_style",
    "skip_credentials_validation",
    "skip_region_validation",
    "skip_requesting_account_id",
    "skip_metadata_api_check",
    "max_retries",
    "retry_mode",
    "custom_ca_bundle",
    "insecure",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
)

# Terraform's arguments that gitterra refuses by name until it implements them.
UNSUPPORTED = {
    "allowed_account_ids": "",
    "forbidden_account_ids": "",
    "assume_role_with_web_identity": "",
    "ec2_metadata_service_endpoint": "",
    "ec2_metadata_service_endpoint_mode": "",
    "http_proxy": " (the HTTP_PROXY variable works)",
    "https_proxy": " (the HTTPS_PROXY variable works)",
    "no_proxy": " (the NO_PROXY variable works)",
}

DEFAULT_WORKSPACE_KEY_PREFIX = "env:"
CANNED_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
)
_ASSUME_ROLE = (
    "duration",
    "external_id",
    "policy",
    "policy_arns",
    "role_arn",
    "session_name",
    "source_identity",
    "tags",
    "transitive_tag_keys",
)
_ENDPOINTS = ("dynamodb", "iam", "s3", "sso", "sts")
# (service, legacy setting, AWS SDK variable, Terraform's older variable)
_ENDPOINT_SOURCES = (
    ("s3", "endpoint", "AWS_ENDPOINT_URL_S3", "AWS_S3_ENDPOINT"),
    ("dynamodb", "dynamodb_endpoint", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_DYNAMODB_ENDPOINT"),
    ("sts", "sts_endpoint", "AWS_ENDPOINT_URL_STS", "AWS_STS_ENDPOINT"),
    ("iam", "iam_endpoint", "AWS_ENDPOINT_URL_IAM", "AWS_IAM_ENDPOINT"),
)
_ROLE_ARN = re.compile(r"arn:[\w-]+:iam::\d{12}:role/[\w+=,.@/-]+")
_POLICY_ARN = re.compile(r"arn:[\w-]+:iam::(\d{12}|aws):policy/[\w+=,.@/-]+")
_ROLE_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
_KMS_KEY = re.compile(
    r"arn:[\w-]+:kms:[\w-]+:\d{12}:(key/[\w-]+|alias/[\w/+=,.@-]+)"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|mrk-[0-9a-fA-F]{32}|alias/[\w/+=,.@-]+"
)


@dataclass(frozen=True)
class S3Config:
    """A validated s3 backend configuration: where states live and how they are written."""

    bucket: str
    key: str
    aws: _s3_aws.AwsConfig
    workspace_key_prefix: str = DEFAULT_WORKSPACE_KEY_PREFIX
    encrypt: bool = False
    kms_key_id: str = ""
    sse_customer_key: bytes = field(default=b"", repr=False)
    acl: str = ""
    use_lockfile: bool = False
    dynamodb_table: str = ""


def from_settings(settings: Mapping[str, Any], env: Mapping[str, str]) -> S3Config:
    s = _settings.Settings("s3", settings, env, KNOWN + tuple(UNSUPPORTED))
    r = _s3_settings.Reader(s, settings)
    for name, hint in UNSUPPORTED.items():
        if settings.get(name) is not None:
            raise r.fail(name, f"is not supported by gitterra yet{hint}")
    bucket = r.string("bucket")
    if not bucket:
        raise r.fail("bucket", "is required: the name of the S3 bucket that holds the state")
    kms_key_id = r.string("kms_key_id")
    if kms_key_id and not _KMS_KEY.fullmatch(kms_key_id):
        raise r.fail("kms_key_id", f"{kms_key_id!r} is not a KMS key ID, key ARN or alias")
    acl = r.string("acl")
    if acl and acl not in CANNED_ACLS:
        raise r.fail("acl", f"{acl!r} is not a canned ACL; use one of: {', '.join(CANNED_ACLS)}")
    return S3Config(
        bucket=bucket,
        key=_key(r),
        aws=_aws(r, env),
        workspace_key_prefix=_prefix(r),
        encrypt=r.boolean("encrypt"),
        kms_key_id=kms_key_id,
        sse_customer_key=_customer_key(r, env, kms_key_id),
        acl=acl,
        use_lockfile=r.boolean("use_lockfile"),
        dynamodb_table=r.string("dynamodb_table"),
    )


def _key(r: _s3_settings.Reader) -> str:
    key = r.string("key")
    if not key:
        raise r.fail("key", "is required: the path of the state object inside the bucket")
    _check_path(r, "key", key)
    return key


def _prefix(r: _s3_settings.Reader) -> str:
    prefix = r.string("workspace_key_prefix", DEFAULT_WORKSPACE_KEY_PREFIX)
    if prefix:
        _check_path(r, "workspace_key_prefix", prefix)
    return prefix


def _check_path(r: _s3_settings.Reader, name: str, value: str) -> None:
    # S3 strips a leading slash, and empty segments would break the workspace layout.
    if value.startswith("/") or value.endswith("/"):
        raise r.fail(name, f"{value!r} must not start or end with '/'")
    if "//" in value:
        raise r.fail(name, f"{value!r} must not contain '//'")


def _customer_key(r: _s3_settings.Reader, env: Mapping[str, str], kms_key_id: str) -> bytes:
    text, where = r.string("sse_customer_key"), "sse_customer_key"
    if not text and env.get("AWS_SSE_CUSTOMER_KEY"):
        text, where = env["AWS_SSE_CUSTOMER_KEY"], "sse_customer_key (from AWS_SSE_CUSTOMER_KEY)"
    if not text:
        return b""
    if kms_key_id:
        raise r.fail(
            "sse_customer_key",
            "cannot be used with kms_key_id: choose SSE-KMS (kms_key_id) or SSE-C "
            "(sse_customer_key)",
            where,
        )
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(text) != 44 or len(key) != 32:
        raise r.fail(
            "sse_customer_key", "must be a 256-bit key, base64-encoded (44 characters)", where
        )
    return key


def _aws(r: _s3_settings.Reader, env: Mapping[str, str]) -> _s3_aws.AwsConfig:
    s = r.settings
    access_key, secret_key, token = _static_credentials(r, env)
    retry_mode, where = r.string("retry_mode"), "retry_mode"
    if not retry_mode and env.get("AWS_RETRY_MODE"):
        retry_mode, where = env["AWS_RETRY_MODE"], "retry_mode (from AWS_RETRY_MODE)"
    if retry_mode not in ("", "standard", "adaptive"):
        raise r.fail("retry_mode", f"{retry_mode!r} must be standard or adaptive", where)
    endpoints = _endpoints(r, env)
    return _s3_aws.AwsConfig(
        region=_region(r, env),
        sts_region=r.string("sts_region"),
        access_key=access_key,
        secret_key=secret_key,
        token=token,
        profile=r.string("profile") or env.get("AWS_PROFILE", ""),
        shared_credentials_files=_credentials_files(r, env),
        shared_config_files=(
            r.strings("shared_config_files")
            or _env_list(env, "AWS_CONFIG_FILE", "AWS_SHARED_CONFIG_FILE")
        ),
        assume_role=_assume_role(r),
        s3_endpoint=endpoints.get("s3", ""),
        dynamodb_endpoint=endpoints.get("dynamodb", ""),
        sts_endpoint=endpoints.get("sts", ""),
        use_path_style=_path_style(r),
        skip_credentials_validation=r.boolean("skip_credentials_validation"),
        skip_requesting_account_id=r.boolean("skip_requesting_account_id"),
        skip_metadata_api_check=(
            r.boolean("skip_metadata_api_check")
            or env.get("AWS_EC2_METADATA_DISABLED", "").lower() == "true"
        ),
        skip_s3_checksum=r.boolean("skip_s3_checksum"),
        max_retries=s.whole("max_retries", 5),
        retry_mode=retry_mode or "standard",
        custom_ca_bundle=s.string("custom_ca_bundle", env_var="AWS_CA_BUNDLE"),
        insecure=r.boolean("insecure"),
        use_fips_endpoint=_env_bool(r, env, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT"),
        use_dualstack_endpoint=_env_bool(
            r, env, "use_dualstack_endpoint", "AWS_USE_DUALSTACK_ENDPOINT"
        ),
    )


def _region(r: _s3_settings.Reader, env: Mapping[str, str]) -> str:
    region, where = r.string("region"), "region"
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if not region and env.get(var):
            region, where = env[var], f"region (from {var})"
    if not region:
        raise r.fail(
            "region",
            "is required: set it in the backend block, with -backend-config, or in AWS_REGION "
            "or AWS_DEFAULT_REGION",
        )
    if not r.boolean("skip_region_validation") and region not in _aws_regions():
        raise r.fail(
            "region",
            f"{region!r} is not an AWS region (for an S3-compatible store with regions of its "
            "own, set skip_region_validation = true)",
            where,
        )
    return region


@functools.cache
def _aws_regions() -> frozenset[str]:
    """Every region of every AWS partition, from botocore's endpoint data (as Terraform checks
    against the AWS SDK's)."""
    data = _s3_aws.data_loader().load_data("endpoints")
    return frozenset(region for p in data["partitions"] for region in p["regions"])


def _static_credentials(r: _s3_settings.Reader, env: Mapping[str, str]) -> tuple[str, str, str]:
    access_key, secret_key, token = (
        r.string("access_key"),
        r.string("secret_key"),
        r.string("token"),
    )
    if bool(access_key) != bool(secret_key):
        missing = "secret_key" if access_key else "access_key"
        raise r.fail(missing, "is required when access_key or secret_key is set: set both")
    if token and not access_key:
        raise r.fail("token", "is a session token for access_key and secret_key: set them too")
    if access_key or r.string("profile"):
        return access_key, secret_key, token
    env_key, env_secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if env_key and env_secret:
        return env_key, env_secret, env.get("AWS_SESSION_TOKEN", "")
    return "", "", ""


def _credentials_files(r: _s3_settings.Reader, env: Mapping[str, str]) -> tuple[str, ...]:
    files = r.strings("shared_credentials_files")
    single = r.string("shared_credentials_file")
    if files and single:
        raise r.fail(
            "shared_credentials_file",
            "cannot be set together with shared_credentials_files (which replaces it)",
        )
    if single:
        return (single,)
    return files or _env_list(env, "AWS_SHARED_CREDENTIALS_FILE")


def _env_list(env: Mapping[str, str], *names: str) -> tuple[str, ...]:
    for name in names:
        if env.get(name):
            return (env[name],)
    return ()


def _env_bool(r: _s3_settings.Reader, env: Mapping[str, str], name: str, var: str) -> bool:
    if r.raw(name) is not None:
        return r.boolean(name)
    return env.get(var, "").lower() == "true"


def _path_style(r: _s3_settings.Reader) -> bool:
    if r.raw("use_path_style") is not None and r.raw("force_path_style") is not None:
        raise r.fail(
            "force_path_style", "cannot be set together with use_path_style (which replaces it)"
        )
    return r.boolean("use_path_style") or r.boolean("force_path_style")


def _endpoints(r: _s3_settings.Reader, env: Mapping[str, str]) -> dict[str, str]:
    """Each service's endpoint: ``endpoints.<service>``, the legacy setting, the service's
    variables, then ``AWS_ENDPOINT_URL``."""
    block = r.obj("endpoints", _ENDPOINTS)
    out: dict[str, str] = {}
    for service, legacy, sdk_var, old_var in _ENDPOINT_SOURCES:
        in_block = block is not None and block.raw(service) is not None
        if in_block and r.raw(legacy) is not None:
            raise r.fail(legacy, f"cannot be set together with endpoints.{service}")
        if block is not None and in_block:
            out[service] = block.url(service)
            continue
        if r.string(legacy):
            out[service] = r.url(legacy)
            continue
        for var in (sdk_var, old_var, "AWS_ENDPOINT_URL"):
            if env.get(var):
                name = f"endpoints.{service}"
                out[service] = r.url(name, f"{name} (from {var})", env[var])
                break
    if block is not None:
        block.url("sso")  # checked, unused: gitterra needs no SSO calls of its own
    return out


def _assume_role(r: _s3_settings.Reader) -> _s3_aws.AssumeRole | None:
    ar = r.obj("assume_role", _ASSUME_ROLE)
    if ar is None:
        return None
    role_arn = ar.string("role_arn")
    if not role_arn:
        raise ar.fail("role_arn", "is required: the ARN of the IAM role to assume")
    if not _ROLE_ARN.fullmatch(role_arn):
        raise ar.fail("role_arn", f"{role_arn!r} is not an IAM role ARN")
    for name, pattern, rule in (
        ("session_name", _ROLE_NAME, "2 to 64 letters, digits or +=,.@_-"),
        ("source_identity", _ROLE_NAME, "2 to 64 letters, digits or +=,.@_-"),
        ("external_id", _EXTERNAL_ID, "2 to 1224 letters, digits or +=,.@:/_-"),
    ):
        value = ar.string(name)
        if value and not pattern.fullmatch(value):
            raise ar.fail(name, f"{value!r} must be {rule}")
    policy = ar.string("policy").strip()
    if ar.raw("policy") is not None and not _json_object(policy):
        raise ar.fail("policy", "must be an IAM policy document (a JSON object)")
    policy_arns = ar.strings("policy_arns")
    for arn in policy_arns:
        if not _POLICY_ARN.fullmatch(arn):
            raise ar.fail("policy_arns", f"{arn!r} is not an IAM policy ARN")
    return _s3_aws.AssumeRole(
        role_arn=role_arn,
        session_name=ar.string("session_name"),
        external_id=ar.string("external_id"),
        duration_seconds=_duration(ar),
        policy=policy,
        policy_arns=policy_arns,
        tags=ar.string_map("tags"),
        transitive_tag_keys=ar.strings("transitive_tag_keys"),
        source_identity=ar.string("source_identity"),
    )


def _duration(ar: _s3_settings.Reader) -> int | None:
    text = ar.string("duration")
    if not text:
        return None
    seconds = _s3_settings.go_duration_seconds(text)
    if seconds is None or not 900 <= seconds <= 43200:
        raise ar.fail("duration", f'{text!r} must be a duration from 15m to 12h, such as "1h"')
    return int(seconds)


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False

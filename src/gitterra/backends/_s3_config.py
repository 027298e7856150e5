"""The s3 backend's settings, checked as Terraform's s3 backend checks them.

Every argument of Terraform's backend is read with its type, default and environment variable;
a mistake is a :class:`BackendConfigError` naming the argument (and the variable it came from).
Arguments gitterra does not implement yet are refused by name rather than ignored. This module
reads where and how states are stored (bucket, key, workspaces, locks, encryption, with
``AWS_SSE_CUSTOMER_KEY`` as the variable of ``sse_customer_key``);
:mod:`._s3_connection` reads how AWS is reached (region, credentials, endpoints, retries).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitterra.backends import _s3_aws, _s3_connection, _s3_settings, _settings

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
        aws=_s3_connection.from_settings(r, env),
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

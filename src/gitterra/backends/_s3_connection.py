"""The s3 backend's connection settings: region, credentials, endpoints, retries.

The AWS variables are read from the ``env`` given to ``backends.configure``, the way boto3 reads
them: ``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
``AWS_SESSION_TOKEN``, ``AWS_PROFILE``, ``AWS_SHARED_CREDENTIALS_FILE``, ``AWS_CONFIG_FILE``,
``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_<SERVICE>`` (and Terraform's older
``AWS_<SERVICE>_ENDPOINT``), ``AWS_RETRY_MODE``, ``AWS_CA_BUNDLE``, ``AWS_USE_FIPS_ENDPOINT``,
``AWS_USE_DUALSTACK_ENDPOINT``, ``AWS_EC2_METADATA_DISABLED``. A setting beats its variable.

Credentials, in Terraform's order: ``access_key``/``secret_key``/``token``; then a ``profile``
setting (which, as in Terraform, hides the credential variables); then the credential variables;
then ``AWS_PROFILE`` or the default profile of the shared files; then the instance metadata
service (unless ``skip_metadata_api_check``). ``assume_role`` assumes a role with them.
Region names are checked against botocore's list of every partition's regions unless
``skip_region_validation``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping

from gitterra.backends import _s3_aws, _s3_settings

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


def from_settings(r: _s3_settings.Reader, env: Mapping[str, str]) -> _s3_aws.AwsConfig:
    """The connection part of the s3 settings ``r`` reads (``env`` for the AWS variables)."""
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

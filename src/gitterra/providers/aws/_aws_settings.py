"""The AWS target's settings: the provider block's AWS arguments and the AWS variables, read
and checked before anything is called.

As the AWS provider: a block argument beats its variable. ``region`` (or ``AWS_REGION``,
``AWS_DEFAULT_REGION``, then the profile's ``region``) is required and checked against
botocore's list of every partition's regions unless ``skip_region_validation``. Credentials
come, in order, from ``access_key``/``secret_key``/``token``; a ``profile`` (which hides the
key variables); ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``;
``AWS_PROFILE`` or the default profile of the shared files; the instance metadata service
(unless ``skip_metadata_api_check`` or ``AWS_EC2_METADATA_DISABLED``). ``assume_role`` then
assumes a role with them. ``endpoints { ec2 = ... }`` (or ``AWS_ENDPOINT_URL_<SERVICE>``, then
``AWS_ENDPOINT_URL``) sends a service's calls to any AWS-compatible endpoint.

Every mistake is an error diagnostic at the argument's path, or naming the variable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _kit

#: ``endpoints`` block names -> (botocore service, the SDK's variable suffix).
ENDPOINTS: dict[str, tuple[str, str]] = {
    "ec2": ("ec2", "EC2"),
    "autoscaling": ("autoscaling", "AUTO_SCALING"),
    "elbv2": ("elbv2", "ELASTIC_LOAD_BALANCING_V2"),
    "cloudwatchlogs": ("logs", "CLOUDWATCH_LOGS"),
    "logs": ("logs", "CLOUDWATCH_LOGS"),
    "codebuild": ("codebuild", "CODEBUILD"),
    "iam": ("iam", "IAM"),
    "sts": ("sts", "STS"),
}
SERVICES = ("ec2", "autoscaling", "elbv2", "logs", "codebuild", "iam", "sts")

_ROLE_ARN = re.compile(r"arn:[\w-]+:iam::\d{12}:role/[\w+=,.@/-]+")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class AssumeRole:
    role_arn: str
    session_name: str = ""
    external_id: str = ""
    duration_seconds: int | None = None

    def sts_arguments(self) -> dict[str, Any]:
        """AssumeRole's parameters besides the ARN (a session name is required by STS)."""
        args: dict[str, Any] = {"RoleSessionName": self.session_name or "gitterra"}
        if self.external_id:
            args["ExternalId"] = self.external_id
        if self.duration_seconds is not None:
            args["DurationSeconds"] = self.duration_seconds
        return args


@dataclass(frozen=True, slots=True)
class AwsSettings:
    region: str
    access_key: str = ""
    secret_key: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    profile: str = ""
    shared_config_files: tuple[str, ...] = ()
    shared_credentials_files: tuple[str, ...] = ()
    assume_role: AssumeRole | None = None
    #: botocore service name -> endpoint URL.
    endpoints: Mapping[str, str] = field(default_factory=dict)
    max_retries: int = 5
    skip_credentials_validation: bool = False
    skip_requesting_account_id: bool = False
    skip_metadata_api_check: bool = False
    allowed_account_ids: tuple[str, ...] = ()
    forbidden_account_ids: tuple[str, ...] = ()


def read(
    cfg: Mapping[str, Any], env: Mapping[str, str], diags: Diagnostics, max_retries: int
) -> AwsSettings | None:
    """The settings of the provider block ``cfg`` (plain data) and ``env``; None with errors
    in ``diags`` when something is wrong."""
    before = len(diags.errors)
    access_key, secret_key, token = _keys(cfg, env, diags)
    profile = _str(cfg.get("profile")) or env.get("AWS_PROFILE", "")
    region = _region(cfg, env, profile, diags)
    allowed = tuple(cfg.get("allowed_account_ids") or ())
    forbidden = tuple(cfg.get("forbidden_account_ids") or ())
    if allowed and forbidden:
        diags.add(
            Diagnostic.error(
                "Conflicting configuration arguments",
                '"allowed_account_ids": conflicts with forbidden_account_ids',
                attribute=("allowed_account_ids",),
            )
        )
    for name, ids in (("allowed_account_ids", allowed), ("forbidden_account_ids", forbidden)):
        for account in ids:
            if not _ACCOUNT.fullmatch(str(account)):
                diags.add(_invalid((name,), f'"{account}" is not a 12-digit AWS account id'))
    retries = cfg.get("max_retries")
    if retries is not None and (not isinstance(retries, int) or retries < 0):
        diags.add(_invalid(("max_retries",), f"max_retries must be 0 or more, got {retries}"))
    settings = AwsSettings(
        region=region,
        access_key=access_key,
        secret_key=secret_key,
        token=token,
        profile=profile,
        shared_config_files=_files(cfg, env, "shared_config_files", "AWS_CONFIG_FILE"),
        shared_credentials_files=_files(
            cfg, env, "shared_credentials_files", "AWS_SHARED_CREDENTIALS_FILE"
        ),
        assume_role=_assume_role(_kit_first(cfg.get("assume_role")), diags),
        endpoints=_endpoints(_kit_first(cfg.get("endpoints")), env, diags),
        max_retries=retries if isinstance(retries, int) and retries >= 0 else max_retries,
        skip_credentials_validation=bool(cfg.get("skip_credentials_validation")),
        skip_requesting_account_id=bool(cfg.get("skip_requesting_account_id")),
        skip_metadata_api_check=bool(cfg.get("skip_metadata_api_check"))
        or env.get("AWS_EC2_METADATA_DISABLED", "").lower() == "true",
        allowed_account_ids=allowed,
        forbidden_account_ids=forbidden,
    )
    return settings if len(diags.errors) == before else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _kit_first(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return dict(value[0])
    return {}


def _invalid(path: tuple[str | int, ...], detail: str) -> Diagnostic:
    return Diagnostic.error("Invalid provider configuration", detail, attribute=path)


def _keys(cfg: Mapping[str, Any], env: Mapping[str, str], diags: Diagnostics) -> tuple[str, ...]:
    access_key, secret_key = _str(cfg.get("access_key")), _str(cfg.get("secret_key"))
    token = _str(cfg.get("token"))
    if bool(access_key) != bool(secret_key):
        missing = "secret_key" if access_key else "access_key"
        diags.add(
            _invalid((missing,), f"{missing} is required when access_key or secret_key is set")
        )
    if access_key or cfg.get("profile"):
        return access_key, secret_key, token
    env_key, env_secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if env_key and env_secret:
        return env_key, env_secret, env.get("AWS_SESSION_TOKEN", "")
    return "", "", ""


def _region(
    cfg: Mapping[str, Any], env: Mapping[str, str], profile: str, diags: Diagnostics
) -> str:
    region, source = _str(cfg.get("region")), "region"
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if not region and env.get(var):
            region, source = env[var], var
    if not region:
        region, source = _profile_region(profile, env), "the profile's region"
    if not region:
        diags.add(
            _invalid(
                ("region",),
                "The AWS target needs a region: set region in the provider block, or "
                "AWS_REGION (or AWS_DEFAULT_REGION).",
            )
        )
        return ""
    if not cfg.get("skip_region_validation") and region not in aws_regions():
        where = "" if source == "region" else f" (from {source})"
        diags.add(
            _invalid(
                ("region",),
                f'"{region}"{where} is not an AWS region (for an AWS-compatible endpoint with '
                "regions of its own, set skip_region_validation = true)",
            )
        )
    return region


def _profile_region(profile: str, env: Mapping[str, str]) -> str:
    """The ``region`` of the profile in the shared config file, if any."""
    import botocore.exceptions
    import botocore.session

    session = botocore.session.Session(profile=profile or None)
    if env.get("AWS_CONFIG_FILE"):
        session.set_config_variable("config_file", env["AWS_CONFIG_FILE"])
    try:
        found = session.get_scoped_config().get("region")
    except botocore.exceptions.BotoCoreError:
        return ""  # a missing profile is reported when the credentials are resolved
    return found if isinstance(found, str) else ""


@functools.cache
def aws_regions() -> frozenset[str]:
    """Every region of every partition in botocore's endpoint data."""
    from gitterra.providers.aws import _aws_session

    data = _aws_session.data_loader().load_data("endpoints")
    return frozenset(region for p in data["partitions"] for region in p["regions"])


def _files(cfg: Mapping[str, Any], env: Mapping[str, str], name: str, var: str) -> tuple[str, ...]:
    given = tuple(str(f) for f in cfg.get(name) or ())
    if given:
        return given
    return (env[var],) if env.get(var) else ()


def _assume_role(block: dict[str, Any], diags: Diagnostics) -> AssumeRole | None:
    if not block:
        return None
    where: tuple[str | int, ...] = ("assume_role", 0)
    role_arn = _str(block.get("role_arn"))
    if not role_arn:
        diags.add(_invalid((*where, "role_arn"), "role_arn is required: the role to assume"))
        return None
    if not _ROLE_ARN.fullmatch(role_arn):
        diags.add(_invalid((*where, "role_arn"), f'"{role_arn}" is not an IAM role ARN'))
    checks = (
        ("session_name", _SESSION_NAME, "2 to 64 letters, digits or +=,.@_-"),
        ("external_id", _EXTERNAL_ID, "2 to 1224 letters, digits or +=,.@:/_-"),
    )
    for name, pattern, rule in checks:
        value = _str(block.get(name))
        if value and not pattern.fullmatch(value):
            diags.add(_invalid((*where, name), f'"{value}" must be {rule}'))
    duration = None
    text = _str(block.get("duration"))
    if text:
        seconds = _kit.parse_duration(text)
        if seconds is None or not 900 <= seconds <= 43200:
            diags.add(
                _invalid(
                    (*where, "duration"),
                    f'"{text}" must be a duration from 15m to 12h, such as "1h"',
                )
            )
        else:
            duration = int(seconds)
    return AssumeRole(
        role_arn=role_arn,
        session_name=_str(block.get("session_name")),
        external_id=_str(block.get("external_id")),
        duration_seconds=duration,
    )


def _endpoints(block: dict[str, Any], env: Mapping[str, str], diags: Diagnostics) -> dict[str, str]:
    """botocore service -> URL: the block's, else the service's variable, else
    ``AWS_ENDPOINT_URL``."""
    out: dict[str, str] = {}
    for name, (service, _suffix) in ENDPOINTS.items():
        given = _str(block.get(name))
        if given:
            if _url_ok(given):
                out[service] = given
            else:
                diags.add(
                    _invalid(
                        ("endpoints", 0, name),
                        f'"{given}" is not an http(s) URL like https://ec2.eu-west-3.amazonaws.com',
                    )
                )
    for service in SERVICES:
        if service in out:
            continue
        suffix = next(s for _, (svc, s) in ENDPOINTS.items() if svc == service)
        for var in (f"AWS_ENDPOINT_URL_{suffix}", "AWS_ENDPOINT_URL"):
            value = env.get(var, "")
            if not value:
                continue
            if not _url_ok(value):
                diags.add(
                    Diagnostic.error(
                        "Invalid provider configuration",
                        f'{var}="{value}" is not an http(s) URL like http://127.0.0.1:5000',
                    )
                )
            out[service] = value
            break
    return out


def _url_ok(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)

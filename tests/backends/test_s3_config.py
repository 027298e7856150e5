"""The s3 backend's settings: every mistake is a BackendConfigError naming the setting (and the
variable it came from), valid settings are read over variables over defaults, strings from
-backend-config are converted as Terraform converts them, and configuring sends no request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitterra import backends
from tests.backends.s3_server import MotoServer

BASE = {"bucket": "tfstate", "key": "app/terraform.tfstate", "region": "eu-west-1"}
ARN = "arn:aws:iam::123456789012:role/terraform"
KEY_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # 32 bytes

# (settings, env, field, message)
MISTAKES: list[tuple[dict[str, Any], dict[str, str], str, str]] = [
    ({"key": "k", "region": "eu-west-1"}, {}, "bucket", "bucket: is required: the name of the S3"),
    ({"bucket": 5}, {}, "bucket", "bucket: must be a string, not a number"),
    ({"bucket": "b", "region": "eu-west-1"}, {}, "key", "key: is required: the path of the state"),
    (
        BASE | {"key": "/app.tfstate"},
        {},
        "key",
        "key: '/app.tfstate' must not start or end with '/'",
    ),
    (BASE | {"key": "app/"}, {}, "key", "key: 'app/' must not start or end with '/'"),
    (BASE | {"key": "a//b"}, {}, "key", "key: 'a//b' must not contain '//'"),
    (
        {"bucket": "b", "key": "k"},
        {},
        "region",
        "region: is required: set it in the backend block, with -backend-config, or in AWS_REGION "
        "or AWS_DEFAULT_REGION",
    ),
    (
        BASE | {"region": "mars-east-1"},
        {},
        "region",
        "region: 'mars-east-1' is not an AWS region (for an S3-compatible store with regions of its "
        "own, set skip_region_validation = true)",
    ),
    (
        {"bucket": "b", "key": "k"},
        {"AWS_DEFAULT_REGION": "nowhere"},
        "region",
        "region (from AWS_DEFAULT_REGION): 'nowhere' is not an AWS region",
    ),
    (
        BASE | {"skip_region_validation": "yes"},
        {},
        "skip_region_validation",
        "skip_region_validation: must be true or false, not 'yes'",
    ),
    (BASE | {"encrypt": 1}, {}, "encrypt", "encrypt: must be true or false, not 1"),
    (
        BASE | {"use_lockfile": "TRUE"},
        {},
        "use_lockfile",
        "use_lockfile: must be true or false, not 'TRUE'",
    ),
    (
        BASE | {"max_retries": "many"},
        {},
        "max_retries",
        "max_retries: must be a whole number of 0 or more, not 'many'",
    ),
    (
        BASE | {"max_retries": -1},
        {},
        "max_retries",
        "max_retries: must be a whole number of 0 or more, not -1",
    ),
    (
        BASE | {"retry_mode": "fast"},
        {},
        "retry_mode",
        "retry_mode: 'fast' must be standard or adaptive",
    ),
    (
        {**BASE, "retry_mode": None},
        {"AWS_RETRY_MODE": "legacy"},
        "retry_mode",
        "retry_mode (from AWS_RETRY_MODE): 'legacy' must be standard or adaptive",
    ),
    (
        BASE | {"workspace_key_prefix": "env:/"},
        {},
        "workspace_key_prefix",
        "workspace_key_prefix: 'env:/' must not start or end with '/'",
    ),
    (
        BASE | {"kms_key_id": "my key"},
        {},
        "kms_key_id",
        "kms_key_id: 'my key' is not a KMS key ID, key ARN or alias",
    ),
    (
        BASE | {"sse_customer_key": "c2hvcnQ="},
        {},
        "sse_customer_key",
        "sse_customer_key: must be a 256-bit key, base64-encoded (44 characters)",
    ),
    (
        BASE,
        {"AWS_SSE_CUSTOMER_KEY": "!" * 44},
        "sse_customer_key",
        "sse_customer_key (from AWS_SSE_CUSTOMER_KEY): must be a 256-bit key",
    ),
    (
        BASE | {"sse_customer_key": KEY_B64, "kms_key_id": "alias/tf"},
        {},
        "sse_customer_key",
        "sse_customer_key: cannot be used with kms_key_id: choose SSE-KMS (kms_key_id) or SSE-C",
    ),
    (
        BASE | {"acl": "everyone"},
        {},
        "acl",
        "acl: 'everyone' is not a canned ACL; use one of: private, public-read,",
    ),
    (
        BASE | {"access_key": "AKIA"},
        {},
        "secret_key",
        "secret_key: is required when access_key or secret_key is set: set both",
    ),
    (BASE | {"secret_key": "s"}, {}, "access_key", "access_key: is required when access_key"),
    (
        BASE | {"token": "t"},
        {},
        "token",
        "token: is a session token for access_key and secret_key: set them too",
    ),
    (
        BASE | {"endpoints": "http://127.0.0.1:9"},
        {},
        "endpoints",
        "endpoints: must be an object such as { dynamodb = ... }, not a string",
    ),
    (
        BASE | {"endpoints": {"s3": "ftp://x"}},
        {},
        "endpoints.s3",
        "endpoints.s3: 'ftp://x' must be an http:// or https:// URL with a host",
    ),
    (
        BASE | {"endpoints": {"s3": "http://x:99999"}},
        {},
        "endpoints.s3",
        "endpoints.s3: 'http://x:99999' is not a URL: Port out of range",
    ),
    (
        BASE | {"endpoints": {"ec2": "http://x"}},
        {},
        "endpoints.ec2",
        "endpoints.ec2: unknown attribute; the attributes of endpoints are: dynamodb, iam, s3, sso, sts",
    ),
    (
        BASE | {"endpoints": {"s3": "http://a"}, "endpoint": "http://b"},
        {},
        "endpoint",
        "endpoint: cannot be set together with endpoints.s3",
    ),
    (
        BASE | {"sts_endpoint": "localhost:4566"},
        {},
        "sts_endpoint",
        "sts_endpoint: 'localhost:4566' must be an http:// or https:// URL",
    ),
    (
        BASE,
        {"AWS_ENDPOINT_URL_S3": "s3.local"},
        "endpoints.s3",
        "endpoints.s3 (from AWS_ENDPOINT_URL_S3): 's3.local' must be an http",
    ),
    (
        BASE,
        {"AWS_ENDPOINT_URL": "nope"},
        "endpoints.s3",
        "endpoints.s3 (from AWS_ENDPOINT_URL): 'nope' must be",
    ),
    (
        BASE | {"use_path_style": True, "force_path_style": True},
        {},
        "force_path_style",
        "force_path_style: cannot be set together with use_path_style",
    ),
    (
        BASE | {"shared_credentials_file": "a", "shared_credentials_files": ["b"]},
        {},
        "shared_credentials_file",
        "shared_credentials_file: cannot be set together with shared_credentials_files",
    ),
    (
        BASE | {"shared_credentials_files": "~/.aws/credentials"},
        {},
        "shared_credentials_files",
        'shared_credentials_files: must be a list of strings such as ["a", "b"], not \'~/.aws/credentials\'',
    ),
    (
        BASE | {"shared_config_files": ["a", 1]},
        {},
        "shared_config_files",
        "shared_config_files: must hold only strings, not a number (1)",
    ),
    (
        BASE | {"assume_role": ARN},
        {},
        "assume_role",
        "assume_role: must be an object such as { duration = ... }, not a string",
    ),
    (
        BASE | {"assume_role": {}},
        {},
        "assume_role.role_arn",
        "assume_role.role_arn: is required: the ARN of the IAM role to assume",
    ),
    (
        BASE | {"assume_role": {"role_arn": "terraform"}},
        {},
        "assume_role.role_arn",
        "assume_role.role_arn: 'terraform' is not an IAM role ARN",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "colour": "red"}},
        {},
        "assume_role.colour",
        "assume_role.colour: unknown attribute; the attributes of assume_role are: duration, external_id,",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "duration": "5m"}},
        {},
        "assume_role.duration",
        "assume_role.duration: '5m' must be a duration from 15m to 12h, such as \"1h\"",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "duration": "1 hour"}},
        {},
        "assume_role.duration",
        "assume_role.duration: '1 hour' must be a duration",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "duration": 3600}},
        {},
        "assume_role.duration",
        "assume_role.duration: must be a string, not a number",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "session_name": "x"}},
        {},
        "assume_role.session_name",
        "assume_role.session_name: 'x' must be 2 to 64 letters",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "external_id": "a b"}},
        {},
        "assume_role.external_id",
        "assume_role.external_id: 'a b' must be 2 to 1224",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "policy": "allow all"}},
        {},
        "assume_role.policy",
        "assume_role.policy: must be an IAM policy document (a JSON object)",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "policy_arns": [ARN]}},
        {},
        "assume_role.policy_arns",
        f"assume_role.policy_arns: '{ARN}' is not an IAM policy ARN",
    ),
    (
        BASE | {"assume_role": {"role_arn": ARN, "tags": {"team": 1}}},
        {},
        "assume_role.tags",
        "assume_role.tags: team: must be a string, not a number",
    ),
    (
        BASE | {"buckett": "x"},
        {},
        "buckett",
        "unknown setting 'buckett'; the settings are: access_key, acl,",
    ),
    (
        BASE | {"allowed_account_ids": ["123456789012"]},
        {},
        "allowed_account_ids",
        "allowed_account_ids: is not supported by gitterra yet",
    ),
    (
        BASE | {"https_proxy": "http://proxy:3128"},
        {},
        "https_proxy",
        "https_proxy: is not supported by gitterra yet (the HTTPS_PROXY variable works)",
    ),
]


@pytest.mark.parametrize(
    ("settings", "env", "field", "message"),
    MISTAKES,
    ids=[f"{m[2]}-{i}" for i, m in enumerate(MISTAKES)],
)
def test_mistakes_name_the_setting(
    tmp_path: Path, settings: dict[str, Any], env: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(backends.BackendConfigError) as caught:
        backends.configure("s3", settings, env, str(tmp_path))
    assert caught.value.field == field
    assert str(caught.value).startswith(f'backend "s3": {message}')
    assert list(tmp_path.iterdir()) == []


def config(settings: dict[str, Any], env: dict[str, str] | None = None) -> backends.S3Config:
    backend = backends.configure("s3", settings, env or {}, "/")
    assert isinstance(backend, backends.S3Backend)
    return backend.config


def test_defaults() -> None:
    assert config(BASE) == backends.S3Config(
        bucket="tfstate",
        key="app/terraform.tfstate",
        aws=backends.AwsConfig(region="eu-west-1", max_retries=5, retry_mode="standard"),
        workspace_key_prefix="env:",
        encrypt=False,
        use_lockfile=False,
        dynamodb_table="",
    )


def test_backend_config_strings_are_converted() -> None:
    strings = {"encrypt": "true", "use_lockfile": "true", "max_retries": "2", "insecure": "false"}
    got = config(BASE | strings)
    assert (got.encrypt, got.use_lockfile, got.aws.max_retries, got.aws.insecure) == (
        True,
        True,
        2,
        False,
    )
    assert config(BASE | {"max_retries": 3.0, "skip_region_validation": True}).aws.max_retries == 3


def test_region_setting_then_variables() -> None:
    no_region = {k: v for k, v in BASE.items() if k != "region"}
    both = {"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "eu-central-1"}
    assert config(BASE, both).aws.region == "eu-west-1"
    assert config(no_region, both).aws.region == "us-west-2"
    assert config(no_region, {"AWS_DEFAULT_REGION": "eu-central-1"}).aws.region == "eu-central-1"
    custom = no_region | {"region": "garage-1", "skip_region_validation": True}
    assert config(custom).aws.region == "garage-1"


def test_credentials_in_terraforms_order() -> None:
    env = {"AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret"}
    env_token = env | {"AWS_SESSION_TOKEN": "envtoken"}
    from_env = config(BASE, env_token).aws
    assert (from_env.access_key, from_env.secret_key, from_env.token) == (
        "ENVKEY",
        "envsecret",
        "envtoken",
    )
    setting = config(BASE | {"access_key": "SETKEY", "secret_key": "setsecret"}, env_token).aws
    assert (setting.access_key, setting.secret_key, setting.token) == ("SETKEY", "setsecret", "")
    # A profile setting hides the credential variables (Terraform); AWS_PROFILE does not (boto3).
    profile = config(BASE | {"profile": "ci"}, env | {"AWS_PROFILE": "other"}).aws
    assert (profile.access_key, profile.profile) == ("", "ci")
    env_profile = config(BASE, env | {"AWS_PROFILE": "other"}).aws
    assert (env_profile.access_key, env_profile.profile) == ("ENVKEY", "other")
    assert "envsecret" not in repr(from_env)


def test_shared_files_settings_and_variables() -> None:
    env = {"AWS_SHARED_CREDENTIALS_FILE": "/env/creds", "AWS_CONFIG_FILE": "/env/config"}
    from_env = config(BASE, env).aws
    assert (from_env.shared_credentials_files, from_env.shared_config_files) == (
        ("/env/creds",),
        ("/env/config",),
    )
    files = {"shared_credentials_files": ["/a", "/b", "/a"], "shared_config_files": ["/c"]}
    set_ = config(BASE | files, env).aws
    assert (set_.shared_credentials_files, set_.shared_config_files) == (("/a", "/b"), ("/c",))
    legacy = config(BASE | {"shared_credentials_file": "/old"}, env).aws
    assert legacy.shared_credentials_files == ("/old",)


@pytest.mark.parametrize(
    ("settings", "env", "expected"),
    [
        (
            {"endpoints": {"s3": "http://block"}, "endpoint": None},
            {"AWS_ENDPOINT_URL_S3": "http://v"},
            "http://block",
        ),
        ({"endpoint": "http://legacy"}, {"AWS_ENDPOINT_URL_S3": "http://v"}, "http://legacy"),
        ({}, {"AWS_ENDPOINT_URL_S3": "http://sdk", "AWS_S3_ENDPOINT": "http://old"}, "http://sdk"),
        ({}, {"AWS_S3_ENDPOINT": "http://old", "AWS_ENDPOINT_URL": "http://all"}, "http://old"),
        ({}, {"AWS_ENDPOINT_URL": "http://all"}, "http://all"),
        ({}, {}, ""),
    ],
)
def test_s3_endpoint_sources(settings: dict[str, Any], env: dict[str, str], expected: str) -> None:
    assert config(BASE | settings, env).aws.s3_endpoint == expected


def test_service_endpoints_are_separate() -> None:
    endpoints = {
        "s3": "http://s3",
        "dynamodb": "http://ddb",
        "sts": "https://sts",
        "iam": "http://i",
    }
    aws = config(BASE | {"endpoints": endpoints}).aws
    assert (aws.s3_endpoint, aws.dynamodb_endpoint, aws.sts_endpoint) == (
        "http://s3",
        "http://ddb",
        "https://sts",
    )
    legacy = config(BASE | {"dynamodb_endpoint": "http://d", "sts_endpoint": "http://t"}).aws
    assert (legacy.dynamodb_endpoint, legacy.sts_endpoint) == ("http://d", "http://t")


def test_path_style_and_switches() -> None:
    assert config(BASE | {"use_path_style": True}).aws.use_path_style
    assert config(BASE | {"force_path_style": "true"}).aws.use_path_style
    env = {
        "AWS_USE_FIPS_ENDPOINT": "true",
        "AWS_USE_DUALSTACK_ENDPOINT": "false",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CA_BUNDLE": "/etc/ca.pem",
        "AWS_RETRY_MODE": "adaptive",
    }
    aws = config(BASE, env).aws
    assert (aws.use_fips_endpoint, aws.use_dualstack_endpoint) == (True, False)
    assert (aws.skip_metadata_api_check, aws.custom_ca_bundle, aws.retry_mode) == (
        True,
        "/etc/ca.pem",
        "adaptive",
    )
    assert not config(BASE | {"use_fips_endpoint": False}, env).aws.use_fips_endpoint


def test_assume_role_is_read_whole() -> None:
    role = {
        "role_arn": ARN,
        "session_name": "gitterra-ci",
        "external_id": "ext-123",
        "duration": "1h30m",
        "policy": ' {"Version": "2012-10-17", "Statement": []} ',
        "policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        "tags": {"team": "web"},
        "transitive_tag_keys": ["team"],
        "source_identity": "ci-runner",
    }
    got = config(BASE | {"assume_role": role}).aws.assume_role
    assert got == backends.AssumeRole(
        role_arn=ARN,
        session_name="gitterra-ci",
        external_id="ext-123",
        duration_seconds=5400,
        policy='{"Version": "2012-10-17", "Statement": []}',
        policy_arns=("arn:aws:iam::aws:policy/ReadOnlyAccess",),
        tags=(("team", "web"),),
        transitive_tag_keys=("team",),
        source_identity="ci-runner",
    )
    assert got.sts_arguments()["PolicyArns"] == [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]


def test_encryption_settings() -> None:
    got = config(BASE | {"encrypt": True, "sse_customer_key": KEY_B64})
    assert got.sse_customer_key == bytes(range(32))
    assert KEY_B64 not in repr(got)
    kms = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert config(BASE | {"kms_key_id": kms}).kms_key_id == kms
    assert config(BASE | {"workspace_key_prefix": ""}).workspace_key_prefix == ""


def test_configuring_sends_no_request() -> None:
    with MotoServer() as server:
        backend = backends.configure("s3", server.settings("no-such-bucket"), {}, "/")
        assert isinstance(backend, backends.S3Backend)
        assert server.requests() == []

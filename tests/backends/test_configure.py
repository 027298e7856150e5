"""``backends.configure``: every mistake is a BackendConfigError naming the setting, and a
valid configuration reads settings over environment variables over defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gitterra import backends

URL = "http://127.0.0.1:9/state"

# (type, settings, env, field, message)
MISTAKES: list[tuple[str, dict[str, Any], dict[str, str], str | None, str]] = [
    (
        "gcs",
        {},
        {},
        None,
        'the "gcs" backend is not supported by gitterra; use "local", "http" or "s3"',
    ),
    (
        "nope",
        {},
        {},
        None,
        'unknown backend type "nope"; gitterra supports "local", "http" and "s3"',
    ),
    (
        "local",
        {"paht": "x"},
        {},
        "paht",
        "backend \"local\": unknown setting 'paht'; the settings are: path, workspace_dir",
    ),
    ("local", {"path": 3}, {}, "path", 'backend "local": path: must be a string, not a number'),
    ("local", {"path": ""}, {}, "path", 'backend "local": path: must not be empty'),
    (
        "local",
        {"path": "states/"},
        {},
        "path",
        "backend \"local\": path: 'states/' names a directory, not a state file",
    ),
    (
        "local",
        {"workspace_dir": ["a"]},
        {},
        "workspace_dir",
        'backend "local": workspace_dir: must be a string, not a list',
    ),
    (
        "http",
        {},
        {},
        "address",
        'backend "http": address: is required: set it in the backend block, with '
        "-backend-config, or in TF_HTTP_ADDRESS",
    ),
    (
        "http",
        {"address": "ftp://host/x"},
        {},
        "address",
        "backend \"http\": address: 'ftp://host/x' must be an http:// or https:// URL with a host",
    ),
    (
        "http",
        {},
        {"TF_HTTP_ADDRESS": "http://host:99999/"},
        "address",
        'backend "http": address (from TF_HTTP_ADDRESS): '
        "'http://host:99999/' is not a URL: Port out of range 0-65535",
    ),
    (
        "http",
        {"address": URL, "lock_address": URL},
        {},
        "unlock_address",
        'backend "http": unlock_address: is required when lock_address is set, or every lock '
        "would stay behind (usually the same URL as lock_address)",
    ),
    (
        "http",
        {"address": URL, "retry_max": "two"},
        {},
        "retry_max",
        "backend \"http\": retry_max: must be a whole number of 0 or more, not 'two'",
    ),
    (
        "http",
        {"address": URL},
        {"TF_HTTP_RETRY_WAIT_MIN": "-1"},
        "retry_wait_min",
        'backend "http": retry_wait_min (from TF_HTTP_RETRY_WAIT_MIN): must be a whole number '
        "of 0 or more, not '-1'",
    ),
    (
        "http",
        {"address": URL, "retry_wait_min": 1.5},
        {},
        "retry_wait_min",
        'backend "http": retry_wait_min: must be a whole number of 0 or more, not 1.5',
    ),
    (
        "http",
        {"address": URL, "retry_wait_min": 10, "retry_wait_max": 5},
        {},
        "retry_wait_min",
        'backend "http": retry_wait_min: 10 is more than retry_wait_max (5)',
    ),
    (
        "http",
        {"address": URL, "skip_cert_verification": "yes"},
        {},
        "skip_cert_verification",
        "backend \"http\": skip_cert_verification: must be true or false, not 'yes'",
    ),
    (
        "http",
        {"address": URL, "lock_method": "LO CK"},
        {},
        "lock_method",
        "backend \"http\": lock_method: 'LO CK' is not an HTTP method name",
    ),
    (
        "http",
        {"address": URL, "client_certificate_pem": "-----BEGIN CERTIFICATE-----"},
        {},
        "client_certificate_pem",
        'backend "http": client_certificate_pem: client certificates (mTLS) are not supported '
        "by gitterra yet",
    ),
    (
        "http",
        {"address": URL, "client_ca_certificate_pem": "garbage"},
        {},
        "client_ca_certificate_pem",
        'backend "http": client_ca_certificate_pem: not a PEM-encoded CA certificate: ',
    ),
    (
        "http",
        {"address": URL, "workspace": "x"},
        {},
        "workspace",
        "backend \"http\": unknown setting 'workspace'; the settings are: address, "
        "client_ca_certificate_pem, client_certificate_pem, client_private_key_pem, "
        "lock_address, lock_method, password, retry_max, retry_wait_max, retry_wait_min, "
        "skip_cert_verification, unlock_address, unlock_method, update_method, username",
    ),
]


@pytest.mark.parametrize(
    ("type_", "settings", "env", "field", "message"),
    MISTAKES,
    ids=[f"{m[0]}-{m[3] or 'type'}-{i}" for i, m in enumerate(MISTAKES)],
)
def test_mistakes_name_the_setting(
    tmp_path: Path,
    type_: str,
    settings: dict[str, Any],
    env: dict[str, str],
    field: str | None,
    message: str,
) -> None:
    with pytest.raises(backends.BackendConfigError) as caught:
        backends.configure(type_, settings, env, str(tmp_path))
    assert caught.value.field == field
    assert str(caught.value).startswith(message)
    assert list(tmp_path.iterdir()) == []  # configuring touches nothing


def http_config(settings: dict[str, Any], env: dict[str, str]) -> backends.HttpConfig:
    backend = backends.configure("http", settings, env, "/")
    assert isinstance(backend, backends.HttpBackend)
    return backend.config


def test_http_defaults() -> None:
    assert http_config({"address": URL}, {}) == backends.HttpConfig(
        address=URL,
        update_method="POST",
        lock_address=None,
        lock_method="LOCK",
        unlock_address=None,
        unlock_method="UNLOCK",
        username="",
        password="",
        skip_cert_verification=False,
        retry_max=2,
        retry_wait_min=1,
        retry_wait_max=30,
    )


def test_http_settings_win_over_the_environment() -> None:
    env = {
        "TF_HTTP_ADDRESS": "http://env/state",
        "TF_HTTP_UPDATE_METHOD": "PUT",
        "TF_HTTP_LOCK_ADDRESS": "http://env/lock",
        "TF_HTTP_UNLOCK_ADDRESS": "http://env/unlock",
        "TF_HTTP_LOCK_METHOD": "POST",
        "TF_HTTP_UNLOCK_METHOD": "DELETE",
        "TF_HTTP_USERNAME": "env-user",
        "TF_HTTP_PASSWORD": "env-pass",
        "TF_HTTP_RETRY_MAX": "7",
        "TF_HTTP_RETRY_WAIT_MIN": "2",
        "TF_HTTP_RETRY_WAIT_MAX": "9",
        "TF_HTTP_SKIP_CERT_VERIFICATION": "true",  # Terraform has no such variable
    }
    from_env = http_config({}, env)
    assert from_env == backends.HttpConfig(
        address="http://env/state",
        update_method="PUT",
        lock_address="http://env/lock",
        lock_method="POST",
        unlock_address="http://env/unlock",
        unlock_method="DELETE",
        username="env-user",
        password="env-pass",
        skip_cert_verification=False,
        retry_max=7,
        retry_wait_min=2,
        retry_wait_max=9,
    )
    settings = {"address": URL, "username": "me", "retry_max": "3", "skip_cert_verification": True}
    mixed = http_config(settings, env)
    assert (mixed.address, mixed.username, mixed.password) == (URL, "me", "env-pass")
    assert (mixed.retry_max, mixed.skip_cert_verification) == (3, True)


def test_backend_config_strings_are_converted() -> None:
    # -backend-config=key=value gives strings; Terraform converts them to the setting's type.
    config = http_config({"address": URL, "retry_max": "0", "skip_cert_verification": "true"}, {})
    assert (config.retry_max, config.skip_cert_verification) == (0, True)


def test_none_means_unset(tmp_path: Path) -> None:
    backend = backends.configure("local", {"path": None}, {}, str(tmp_path))
    assert isinstance(backend, backends.LocalBackend)
    assert backend.path == str(tmp_path / "terraform.tfstate")
    assert http_config({"address": URL, "retry_max": None}, {}).retry_max == 2


def test_absolute_local_paths_ignore_cwd(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "x.tfstate"
    backend = backends.configure("local", {"path": str(target)}, {}, "/somewhere/else")
    assert isinstance(backend, backends.LocalBackend)
    assert backend.path == str(target)
    assert backend.workspace_dir == "/somewhere/else/terraform.tfstate.d"

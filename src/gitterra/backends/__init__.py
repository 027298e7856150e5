"""Backends: where states are stored, behind ``gitterra.state``'s ``Backend`` protocol.

- ``local``: state files on this machine, laid out as Terraform does (``terraform.tfstate``,
  ``terraform.tfstate.d/<workspace>/``); atomic writes with a ``.backup`` of the previous
  content; locks that the kernel releases when their process dies (``flock``).
- ``http``: Terraform's REST protocol (GET/POST/DELETE, LOCK/UNLOCK), basic auth, retries with
  backoff; the default workspace only.
- ``s3``: Terraform's s3 backend over boto3: objects in a bucket (``key``, and
  ``<workspace_key_prefix>/<workspace>/<key>``), locked by a ``.tflock`` object written with
  ``If-None-Match: *`` (``use_lockfile``) or a DynamoDB item (``dynamodb_table``); encryption,
  ACLs, profiles, assumed roles, custom endpoints, retries with backoff.

:func:`configure` turns a ``backend "<type>" { ... }`` block's settings into a backend. Its
rules: only known settings, each of the right type, required ones present; a setting beats its
environment variable (``TF_HTTP_*``, ``AWS_*``); relative paths are taken from ``cwd``.
Mistakes raise :class:`BackendConfigError` naming the setting. Nothing is touched before the
configuration is valid, and configuring touches no store and no network (the s3 backend
connects on first use).

Rules: this package imports only ``gitterra.state`` (and what it may use). Errors while working
are ``gitterra.state``'s family (``BackendError``, ``StateLockedError``, ...), causes kept;
configuration errors are :class:`BackendConfigError` (not a ``StateError``: they are the user's
configuration, not the store); a failed AWS request is an :class:`AwsError` (a ``BackendError``
with AWS's error code)::

    BackendConfigError(message, field)   unknown type, unknown or ill-typed setting, missing one
    state.BackendError
     └── AwsError(message, code, status)  an AWS request of the s3 backend failed
"""

from collections.abc import Mapping
from typing import Any

from gitterra import state
from gitterra.backends import _http_config, _local, _s3_config
from gitterra.backends._http import HttpBackend, HttpClient, HttpConfig
from gitterra.backends._local import LocalBackend, LocalClient
from gitterra.backends._s3 import S3Backend, S3Client
from gitterra.backends._s3_aws import AssumeRole, AwsConfig, AwsError
from gitterra.backends._s3_config import S3Config
from gitterra.backends._settings import BackendConfigError, Settings

TYPES = ("local", "http", "s3")

# Settings whose values are objects or lists, by backend type: the command line parses their
# -backend-config=name=value text as an HCL expression (Terraform's rule for non-primitive
# attributes), where other values stay strings.
STRUCTURED_SETTINGS: Mapping[str, frozenset[str]] = {
    "s3": frozenset(
        {"assume_role", "endpoints", "shared_credentials_files", "shared_config_files"}
        | {"allowed_account_ids", "forbidden_account_ids", "assume_role_with_web_identity"}
    ),
}
_SUPPORTED = 'use "local", "http" or "s3"'

# Terraform's other backends, so their names get a clear "not supported" rather than "unknown".
_TERRAFORM_TYPES = frozenset(
    {"azurerm", "consul", "cos", "gcs", "kubernetes", "oci", "oss", "pg", "remote", "cloud"}
)


def configure(
    type_: str, settings: Mapping[str, Any], env: Mapping[str, str], cwd: str
) -> state.Backend:
    """The backend of type ``type_`` configured by ``settings`` (block values, None = unset),
    ``env`` (for ``TF_HTTP_*`` and ``AWS_*``) and ``cwd`` (for relative paths)."""
    if type_ == "local":
        return _local.from_settings(
            Settings("local", settings, env, ("path", "workspace_dir")), cwd
        )
    if type_ == "http":
        return HttpBackend(_http_config.from_settings(settings, env))
    if type_ == "s3":
        return S3Backend(_s3_config.from_settings(settings, env))
    if type_ in _TERRAFORM_TYPES:
        raise BackendConfigError(
            f'the "{type_}" backend is not supported by gitterra; {_SUPPORTED}', None
        )
    raise BackendConfigError(
        f'unknown backend type "{type_}"; gitterra supports "local", "http" and "s3"', None
    )


__all__ = [
    "STRUCTURED_SETTINGS",
    "TYPES",
    "AssumeRole",
    "AwsConfig",
    "AwsError",
    "BackendConfigError",
    "HttpBackend",
    "HttpClient",
    "HttpConfig",
    "LocalBackend",
    "LocalClient",
    "S3Backend",
    "S3Client",
    "S3Config",
    "configure",
]

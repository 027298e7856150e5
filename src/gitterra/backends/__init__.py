"""Backends: where states are stored, behind ``gitterra.state``'s ``Backend`` protocol.

- ``local``: state files on this machine, laid out as Terraform does (``terraform.tfstate``,
  ``terraform.tfstate.d/<workspace>/``); atomic writes with a ``.backup`` of the previous
  content; locks that the kernel releases when their process dies (``flock``).
- ``http``: Terraform's REST protocol (GET/POST/DELETE, LOCK/UNLOCK), basic auth, retries with
  backoff; the default workspace only.

:func:`configure` turns a ``backend "<type>" { ... }`` block's settings into a backend. Its
rules: only known settings, each of the right type, required ones present; a setting beats its
``TF_HTTP_*`` variable; relative paths are taken from ``cwd``. Mistakes raise
:class:`BackendConfigError` naming the setting. Nothing is touched before the configuration is
valid, and configuring does no I/O at all.

Rules: this package imports only ``gitterra.state`` (and what it may use). Errors while working
are ``gitterra.state``'s family (``BackendError``, ``StateLockedError``, ...), causes kept;
configuration errors are :class:`BackendConfigError` (not a ``StateError``: they are the user's
configuration, not the store)::

    BackendConfigError(message, field)   unknown type, unknown or ill-typed setting, missing one
"""

from collections.abc import Mapping
from typing import Any

from gitterra import state
from gitterra.backends import _http_config, _local
from gitterra.backends._http import HttpBackend, HttpClient, HttpConfig
from gitterra.backends._local import LocalBackend, LocalClient
from gitterra.backends._settings import BackendConfigError, Settings

TYPES = ("local", "http")

# Terraform's other backends, so their names get a clear "not supported" rather than "unknown".
_TERRAFORM_TYPES = frozenset(
    {"azurerm", "consul", "cos", "gcs", "kubernetes", "oci", "oss", "pg", "remote", "cloud"}
)


def configure(
    type_: str, settings: Mapping[str, Any], env: Mapping[str, str], cwd: str
) -> state.Backend:
    """The backend of type ``type_`` configured by ``settings`` (block values, None = unset),
    ``env`` (for ``TF_HTTP_*``) and ``cwd`` (for relative paths)."""
    if type_ == "local":
        return _local.from_settings(
            Settings("local", settings, env, ("path", "workspace_dir")), cwd
        )
    if type_ == "http":
        return HttpBackend(_http_config.from_settings(settings, env))
    if type_ == "s3":
        raise BackendConfigError(
            'the "s3" backend is not available in gitterra yet; use "local" or "http"', None
        )
    if type_ in _TERRAFORM_TYPES:
        raise BackendConfigError(
            f'the "{type_}" backend is not supported by gitterra; use "local" or "http"', None
        )
    raise BackendConfigError(
        f'unknown backend type "{type_}"; gitterra supports "local" and "http"', None
    )


__all__ = [
    "TYPES",
    "BackendConfigError",
    "HttpBackend",
    "HttpClient",
    "HttpConfig",
    "LocalBackend",
    "LocalClient",
    "configure",
]

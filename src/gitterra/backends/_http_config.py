"""The http backend's settings, checked as Terraform checks them (and a little more).

Each setting may come from the block or ``-backend-config`` and otherwise from its
``TF_HTTP_*`` variable; the setting wins. ``skip_cert_verification`` has no variable, as in
Terraform. Beyond Terraform: a ``lock_address`` without an ``unlock_address`` is refused (every
lock would stay behind), so are methods that are not HTTP tokens and
``retry_wait_min > retry_wait_max``; client certificates (mTLS) are refused as not supported yet.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

from gitterra.backends import _http, _settings

KNOWN = (
    "address",
    "update_method",
    "lock_address",
    "lock_method",
    "unlock_address",
    "unlock_method",
    "username",
    "password",
    "skip_cert_verification",
    "client_ca_certificate_pem",
    "client_certificate_pem",
    "client_private_key_pem",
    "retry_max",
    "retry_wait_min",
    "retry_wait_max",
)

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def from_settings(settings: Mapping[str, object], env: Mapping[str, str]) -> _http.HttpConfig:
    s = _settings.Settings("http", settings, env, KNOWN)
    address = _url(s, "address", "TF_HTTP_ADDRESS")
    if address is None:
        raise s.fail(
            "address",
            "address",
            "is required: set it in the backend block, with -backend-config, or in TF_HTTP_ADDRESS",
        )
    lock_address = _url(s, "lock_address", "TF_HTTP_LOCK_ADDRESS")
    unlock_address = _url(s, "unlock_address", "TF_HTTP_UNLOCK_ADDRESS")
    if lock_address is not None and unlock_address is None:
        raise s.fail(
            "unlock_address",
            "unlock_address",
            "is required when lock_address is set, or every lock would stay behind "
            "(usually the same URL as lock_address)",
        )
    for name in ("client_certificate_pem", "client_private_key_pem"):
        env_var = "TF_HTTP_" + name.upper()
        if s.string(name, env_var=env_var):
            raise s.fail(name, name, "client certificates (mTLS) are not supported by gitterra yet")
    ca_pem = s.string("client_ca_certificate_pem", env_var="TF_HTTP_CLIENT_CA_CERTIFICATE_PEM")
    if ca_pem:
        _check_ca(s, ca_pem)
    wait_min = s.whole("retry_wait_min", 1, "TF_HTTP_RETRY_WAIT_MIN")
    wait_max = s.whole("retry_wait_max", 30, "TF_HTTP_RETRY_WAIT_MAX")
    if wait_min > wait_max:
        raise s.fail(
            "retry_wait_min",
            "retry_wait_min",
            f"{wait_min} is more than retry_wait_max ({wait_max})",
        )
    return _http.HttpConfig(
        address=address,
        update_method=_method(s, "update_method", "POST", "TF_HTTP_UPDATE_METHOD"),
        lock_address=lock_address,
        lock_method=_method(s, "lock_method", "LOCK", "TF_HTTP_LOCK_METHOD"),
        unlock_address=unlock_address,
        unlock_method=_method(s, "unlock_method", "UNLOCK", "TF_HTTP_UNLOCK_METHOD"),
        username=s.string("username", env_var="TF_HTTP_USERNAME"),
        password=s.string("password", env_var="TF_HTTP_PASSWORD"),
        skip_cert_verification=s.boolean("skip_cert_verification", False),
        ca_certificate_pem=ca_pem,
        retry_max=s.whole("retry_max", 2, "TF_HTTP_RETRY_MAX"),
        retry_wait_min=float(wait_min),
        retry_wait_max=float(wait_max),
    )


def _url(s: _settings.Settings, name: str, env_var: str) -> str | None:
    text = s.string(name, env_var=env_var)
    if not text:
        return None
    where = name if s.string(name) else f"{name} (from {env_var})"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- parsing the port is what validates it
    except ValueError as exc:
        raise s.fail(name, where, f"{text!r} is not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise s.fail(name, where, f"{text!r} must be an http:// or https:// URL with a host")
    if any(c.isspace() for c in text):
        raise s.fail(name, where, f"{text!r} contains whitespace")
    return text


def _method(s: _settings.Settings, name: str, default: str, env_var: str) -> str:
    method = s.string(name, default, env_var)
    if not _TOKEN.fullmatch(method):
        raise s.fail(name, name, f"{method!r} is not an HTTP method name")
    return method


def _check_ca(s: _settings.Settings, pem: str) -> None:
    try:
        ssl.create_default_context(cadata=pem)
    except (ssl.SSLError, ValueError) as exc:
        raise s.fail(
            "client_ca_certificate_pem",
            "client_ca_certificate_pem",
            f"not a PEM-encoded CA certificate: {exc}",
        ) from exc

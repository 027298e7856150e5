"""The aws provider block and how it picks and connects its target.

``target = "aws"`` in the provider block, else ``GITTERRA_TARGET=aws`` in the environment,
switches the provider from gitterra's local cloud (the default, ``"local"``) to AWS; nothing
else in a module changes. Each target takes the arguments that mean something to it:

- local: ``endpoint``/``token`` (else ``GITTERRA_ENDPOINT``/``GITTERRA_TOKEN``, else the data
  dir's ``server.json`` and ``token``); AWS's credential and tuning arguments are accepted with
  a warning, and its blocks (``default_tags``, ``assume_role``, ``endpoints``) are refused, as
  the local cloud cannot honour them.
- aws: ``region``, the credential chain, ``assume_role``, ``endpoints``, ``default_tags`` (see
  ``_aws_settings``); ``token`` is AWS's session token there; ``endpoint`` (the local cloud's
  URL) is refused.

``ignore_tags`` is refused on both. ``wait_for_instance_refresh`` (gitterra's) says whether
applying a group waits for the instance refresh it starts: by default yes on the local target,
no on AWS (as the AWS provider).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from gitterra import engine, kits, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import (
    _aws_settings,
    _aws_target,
    _client,
    _kit,
    _resource,
    _target,
    _target_local,
)
from gitterra.providers.aws._kit import STRING_MAP, STRING_SET, STRINGS, a

#: Arguments that configure access to AWS: a warning on the local target.
AWS_ONLY = (
    "access_key",
    "secret_key",
    "profile",
    "shared_config_files",
    "shared_credentials_files",
    "max_retries",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "skip_requesting_account_id",
    "allowed_account_ids",
    "forbidden_account_ids",
)
_AWS_BLOCKS = ("default_tags", "assume_role", "endpoints")


def _block(attributes: Mapping[str, engine.Attribute], max_items: int = 1) -> engine.NestedBlock:
    return engine.NestedBlock(_kit.block(attributes), "list", max_items=max_items)


PROVIDER_BLOCK = _kit.block(
    {
        "target": a("O", lang.STRING, description='"local" (the default) or "aws".'),
        "region": a("O", lang.STRING, description="AWS's region; the local cloud is local-1."),
        "endpoint": a("O", lang.STRING, description="The local cloud's URL."),
        "token": a(
            "O", lang.STRING, sensitive=True, description="Local: the API token; AWS: session."
        ),
        "access_key": a("O", lang.STRING, sensitive=True),
        "secret_key": a("O", lang.STRING, sensitive=True),
        "profile": a("O", lang.STRING),
        "shared_config_files": a("O", STRINGS),
        "shared_credentials_files": a("O", STRINGS),
        "max_retries": a("O", lang.NUMBER),
        "skip_credentials_validation": a("O", lang.BOOL),
        "skip_metadata_api_check": a("O", lang.BOOL),
        "skip_region_validation": a("O", lang.BOOL),
        "skip_requesting_account_id": a("O", lang.BOOL),
        "allowed_account_ids": a("O", STRING_SET),
        "forbidden_account_ids": a("O", STRING_SET),
        "wait_for_instance_refresh": a(
            "O", lang.BOOL, description="Apply waits for refreshes (local: yes; AWS: no)."
        ),
    },
    {
        "default_tags": _block({"tags": a("O", STRING_MAP)}),
        "ignore_tags": _kit.unsupported_block("keys", "key_prefixes"),
        "assume_role": _block(
            {
                "role_arn": a("O", lang.STRING),
                "session_name": a("O", lang.STRING),
                "external_id": a("O", lang.STRING),
                "duration": a("O", lang.STRING),
            }
        ),
        "endpoints": _block(
            {name: a("O", lang.STRING) for name in _aws_settings.ENDPOINTS}, max_items=1
        ),
    },
    'gitterra\'s local cloud (its HTTP API), or AWS through boto3 (target = "aws").',
)


def target_kind(
    cfg: Mapping[str, Any], env: Mapping[str, str], diags: Diagnostics
) -> _target.TargetKind | None:
    """The target the block (then ``GITTERRA_TARGET``) asks for; None with an error."""
    given = cfg.get("target")
    where = "target"
    if given is None and env.get("GITTERRA_TARGET"):
        given, where = env["GITTERRA_TARGET"], "GITTERRA_TARGET"
    if given in (None, "", "local"):
        return "local"
    if given == "aws":
        return "aws"
    diags.add(
        Diagnostic.error(
            "Invalid provider configuration",
            f'{where} is "{given}": it must be "local" (gitterra\'s local cloud) or "aws".',
            attribute=("target",) if where == "target" else (),
        )
    )
    return None


async def configure_local(
    session: _resource.Session,
    cfg: Mapping[str, Any],
    env: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None,
    diags: Diagnostics,
) -> None:
    """Connect ``session`` to the local cloud (errors in ``diags``)."""
    _resource.refuse_unsupported(
        "the aws provider", PROVIDER_BLOCK, cfg, (*_AWS_BLOCKS, "ignore_tags"), diags
    )
    ignored = [n for n in AWS_ONLY if not _kit.is_unset(cfg.get(n))]
    if ignored:
        diags.add(
            Diagnostic.warning(
                "Argument has no effect on the local cloud",
                f"{_kit.join(ignored)}: these configure access to real AWS; gitterra's local "
                "cloud uses its own endpoint and token.",
                attribute=(ignored[0],),
            )
        )
    found = _find_server(cfg, env, diags)
    if diags.has_errors or found is None:
        return
    url, token = found
    client = _client.CloudClient(url, token, transport=transport, timing=session.timing)
    session.client = client
    session.region = cfg.get("region")
    meta = await _meta(client, url, diags)
    if meta is None:
        return
    session.meta = meta
    session.target = _target_local.LocalTarget(client, meta)
    wait = cfg.get("wait_for_instance_refresh")
    session.wait_for_refresh = True if wait is None else bool(wait)


async def _meta(client: _client.CloudClient, url: str, diags: Diagnostics) -> dict[str, Any] | None:
    try:
        meta = await client.get("/meta")
    except _client.UnreachableError as exc:
        diags.add(
            Diagnostic.error(
                f"the local cloud at {url} is not reachable",
                f"{exc.message} — start it with gitterra server (or point GITTERRA_ENDPOINT "
                "at a running one).",
            )
        )
        return None
    except _client.UnauthorizedError:
        diags.add(
            Diagnostic.error(
                f"the local cloud at {url} refused the token",
                "Set GITTERRA_TOKEN (or the provider's token argument) to the server's "
                "token: gitterra server prints it, and keeps it in its data dir.",
            )
        )
        return None
    except _client.CloudError as exc:
        diags.add(Diagnostic.error(f"the local cloud at {url} answered an error", str(exc)))
        return None
    return dict(meta) if isinstance(meta, dict) else {}


def _find_server(
    cfg: Mapping[str, Any], env: Mapping[str, str], diags: Diagnostics
) -> tuple[str, str] | None:
    """The server's URL and token, or None with an error saying how to get one."""
    found = kits.find_endpoint(env)
    url = cfg.get("endpoint") or (found.url if found is not None else None)
    token = cfg.get("token") or env.get("GITTERRA_TOKEN")
    token = token or (found.token if found is not None else None)
    if url is None or token is None:
        diags.add(
            Diagnostic.error(
                "No local cloud to talk to",
                "The aws provider applies to gitterra's local cloud, and none was found: "
                "start one with gitterra server, or set GITTERRA_ENDPOINT and "
                "GITTERRA_TOKEN (or the provider's endpoint and token arguments); or set "
                "GITTERRA_TARGET=aws to apply to AWS.",
            )
        )
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        diags.add(
            Diagnostic.error(
                "Invalid endpoint",
                f'endpoint "{url}" is not an http(s) URL like http://127.0.0.1:7070',
                attribute=("endpoint",),
            )
        )
        return None
    return url.rstrip("/"), token


async def configure_aws(
    session: _resource.Session, cfg: Mapping[str, Any], env: Mapping[str, str], diags: Diagnostics
) -> None:
    """Connect ``session`` to AWS (errors in ``diags``)."""
    _resource.refuse_unsupported(
        "the aws provider", PROVIDER_BLOCK, cfg, ("ignore_tags",), diags, "aws"
    )
    if cfg.get("endpoint"):
        diags.add(
            Diagnostic.error(
                "Invalid provider configuration",
                "endpoint is the local cloud's URL; on AWS, send a service's calls elsewhere "
                "with endpoints { ec2 = ... } (or AWS_ENDPOINT_URL).",
                attribute=("endpoint",),
            )
        )
    settings = _aws_settings.read(cfg, env, diags, session.timing.retries)
    if settings is None or diags.has_errors:
        return
    try:
        target = await _aws_target.connect(settings, session.timing)
    except _client.CloudError as exc:
        diags.add(_connect_failed(settings, exc))
        return
    account = target.conn.account_id
    if (settings.allowed_account_ids and account not in settings.allowed_account_ids) or (
        account in settings.forbidden_account_ids
    ):
        which = "allowed_account_ids" if settings.allowed_account_ids else "forbidden_account_ids"
        diags.add(
            Diagnostic.error(
                f"AWS account {account} is not allowed",
                f"The credentials act in account {account}, which {which} rules out: nothing "
                "was changed.",
                attribute=(which,),
            )
        )
        return
    session.target = target
    session.region = settings.region
    session.meta = {"region": settings.region, "account_id": account or "000000000000"}
    tags = _kit_first(cfg.get("default_tags")).get("tags") or {}
    session.default_tags = {str(k): str(v) for k, v in tags.items() if v is not None}
    wait = cfg.get("wait_for_instance_refresh")
    session.wait_for_refresh = bool(wait)


def _connect_failed(settings: _aws_settings.AwsSettings, exc: _client.CloudError) -> Diagnostic:
    where = f"AWS ({settings.region})"
    if isinstance(exc, _client.ApiError) and exc.field == "profile":
        return Diagnostic.error(
            "Invalid provider configuration", exc.message + ".", attribute=("profile",)
        )
    if isinstance(exc, _client.UnreachableError):
        return Diagnostic.error(
            f"{where} is not reachable",
            f"{exc.message} — check the network, the region and the endpoints settings.",
        )
    if isinstance(exc, _client.UnauthorizedError):
        role = settings.assume_role
        doing = f"assuming the role {role.role_arn}" if role is not None else "checking them"
        return Diagnostic.error(
            "AWS refused the credentials" if exc.code != "NoCredentials" else "No AWS credentials",
            f"While {doing}: {exc}. Set access_key and secret_key or a profile in the provider "
            "block, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.",
        )
    return Diagnostic.error(f"{where} answered an error while connecting", str(exc))


def _kit_first(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return dict(value[0])
    return {}

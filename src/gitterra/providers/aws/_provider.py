"""The configured ``aws`` provider: finds the local cloud, checks it answers, and serves the
resource and data source types through the engine's ``Provider`` protocol.

The server is the provider block's ``endpoint``/``token`` when given, else ``GITTERRA_ENDPOINT``
/ ``GITTERRA_TOKEN``, else the data dir's ``server.json`` and ``token`` (``kits.find_endpoint``).
``region`` is accepted (the local cloud has one region, ``local-1``). Real AWS credentials and
tuning arguments have no meaning locally: they are accepted with a warning so that the same
files can later target AWS; provider blocks the local cloud cannot honour are refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from gitterra import engine, kits, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers import _base
from gitterra.providers.aws import (
    _autoscaling,
    _client,
    _codebuild_credential,
    _codebuild_project,
    _codebuild_webhook,
    _data,
    _data_net,
    _ingress_rule,
    _key_pair,
    _kit,
    _launch,
    _launch_template,
    _lb,
    _listener,
    _resource,
    _security_group,
    _target_group,
)
from gitterra.providers.aws._kit import a

SOURCE = "registry.terraform.io/hashicorp/aws"

#: Arguments of the AWS provider that only matter to real AWS: accepted, with a warning.
_AWS_ONLY = (
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
_UNSUPPORTED_BLOCKS = ("default_tags", "ignore_tags", "assume_role", "endpoints")

PROVIDER_BLOCK = _kit.block(
    {
        "region": a("O", lang.STRING, description="Accepted; the local cloud is local-1."),
        "endpoint": a("O", lang.STRING, description="The gitterra server's URL."),
        "token": a("O", lang.STRING, sensitive=True, description="The server's API token."),
        **_kit.unsupported(*_AWS_ONLY),
    },
    {
        "default_tags": _kit.unsupported_block("tags"),
        "ignore_tags": _kit.unsupported_block("keys", "key_prefixes"),
        "assume_role": _kit.unsupported_block("role_arn", "session_name", "external_id"),
        "endpoints": _kit.unsupported_block("ec2", "autoscaling", "elbv2", "logs", "sts"),
    },
    "gitterra's local cloud, reached over its HTTP API as the AWS provider reaches AWS.",
)


class AwsProvider(_base.TableProvider):
    """One ``aws`` provider instance; ``transport``, ``env`` and ``timing`` are for tests."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        env: Mapping[str, str] | None = None,
        timing: _client.Timing | None = None,
    ) -> None:
        self.session = _resource.Session(timing or _client.Timing())
        self._transport = transport
        self._env = env
        s = self.session
        super().__init__(
            [
                _security_group.SecurityGroup(s),
                _ingress_rule.IngressRule(s),
                _key_pair.KeyPair(s),
                _key_pair.LogGroup(s),
                _launch.LaunchConfiguration(s),
                _launch_template.LaunchTemplate(s),
                _autoscaling.AutoscalingGroup(s),
                _lb.LoadBalancer(s),
                _listener.Listener(s),
                _target_group.TargetGroup(s),
                _target_group.TargetGroupAttachment(s),
                _codebuild_project.Project(s),
                _codebuild_webhook.Webhook(s),
                _codebuild_credential.SourceCredential(s),
            ],
            [
                _data.Ami(s),
                _data.Vpc(s),
                _data_net.Subnets(s),
                _data_net.SubnetIds(s),
                _data_net.AvailabilityZones(s),
                _data_net.Region(s),
                _data_net.CallerIdentity(s),
            ],
        )

    def schema(self) -> engine.ProviderSchema:
        table = super().schema()
        return engine.ProviderSchema(PROVIDER_BLOCK, table.resources, table.data_sources)

    def describe_target(self) -> str | None:
        if self.session.client is not None:
            return f"local cloud at {self.session.client.base_url}"
        found = kits.find_endpoint(self._environment())
        return f"local cloud at {found.url}" if found is not None else None

    def _environment(self) -> Mapping[str, str]:
        return os.environ if self._env is None else self._env

    async def configure(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        cfg = _kit.py(config) if not config.is_null else {}
        _resource.refuse_unsupported(
            "the aws provider", PROVIDER_BLOCK, cfg, _UNSUPPORTED_BLOCKS, diags
        )
        ignored = [n for n in _AWS_ONLY if not _kit.is_unset(cfg.get(n))]
        if ignored:
            diags.add(
                Diagnostic.warning(
                    "Argument has no effect on the local cloud",
                    f"{_kit.join(ignored)}: these configure access to real AWS; gitterra's local "
                    "cloud uses its own endpoint and token.",
                    attribute=(ignored[0],),
                )
            )
        target = self._find_server(cfg, diags)
        if diags.has_errors or target is None:
            return diags
        url, token = target
        if self.session.client is not None:
            await self.session.client.close()
        client = _client.CloudClient(
            url, token, transport=self._transport, timing=self.session.timing
        )
        self.session.client = client
        self.session.region = cfg.get("region")
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
            return diags
        except _client.UnauthorizedError:
            diags.add(
                Diagnostic.error(
                    f"the local cloud at {url} refused the token",
                    "Set GITTERRA_TOKEN (or the provider's token argument) to the server's "
                    "token: gitterra server prints it, and keeps it in its data dir.",
                )
            )
            return diags
        except _client.CloudError as exc:
            diags.add(Diagnostic.error(f"the local cloud at {url} answered an error", str(exc)))
            return diags
        self.session.meta = dict(meta) if isinstance(meta, dict) else {}
        return diags

    def _find_server(self, cfg: dict[str, Any], diags: Diagnostics) -> tuple[str, str] | None:
        """The server's URL and token, or None with an error saying how to get one."""
        found = kits.find_endpoint(self._environment())
        url = cfg.get("endpoint") or (found.url if found is not None else None)
        token = cfg.get("token") or self._environment().get("GITTERRA_TOKEN")
        token = token or (found.token if found is not None else None)
        if url is None or token is None:
            diags.add(
                Diagnostic.error(
                    "No local cloud to talk to",
                    "The aws provider applies to gitterra's local cloud, and none was found: "
                    "start one with gitterra server, or set GITTERRA_ENDPOINT and "
                    "GITTERRA_TOKEN (or the provider's endpoint and token arguments).",
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

    async def close(self) -> None:
        if self.session.client is not None:
            await self.session.client.close()
            self.session.client = None


def provider() -> engine.Provider:
    """The registry's factory: an unconfigured provider using the real network."""
    return AwsProvider()

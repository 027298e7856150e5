"""The configured ``aws`` provider: picks its target (gitterra's local cloud, or AWS — see
``_configure``), connects, and serves the resource and data source types through the engine's
``Provider`` protocol. The types are the same on both targets (one schema, one planning path);
only the target behind ``Session.target`` differs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from gitterra import engine, kits, lang
from gitterra.diag import Diagnostics
from gitterra.providers import _base
from gitterra.providers.aws import (
    _autoscaling,
    _client,
    _codebuild_credential,
    _codebuild_project,
    _codebuild_webhook,
    _configure,
    _data,
    _data_net,
    _iam,
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

SOURCE = "registry.terraform.io/hashicorp/aws"
PROVIDER_BLOCK = _configure.PROVIDER_BLOCK


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
        self.session.kind = (
            "aws" if self._environment().get("GITTERRA_TARGET") == "aws" else "local"
        )
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
                _iam.Role(s),
                _iam.RolePolicy(s),
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
        if self.session.target is not None:
            return self.session.target.describe()
        env = self._environment()
        if env.get("GITTERRA_TARGET") == "aws":
            region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
            return f"AWS in {region}" if region else "AWS"
        found = kits.find_endpoint(env)
        return f"local cloud at {found.url}" if found is not None else None

    def _environment(self) -> Mapping[str, str]:
        return os.environ if self._env is None else self._env

    async def configure(self, config: lang.Value) -> Diagnostics:
        diags = Diagnostics()
        cfg = _kit.py(config) if not config.is_null else {}
        env = self._environment()
        kind = _configure.target_kind(cfg, env, diags)
        if kind is None:
            return diags
        await self.close()
        self.session.kind = kind
        self.session.default_tags = {}
        if kind == "aws":
            await _configure.configure_aws(self.session, cfg, env, diags)
        else:
            await _configure.configure_local(self.session, cfg, env, self._transport, diags)
        return diags

    async def close(self) -> None:
        if self.session.target is not None:
            await self.session.target.close()
            self.session.target = None
        if self.session.client is not None:
            await self.session.client.close()
            self.session.client = None


def provider() -> engine.Provider:
    """The registry's factory: an unconfigured provider using the real network."""
    return AwsProvider()

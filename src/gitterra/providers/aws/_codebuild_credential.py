"""``aws_codebuild_source_credential`` (``/api/v1/codebuild/source-credentials``): the token
builds use to post commit statuses to a forge, one per server type.

As in the AWS provider every argument forces replacement (the API has no update), ``id`` is the
ARN (the import id), and the token is never read back: state keeps the configured ``token`` and
``user_name`` (an imported credential has neither, so a configuration that sets them replaces
it, as with the AWS provider). ``user_name`` is sent for BASIC_AUTH only, as AWS takes it.
"""

from __future__ import annotations

from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostics
from gitterra.providers.aws import _client, _kit
from gitterra.providers.aws import _codebuild_kit as kit
from gitterra.providers.aws._kit import a

SERVER_TYPES = (
    "GITHUB",
    "GITHUB_ENTERPRISE",
    "GITLAB",
    "GITLAB_SELF_MANAGED",
    "BITBUCKET",
    "GITEA",
)
AUTH_TYPES = ("PERSONAL_ACCESS_TOKEN", "BASIC_AUTH", "OAUTH", "CODECONNECTIONS")

SCHEMA = engine.ResourceSchema(
    _kit.block(
        {
            "arn": a("C", lang.STRING),
            "id": a("C", lang.STRING, description="The ARN."),
            "auth_type": a("R!", lang.STRING, description="PERSONAL_ACCESS_TOKEN, BASIC_AUTH ..."),
            "server_type": a("R!", lang.STRING, description="GITHUB, GITLAB, GITEA ..."),
            "token": a("R!", lang.STRING, sensitive=True, description="Never read back."),
            "user_name": a("O!", lang.STRING, description="For BASIC_AUTH."),
        },
        description="A forge token for commit statuses (one per server type).",
    )
)


class SourceCredential(kit.CodeBuildResource):
    name = "aws_codebuild_source_credential"
    label = "CodeBuild Source Credential"
    schema = SCHEMA

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        kit.check_choice(cfg.get("server_type"), ("server_type",), SERVER_TYPES, diags)
        kit.check_choice(
            cfg.get("auth_type"), ("auth_type",), AUTH_TYPES, diags, ("SECRETS_MANAGER",)
        )

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        body = {"server_type": p["server_type"], "auth_type": p["auth_type"], "token": p["token"]}
        if p.get("user_name") is not None and p["auth_type"] == "BASIC_AUTH":
            body["user_name"] = p["user_name"]
        try:
            doc = await self.cloud.codebuild.create_source_credential(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", p["server_type"]))
        return engine.ApplyResult(self.state(credential_state(p, doc)))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.codebuild.delete_source_credential(p["id"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.codebuild.get_source_credential(p["id"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.state(credential_state(p, doc)))

    async def import_(self, id_: str) -> engine.ImportResult:
        """By ARN, as the AWS provider."""
        try:
            doc = await self.cloud.codebuild.get_source_credential(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.state(credential_state({}, doc)),))


def credential_state(p: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The state of credential ``doc``: the token and user name as configured."""
    return {
        **p,
        "arn": doc["arn"],
        "id": doc["arn"],
        "auth_type": doc.get("auth_type"),
        "server_type": doc.get("server_type"),
    }

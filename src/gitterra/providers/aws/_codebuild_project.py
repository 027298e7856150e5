"""``aws_codebuild_project`` (``/api/v1/codebuild/projects``, addressed by name).

As in the AWS provider, ``id`` is the project's ARN when Terraform created it, and whatever
identified it at import (its name or its ARN). An update sends only the top-level fields whose
value changed, each whole (the API replaces ``source``, ``environment`` ... as one object); an
argument removed from the configuration is sent as null, which the API resets to its default.
The cloud completes every project with its defaults (``git_clone_depth`` 0, empty strings,
``concurrent_build_limit`` 1, the default ``logs_config``); reading keeps an argument null when
it was null before and the cloud reports that default, so an unset argument shows no change and
a value changed outside still does.
"""

from __future__ import annotations

from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostics
from gitterra.providers.aws import _client, _kit
from gitterra.providers.aws import _codebuild_check as check
from gitterra.providers.aws import _codebuild_kit as kit
from gitterra.providers.aws import _codebuild_schema as cbs
from gitterra.providers.aws._codebuild_kit import first, keep_null

#: Attributes sent as the API field of the same name when they change.
_FIELDS = (
    "description",
    "source",
    "source_version",
    "environment",
    "build_timeout",
    "queued_timeout",
    "concurrent_build_limit",
    "logs_config",
    "artifacts",
    "service_role",
    "tags",
)
_ARTIFACT_FIELDS = ("type", "location", "name", "path", "packaging", "namespace_type")
_CLOUDWATCH_DEFAULT = {"status": "ENABLED", "group_name": "", "stream_name": ""}
_S3_DEFAULT = {"status": "DISABLED", "location": "", "encryption_disabled": False}


class Project(kit.CodeBuildResource):
    name = "aws_codebuild_project"
    label = "CodeBuild Project"
    unsupported = cbs.UNSUPPORTED
    schema = cbs.PROJECT

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        check.check_project(cfg, config, diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        return engine.PlannedChange(self.plan_tags(change.planned), change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        body = {k: v for k, v in project_body(p).items() if v is not None}
        body["tags"] = self.all_tags(p)
        try:
            doc = await self.cloud.codebuild.create_project(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", p["name"]))
        return engine.ApplyResult(self.state(self.project_state(p, doc)))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        full = {**project_body(p), "tags": self.all_tags(p)}
        body = {f: full[f] for f in _FIELDS if _kit.changed(prior, planned, f)}
        if "tags" not in body and _kit.changed(prior, planned, "tags_all"):
            body["tags"] = full["tags"]
        if not body:
            return engine.ApplyResult(planned)
        try:
            doc = await self.cloud.codebuild.update_project(p["name"], body)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", p["name"]))
        return engine.ApplyResult(self.state(self.project_state(p, doc)))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.codebuild.delete_project(p["name"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["name"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.codebuild.get_project(p["name"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["name"]))
        return engine.ReadResult(self.state(self.project_state(p, doc)))

    async def import_(self, id_: str) -> engine.ImportResult:
        """By name or by ARN (``arn:aws:codebuild:<region>:<account>:project/<name>``)."""
        name = id_.split(":project/", 1)[1] if id_.startswith("arn:") else id_
        try:
            doc = await self.cloud.codebuild.get_project(name)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.state(self.project_state({"id": id_}, doc)),))

    def project_state(self, p: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
        """:func:`project_state`, with ``tags`` less the provider's default tags."""
        return {**project_state(p, doc), "tags": self.tags_state(p.get("tags"), doc.get("tags"))}


# ---- configuration to API -----------------------------------------------------------------


def project_body(p: dict[str, Any]) -> dict[str, Any]:
    """The API's project fields for the planned values ``p`` (None: unset, the API's
    default)."""
    return {
        "name": p["name"],
        "description": p.get("description"),
        "source": _dropped(first(p.get("source")), cbs.SOURCE_FIELDS),
        "source_version": p.get("source_version"),
        "environment": _environment_body(first(p.get("environment"))),
        "build_timeout": p.get("build_timeout"),
        "queued_timeout": p.get("queued_timeout"),
        "concurrent_build_limit": p.get("concurrent_build_limit"),
        "logs_config": _logs_body(first(p.get("logs_config"))),
        "artifacts": _dropped(
            first(p.get("artifacts")),
            (*_ARTIFACT_FIELDS, "encryption_disabled", "override_artifact_name"),
        ),
        "service_role": p.get("service_role"),
        "tags": p.get("tags") or {},
    }


def _dropped(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """``fields`` of ``data`` that are set."""
    return {k: data[k] for k in fields if data.get(k) is not None}


def _environment_body(env: dict[str, Any]) -> dict[str, Any]:
    body = _dropped(
        env,
        ("compute_type", "image", "type", "image_pull_credentials_type", "privileged_mode"),
    )
    body["environment_variable"] = [
        _dropped(v, ("name", "value", "type")) for v in env.get("environment_variable") or []
    ]
    return body


def _logs_body(logs: dict[str, Any]) -> dict[str, Any] | None:
    if not logs:
        return None
    body: dict[str, Any] = {}
    cloudwatch = first(logs.get("cloudwatch_logs"))
    if cloudwatch:
        body["cloudwatch_logs"] = _dropped(cloudwatch, tuple(_CLOUDWATCH_DEFAULT))
    s3 = first(logs.get("s3_logs"))
    if s3:
        body["s3_logs"] = _dropped(s3, tuple(_S3_DEFAULT))
    return body


# ---- API to state -----------------------------------------------------------------------------


def project_state(p: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The state of project ``doc``; ``p`` is the plan or the prior state (what only the
    configuration knows, and which unset arguments stay null)."""
    return {
        **p,
        "id": p.get("id") or doc["arn"],
        "arn": doc["arn"],
        "name": doc["name"],
        "description": doc.get("description") or "",
        "source_version": keep_null(p.get("source_version"), doc.get("source_version"), ""),
        "build_timeout": doc.get("build_timeout"),
        "queued_timeout": doc.get("queued_timeout"),
        "concurrent_build_limit": keep_null(
            p.get("concurrent_build_limit"), doc.get("concurrent_build_limit"), 1
        ),
        "service_role": keep_null(p.get("service_role"), doc.get("service_role"), ""),
        "badge_enabled": bool(p.get("badge_enabled")),
        "badge_url": "",
        "project_visibility": p.get("project_visibility") or "PRIVATE",
        "public_project_alias": "",
        "tags": _kit.tags_state(p.get("tags"), doc.get("tags")),
        "tags_all": doc.get("tags") or {},
        "source": [_source_state(first(p.get("source")), doc.get("source") or {})],
        "environment": [_environment_state(first(p.get("environment")), doc)],
        "artifacts": [_artifacts_state(first(p.get("artifacts")), doc.get("artifacts") or {})],
        "logs_config": _logs_state(p.get("logs_config"), doc.get("logs_config") or {}),
    }


def _source_state(prior: dict[str, Any], src: dict[str, Any]) -> dict[str, Any]:
    out = {**prior, "type": src.get("type")}
    for name, default in (
        ("location", ""),
        ("git_clone_depth", 0),
        ("buildspec", ""),
        ("report_build_status", False),
    ):
        out[name] = keep_null(prior.get(name), src.get(name), default)
    return out


def _environment_state(prior: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    env = doc.get("environment") or {}
    return {
        **prior,
        "compute_type": env.get("compute_type"),
        "image": env.get("image"),
        "type": env.get("type"),
        "image_pull_credentials_type": env.get("image_pull_credentials_type") or "CODEBUILD",
        "privileged_mode": bool(env.get("privileged_mode")),
        "environment_variable": [
            {"name": v["name"], "value": v["value"], "type": v.get("type") or "PLAINTEXT"}
            for v in env.get("environment_variable") or []
        ],
    }


def _artifacts_state(prior: dict[str, Any], art: dict[str, Any]) -> dict[str, Any]:
    out = {**prior, "type": art.get("type")}
    for name in _ARTIFACT_FIELDS[1:]:
        out[name] = keep_null(prior.get(name), art.get(name), "")
    out["encryption_disabled"] = bool(art.get("encryption_disabled"))
    out["override_artifact_name"] = bool(art.get("override_artifact_name"))
    return out


def _logs_state(prior_blocks: Any, logs: dict[str, Any]) -> list[dict[str, Any]]:
    """``logs_config`` as a list block: empty when it was, and the cloud has the defaults."""
    prior = first(prior_blocks)
    blocks: dict[str, list[dict[str, Any]]] = {}
    for kind, default in (("cloudwatch_logs", _CLOUDWATCH_DEFAULT), ("s3_logs", _S3_DEFAULT)):
        was = prior.get(kind) or []
        found = {k: logs.get(kind, {}).get(k, v) for k, v in default.items()}
        if not was and found == default:
            blocks[kind] = []
            continue
        mine = first(was)
        state = {**mine, **found}
        for name, value in default.items():
            if isinstance(value, str):
                state[name] = keep_null(mine.get(name), found[name], value)
        state["status"] = found["status"]
        blocks[kind] = [state]
    if not prior and not blocks["cloudwatch_logs"] and not blocks["s3_logs"]:
        return []
    return [blocks]

"""CodeBuild on AWS, as ``_target.CodeBuild`` documents: projects (the local cloud's
``snake_case`` fields to CodeBuild's ``camelCase`` and back), webhooks (read from
``BatchGetProjects``, one per project) and source credentials.

What only the local cloud has is refused before any call, naming the field: ``GITTERRA`` and
``GITEA`` sources (gitterra's own git host, and a forge CodeBuild does not know) and ``GITEA``
credentials. An update sends only the changed fields, a removed one as CodeBuild's "unset"
(empty description and source version, ``concurrentBuildLimit`` -1, the default logs).
Creating or updating a project retries for a while when CodeBuild cannot yet assume a role
IAM has just created (eventual consistency, as the AWS provider does).
"""

from __future__ import annotations

from typing import Any

from gitterra.providers.aws import _aws_base, _aws_call, _client
from gitterra.providers.aws._target import Doc

_LOCAL_SOURCES = ("GITTERRA", "GITEA")
_SOURCE = (
    ("type", "type"),
    ("location", "location"),
    ("git_clone_depth", "gitCloneDepth"),
    ("buildspec", "buildspec"),
    ("report_build_status", "reportBuildStatus"),
)
_ENVIRONMENT = (
    ("type", "type"),
    ("image", "image"),
    ("compute_type", "computeType"),
    ("privileged_mode", "privilegedMode"),
    ("image_pull_credentials_type", "imagePullCredentialsType"),
)
_ARTIFACTS = (
    ("type", "type"),
    ("location", "location"),
    ("name", "name"),
    ("path", "path"),
    ("packaging", "packaging"),
    ("namespace_type", "namespaceType"),
    ("encryption_disabled", "encryptionDisabled"),
    ("override_artifact_name", "overrideArtifactName"),
)
_CLOUDWATCH = (("status", "status"), ("group_name", "groupName"), ("stream_name", "streamName"))
_S3 = (
    ("status", "status"),
    ("location", "location"),
    ("encryption_disabled", "encryptionDisabled"),
)
_DEFAULT_LOGS = {"cloudWatchLogs": {"status": "ENABLED"}, "s3Logs": {"status": "DISABLED"}}


def _out(data: Doc | None, fields: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {aws: data[k] for k, aws in fields if data and data.get(k) is not None}


def _in(data: dict[str, Any] | None, fields: tuple[tuple[str, str], ...]) -> Doc:
    return {k: (data or {}).get(aws) for k, aws in fields}


def _refused(field: str, message: str) -> _client.BadRequestError:
    return _client.BadRequestError(400, "NotSupportedOnAws", message, field)


def project_params(body: Doc) -> dict[str, Any]:
    """The API's project fields as ``CreateProject``/``UpdateProject`` parameters (only the
    fields present; a null one as CodeBuild's unset)."""
    params: dict[str, Any] = {}
    if "source" in body:
        source = body["source"] or {}
        if source.get("type") in _LOCAL_SOURCES:
            raise _refused(
                "source.type",
                f"{source['type']} sources exist only on gitterra's local cloud: on AWS use "
                "GITHUB, GITLAB, BITBUCKET, CODECOMMIT or NO_SOURCE, and a location CodeBuild "
                "can reach",
            )
        params["source"] = _out(source, _SOURCE)
    if "environment" in body:
        env = body["environment"] or {}
        params["environment"] = {
            **_out(env, _ENVIRONMENT),
            "environmentVariables": [
                {
                    "name": v["name"],
                    "value": v.get("value", ""),
                    "type": v.get("type") or "PLAINTEXT",
                }
                for v in env.get("environment_variable") or []
            ],
        }
    if "artifacts" in body:
        params["artifacts"] = _out(body["artifacts"], _ARTIFACTS)
    if "logs_config" in body:
        logs = body["logs_config"]
        params["logsConfig"] = (
            {
                "cloudWatchLogs": {
                    "status": "ENABLED",
                    **_out(logs.get("cloudwatch_logs"), _CLOUDWATCH),
                },
                "s3Logs": {"status": "DISABLED", **_out(logs.get("s3_logs"), _S3)},
            }
            if logs
            else _DEFAULT_LOGS
        )
    for key, aws, unset in (
        ("description", "description", ""),
        ("source_version", "sourceVersion", ""),
        ("build_timeout", "timeoutInMinutes", 60),
        ("queued_timeout", "queuedTimeoutInMinutes", 480),
        ("concurrent_build_limit", "concurrentBuildLimit", -1),
        ("service_role", "serviceRole", None),
    ):
        if key in body:
            value = body[key] if body[key] is not None else unset
            if value is not None:
                params[aws] = value
    if "tags" in body:
        params["tags"] = [{"key": k, "value": v} for k, v in sorted((body["tags"] or {}).items())]
    return params


def project_doc(p: dict[str, Any]) -> Doc:
    env = p.get("environment") or {}
    logs = p.get("logsConfig") or {}
    source = _in(p.get("source"), _SOURCE)
    source.update(
        location=source["location"] or "",
        git_clone_depth=source["git_clone_depth"] or 0,
        buildspec=source["buildspec"] or "",
        report_build_status=bool(source["report_build_status"]),
    )
    return {
        "name": p["name"],
        "arn": p["arn"],
        "description": p.get("description") or "",
        "source": source,
        "source_version": p.get("sourceVersion") or "",
        "environment": {
            **_in(env, _ENVIRONMENT),
            "environment_variable": [
                {"name": v["name"], "value": v.get("value", ""), "type": v.get("type")}
                for v in env.get("environmentVariables") or []
            ],
        },
        "build_timeout": p.get("timeoutInMinutes"),
        "queued_timeout": p.get("queuedTimeoutInMinutes"),
        "concurrent_build_limit": p.get("concurrentBuildLimit") or 1,
        "logs_config": {
            "cloudwatch_logs": {
                k: v
                for k, v in _in(logs.get("cloudWatchLogs"), _CLOUDWATCH).items()
                if v is not None
            },
            "s3_logs": {k: v for k, v in _in(logs.get("s3Logs"), _S3).items() if v is not None},
        },
        "artifacts": {
            k: v for k, v in _in(p.get("artifacts"), _ARTIFACTS).items() if v is not None
        },
        "service_role": p.get("serviceRole") or "",
        "tags": {t["key"]: t.get("value", "") for t in p.get("tags") or []},
    }


def _role_not_ready(exc: _client.CloudError) -> bool:
    return isinstance(exc, _client.BadRequestError) and "sts:assumerole" in exc.message.lower()


class CodeBuild(_aws_base.Service):
    service = "codebuild"

    async def _project(self, name: str) -> dict[str, Any]:
        found = await self.call("batch_get_projects", names=[name])
        projects = found.get("projects") or []
        if not projects:
            raise _aws_base.not_found(f"CodeBuild project {name} not found")
        return dict(projects[0])

    async def create_project(self, body: Doc) -> Doc:
        params = {"name": body["name"], **project_params(body)}

        async def create() -> dict[str, Any]:
            return await self.call("create_project", **params)

        await _aws_call.eventually(create, _role_not_ready, _aws_base.PROPAGATION, self.timing.poll)
        return await self.settled(lambda: self.get_project(body["name"]))

    async def get_project(self, name: str) -> Doc:
        return project_doc(await self._project(name))

    async def update_project(self, name: str, changes: Doc) -> Doc:
        params = project_params(changes)

        async def update() -> dict[str, Any]:
            return await self.call("update_project", name=name, **params)

        answer = await _aws_call.eventually(
            update, _role_not_ready, _aws_base.PROPAGATION, self.timing.poll
        )
        return (
            project_doc(answer["project"])
            if answer.get("project")
            else await self.get_project(name)
        )

    async def delete_project(self, name: str) -> None:
        await self._project(name)  # CodeBuild deletes nothing without an error: say it
        await self.call("delete_project", name=name)

    # -- webhooks -------------------------------------------------------------------------------

    async def create_webhook(self, body: Doc) -> Doc:
        params: dict[str, Any] = {
            "projectName": body["project_name"],
            "filterGroups": _groups(body.get("filter_group") or []),
        }
        if body.get("build_type"):
            params["buildType"] = body["build_type"]
        await self.call("create_webhook", **params)
        return await self.settled(lambda: self.get_webhook(body["project_name"]))

    async def get_webhook(self, key: str) -> Doc:
        project = await self._project(key)
        hook = project.get("webhook") or {}
        if not hook.get("url") and not hook.get("payloadUrl"):
            raise _aws_base.not_found(f"CodeBuild project {key} has no webhook")
        return {
            "id": project["name"],
            "project_name": project["name"],
            "build_type": hook.get("buildType") or "BUILD",
            "filter_group": [
                {
                    "filter": [
                        {
                            "type": f.get("type"),
                            "pattern": f.get("pattern"),
                            "exclude_matched_pattern": bool(f.get("excludeMatchedPattern")),
                        }
                        for f in group
                    ]
                }
                for group in hook.get("filterGroups") or []
            ],
            "secret": hook.get("secret") or "",
            "payload_url": hook.get("payloadUrl") or "",
            "url": hook.get("url") or "",
        }

    async def update_webhook(self, key: str, changes: Doc) -> Doc:
        params: dict[str, Any] = {"projectName": key}
        if "filter_group" in changes:
            params["filterGroups"] = _groups(changes["filter_group"] or [])
        if changes.get("build_type"):
            params["buildType"] = changes["build_type"]
        await self.call("update_webhook", **params)
        return await self.get_webhook(key)

    async def delete_webhook(self, key: str) -> None:
        await self.call("delete_webhook", projectName=key)

    # -- source credentials ---------------------------------------------------------------------

    async def create_source_credential(self, body: Doc) -> Doc:
        if body.get("server_type") == "GITEA":
            raise _refused("server_type", "CodeBuild has no GITEA credentials: GITEA is local")
        params: dict[str, Any] = {
            "token": body["token"],
            "serverType": body["server_type"],
            "authType": body["auth_type"],
        }
        if body.get("user_name"):
            params["username"] = body["user_name"]
        arn = str((await self.call("import_source_credentials", **params))["arn"])
        return await self.settled(lambda: self.get_source_credential(arn))

    async def get_source_credential(self, key: str) -> Doc:
        found = await self.call("list_source_credentials")
        for info in found.get("sourceCredentialsInfos") or []:
            if key in (info.get("arn"), info.get("serverType")):
                return {
                    "arn": info["arn"],
                    "server_type": info.get("serverType"),
                    "auth_type": info.get("authType"),
                    "user_name": None,
                }
        raise _aws_base.not_found(f"CodeBuild source credential {key} not found")

    async def delete_source_credential(self, key: str) -> None:
        arn = (await self.get_source_credential(key))["arn"]
        await self.call("delete_source_credentials", arn=arn)


def _groups(groups: list[Doc]) -> list[list[dict[str, Any]]]:
    return [
        [
            {
                "type": f["type"],
                "pattern": f["pattern"],
                "excludeMatchedPattern": bool(f.get("exclude_matched_pattern")),
            }
            for f in g.get("filter") or []
        ]
        for g in groups
    ]

"""Build projects (``aws_codebuild_project``), addressed by name.

A project document is the request's fields, checked one by one and completed with their
defaults (``build_timeout`` 60, ``queued_timeout`` 480, ``concurrent_build_limit`` 1 so that two
applies of one project never race). Builds copy the project when they are queued, as CodeBuild
does: changing a project later changes only builds queued later.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra.cloud import Conflict, NotFound, ValidationError, ids
from gitterra.cloud.codebuild import _check as check

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

KIND = "codebuild_project"

SOURCE_TYPES = ("GITHUB", "GITLAB", "BITBUCKET", "CODECOMMIT", "NO_SOURCE", "GITTERRA", "GITEA")
#: The forge whose webhook deliveries a source type's projects receive (``None``: none).
FORGES: Mapping[str, str | None] = {
    "GITHUB": "github",
    "GITLAB": "gitlab",
    "GITEA": "gitea",
    "BITBUCKET": None,
    "CODECOMMIT": None,
    "NO_SOURCE": None,
    "GITTERRA": None,
}
ENVIRONMENT_TYPES = (
    "LINUX_CONTAINER",
    "LINUX_GPU_CONTAINER",
    "ARM_CONTAINER",
    "LINUX_LAMBDA_CONTAINER",
    "ARM_LAMBDA_CONTAINER",
)
VARIABLE_TYPES = ("PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER")
ARTIFACT_TYPES = ("NO_ARTIFACTS", "S3", "CODEPIPELINE")
LOG_STATUSES = ("ENABLED", "DISABLED")

CREATE_FIELDS = (
    "name",
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
SOURCE_FIELDS = ("type", "location", "git_clone_depth", "buildspec", "report_build_status")
ENVIRONMENT_FIELDS = (
    "compute_type",
    "image",
    "type",
    "environment_variable",
    "privileged_mode",
    "image_pull_credentials_type",
)
ARTIFACT_FIELDS = (
    "type",
    "location",
    "name",
    "path",
    "packaging",
    "namespace_type",
    "encryption_disabled",
    "override_artifact_name",
)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_]{1,254}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")
_COMPUTE = re.compile(r"BUILD_[A-Z0-9_]+")


class Projects:
    def __init__(self, svc: CodeBuild) -> None:
        self.svc = svc
        self.store = svc.cloud.store

    def get(self, name: str) -> dict[str, Any]:
        doc = self.store.get(KIND, name)
        if doc is None:
            raise NotFound(f"build project {name} does not exist")
        return doc

    def find(self) -> list[dict[str, Any]]:
        return self.store.find(KIND)

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = check.obj(spec, "the project", CREATE_FIELDS, root=True)
        name = check.string(
            spec.get("name"),
            "name",
            max_len=255,
            min_len=2,
            pattern=_NAME,
            allowed="2 to 255 letters, digits, - and _, starting with a letter or digit",
        )
        doc = decode(spec, {"name": name, "arn": ids.arn("codebuild", f"project/{name}")})
        doc["created_at"] = doc["updated_at"] = check.now()
        with self.store.transaction():
            if self.store.get(KIND, name) is not None:
                raise Conflict(f"build project {name} already exists", "name")
            self.store.put(KIND, name, doc)
        self.svc.cloud.event("codebuild.project", name, "project created")
        return doc

    def update(self, name: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        changes = check.obj(changes, "the project update", CREATE_FIELDS, root=True)
        if "name" in changes and changes["name"] != name:
            raise ValidationError("a project's name cannot change: create a new one", "name")
        with self.store.transaction():
            old = self.get(name)
            merged = {k: v for k, v in old.items() if k in CREATE_FIELDS}
            merged.update(changes)
            doc = decode(merged, {"name": name, "arn": old["arn"]})
            doc["created_at"], doc["updated_at"] = old["created_at"], check.now()
            self.store.put(KIND, name, doc)
        self.svc.cloud.event("codebuild.project", name, "project updated")
        return doc

    def delete(self, name: str) -> None:
        with self.store.transaction():
            self.get(name)
            self.svc.webhooks.delete_for(name)
            self.store.delete(KIND, name)
        self.svc.queue.project_deleted(name)
        self.svc.cloud.event("codebuild.project", name, "project deleted")


def decode(spec: Mapping[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The project document of ``spec`` (already limited to known fields) added to ``doc``."""
    doc["description"] = check.optional_str(spec.get("description"), "description", 255)
    doc["source"] = _source(spec.get("source"))
    doc["source_version"] = check.optional_str(spec.get("source_version"), "source_version", 255)
    doc["environment"] = _environment(spec.get("environment"))
    doc["build_timeout"] = check.optional_int(
        spec.get("build_timeout"), "build_timeout", 5, 2160, 60
    )
    doc["queued_timeout"] = check.optional_int(
        spec.get("queued_timeout"), "queued_timeout", 5, 480, 480
    )
    doc["concurrent_build_limit"] = check.optional_int(
        spec.get("concurrent_build_limit"), "concurrent_build_limit", 1, 100, 1
    )
    doc["logs_config"] = _logs_config(spec.get("logs_config"))
    doc["artifacts"] = _artifacts(spec.get("artifacts"))
    doc["service_role"] = check.optional_str(spec.get("service_role"), "service_role", 2048)
    doc["tags"] = check.tags(spec.get("tags"))
    poll = doc["tags"].get(POLL_TAG)
    if poll is not None and _poll_seconds(poll) is None:
        raise ValidationError(
            f"tags.{POLL_TAG}: the seconds between polls of the source, at least "
            f'{MIN_POLL_SECONDS:g} (e.g. "60"), not {poll!r}',
            f"tags.{POLL_TAG}",
        )
    return doc


def _source(value: object) -> dict[str, Any]:
    if value is None:
        raise ValidationError("source is required (with at least its type)", "source")
    src = check.obj(value, "source", SOURCE_FIELDS)
    kind = check.choice(src.get("type"), "source.type", SOURCE_TYPES, None)
    buildspec = check.optional_str(src.get("buildspec"), "source.buildspec", 256 * 1024)
    if buildspec and "\n" not in buildspec:
        _buildspec_path(buildspec)
    location = check.optional_str(src.get("location"), "source.location", 2048)
    if kind == "NO_SOURCE":
        if location:
            raise ValidationError("a NO_SOURCE project has no location", "source.location")
        if "\n" not in buildspec:
            raise ValidationError(
                "a NO_SOURCE project needs its buildspec inline (YAML text)", "source.buildspec"
            )
    elif not location:
        raise ValidationError(f"source.location is required for {kind} sources", "source.location")
    elif kind == "GITTERRA":
        repository_name(location)
    else:
        _url(location, "source.location")
    return {
        "type": kind,
        "location": location,
        "git_clone_depth": check.optional_int(
            src.get("git_clone_depth"), "source.git_clone_depth", 0, 1_000_000, 0
        ),
        "buildspec": buildspec,
        "report_build_status": check.boolean(
            src.get("report_build_status"), "source.report_build_status", False
        ),
    }


def _buildspec_path(path: str) -> None:
    field = "source.buildspec"
    clean = posixpath.normpath(path)
    if path.startswith("/") or clean == ".." or clean.startswith("../"):
        raise ValidationError(
            f"source.buildspec {path!r} must be a path inside the repository (or inline YAML)",
            field,
        )


#: A gitterra tag: poll the source this often (seconds) instead of waiting for a webhook.
POLL_TAG = "gitterra:poll-interval"
MIN_POLL_SECONDS = 10.0


def _poll_seconds(raw: object) -> float | None:
    try:
        seconds = float(str(raw).removesuffix("s"))
    except ValueError:
        return None
    return seconds if seconds >= MIN_POLL_SECONDS else None


def poll_interval(project: Mapping[str, Any]) -> float | None:
    """The seconds between polls of the project's source, None when it is not polled."""
    raw = (project.get("tags") or {}).get(POLL_TAG)
    if raw is None or project["source"]["type"] == "NO_SOURCE":
        return None
    return _poll_seconds(raw)


def repository_name(location: str) -> str:
    """The git host repository a GITTERRA location names: ``site`` or
    ``http://<server>/git/site.git``."""
    name = location
    if "://" in location:
        path = urllib.parse.urlsplit(location).path
        if not path.startswith("/git/"):
            raise ValidationError(
                f"source.location {location!r}: a GITTERRA location is a repository name or "
                "its clone URL (http://<server>/git/<name>.git)",
                "source.location",
            )
        name = path[len("/git/") :]
    name = name.removesuffix(".git")
    if not _REPO.fullmatch(name) or len(name) > 100:
        raise ValidationError(
            f"source.location {location!r} does not name a git host repository (letters, "
            "digits, ., - and _)",
            "source.location",
        )
    return name


def _url(location: str, field: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(location)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"{field} {location!r} must be an http(s) URL of the repository", field
        )
    return parts


def _environment(value: object) -> dict[str, Any]:
    if value is None:
        raise ValidationError("environment is required (compute_type, image, type)", "environment")
    env = check.obj(value, "environment", ENVIRONMENT_FIELDS)
    compute = check.string(
        env.get("compute_type"),
        "environment.compute_type",
        max_len=64,
        pattern=_COMPUTE,
        allowed="a CodeBuild compute type such as BUILD_GENERAL1_SMALL",
    )
    image = check.string(env.get("image"), "environment.image", max_len=2048)
    if env.get("type") == "WINDOWS_SERVER_2019_CONTAINER" or env.get("type") == "WINDOWS_CONTAINER":
        raise ValidationError(
            "environment.type: gitterra runs builds in a Linux shell on this machine; use "
            "LINUX_CONTAINER",
            "environment.type",
        )
    kind = check.choice(env.get("type"), "environment.type", ENVIRONMENT_TYPES, None)
    variables = [
        _variable(raw, f"environment.environment_variable.{i}")
        for i, raw in enumerate(
            check.items(env.get("environment_variable"), "environment.environment_variable")
        )
    ]
    seen: set[str] = set()
    for i, var in enumerate(variables):
        if var["name"] in seen:
            field = f"environment.environment_variable.{i}.name"
            raise ValidationError(f"{field}: {var['name']} is set twice", field)
        seen.add(var["name"])
    return {
        "compute_type": compute,
        "image": image,
        "type": kind,
        "environment_variable": variables,
        "privileged_mode": check.boolean(
            env.get("privileged_mode"), "environment.privileged_mode", False
        ),
        "image_pull_credentials_type": check.optional_str(
            env.get("image_pull_credentials_type"), "environment.image_pull_credentials_type", 64
        )
        or "CODEBUILD",
    }


def _variable(raw: object, field: str) -> dict[str, str]:
    var = check.obj(raw, field, ("name", "value", "type"))
    name = check.string(
        var.get("name"),
        f"{field}.name",
        max_len=255,
        pattern=_VARIABLE,
        allowed="letters, digits and _, not starting with a digit",
    )
    if name.startswith("CODEBUILD_"):
        raise ValidationError(
            f"{field}.name {name}: the CODEBUILD_ prefix is reserved for CodeBuild's own variables",
            f"{field}.name",
        )
    value = var.get("value")
    if not isinstance(value, str):
        raise ValidationError(
            f"{field}.value must be a string, got {check.kind(value)}", f"{field}.value"
        )
    kind = check.choice(var.get("type"), f"{field}.type", VARIABLE_TYPES, "PLAINTEXT")
    if kind != "PLAINTEXT" and not value:
        raise ValidationError(f"{field}.value must name the {kind} entry", f"{field}.value")
    return {"name": name, "value": value, "type": kind}


def _logs_config(value: object) -> dict[str, Any]:
    cfg = check.obj(value, "logs_config", ("cloudwatch_logs", "s3_logs"))
    cw = check.obj(
        cfg.get("cloudwatch_logs"),
        "logs_config.cloudwatch_logs",
        ("status", "group_name", "stream_name"),
    )
    s3 = check.obj(
        cfg.get("s3_logs"), "logs_config.s3_logs", ("status", "location", "encryption_disabled")
    )
    return {
        "cloudwatch_logs": {
            "status": check.choice(
                cw.get("status"), "logs_config.cloudwatch_logs.status", LOG_STATUSES, "ENABLED"
            ),
            "group_name": check.optional_str(
                cw.get("group_name"), "logs_config.cloudwatch_logs.group_name", 512
            ),
            "stream_name": check.optional_str(
                cw.get("stream_name"), "logs_config.cloudwatch_logs.stream_name", 512
            ),
        },
        "s3_logs": {
            "status": check.choice(
                s3.get("status"), "logs_config.s3_logs.status", LOG_STATUSES, "DISABLED"
            ),
            "location": check.optional_str(
                s3.get("location"), "logs_config.s3_logs.location", 2048
            ),
            "encryption_disabled": check.boolean(
                s3.get("encryption_disabled"), "logs_config.s3_logs.encryption_disabled", False
            ),
        },
    }


def _artifacts(value: object) -> dict[str, Any]:
    art = check.obj(value, "artifacts", ARTIFACT_FIELDS)
    out: dict[str, Any] = {
        "type": check.choice(art.get("type"), "artifacts.type", ARTIFACT_TYPES, "NO_ARTIFACTS")
    }
    for key in ARTIFACT_FIELDS[1:]:
        field = f"artifacts.{key}"
        if key in ("encryption_disabled", "override_artifact_name"):
            out[key] = check.boolean(art.get(key), field, False)
        else:
            out[key] = check.optional_str(art.get(key), field, 1024)
    return out

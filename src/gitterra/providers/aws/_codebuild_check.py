"""Validation of ``aws_codebuild_project`` before anything is sent: the AWS provider's own
checks (name pattern, ranges, enumerations, ``NO_SOURCE`` needs an inline buildspec and no
location) and the refusal of what the local cloud cannot honour, each at its attribute path.
Checks look at known values only; what depends on values known after apply is checked by the
API, whose errors are placed the same way."""

from __future__ import annotations

import re
from typing import Any

from gitterra import lang
from gitterra.diag import Diagnostics
from gitterra.providers.aws import _codebuild_kit as kit
from gitterra.providers.aws import _codebuild_schema as cbs
from gitterra.providers.aws import _resource

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_]{1,254}")


def check_project(cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
    """Every problem of the project's known configuration (``cfg``: unknown values None)."""
    name = cfg.get("name")
    if isinstance(name, str) and not _NAME.fullmatch(name):
        diags.add(
            _resource.invalid(
                "name",
                f'project name "{name}" must be 2 to 255 characters: letters, digits, - and _, '
                "starting with a letter or digit",
            )
        )
    _resource.check_length(cfg, "description", 255, diags)
    _resource.check_between(cfg, "build_timeout", 5, 2160, diags)
    _resource.check_between(cfg, "queued_timeout", 5, 480, diags)
    _resource.check_between(cfg, "concurrent_build_limit", 1, 100, diags)
    if cfg.get("badge_enabled"):
        kit.refuse(("badge_enabled",), "the local cloud serves no build badges", diags)
    kit.check_choice(
        cfg.get("project_visibility"),
        ("project_visibility",),
        ("PRIVATE",),
        diags,
        ("PUBLIC_READ",),
    )
    _check_source(kit.first(cfg.get("source")), config, diags)
    _check_environment(kit.first(cfg.get("environment")), diags)
    _check_artifacts(kit.first(cfg.get("artifacts")), diags)
    _check_logs(kit.first(cfg.get("logs_config")), diags)
    cache = kit.first(cfg.get("cache"))
    if cache.get("type") not in (None, "NO_CACHE"):
        kit.refuse(("cache", 0, "type"), "builds are not cached (use NO_CACHE)", diags)


def _check_source(src: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
    where: tuple[str | int, ...] = ("source", 0)
    kind = src.get("type")
    kit.check_choice(kind, (*where, "type"), cbs.SOURCE_TYPES, diags, cbs.OTHER_SOURCE_TYPES)
    depth = src.get("git_clone_depth")
    if isinstance(depth, int) and depth < 0:
        diags.add(_resource.invalid((*where, "git_clone_depth"), "must be at least 0"))
    if kind == "NO_SOURCE":
        if kit.is_null(config, *where, "buildspec") or src.get("buildspec") == "":
            diags.add(
                _resource.invalid(
                    (*where, "buildspec"),
                    "`buildspec` must be set when source's `type` is `NO_SOURCE` (the build's "
                    "commands, as inline YAML)",
                )
            )
        if src.get("location"):
            diags.add(
                _resource.invalid(
                    (*where, "location"),
                    "`location` must be empty when source's `type` is `NO_SOURCE`",
                )
            )
    elif kind in cbs.SOURCE_TYPES and kit.is_null(config, *where, "location"):
        what = "a git host repository (its name or clone URL)" if kind == "GITTERRA" else "a URL"
        diags.add(
            _resource.invalid(
                (*where, "location"), f"`location` is required for {kind} sources: {what}"
            )
        )
    if src.get("insecure_ssl"):
        kit.refuse((*where, "insecure_ssl"), "TLS certificates are always checked", diags)
    if kit.first(src.get("git_submodules_config")).get("fetch_submodules"):
        kit.refuse(
            (*where, "git_submodules_config", 0, "fetch_submodules"),
            "builds check out the repository without its submodules",
            diags,
        )
    for block, why in (
        ("build_status_config", "commit statuses have the context gitterra/<project>"),
        ("auth", "use aws_codebuild_source_credential"),
    ):
        if src.get(block):
            kit.refuse((*where, block), why, diags)


def _check_environment(env: dict[str, Any], diags: Diagnostics) -> None:
    where: tuple[str | int, ...] = ("environment", 0)
    kit.check_choice(
        env.get("type"),
        (*where, "type"),
        cbs.ENVIRONMENT_TYPES,
        diags,
        cbs.OTHER_ENVIRONMENT_TYPES,
    )
    compute = env.get("compute_type")
    if isinstance(compute, str) and not re.fullmatch(r"BUILD_[A-Z0-9_]+", compute):
        diags.add(
            _resource.invalid(
                (*where, "compute_type"),
                f'"{compute}" is not a CodeBuild compute type (like BUILD_GENERAL1_SMALL)',
            )
        )
    kit.check_choice(
        env.get("image_pull_credentials_type"),
        (*where, "image_pull_credentials_type"),
        cbs.PULL_CREDENTIALS,
        diags,
    )
    for i, var in enumerate(env.get("environment_variable") or []):
        path = (*where, "environment_variable", i, "type")
        kit.check_choice(var.get("type"), path, cbs.VARIABLE_TYPES, diags)
    if env.get("certificate"):
        kit.refuse((*where, "certificate"), "builds use this machine's certificates", diags)
    if env.get("registry_credential"):
        kit.refuse((*where, "registry_credential"), "builds pull no images", diags)


def _check_artifacts(art: dict[str, Any], diags: Diagnostics) -> None:
    where: tuple[str | int, ...] = ("artifacts", 0)
    kit.check_choice(art.get("type"), (*where, "type"), cbs.ARTIFACT_TYPES, diags)
    for name in ("artifact_identifier", "bucket_owner_access"):
        if art.get(name):
            kit.refuse((*where, name), "there are no secondary artifacts or buckets", diags)


def _check_logs(logs: dict[str, Any], diags: Diagnostics) -> None:
    where: tuple[str | int, ...] = ("logs_config", 0)
    for kind in ("cloudwatch_logs", "s3_logs"):
        block = kit.first(logs.get(kind))
        path = (*where, kind, 0, "status")
        kit.check_choice(block.get("status"), path, cbs.LOG_STATUSES, diags)
    s3 = kit.first(logs.get("s3_logs"))
    if s3.get("bucket_owner_access"):
        kit.refuse((*where, "s3_logs", 0, "bucket_owner_access"), "there are no buckets", diags)

"""The schema of ``aws_codebuild_project``: the AWS provider's attributes, flags and defaults
(``build_timeout`` 60, ``queued_timeout`` 480, ``privileged_mode`` false ...). Arguments the
local cloud cannot honour keep their real types so that writing their "off" value (``insecure_ssl
= false``, ``cache { type = "NO_CACHE" }``) is accepted; asking for more is refused by name
(see ``_codebuild_check``)."""

from __future__ import annotations

from gitterra import engine, lang
from gitterra.providers.aws import _kit
from gitterra.providers.aws._kit import STRINGS, a

#: Source types the local cloud builds from (GITTERRA: its own git host; GITEA is gitterra's).
SOURCE_TYPES = ("GITHUB", "GITLAB", "GITEA", "BITBUCKET", "CODECOMMIT", "NO_SOURCE", "GITTERRA")
#: The AWS provider's other source types.
OTHER_SOURCE_TYPES = ("CODEPIPELINE", "GITHUB_ENTERPRISE", "GITLAB_SELF_MANAGED", "S3")
ENVIRONMENT_TYPES = (
    "LINUX_CONTAINER",
    "LINUX_GPU_CONTAINER",
    "ARM_CONTAINER",
    "LINUX_LAMBDA_CONTAINER",
    "ARM_LAMBDA_CONTAINER",
)
OTHER_ENVIRONMENT_TYPES = (
    "WINDOWS_CONTAINER",
    "WINDOWS_SERVER_2019_CONTAINER",
    "WINDOWS_SERVER_2022_CONTAINER",
    "MAC_ARM",
    "LINUX_EC2",
    "ARM_EC2",
    "WINDOWS_EC2",
)
VARIABLE_TYPES = ("PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER")
PULL_CREDENTIALS = ("CODEBUILD", "SERVICE_ROLE")
ARTIFACT_TYPES = ("NO_ARTIFACTS", "S3", "CODEPIPELINE")
LOG_STATUSES = ("ENABLED", "DISABLED")
#: The fields of ``source`` the API takes.
SOURCE_FIELDS = ("type", "location", "git_clone_depth", "buildspec", "report_build_status")

#: Top-level arguments the local cloud has no counterpart for (refused when they ask for
#: anything): KMS keys, VPCs, EFS, batch builds, secondary sources and artifacts.
UNSUPPORTED = (
    "encryption_key",
    "resource_access_role",
    "build_batch_config",
    "file_system_locations",
    "secondary_artifacts",
    "secondary_sources",
    "secondary_source_version",
    "vpc_config",
)

GIT_SUBMODULES = _kit.block({"fetch_submodules": a("R", lang.BOOL)})

SOURCE = _kit.block(
    {
        "type": a("R", lang.STRING, description="GITTERRA (the git host), GITHUB, NO_SOURCE ..."),
        "location": a("O", lang.STRING, description="A git host repository, or a clone URL."),
        "git_clone_depth": a("O", lang.NUMBER, description="0 or unset: the whole history."),
        "buildspec": a("O", lang.STRING, description="A path in the repository, or inline YAML."),
        "report_build_status": a("O", lang.BOOL, description="Commit statuses for builds."),
        "insecure_ssl": a("O", lang.BOOL, description="Not supported by the local cloud."),
    },
    {
        "git_submodules_config": engine.NestedBlock(GIT_SUBMODULES, "list", max_items=1),
        "build_status_config": _kit.unsupported_block("context", "target_url"),
        "auth": _kit.unsupported_block("type", "resource"),
    },
)

VARIABLE = _kit.block(
    {
        "name": a("R", lang.STRING),
        "value": a("R", lang.STRING),
        "type": a("O", lang.STRING, default="PLAINTEXT"),
    }
)

ENVIRONMENT = _kit.block(
    {
        "compute_type": a("R", lang.STRING, description="Recorded (builds run on this machine)."),
        "image": a("R", lang.STRING, description="Recorded (builds run in bash here)."),
        "type": a("R", lang.STRING, description="A Linux type, e.g. LINUX_CONTAINER."),
        "image_pull_credentials_type": a("O", lang.STRING, default="CODEBUILD"),
        "privileged_mode": a("O", lang.BOOL, default=False),
        "certificate": a("O", lang.STRING, description="Not supported by the local cloud."),
    },
    {
        "environment_variable": engine.NestedBlock(VARIABLE, "list"),
        "registry_credential": _kit.unsupported_block("credential", "credential_provider"),
    },
)

ARTIFACTS = _kit.block(
    {
        "type": a("R", lang.STRING, description="NO_ARTIFACTS, S3 or CODEPIPELINE."),
        "location": a("O", lang.STRING),
        "name": a("O", lang.STRING),
        "path": a("O", lang.STRING),
        "packaging": a("O", lang.STRING),
        "namespace_type": a("O", lang.STRING),
        "encryption_disabled": a("O", lang.BOOL, default=False),
        "override_artifact_name": a("O", lang.BOOL, default=False),
        "artifact_identifier": a("O", lang.STRING, description="Not supported by the local cloud."),
        "bucket_owner_access": a("O", lang.STRING, description="Not supported by the local cloud."),
    }
)

CLOUDWATCH_LOGS = _kit.block(
    {
        "status": a("O", lang.STRING, default="ENABLED"),
        "group_name": a("O", lang.STRING),
        "stream_name": a("O", lang.STRING),
    }
)

S3_LOGS = _kit.block(
    {
        "status": a("O", lang.STRING, default="DISABLED"),
        "location": a("O", lang.STRING),
        "encryption_disabled": a("O", lang.BOOL, default=False),
        "bucket_owner_access": a("O", lang.STRING, description="Not supported by the local cloud."),
    }
)

LOGS_CONFIG = _kit.block(
    {},
    {
        "cloudwatch_logs": engine.NestedBlock(CLOUDWATCH_LOGS, "list", max_items=1),
        "s3_logs": engine.NestedBlock(S3_LOGS, "list", max_items=1),
    },
)

CACHE = _kit.block(
    {
        "type": a("O", lang.STRING, default="NO_CACHE", description='"NO_CACHE" only.'),
        "location": a("O", lang.STRING),
        "modes": a("O", STRINGS),
    }
)


def _one(block: engine.BlockSchema, required: bool = False) -> engine.NestedBlock:
    return engine.NestedBlock(block, "list", min_items=1 if required else 0, max_items=1)


PROJECT = engine.ResourceSchema(
    _kit.block(
        {
            "arn": a("C", lang.STRING),
            "id": a("C", lang.STRING, description="The ARN (the name when imported by name)."),
            "name": a("R!", lang.STRING, description="2-255 letters, digits, - and _."),
            "description": a("OC", lang.STRING),
            "source_version": a("O", lang.STRING, description="Default branch, tag or commit."),
            "build_timeout": a("O", lang.NUMBER, default=60, description="Minutes, 5-2160."),
            "queued_timeout": a("O", lang.NUMBER, default=480, description="Minutes, 5-480."),
            "concurrent_build_limit": a("O", lang.NUMBER, description="1-100 (the cloud: 1)."),
            "service_role": a("O", lang.STRING, description="Recorded: there is no IAM here."),
            "badge_enabled": a("O", lang.BOOL, default=False, description="false only."),
            "badge_url": a("C", lang.STRING, description="Empty: there are no badges."),
            "project_visibility": a("O", lang.STRING, default="PRIVATE", description="PRIVATE."),
            "public_project_alias": a("C", lang.STRING, description="Empty (private only)."),
            **_kit.tag_attributes(),
            **_kit.unsupported("encryption_key", "resource_access_role"),
        },
        {
            "source": _one(SOURCE, required=True),
            "environment": _one(ENVIRONMENT, required=True),
            "artifacts": _one(ARTIFACTS, required=True),
            "logs_config": _one(LOGS_CONFIG),
            "cache": _one(CACHE),
            "build_batch_config": _kit.unsupported_block("service_role", "combine_artifacts"),
            "file_system_locations": _kit.unsupported_block("identifier", "location"),
            "secondary_artifacts": _kit.unsupported_block("artifact_identifier", "type"),
            "secondary_sources": _kit.unsupported_block("source_identifier", "type"),
            "secondary_source_version": _kit.unsupported_block(
                "source_identifier", "source_version"
            ),
            "vpc_config": _kit.unsupported_block("vpc_id", "subnets", "security_group_ids"),
        },
        "A build project: its builds run the buildspec of its source in bash on this machine.",
    )
)

"""The ``aws_codebuild_*`` schemas against the AWS provider's (flags as in test_schema.py: R
required, O optional, C computed, ! forces replacement, S sensitive, =X default), the nesting of
their blocks (``filter_group`` a set of ``filter`` lists, single objects as one-element lists),
and validation: every mistake and every argument the local cloud cannot honour refused at its
attribute path, before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from gitterra import engine, lang
from gitterra.providers import aws
from tests.providers.aws.support import typed

#: The AWS provider's flags. One deviation: ``service_role`` is required there and optional
#: here (the local cloud has no IAM; a role is recorded when given).
SUPPORTED: dict[str, dict[str, str]] = {
    "aws_codebuild_project": {
        "arn": "C", "id": "C", "name": "R!", "description": "OC", "source_version": "O",
        "build_timeout": "O=60", "queued_timeout": "O=480", "concurrent_build_limit": "O",
        "service_role": "O", "badge_enabled": "O=False", "badge_url": "C",
        "project_visibility": "O=PRIVATE", "public_project_alias": "C", "tags": "O",
        "tags_all": "C",
    },
    "aws_codebuild_webhook": {
        "id": "C", "project_name": "R!", "build_type": "O", "payload_url": "C", "secret": "CS",
        "url": "C",
    },
    "aws_codebuild_source_credential": {
        "arn": "C", "id": "C", "auth_type": "R!", "server_type": "R!", "token": "R!S",
        "user_name": "O!",
    },
}  # fmt: skip

#: (type, block path) -> (nesting, min_items, max_items, attribute flags).
NESTED: dict[tuple[str, str], tuple[str, int, int, dict[str, str]]] = {
    ("aws_codebuild_project", "source"): ("list", 1, 1, {
        "type": "R", "location": "O", "git_clone_depth": "O", "buildspec": "O",
        "report_build_status": "O", "insecure_ssl": "O"}),
    ("aws_codebuild_project", "source.git_submodules_config"): ("list", 0, 1, {
        "fetch_submodules": "R"}),
    ("aws_codebuild_project", "environment"): ("list", 1, 1, {
        "compute_type": "R", "image": "R", "type": "R",
        "image_pull_credentials_type": "O=CODEBUILD", "privileged_mode": "O=False",
        "certificate": "O"}),
    ("aws_codebuild_project", "environment.environment_variable"): ("list", 0, 0, {
        "name": "R", "value": "R", "type": "O=PLAINTEXT"}),
    ("aws_codebuild_project", "artifacts"): ("list", 1, 1, {
        "type": "R", "location": "O", "name": "O", "path": "O", "packaging": "O",
        "namespace_type": "O", "encryption_disabled": "O=False",
        "override_artifact_name": "O=False", "artifact_identifier": "O",
        "bucket_owner_access": "O"}),
    ("aws_codebuild_project", "logs_config"): ("list", 0, 1, {}),
    ("aws_codebuild_project", "logs_config.cloudwatch_logs"): ("list", 0, 1, {
        "status": "O=ENABLED", "group_name": "O", "stream_name": "O"}),
    ("aws_codebuild_project", "logs_config.s3_logs"): ("list", 0, 1, {
        "status": "O=DISABLED", "location": "O", "encryption_disabled": "O=False"}),
    ("aws_codebuild_project", "cache"): ("list", 0, 1, {
        "type": "O=NO_CACHE", "location": "O", "modes": "O"}),
    ("aws_codebuild_webhook", "filter_group"): ("set", 0, 0, {}),
    ("aws_codebuild_webhook", "filter_group.filter"): ("list", 0, 0, {
        "type": "R", "pattern": "R", "exclude_matched_pattern": "O=False"}),
}  # fmt: skip

ENV = {"compute_type": "BUILD_GENERAL1_SMALL", "image": "aws/codebuild/standard:7.0",
       "type": "LINUX_CONTAINER"}  # fmt: skip
PROJECT: dict[str, Any] = {
    "name": "site",
    "source": [{"type": "GITTERRA", "location": "site"}],
    "environment": [ENV],
    "artifacts": [{"type": "NO_ARTIFACTS"}],
}
PUSH = {"filter": [{"type": "EVENT", "pattern": "PUSH"}]}


def flags(a: engine.Attribute) -> str:
    out = ("R" if a.required else "") + ("O" if a.optional else "") + ("C" if a.computed else "")
    out += ("!" if a.force_new else "") + ("S" if a.sensitive else "")
    return out + (f"={a.default.to_python()}" if a.default is not None else "")


@pytest.fixture(scope="module")
def provider() -> aws.AwsProvider:
    return aws.AwsProvider(env={})


def block_at(provider: aws.AwsProvider, type_: str, path: str) -> engine.NestedBlock:
    block = provider.schema().resources[type_].block
    nb: engine.NestedBlock | None = None
    for name in path.split("."):
        nb = block.blocks[name]
        block = nb.block
    assert nb is not None
    return nb


@pytest.mark.parametrize("type_", sorted(SUPPORTED))
def test_attributes_follow_the_aws_provider(provider: aws.AwsProvider, type_: str) -> None:
    block = provider.schema().resources[type_].block
    got = {n: flags(a) for n, a in block.attributes.items() if n in SUPPORTED[type_]}
    assert got == SUPPORTED[type_]
    for name, a in block.attributes.items():
        if name not in SUPPORTED[type_]:  # the real provider's, refused when they ask
            assert a.optional, name
            assert not a.computed, name


@pytest.mark.parametrize(("type_", "path"), sorted(NESTED))
def test_blocks_follow_the_aws_provider(provider: aws.AwsProvider, type_: str, path: str) -> None:
    nesting, low, high, attrs = NESTED[(type_, path)]
    nb = block_at(provider, type_, path)
    assert (nb.nesting, nb.min_items, nb.max_items) == (nesting, low, high)
    got = {n: flags(a) for n, a in nb.block.attributes.items() if n in attrs}
    assert got == attrs


def _unsupported() -> list[tuple[str, str, Any]]:
    """Every top-level argument and block of the real provider that the local cloud lacks,
    with a value that asks for something."""
    out: list[tuple[str, str, Any]] = []
    resources = aws.AwsProvider(env={}).schema().resources
    for type_ in SUPPORTED:
        block = resources[type_].block
        for name, a in block.attributes.items():
            if name not in SUPPORTED[type_]:
                out.append((type_, name, "x" if a.type is lang.DYNAMIC else "arn:x"))
        for name, nb in block.blocks.items():
            attrs = list(nb.block.attributes)
            if attrs and all(a.type is lang.DYNAMIC for a in nb.block.attributes.values()):
                out.append((type_, name, [{attrs[0]: "x"}]))
    return out


@pytest.mark.parametrize(("type_", "name", "value"), _unsupported())
def test_every_unsupported_argument_is_refused_by_name(
    provider: aws.AwsProvider, type_: str, name: str, value: Any
) -> None:
    base: dict[str, Any] = {
        "aws_codebuild_project": PROJECT,
        "aws_codebuild_webhook": {"project_name": "site"},
        "aws_codebuild_source_credential": {"server_type": "GITHUB", "token": "t",
                                            "auth_type": "PERSONAL_ACCESS_TOKEN"},
    }[type_]  # fmt: skip
    found = problems(provider, type_, **{**base, name: value})
    assert [(a, s) for a, s, _ in found] == [((name,), "Not supported by the local cloud")]
    assert f'"{name}"' in found[0][2]


def problems(provider: aws.AwsProvider, type_: str, **attrs: Any) -> list[tuple[Any, str, str]]:
    block = provider.schema().resources[type_].block
    diags = provider.validate_resource(type_, typed(block, attrs))
    return [(d.attribute, d.summary, d.detail) for d in diags.errors]


def with_source(**source: Any) -> dict[str, Any]:
    return {**PROJECT, "source": [source]}


@pytest.mark.parametrize(
    ("attrs", "path", "words"),
    [
        ({**PROJECT, "name": "-bad"}, ("name",), "letters, digits"),
        ({**PROJECT, "name": "a"}, ("name",), "2 to 255"),
        ({**PROJECT, "build_timeout": 3000}, ("build_timeout",), "(5 - 2160)"),
        ({**PROJECT, "queued_timeout": 4}, ("queued_timeout",), "(5 - 480)"),
        ({**PROJECT, "concurrent_build_limit": 0}, ("concurrent_build_limit",), "(1 - 100)"),
        ({**PROJECT, "description": "x" * 256}, ("description",), "255"),
        (with_source(type="NO_SOURCE"), ("source", 0, "buildspec"), "must be set"),
        (with_source(type="NO_SOURCE", buildspec="version: 0.2\n", location="x"),
         ("source", 0, "location"), "must be empty"),
        (with_source(type="GITTERRA"), ("source", 0, "location"), "git host repository"),
        (with_source(type="GITHUB"), ("source", 0, "location"), "required"),
        (with_source(type="SVN", location="x"), ("source", 0, "type"), "one of"),
        (with_source(type="GITTERRA", location="x", git_clone_depth=-1),
         ("source", 0, "git_clone_depth"), "at least 0"),
        ({**PROJECT, "environment": [{**ENV, "compute_type": "huge"}]},
         ("environment", 0, "compute_type"), "compute type"),
        ({**PROJECT, "environment": [{**ENV, "image_pull_credentials_type": "X"}]},
         ("environment", 0, "image_pull_credentials_type"), "one of"),
        ({**PROJECT, "environment": [{**ENV, "environment_variable": [
            {"name": "A", "value": "1"}, {"name": "B", "value": "2", "type": "VAULT"}]}]},
         ("environment", 0, "environment_variable", 1, "type"), "PARAMETER_STORE"),
        ({**PROJECT, "artifacts": [{"type": "ZIP"}]}, ("artifacts", 0, "type"), "NO_ARTIFACTS"),
        ({**PROJECT, "logs_config": [{"cloudwatch_logs": [{"status": "ON"}]}]},
         ("logs_config", 0, "cloudwatch_logs", 0, "status"), "ENABLED"),
    ],
)  # fmt: skip
def test_mistakes_are_refused_at_their_attribute(
    provider: aws.AwsProvider, attrs: dict[str, Any], path: tuple[Any, ...], words: str
) -> None:
    found = problems(provider, "aws_codebuild_project", **attrs)
    assert len(found) == 1, found
    (attribute, summary, detail) = found[0]
    assert (attribute, summary) == (path, "Invalid value")
    assert words in detail, detail


def test_a_good_project_passes(provider: aws.AwsProvider) -> None:
    assert problems(provider, "aws_codebuild_project", **PROJECT) == []
    inline = with_source(type="NO_SOURCE", buildspec="version: 0.2\n", insecure_ssl=False,
                         git_submodules_config=[{"fetch_submodules": False}])  # fmt: skip
    assert problems(provider, "aws_codebuild_project", **inline, cache=[{"type": "NO_CACHE"}]) == []


@pytest.mark.parametrize(
    ("attrs", "path"),
    [
        ({"encryption_key": "arn:aws:kms:x"}, ("encryption_key",)),
        ({"resource_access_role": "arn:aws:iam::1:role/r"}, ("resource_access_role",)),
        ({"vpc_config": [{"vpc_id": "vpc-1"}]}, ("vpc_config",)),
        ({"secondary_sources": [{"type": "S3"}]}, ("secondary_sources",)),
        ({"build_batch_config": [{"service_role": "r"}]}, ("build_batch_config",)),
        ({"file_system_locations": [{"identifier": "x"}]}, ("file_system_locations",)),
        ({"secondary_artifacts": [{"type": "S3"}]}, ("secondary_artifacts",)),
        ({"secondary_source_version": [{"source_version": "x"}]}, ("secondary_source_version",)),
        ({"badge_enabled": True}, ("badge_enabled",)),
        ({"project_visibility": "PUBLIC_READ"}, ("project_visibility",)),
        ({"cache": [{"type": "S3", "location": "b"}]}, ("cache", 0, "type")),
        ({"source": [{"type": "S3", "location": "b/k"}]}, ("source", 0, "type")),
        ({"source": [{"type": "GITHUB", "location": "https://x/y.git", "insecure_ssl": True}]},
         ("source", 0, "insecure_ssl")),
        ({"source": [{"type": "GITTERRA", "location": "x",
                      "git_submodules_config": [{"fetch_submodules": True}]}]},
         ("source", 0, "git_submodules_config", 0, "fetch_submodules")),
        ({"source": [{"type": "GITTERRA", "location": "x", "auth": [{"type": "OAUTH"}]}]},
         ("source", 0, "auth")),
        ({"source": [{"type": "GITTERRA", "location": "x",
                      "build_status_config": [{"context": "c"}]}]},
         ("source", 0, "build_status_config")),
        ({"environment": [{**ENV, "type": "WINDOWS_SERVER_2019_CONTAINER"}]},
         ("environment", 0, "type")),
        ({"environment": [{**ENV, "certificate": "s3://b/cert.pem"}]},
         ("environment", 0, "certificate")),
        ({"environment": [{**ENV, "registry_credential": [{"credential": "c"}]}]},
         ("environment", 0, "registry_credential")),
        ({"artifacts": [{"type": "S3", "artifact_identifier": "a"}]},
         ("artifacts", 0, "artifact_identifier")),
        ({"logs_config": [{"s3_logs": [{"bucket_owner_access": "FULL"}]}]},
         ("logs_config", 0, "s3_logs", 0, "bucket_owner_access")),
    ],
)  # fmt: skip
def test_what_the_local_cloud_cannot_do_is_refused_by_name(
    provider: aws.AwsProvider, attrs: dict[str, Any], path: tuple[Any, ...]
) -> None:
    found = problems(provider, "aws_codebuild_project", **{**PROJECT, **attrs})
    assert [(a, s) for a, s, _ in found] == [(path, "Not supported by the local cloud")], found
    assert str(path[0]) in found[0][2]


@pytest.mark.parametrize(
    ("attrs", "path", "summary"),
    [
        ({"build_type": "BUILD_BATCH"}, ("build_type",), "Not supported by the local cloud"),
        ({"build_type": "NIGHTLY"}, ("build_type",), "Invalid value"),
        ({"branch_filter": "^main$"}, ("branch_filter",), "Not supported by the local cloud"),
        ({"manual_creation": True}, ("manual_creation",), "Not supported by the local cloud"),
        ({"scope_configuration": [{"name": "org"}]}, ("scope_configuration",),
         "Not supported by the local cloud"),
        ({"pull_request_build_policy": [{"requires_comment_approval": "ALL"}]},
         ("pull_request_build_policy",), "Not supported by the local cloud"),
        ({"filter_group": [{"filter": [{"type": "EVENT", "pattern": "PUSH"},
                                       {"type": "BRANCH", "pattern": "main"}]}]},
         ("filter_group", 0, "filter", 1, "type"), "Invalid value"),
    ],
)  # fmt: skip
def test_webhook_mistakes_are_refused_at_their_attribute(
    provider: aws.AwsProvider, attrs: dict[str, Any], path: tuple[Any, ...], summary: str
) -> None:
    found = problems(provider, "aws_codebuild_webhook", project_name="site", **attrs)
    assert [(a, s) for a, s, _ in found] == [(path, summary)], found


def test_a_bad_filter_type_names_its_group(provider: aws.AwsProvider) -> None:
    bad = {"filter": [{"type": "EVENT", "pattern": "PUSH"}, {"type": "REF", "pattern": "x"}]}
    ((_, _, detail),) = problems(provider, "aws_codebuild_webhook", project_name="s",
                                 filter_group=[bad])  # fmt: skip
    assert 'filter type "REF" (in the filter group EVENT "PUSH", REF "x")' in detail
    assert problems(provider, "aws_codebuild_webhook", project_name="s", filter_group=[PUSH]) == []


@pytest.mark.parametrize(
    ("attrs", "path", "summary"),
    [
        ({"server_type": "SVN"}, ("server_type",), "Invalid value"),
        ({"auth_type": "SECRETS_MANAGER"}, ("auth_type",), "Not supported by the local cloud"),
        ({"auth_type": "PASSWORD"}, ("auth_type",), "Invalid value"),
    ],
)
def test_source_credential_mistakes_are_refused(
    provider: aws.AwsProvider, attrs: dict[str, Any], path: tuple[Any, ...], summary: str
) -> None:
    base = {"server_type": "GITHUB", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": "t"}
    found = problems(provider, "aws_codebuild_source_credential", **{**base, **attrs})
    assert [(a, s) for a, s, _ in found] == [(path, summary)], found

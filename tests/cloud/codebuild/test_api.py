"""The CodeBuild API's records: projects, webhooks, secrets and source credentials created,
read, changed and deleted; every bad input refused with a ValidationError naming the field
(filter groups: the group and the filter), and nothing changed by a refused request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.cloud.codebuild.conftest import B, InProcess, P, W, create, in_process, project
from tests.cloud.conftest import api_error

pytestmark = pytest.mark.slow

S = "/api/v1/codebuild/secrets"
C = "/api/v1/codebuild/source-credentials"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    with in_process(tmp_path_factory.mktemp("api")) as srv:
        yield srv


@pytest.fixture
def client(server: InProcess) -> httpx.Client:
    return server.client


def test_project_defaults_read_update_delete(client: httpx.Client) -> None:
    doc = create(client, P, project("defaults"))
    assert doc["arn"] == "arn:aws:codebuild:local-1:000000000000:project/defaults"
    assert (doc["build_timeout"], doc["queued_timeout"], doc["concurrent_build_limit"]) == (
        60,
        480,
        1,
    )
    assert doc["source"]["git_clone_depth"] == 0
    assert doc["source"]["report_build_status"] is False
    assert client.get(f"{P}/defaults").json() == doc
    assert "defaults" in [p["name"] for p in client.get(P).json()["items"]]
    changed = client.patch(
        f"{P}/defaults", json={"build_timeout": 10, "tags": {"team": "web"}}
    ).json()
    assert (changed["build_timeout"], changed["tags"]) == (10, {"team": "web"})
    assert changed["created_at"] == doc["created_at"]
    assert client.delete(f"{P}/defaults").status_code == 204
    api_error(client.get(f"{P}/defaults"), 404, "NotFound")
    api_error(
        client.post(P, json=project("twice")) and client.post(P, json=project("twice")),
        409,
        "Conflict",
        "name",
    )


BAD_PROJECTS: list[tuple[dict[str, Any], str]] = [
    ({"name": "x"}, "name"),
    ({"name": "bad name!"}, "name"),
    ({"source": None}, "source"),
    ({"source": {"type": "SVN"}}, "source.type"),
    ({"source": {"type": "GITHUB"}}, "source.location"),
    ({"source": {"type": "GITHUB", "location": "ftp://x/y"}}, "source.location"),
    ({"source": {"type": "GITTERRA", "location": "http://h/not-git/x"}}, "source.location"),
    (
        {"source": {"type": "GITTERRA", "location": "site", "buildspec": "../outside.yml"}},
        "source.buildspec",
    ),
    ({"source": {"type": "NO_SOURCE", "buildspec": "buildspec.yml"}}, "source.buildspec"),
    (
        {"source": {"type": "GITTERRA", "location": "site", "git_clone_depth": -1}},
        "source.git_clone_depth",
    ),
    ({"source": {"type": "GITTERRA", "location": "site", "surprise": 1}}, "source.surprise"),
    ({"environment": None}, "environment"),
    (
        {"environment": {"compute_type": "huge", "image": "i", "type": "LINUX_CONTAINER"}},
        "environment.compute_type",
    ),
    (
        {
            "environment": {
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": "i",
                "type": "WINDOWS_SERVER_2019_CONTAINER",
            }
        },
        "environment.type",
    ),
    (
        {
            "environment": {
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": "i",
                "type": "LINUX_CONTAINER",
                "environment_variable": [{"name": "CODEBUILD_X", "value": "1"}],
            }
        },
        "environment.environment_variable.0.name",
    ),
    (
        {
            "environment": {
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": "i",
                "type": "LINUX_CONTAINER",
                "environment_variable": [{"name": "A", "value": "1", "type": "VAULT"}],
            }
        },
        "environment.environment_variable.0.type",
    ),
    ({"build_timeout": 4}, "build_timeout"),
    ({"build_timeout": 2161}, "build_timeout"),
    ({"queued_timeout": 481}, "queued_timeout"),
    ({"concurrent_build_limit": 0}, "concurrent_build_limit"),
    ({"artifacts": {"type": "FTP"}}, "artifacts.type"),
    (
        {"logs_config": {"cloudwatch_logs": {"status": "MAYBE"}}},
        "logs_config.cloudwatch_logs.status",
    ),
    ({"badge_enabled": True}, "badge_enabled"),
]


@pytest.mark.parametrize(("change", "field"), BAD_PROJECTS, ids=[f for _, f in BAD_PROJECTS])
def test_bad_projects_are_refused_naming_the_field(
    client: httpx.Client, change: dict[str, Any], field: str
) -> None:
    body = {**project("refused"), **change}
    before = client.get(P).json()["items"]
    api_error(client.post(P, json=body), 400, "ValidationError", field)
    assert client.get(P).json()["items"] == before


def test_a_bad_update_changes_nothing(client: httpx.Client) -> None:
    doc = create(client, P, project("kept"))
    api_error(
        client.patch(f"{P}/kept", json={"build_timeout": 1}),
        400,
        "ValidationError",
        "build_timeout",
    )
    api_error(client.patch(f"{P}/kept", json={"name": "other"}), 400, "ValidationError", "name")
    assert client.get(f"{P}/kept").json() == doc


def test_webhooks(client: httpx.Client, server: InProcess) -> None:
    create(client, P, project("hooked", source={"type": "GITTERRA", "location": "site"}))
    hook = create(
        client,
        W,
        {
            "project_name": "hooked",
            "filter_group": [{"filter": [{"type": "EVENT", "pattern": "PUSH"}]}],
        },
    )
    assert hook["payload_url"] == ""  # the git host's events come in directly
    assert hook["build_type"] == "BUILD"
    api_error(client.post(W, json={"project_name": "hooked"}), 409, "Conflict", "project_name")
    api_error(client.post(W, json={"project_name": "ghost"}), 404, "NotFound")
    changed = client.patch(f"{W}/hooked", json={"filter_group": []}).json()
    assert changed["filter_group"] == []
    assert changed["secret"] == hook["secret"]
    create(
        client,
        P,
        project("bucket", source={"type": "BITBUCKET", "location": "https://bitbucket.org/a/b"}),
    )
    message = api_error(
        client.post(W, json={"project_name": "bucket"}), 400, "ValidationError", "project_name"
    )
    assert "BITBUCKET" in message
    assert client.delete(f"{W}/hooked").status_code == 204
    api_error(client.get(f"{W}/hooked"), 404, "NotFound")


BAD_GROUPS: list[tuple[list[Any], str, str]] = [
    (
        [{"filter": [{"type": "HEAD_REF", "pattern": "main"}]}],
        "filter_group.0",
        "needs an EVENT filter",
    ),
    (
        [
            {"filter": [{"type": "EVENT", "pattern": "PUSH"}]},
            {"filter": [{"type": "EVENT", "pattern": "PUSHED"}]},
        ],
        "filter_group.1.filter.0.pattern",
        "PUSHED",
    ),
    (
        [
            {
                "filter": [
                    {"type": "EVENT", "pattern": "PUSH"},
                    {"type": "HEAD_REF", "pattern": "(unclosed"},
                ]
            }
        ],
        "filter_group.0.filter.1.pattern",
        "unclosed",
    ),
    (
        [{"filter": [{"type": "EVENT", "pattern": "PUSH"}, {"type": "BRANCH", "pattern": "x"}]}],
        "filter_group.0.filter.1.type",
        "BRANCH",
    ),
    ([{"filters": []}], "filter_group.0.filters", "filters"),
]


@pytest.mark.parametrize(("groups", "field", "said"), BAD_GROUPS, ids=[f for _, f, _ in BAD_GROUPS])
def test_bad_filter_groups_name_the_group_and_filter(
    client: httpx.Client, groups: list[Any], field: str, said: str
) -> None:
    if client.get(f"{P}/filtered").status_code == 404:
        create(
            client,
            P,
            project("filtered", source={"type": "GITHUB", "location": "https://github.com/a/b"}),
        )
    message = api_error(
        client.post(W, json={"project_name": "filtered", "filter_group": groups}),
        400,
        "ValidationError",
        field,
    )
    assert said in message
    api_error(client.get(f"{W}/filtered"), 404, "NotFound")


def test_secrets_are_never_returned(client: httpx.Client) -> None:
    doc = create(client, S, {"name": "db/password", "value": "s3cr3t"})
    assert "value" not in doc
    assert doc["name"] == "db/password"
    assert "value" not in client.get(f"{S}/db/password").json()
    api_error(client.post(S, json={"name": "db/password", "value": "x"}), 409, "Conflict", "name")
    api_error(
        client.post(S, json={"name": "bad name", "value": "x"}), 400, "ValidationError", "name"
    )
    api_error(client.post(S, json={"name": "novalue"}), 400, "ValidationError", "value")
    replaced = client.put(f"{S}/db/password", json={"value": "n3w"}).json()
    assert "value" not in replaced
    assert replaced["updated_at"] >= doc["updated_at"]
    assert "s3cr3t" not in client.get(S).text
    assert "n3w" not in client.get(S).text
    assert client.delete(f"{S}/db/password").status_code == 204
    api_error(client.get(f"{S}/db/password"), 404, "NotFound")


def test_source_credentials_are_never_returned(client: httpx.Client) -> None:
    doc = create(
        client,
        C,
        {
            "server_type": "GITHUB_ENTERPRISE",
            "auth_type": "PERSONAL_ACCESS_TOKEN",
            "token": "ghp_x",
        },
    )
    assert "token" not in doc
    assert doc["arn"].endswith(":token/github_enterprise")
    assert "ghp_x" not in client.get(C).text
    assert client.get(f"{C}/{doc['arn']}").json()["server_type"] == "GITHUB_ENTERPRISE"
    api_error(
        client.post(
            C,
            json={
                "server_type": "GITHUB_ENTERPRISE",
                "auth_type": "PERSONAL_ACCESS_TOKEN",
                "token": "y",
            },
        ),
        409,
        "Conflict",
        "server_type",
    )
    api_error(
        client.post(
            C, json={"server_type": "SVN", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": "y"}
        ),
        400,
        "ValidationError",
        "server_type",
    )
    api_error(
        client.post(C, json={"server_type": "GITEA", "auth_type": "PERSONAL_ACCESS_TOKEN"}),
        400,
        "ValidationError",
        "token",
    )
    assert client.delete(f"{C}/GITHUB_ENTERPRISE").status_code == 204


def test_bad_build_requests(client: httpx.Client) -> None:
    api_error(client.post(B, json={"project_name": "ghost"}), 404, "NotFound")
    create(client, P, project("nosrc"))
    api_error(
        client.post(B, json={"project_name": "nosrc", "source_version": "main"}),
        400,
        "ValidationError",
        "source_version",
    )
    bad = {
        "project_name": "nosrc",
        "environment_variables_override": [{"name": "A", "value": "1", "type": "SECRETS_MANAGER"}],
    }
    api_error(
        client.post(B, json=bad), 400, "ValidationError", "environment_variables_override.0.type"
    )
    assert client.get(B, params={"project": "nosrc"}).json()["items"] == []
    api_error(client.get(f"{B}/nosrc:nope"), 404, "NotFound")
    api_error(
        client.get("/api/v1/codebuild/projects", headers={"Authorization": "Bearer wrong"}),
        401,
        "Unauthorized",
    )

"""``aws_codebuild_project``, ``aws_codebuild_webhook`` and ``aws_codebuild_source_credential``
against the fake API: what is sent, what state holds (unset arguments stay null), refresh,
import by the AWS provider's ids with no change planned afterwards, updates in place, drift, and
API refusals placed at their attribute with nothing created or changed."""

from __future__ import annotations

from typing import Any

from gitterra import lang
from gitterra.providers.aws import _codebuild_kit, _codebuild_schema
from tests.providers.aws.fake_cloud import FakeCloud
from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws.test_codebuild_schema import ENV, PROJECT

P = "aws_codebuild_project"
W = "aws_codebuild_webhook"
C = "aws_codebuild_source_credential"
ARN = "arn:aws:codebuild:local-1:000000000000:project/site"
#: The seed's filter groups, anchored.
GROUPS = [
    {"filter": [{"type": "EVENT", "pattern": "PUSH"},
                {"type": "HEAD_REF", "pattern": "^refs/heads/main$"}]},
    {"filter": [{"type": "EVENT",
                 "pattern": "PULL_REQUEST_CREATED,PULL_REQUEST_UPDATED,PULL_REQUEST_REOPENED"},
                {"type": "BASE_REF", "pattern": "^refs/heads/main$"}]},
]  # fmt: skip
FULL: dict[str, Any] = {
    **PROJECT,
    "description": "the site",
    "source": [{"type": "GITTERRA", "location": "site", "git_clone_depth": 1,
                "report_build_status": True}],
    "environment": [{**ENV, "environment_variable": [
        {"name": "STAGE", "value": "prod"}, {"name": "TOKEN", "value": "deploy/token",
                                             "type": "PARAMETER_STORE"}]}],
    "logs_config": [{"cloudwatch_logs": [{"group_name": "site-log-group"}]}],
    "build_timeout": 120,
    "tags": {"team": "web"},
}  # fmt: skip


def sent(fake: FakeCloud, method: str, suffix: str) -> Any:
    return [b for m, p, b in fake.calls if m == method and p.endswith(suffix)][-1]


def no_change(d: Driver, type_: str, state: lang.Value, **attrs: Any) -> None:
    """Planning ``attrs`` against ``state`` plans exactly ``state``."""
    change = d.plan(type_, state, d.config(type_, **attrs))
    assert not change.requires_replace
    assert change.planned == state


# ---- projects ---------------------------------------------------------------------------------


def test_project_create_read_import(driver: Driver, fake: FakeCloud) -> None:
    state = driver.create(P, **FULL)
    body = sent(fake, "POST", "/codebuild/projects")
    assert body["source"] == {"type": "GITTERRA", "location": "site", "git_clone_depth": 1,
                              "report_build_status": True}  # fmt: skip
    assert body["logs_config"] == {"cloudwatch_logs": {"status": "ENABLED",
                                                       "group_name": "site-log-group"}}  # fmt: skip
    assert body["environment"]["environment_variable"][0] == {
        "name": "STAGE", "value": "prod", "type": "PLAINTEXT"}  # fmt: skip
    assert "service_role" not in body
    assert "concurrent_build_limit" not in body
    assert attr(state, "id") == attr(state, "arn") == ARN  # created by Terraform: the ARN
    assert attr(state, "source_version") is None  # unset, and the cloud's default: null
    assert attr(state, "concurrent_build_limit") is None
    assert attr(state, "logs_config") == [{"cloudwatch_logs": [
        {"status": "ENABLED", "group_name": "site-log-group", "stream_name": None}],
        "s3_logs": []}]  # fmt: skip
    assert attr(state, "tags_all") == {"team": "web"}
    assert driver.read(P, state).state == state
    no_change(driver, P, state, **FULL)
    for ident in ("site", ARN):
        imported = driver.import_(P, ident)
        assert not imported.diagnostics.has_errors, errors(imported.diagnostics)
        (found,) = imported.states
        assert attr(found, "id") == ident  # as the AWS provider: what imported it
        assert attr(found, "arn") == ARN
        assert driver.read(P, found).state == found
        no_change(driver, P, found, **FULL)


def test_project_update_sends_what_changed(driver: Driver, fake: FakeCloud) -> None:
    state = driver.create(P, **FULL)
    fake.calls.clear()
    changed = {**FULL, "description": "new", "logs_config": [], "concurrent_build_limit": 2}
    updated = driver.update(P, state, **changed)
    body = sent(fake, "PATCH", "/codebuild/projects/site")
    # logs_config removed: null, which the API resets to its default
    assert body == {"description": "new", "logs_config": None, "concurrent_build_limit": 2}
    assert attr(updated, "logs_config") == []
    assert fake.cb_projects["site"]["logs_config"]["cloudwatch_logs"]["group_name"] == ""
    assert attr(updated, "id") == ARN
    back = driver.update(P, updated, **{**changed, "concurrent_build_limit": None})
    assert sent(fake, "PATCH", "/codebuild/projects/site") == {"concurrent_build_limit": None}
    assert attr(back, "concurrent_build_limit") is None
    assert fake.cb_projects["site"]["concurrent_build_limit"] == 1
    same, result = driver.change(P, back, **{**changed, "concurrent_build_limit": None})
    assert same.planned == back
    assert result.state == back
    assert [m for m, _, _ in fake.calls].count("PATCH") == 2


def test_project_renamed_is_replaced(driver: Driver) -> None:
    state = driver.create(P, **PROJECT)
    change = driver.plan(P, state, driver.config(P, **{**PROJECT, "name": "site2"}))
    assert change.requires_replace == (("name",),)
    assert not change.planned.items()["arn"].is_known


def test_project_drift(driver: Driver, fake: FakeCloud) -> None:
    state = driver.create(P, **PROJECT)
    fake.cb_projects["site"]["source"]["git_clone_depth"] = 5  # changed outside
    fake.cb_projects["site"]["service_role"] = "arn:aws:iam::000000000000:role/x"
    drifted = driver.read(P, state).state
    assert drifted is not None
    assert attr(drifted, "source")[0]["git_clone_depth"] == 5
    assert attr(drifted, "service_role") == "arn:aws:iam::000000000000:role/x"
    change, result = driver.change(P, drifted, **PROJECT)
    assert not change.requires_replace
    assert not result.diagnostics.has_errors
    body = sent(fake, "PATCH", "/codebuild/projects/site")
    assert body["source"] == {"type": "GITTERRA", "location": "site"}
    assert body["service_role"] is None
    assert fake.cb_projects["site"]["source"]["git_clone_depth"] == 0
    del fake.cb_projects["site"]  # deleted outside: gone from state, created again
    assert driver.read(P, state).state is None
    assert not driver.delete(P, state).diagnostics.has_errors  # deleting a gone one is fine


def test_project_without_source(driver: Driver, fake: FakeCloud) -> None:
    inline = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hi\n"
    state = driver.create(P, **{**PROJECT, "source": [{"type": "NO_SOURCE", "buildspec": inline}]})
    assert attr(state, "source")[0]["location"] is None
    assert fake.cb_projects["site"]["source"]["buildspec"] == inline


def test_project_refusals_are_placed_and_change_nothing(driver: Driver, fake: FakeCloud) -> None:
    reserved = {**ENV, "environment_variable": [
        {"name": "A", "value": "1"}, {"name": "CODEBUILD_X", "value": "2"}]}  # fmt: skip
    result = driver.try_create(P, **{**PROJECT, "environment": [reserved]})
    (diag,) = result.diagnostics.errors
    assert diag.attribute == ("environment", 0, "environment_variable", 1, "name")
    assert "environment.0.environment_variable.1.name" in diag.detail
    assert diag.summary.startswith("creating CodeBuild Project (site): ")
    assert result.state is None
    assert fake.cb_projects == {}
    driver.create(P, **PROJECT)
    taken = driver.try_create(P, **PROJECT)
    assert [d.attribute for d in taken.diagnostics.errors] == [("name",)]


def test_api_fields_become_attribute_paths() -> None:
    block = _codebuild_schema.PROJECT.block
    path = _codebuild_kit.schema_path
    assert path(block, "source.buildspec") == ("source", 0, "buildspec")
    assert path(block, "logs_config.cloudwatch_logs.status") == (
        "logs_config", 0, "cloudwatch_logs", 0, "status")  # fmt: skip
    assert path(block, "environment.environment_variable.3") == (
        "environment", 0, "environment_variable", 3)  # fmt: skip
    assert path(block, "name") == ("name",)
    assert path(block, "tags.team") == ("tags", "team")
    assert path(block, "filter_group.1.filter.0.pattern") == (
        "filter_group", 1, "filter", 0, "pattern")  # fmt: skip


# ---- webhooks ---------------------------------------------------------------------------------


def test_webhook_create_read_import(driver: Driver, fake: FakeCloud) -> None:
    driver.create(P, **PROJECT)
    hook = driver.create(W, project_name="site", filter_group=GROUPS)
    body = sent(fake, "POST", "/codebuild/webhooks")
    assert body["project_name"] == "site"
    assert "build_type" not in body
    assert sorted(g["filter"][0]["pattern"] for g in body["filter_group"]) == sorted(
        g["filter"][0]["pattern"] for g in GROUPS
    )
    assert all(f["exclude_matched_pattern"] is False for g in body["filter_group"]
               for f in g["filter"])  # fmt: skip
    assert attr(hook, "id") == "site"
    assert attr(hook, "payload_url") == ""  # GITTERRA: events come from the git host
    assert attr(hook, "url").endswith("/api/v1/codebuild/webhooks/site")
    assert attr(hook, "build_type") is None
    assert hook.items()["secret"].to_python() == "s3cr3t"
    assert driver.read(W, hook).state == hook
    no_change(driver, W, hook, project_name="site", filter_group=list(reversed(GROUPS)))
    (imported,) = driver.import_(W, "site").states
    assert attr(imported, "id") == "site"
    no_change(driver, W, imported, project_name="site", filter_group=GROUPS)


def test_webhook_updates_in_place(driver: Driver, fake: FakeCloud) -> None:
    driver.create(P, **PROJECT)
    hook = driver.create(W, project_name="site", filter_group=GROUPS)
    fake.calls.clear()
    only_push = [GROUPS[0]]
    updated = driver.update(W, hook, project_name="site", filter_group=only_push,
                            build_type="BUILD")  # fmt: skip
    body = sent(fake, "PATCH", "/codebuild/webhooks/site")
    assert body == {"build_type": "BUILD", "filter_group": [
        {"filter": [{**f, "exclude_matched_pattern": False} for f in GROUPS[0]["filter"]]}]}  # fmt: skip
    assert len(attr(updated, "filter_group")) == 1
    assert attr(updated, "secret") == attr(hook, "secret")
    replaced = driver.plan(W, updated, driver.config(W, project_name="other"))
    assert replaced.requires_replace == (("project_name",),)


def test_webhook_of_a_forge_project_has_a_payload_url(driver: Driver) -> None:
    github = {"type": "GITHUB", "location": "https://github.com/o/r.git"}
    driver.create(P, **{**PROJECT, "source": [github]})
    hook = driver.create(W, project_name="site")
    assert attr(hook, "payload_url").startswith("http://fake/webhooks/github/wh-")
    assert attr(hook, "filter_group") == []


def test_webhook_refusals_name_the_filter(driver: Driver, fake: FakeCloud) -> None:
    driver.create(P, **PROJECT)
    bad_regex = {"filter": [{"type": "EVENT", "pattern": "PUSH"},
                            {"type": "HEAD_REF", "pattern": "^refs/heads/(main$"}]}  # fmt: skip
    result = driver.try_create(W, project_name="site", filter_group=[bad_regex])
    (diag,) = result.diagnostics.errors
    assert diag.attribute == ("filter_group", 0, "filter", 1, "pattern")
    assert diag.summary.startswith("creating CodeBuild Webhook (site): invalid filter groups")
    assert 'filter_group[0]: EVENT "PUSH", HEAD_REF "^refs/heads/(main$"' in diag.detail
    assert result.state is None
    assert fake.cb_webhooks == {}
    no_event = {"filter": [{"type": "HEAD_REF", "pattern": "^refs/heads/main$"}]}
    result = driver.try_create(W, project_name="site", filter_group=[GROUPS[0], no_event])
    (diag,) = result.diagnostics.errors
    index = diag.attribute[1]
    assert diag.attribute == ("filter_group", index)
    assert f'filter_group[{index}]: HEAD_REF "^refs/heads/main$"' in diag.detail
    assert "needs an EVENT filter" in diag.detail
    # an update the API refuses keeps the prior state and the webhook as it was
    hook = driver.create(W, project_name="site", filter_group=GROUPS)
    stored = [dict(g) for g in fake.cb_webhooks["site"]["filter_group"]]
    change, result = driver.change(W, hook, project_name="site", filter_group=[bad_regex])
    assert not change.requires_replace
    assert result.state == hook
    assert [d.attribute[:2] for d in result.diagnostics.errors] == [("filter_group", 0)]
    assert fake.cb_webhooks["site"]["filter_group"] == stored


def test_webhook_gone_with_its_project(driver: Driver, fake: FakeCloud) -> None:
    project = driver.create(P, **PROJECT)
    hook = driver.create(W, project_name="site", filter_group=GROUPS)
    assert not driver.delete(P, project).diagnostics.has_errors
    assert driver.read(W, hook).state is None
    assert not driver.delete(W, hook).diagnostics.has_errors
    missing = driver.import_(W, "site")
    assert [d.summary for d in missing.diagnostics.errors] == [
        "Cannot import non-existent remote object"
    ]


# ---- source credentials -----------------------------------------------------------------------


def test_source_credential(driver: Driver, fake: FakeCloud) -> None:
    given: dict[str, Any] = {"server_type": "GITHUB", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": "ghp_1",
             "user_name": "me"}  # fmt: skip
    cred = driver.create(C, **given)
    assert sent(fake, "POST", "/source-credentials") == {
        "server_type": "GITHUB", "auth_type": "PERSONAL_ACCESS_TOKEN", "token": "ghp_1"}  # fmt: skip
    arn = "arn:aws:codebuild:local-1:000000000000:token/github"
    assert attr(cred, "id") == attr(cred, "arn") == arn
    assert cred.items()["token"].to_python() == "ghp_1"  # as configured: never read back
    assert driver.read(C, cred).state == cred
    (imported,) = driver.import_(C, arn).states
    assert attr(imported, "token") is None
    assert attr(imported, "server_type") == "GITHUB"
    again = driver.plan(C, cred, driver.config(C, **{**given, "token": "ghp_2"}))
    assert again.requires_replace == (("token",),)
    taken = driver.try_create(C, **given)
    assert [d.attribute for d in taken.diagnostics.errors] == [("server_type",)]
    assert not driver.delete(C, cred).diagnostics.has_errors
    assert driver.read(C, cred).state is None
    basic = driver.create(C, **{**given, "server_type": "GITEA", "auth_type": "BASIC_AUTH"})
    assert sent(fake, "POST", "/source-credentials")["user_name"] == "me"
    assert attr(basic, "user_name") == "me"

"""``aws_codebuild_webhook`` (``/api/v1/codebuild/webhooks``, one per project, addressed by the
project's name, which is also the resource's ``id`` and its import id).

As in the AWS provider, ``filter_group`` is a set of groups (their order means nothing: OR
between groups) and ``filter`` an ordered list (AND within a group); ``build_type`` and the
groups are updated in place. The API validates the groups (an ``EVENT`` filter in each, event
names, RE2 patterns) and names the first problem as ``filter_group.<i>.filter.<j>.<key>``: the
diagnostic is placed there, and since a set has no order of its own, its detail lists the
groups in the order they were sent, so ``filter_group[1]`` can be found. ``payload_url`` is
empty for GITTERRA projects (their events come from the git host); ``secret`` is sensitive.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws import _codebuild_kit as kit
from gitterra.providers.aws._codebuild_kit import keep_null
from gitterra.providers.aws._kit import a

#: The AWS provider's filter types (the API refuses the few the local cloud cannot match).
FILTER_TYPES = (
    "EVENT",
    "BASE_REF",
    "HEAD_REF",
    "ACTOR_ACCOUNT_ID",
    "FILE_PATH",
    "COMMIT_MESSAGE",
    "WORKFLOW_NAME",
    "TAG_NAME",
    "RELEASE_NAME",
    "REPOSITORY_NAME",
    "ORGANIZATION_NAME",
)

FILTER = _kit.block(
    {
        "type": a("R", lang.STRING, description="EVENT, HEAD_REF, BASE_REF, FILE_PATH ..."),
        "pattern": a("R", lang.STRING, description="Events (a comma list), or an RE2 regex."),
        "exclude_matched_pattern": a("O", lang.BOOL, default=False),
    }
)
FILTER_GROUP = _kit.block({}, {"filter": engine.NestedBlock(FILTER, "list")})

SCHEMA = engine.ResourceSchema(
    _kit.block(
        {
            "id": a("C", lang.STRING, description="The project's name."),
            "project_name": a("R!", lang.STRING),
            "build_type": a("O", lang.STRING, description='"BUILD".'),
            "branch_filter": a("O", lang.STRING, description="Not supported: use filter_group."),
            **_kit.unsupported("manual_creation"),
            "payload_url": a("C", lang.STRING, description="Where forges deliver (not GITTERRA)."),
            "secret": a("C", lang.STRING, sensitive=True, description="Signs deliveries."),
            "url": a("C", lang.STRING, description="The webhook in the API."),
        },
        {
            "filter_group": engine.NestedBlock(FILTER_GROUP, "set"),
            "scope_configuration": _kit.unsupported_block("name", "scope", "domain"),
            "pull_request_build_policy": _kit.unsupported_block(
                "requires_comment_approval", "approver_roles"
            ),
        },
        "Which pushes and pull requests start builds of a project.",
    )
)


class Webhook(kit.CodeBuildResource):
    name = "aws_codebuild_webhook"
    label = "CodeBuild Webhook"
    unsupported: ClassVar[tuple[str, ...]] = (
        "branch_filter",
        "manual_creation",
        "scope_configuration",
        "pull_request_build_policy",
    )
    schema = SCHEMA

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        kit.check_choice(
            cfg.get("build_type"),
            ("build_type",),
            ("BUILD",),
            diags,
            ("BUILD_BATCH", "RUNNER_BUILDKITE_BUILD"),
        )
        for g, group in enumerate(cfg.get("filter_group") or []):
            for f, flt in enumerate(group.get("filter") or []):
                kind = flt.get("type")
                if kind is not None and kind not in FILTER_TYPES:
                    path = ("filter_group", g, "filter", f, "type")
                    listed = ", ".join(FILTER_TYPES)
                    diags.add(
                        _resource.invalid(
                            path,
                            f'filter type "{kind}" (in the filter group {describe(group)}) '
                            f"is not one of {listed}",
                        )
                    )

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        body: dict[str, Any] = {"project_name": p["project_name"], "filter_group": groups(p)}
        if p.get("build_type") is not None:
            body["build_type"] = p["build_type"]
        try:
            doc = await self.cloud.codebuild.create_webhook(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.refused(exc, "creating", p, body))
        return engine.ApplyResult(self.state(webhook_state(p, doc)))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        body: dict[str, Any] = {}
        if _kit.changed(prior, planned, "build_type"):
            body["build_type"] = p["build_type"]
        if _kit.changed(prior, planned, "filter_group"):
            body["filter_group"] = groups(p)
        if not body:
            return engine.ApplyResult(planned)
        try:
            doc = await self.cloud.codebuild.update_webhook(p["id"], body)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.refused(exc, "updating", p, body))
        return engine.ApplyResult(self.state(webhook_state(p, doc)))

    def refused(
        self, exc: _client.CloudError, verb: str, p: dict[str, Any], body: dict[str, Any]
    ) -> Diagnostics:
        """The API's error; when it names a filter group, its message (one line per problem)
        goes to the detail, followed by the groups in the order they were sent."""
        diags = self.failed(exc, verb, p["project_name"])
        if not (isinstance(exc, _client.ApiError) and (exc.field or "").startswith("filter_group")):
            return diags
        headline, _, problems = exc.message.partition("\n")
        sent = body.get("filter_group") or []
        listing = "\n".join(f"  filter_group[{i}]: {describe(g)}" for i, g in enumerate(sent))
        (diag,) = diags
        shown = ".".join(str(step) for step in diag.attribute)
        return Diagnostics(
            [
                dataclasses.replace(
                    diag,
                    summary=f"{verb} {self.label} ({p['project_name']}): {headline.rstrip(':')}",
                    detail=f"The local cloud refused {shown} ({exc.code}):\n"
                    f"{problems or headline}\n\nThe filter groups form a set; they were sent "
                    f"in this order:\n{listing}",
                )
            ]
        )

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.codebuild.delete_webhook(p["id"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.codebuild.get_webhook(p["id"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.state(webhook_state(p, doc)))

    async def import_(self, id_: str) -> engine.ImportResult:
        """By the project's name, as the AWS provider."""
        try:
            doc = await self.cloud.codebuild.get_webhook(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.state(webhook_state({}, doc)),))


def groups(p: dict[str, Any]) -> list[dict[str, Any]]:
    """The API's ``filter_group`` for the planned values."""
    return [
        {
            "filter": [
                {
                    "type": f["type"],
                    "pattern": f["pattern"],
                    "exclude_matched_pattern": bool(f.get("exclude_matched_pattern")),
                }
                for f in g.get("filter") or []
            ]
        }
        for g in p.get("filter_group") or []
    ]


def describe(group: dict[str, Any]) -> str:
    """A filter group as a reader finds it in the configuration: ``EVENT "PUSH", HEAD_REF
    "^refs/heads/main$"``."""
    parts = []
    for f in group.get("filter") or []:
        negated = "not " if f.get("exclude_matched_pattern") else ""
        parts.append(f'{f.get("type")} {negated}"{f.get("pattern")}"')
    return ", ".join(parts) or "(no filters)"


def webhook_state(p: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The state of webhook ``doc``; ``p``: the plan or the prior state."""
    return {
        **p,
        "id": doc["project_name"],
        "project_name": doc["project_name"],
        "build_type": keep_null(p.get("build_type"), doc.get("build_type"), "BUILD"),
        "filter_group": groups({"filter_group": doc.get("filter_group")}),
        "payload_url": doc.get("payload_url") or "",
        "secret": doc.get("secret") or p.get("secret"),
        "url": doc.get("url") or "",
    }

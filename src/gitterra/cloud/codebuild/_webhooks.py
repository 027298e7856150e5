"""Webhooks (``aws_codebuild_webhook``): one per project, addressed by its project's name.

A webhook holds the project's filter groups (Terraform's nesting: ``filter_group`` objects each
with a ``filter`` list; validated and compiled by :class:`gitterra.triggers.FilterGroups`, every
problem named at ``filter_group.<i>.filter.<j>.<key>``), a generated ``secret`` that forges sign
deliveries with, and the computed ``payload_url`` (``<server>/webhooks/<forge>/<id>``, the forge
following the project's source type). Projects whose source is the git host (GITTERRA) get their
events from it directly: their ``payload_url`` is empty.

The secret is sealed at rest (``sealed_secret``, see ``gitterra.cloud._crypto``). The API shows
it when the webhook is created, and afterwards to the admin only (``reveal_secret`` None: the
caller decides; the server's own reads are the admin's).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gitterra import triggers
from gitterra.cloud import Conflict, NotFound, ValidationError, ids, tokens
from gitterra.cloud.codebuild import _check as check
from gitterra.cloud.codebuild import _projects, _secrets

if TYPE_CHECKING:
    from gitterra.cloud.codebuild._service import CodeBuild

KIND = "codebuild_webhook"
SEALED = _secrets.Sealed("secret", "sealed_secret", "id")
CREATE_FIELDS = ("project_name", "build_type", "filter_group")
UPDATE_FIELDS = ("build_type", "filter_group")
#: Compiled filter groups kept (a cache: cleared when full).
_COMPILED_MAX = 256


class Webhooks:
    def __init__(self, svc: CodeBuild) -> None:
        self.svc = svc
        self.store = svc.cloud.store
        self._compiled: dict[str, triggers.FilterGroups] = {}

    # -- reading -----------------------------------------------------------------------------

    def by_id(self, webhook_id: str) -> dict[str, Any] | None:
        """The stored webhook (its secret sealed: :meth:`secret`) of a payload URL's id."""
        return self.store.get(KIND, webhook_id)

    def secret(self, doc: Mapping[str, Any]) -> str:
        """The secret deliveries to this webhook are signed with. Raises ``UnsealError``."""
        return self.svc.cloud.sealer.unseal(str(doc[SEALED.sealed]))

    def for_project(self, project: str) -> dict[str, Any] | None:
        found = self.store.find(KIND, lambda d: d["project_name"] == project)
        return found[0] if found else None

    def get(self, key: str, *, reveal_secret: bool | None = None) -> dict[str, Any]:
        """The webhook of project ``key`` (or with id ``key``), as the API shows it."""
        doc = self.for_project(key) or self.by_id(key)
        if doc is None:
            raise NotFound(f"project {key} has no webhook")
        return self.view(doc, reveal_secret=reveal_secret)

    def find(self, *, reveal_secret: bool | None = None) -> list[dict[str, Any]]:
        return [self.view(d, reveal_secret=reveal_secret) for d in self.store.find(KIND)]

    def view(self, doc: Mapping[str, Any], *, reveal_secret: bool | None = None) -> dict[str, Any]:
        """The webhook as the API shows it; its secret with ``reveal_secret`` (None: when the
        caller is the admin)."""
        out = {k: v for k, v in doc.items() if k not in (SEALED.plain, SEALED.sealed)}
        if _admin_caller() if reveal_secret is None else reveal_secret:
            out["secret"] = self.secret(doc)
        endpoint = self.svc.cloud.endpoint
        project = self.store.get(_projects.KIND, doc["project_name"])
        forge = _projects.FORGES.get(project["source"]["type"]) if project else None
        out["payload_url"] = f"{endpoint}/webhooks/{forge}/{doc['id']}" if forge else ""
        out["url"] = f"{endpoint}/api/v1/codebuild/webhooks/{doc['project_name']}"
        return out

    def groups(self, doc: Mapping[str, Any]) -> triggers.FilterGroups:
        """The webhook's compiled filter groups (compiled once per content, not per delivery)."""
        key = json.dumps(doc["filter_group"], sort_keys=True)
        found = self._compiled.get(key)
        if found is None:
            found = triggers.FilterGroups.parse(_codebuild_shape(doc["filter_group"]))
            if len(self._compiled) >= _COMPILED_MAX:
                self._compiled.clear()
            self._compiled[key] = found
        return found

    # -- writing -----------------------------------------------------------------------------

    def create(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        spec = check.obj(spec, "the webhook", CREATE_FIELDS, root=True)
        name = check.string(spec.get("project_name"), "project_name", max_len=255)
        doc: dict[str, Any] = {
            "id": ids.new_id("wh"),
            "project_name": name,
            "build_type": _build_type(spec.get("build_type")),
            "filter_group": _filter_group(spec.get("filter_group")),
            "sealed_secret": self.svc.cloud.sealer.seal(secrets.token_urlsafe(32)),
            "created_at": check.now(),
        }
        with self.store.transaction():
            project = self.svc.projects.get(name)
            kind = project["source"]["type"]
            if kind != "GITTERRA" and _projects.FORGES[kind] is None:
                raise ValidationError(
                    f"project {name}'s source is {kind}: gitterra takes webhooks from GitHub, "
                    "GitLab, Gitea and its own git host (GITTERRA)",
                    "project_name",
                )
            if self.for_project(name) is not None:
                raise Conflict(f"project {name} already has a webhook", "project_name")
            self.store.put(KIND, doc["id"], doc)
        self.svc.cloud.event("codebuild.webhook", name, "webhook created")
        return self.view(doc, reveal_secret=True)

    def update(
        self, key: str, changes: Mapping[str, Any], *, reveal_secret: bool | None = None
    ) -> dict[str, Any]:
        changes = check.obj(changes, "the webhook update", CREATE_FIELDS, root=True)
        for field in changes:
            if field not in UPDATE_FIELDS:
                raise ValidationError(f'"{field}" of a webhook cannot change', field)
        with self.store.transaction():
            doc = self._stored(key)
            if "build_type" in changes:
                doc["build_type"] = _build_type(changes["build_type"])
            if "filter_group" in changes:
                doc["filter_group"] = _filter_group(changes["filter_group"])
            self.store.put(KIND, doc["id"], doc)
        return self.view(doc, reveal_secret=reveal_secret)

    def delete(self, key: str) -> None:
        with self.store.transaction():
            doc = self._stored(key)
            self.store.delete(KIND, doc["id"])
        self.svc.cloud.event("codebuild.webhook", doc["project_name"], "webhook deleted")

    def delete_for(self, project: str) -> None:
        doc = self.for_project(project)
        if doc is not None:
            self.store.delete(KIND, doc["id"])

    def _stored(self, key: str) -> dict[str, Any]:
        doc = self.for_project(key) or self.by_id(key)
        if doc is None:
            raise NotFound(f"project {key} has no webhook")
        return doc


def _admin_caller() -> bool:
    """Whether the request being served acts for the admin (or is no request: the server)."""
    principal = tokens.current()
    return principal is None or principal.is_admin


def _build_type(value: object) -> str:
    kind = check.choice(value, "build_type", ("BUILD", "BUILD_BATCH"), "BUILD")
    if kind == "BUILD_BATCH":
        raise ValidationError("batch builds are not supported by gitterra: use BUILD", "build_type")
    return kind


def _filter_group(value: object) -> list[dict[str, Any]]:
    """Terraform's ``filter_group`` list, validated by the triggers package."""
    groups = check.items(value, "filter_group")
    out: list[dict[str, Any]] = []
    for g, raw in enumerate(groups):
        group = check.obj(raw, f"filter_group.{g}", ("filter",))
        filters = check.items(group.get("filter"), f"filter_group.{g}.filter")
        out.append({"filter": filters})
    try:
        triggers.FilterGroups.parse(_codebuild_shape(out))
    except triggers.ValidationError as exc:
        first = exc.problems[0]
        field = f"filter_group.{first.group}"
        if first.filter is not None:
            field += f".filter.{first.filter}"
        if first.field is not None:
            field += f".{first.field}"
        raise ValidationError("invalid filter groups:\n" + str(exc), field) from exc
    return out


def _codebuild_shape(groups: list[dict[str, Any]]) -> list[list[Any]]:
    return [list(group["filter"]) for group in groups]

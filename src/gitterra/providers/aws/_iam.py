"""``aws_iam_role`` and ``aws_iam_role_policy``: the role CodeBuild assumes on AWS and what it
may do.

On AWS they are IAM's (``_aws_logs.Iam``). The local cloud has no IAM: there the objects are
**recorded in state, not enforced** — create records them (an ARN in the local account, a
unique id), reads keep them as they are, delete forgets them, and nothing checks a permission;
so a pipeline module that needs a role on AWS also applies locally, unchanged. Policy documents
are JSON text; a document AWS gives back that means the same as the configured one (key order,
spacing) keeps the configured text, so only real changes show in plans.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostic, Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws._kit import a

_ROLE_FIELDS = ("description", "max_session_duration", "assume_role_policy")


def same_policy(given: Any, found: str) -> Any:
    """``given`` when it is the JSON document ``found`` in other words, else ``found``."""
    if isinstance(given, str):
        try:
            if json.loads(given) == json.loads(found):
                return given
        except ValueError:
            pass
    return found


def check_policy(cfg: dict[str, Any], name: str, diags: Diagnostics) -> None:
    value = cfg.get(name)
    if not isinstance(value, str):
        return
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        diags.add(_resource.invalid(name, f"{name} is not valid JSON: {exc}"))
        return
    if not isinstance(parsed, dict):
        diags.add(_resource.invalid(name, f"{name} must be a JSON object (an IAM policy)"))


def _recorded_id(*parts: str) -> str:
    """A stable id for an object recorded on the local target (IAM's ``AROA...`` form)."""
    return "AROA" + hashlib.sha256("/".join(parts).encode()).hexdigest()[:17].upper()


class Role(_resource.CloudResource):
    name = "aws_iam_role"
    label = "IAM Role"
    unsupported = ("managed_policy_arns", "permissions_boundary", "inline_policy")
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING, description="The role's name."),
                "unique_id": a("C", lang.STRING),
                "create_date": a("C", lang.STRING),
                **_kit.name_attributes(64),
                "path": a("O!", lang.STRING, default="/"),
                "description": a("O", lang.STRING),
                "assume_role_policy": a("R", lang.STRING, description="Who may assume it (JSON)."),
                "max_session_duration": a("O", lang.NUMBER, default=3600),
                "force_detach_policies": a("O", lang.BOOL, default=False),
                **_kit.tag_attributes(),
                **_kit.unsupported("managed_policy_arns", "permissions_boundary"),
            },
            {"inline_policy": _kit.unsupported_block("name", "policy")},
            "An IAM role (recorded in state, not enforced, on the local cloud).",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        _resource.check_length(cfg, "name", 64, diags)
        _resource.check_length(cfg, "name_prefix", 38, diags)
        _resource.check_between(cfg, "max_session_duration", 3600, 43200, diags)
        check_policy(cfg, "assume_role_policy", diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        return engine.PlannedChange(self.plan_tags(change.planned), change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "terraform-")
        iam = self.cloud.iam
        if iam is None:
            account = self.session.meta.get("account_id", "000000000000")
            recorded = {
                "name": name,
                "arn": f"arn:aws:iam::{account}:role{p['path'] or '/'}{name}",
                "unique_id": _recorded_id(account, name),
                "create_date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "tags": self.all_tags(p),
            }
            return engine.ApplyResult(self.from_doc(p, {**p, **recorded}))
        body = {**{k: p[k] for k in ("path", *_ROLE_FIELDS)}, "name": name}
        try:
            doc = await iam.create_role({**body, "tags": self.all_tags(p)})
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        iam = self.cloud.iam
        if iam is None:
            return engine.ApplyResult(planned)
        changes = {f: p[f] for f in _ROLE_FIELDS if _kit.changed(prior, planned, f)}
        if _kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all"):
            changes["tags"] = self.all_tags(p)
        try:
            doc = await iam.update_role(p["id"], changes)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", p["id"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        iam = self.cloud.iam
        if iam is None:
            return engine.ApplyResult(None)
        try:
            await iam.delete_role(p["id"], force_detach=bool(p.get("force_detach_policies")))
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        iam = self.cloud.iam
        if iam is None:
            return engine.ReadResult(current)
        try:
            doc = await iam.get_role(p["id"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        iam = self.cloud.iam
        if iam is None:
            return _recorded_only(self.name)
        try:
            doc = await iam.get_role(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        base = {"force_detach_policies": False, "tags": None}
        return engine.ImportResult((self.from_doc(base, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        return self.state(
            {
                **p,
                "arn": doc["arn"],
                "id": doc["name"],
                "unique_id": doc.get("unique_id"),
                "create_date": doc.get("create_date"),
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "path": doc.get("path") or "/",
                "description": doc.get("description") or p.get("description"),
                "assume_role_policy": same_policy(
                    p.get("assume_role_policy"), doc.get("assume_role_policy") or "{}"
                ),
                "max_session_duration": doc.get("max_session_duration") or 3600,
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
            }
        )


def _recorded_only(type_name: str) -> engine.ImportResult:
    return engine.ImportResult(
        diagnostics=Diagnostics(
            [
                Diagnostic.error(
                    "Cannot import from the local cloud",
                    f"{type_name} objects are recorded in state on the local cloud (it has no "
                    "IAM): there is nothing to import. Apply the configuration instead.",
                )
            ]
        )
    )


class RolePolicy(_resource.CloudResource):
    name = "aws_iam_role_policy"
    label = "IAM Role Policy"
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "id": a("C", lang.STRING, description="ROLE:NAME."),
                **_kit.name_attributes(128),
                "role": a("R!", lang.STRING, description="The role's name."),
                "policy": a("R", lang.STRING, description="The policy document (JSON)."),
            },
            description="An inline policy of a role (recorded, not enforced, locally).",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        check_policy(cfg, "policy", diags)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "terraform-")
        return await self._put({**p, "name": name}, None, "creating")

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        return await self._put(_kit.py(planned), prior, "updating")

    async def _put(
        self, p: dict[str, Any], prior: lang.Value | None, verb: str
    ) -> engine.ApplyResult:
        iam = self.cloud.iam
        if iam is not None:
            try:
                await iam.put_role_policy(p["role"], p["name"], p["policy"])
            except _client.CloudError as exc:
                return engine.ApplyResult(prior, self.failed(exc, verb, f"{p['role']}:{p['name']}"))
        return engine.ApplyResult(self.from_doc(p, p))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        iam = self.cloud.iam
        if iam is None:
            return engine.ApplyResult(None)
        try:
            await iam.delete_role_policy(p["role"], p["name"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        iam = self.cloud.iam
        if iam is None:
            return engine.ReadResult(current)
        try:
            doc = await iam.get_role_policy(p["role"], p["name"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        iam = self.cloud.iam
        if iam is None:
            return _recorded_only(self.name)
        role, sep, name = id_.partition(":")
        if not sep or not role or not name:
            return engine.ImportResult(
                diagnostics=Diagnostics(
                    [
                        Diagnostic.error(
                            "Invalid import id",
                            f'"{id_}" is not ROLE:POLICY (the role\'s name, a colon, and the '
                            "policy's name)",
                        )
                    ]
                )
            )
        try:
            doc = await iam.get_role_policy(role, name)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.from_doc({}, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        return self.state(
            {
                **p,
                "id": f"{doc['role']}:{doc['name']}",
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "role": doc["role"],
                "policy": same_policy(p.get("policy"), doc.get("policy") or "{}"),
            }
        )

"""``aws_key_pair`` (``/api/v1/key-pairs``) and ``aws_cloudwatch_log_group``
(``/api/v1/log-groups``): named records the local cloud keeps.

A key pair's name is recorded by the instances launched with it (there is no ssh); its Terraform
id is the key name, as in the AWS provider. A log group's id is its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from gitterra import engine, lang
from gitterra.diag import Diagnostics
from gitterra.providers.aws import _client, _kit, _resource
from gitterra.providers.aws._kit import a


class KeyPair(_resource.CloudResource):
    name = "aws_key_pair"
    label = "EC2 Key Pair"
    api_fields: ClassVar[Mapping[str, str]] = {"name": "key_name"}
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "fingerprint": a("C", lang.STRING),
                "id": a("C", lang.STRING, description="The key name."),
                "key_name": a("OC!", lang.STRING),
                "key_name_prefix": a("OC!", lang.STRING),
                "key_pair_id": a("C", lang.STRING),
                "key_type": a("C", lang.STRING),
                "public_key": a("R!", lang.STRING, description="The public key material."),
                **_kit.tag_attributes(),
            },
            description="A key pair whose name instances record.",
        ),
        version=1,
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "key_name", "key_name_prefix", diags)
        _resource.check_length(cfg, "key_name", 255, diags)

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        return engine.PlannedChange(self.plan_tags(change.planned), change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["key_name"] or _kit.unique_name(p["key_name_prefix"] or "terraform-")
        body = {"name": name, "public_key": p["public_key"], "tags": self.all_tags(p)}
        try:
            doc = await self.cloud.ec2.create_key_pair(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "importing", name))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        if not (_kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all")):
            return engine.ApplyResult(planned)
        try:
            doc = await self.cloud.ec2.update_key_pair(p["key_pair_id"], {"tags": self.all_tags(p)})
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", p["id"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.ec2.delete_key_pair(p["key_pair_id"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self._find(p["id"])
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(None if doc is None else self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            doc = await self._find(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        if doc is None:
            return self.not_found_import(id_)
        return engine.ImportResult((self.from_doc({}, doc),))

    async def _find(self, key_name: str) -> dict[str, Any] | None:
        """The key pair named ``key_name`` (Terraform's id), None when there is none."""
        return await self.cloud.ec2.find_key_pair(key_name)

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        meta = self.session.meta
        public_key = p.get("public_key") or doc.get("public_key") or ""
        return self.state(
            {
                **p,
                "arn": doc.get("arn")
                or f"arn:aws:ec2:{meta.get('region', 'local-1')}:"
                f"{meta.get('account_id', '000000000000')}:key-pair/{doc['name']}",
                "fingerprint": doc.get("fingerprint"),
                "id": doc["name"],
                "key_name": doc["name"],
                "key_name_prefix": p.get("key_name_prefix") or _kit.prefix_of(doc["name"]),
                "key_pair_id": doc["id"],
                "key_type": doc.get("key_type")
                or ("ed25519" if public_key.startswith("ssh-ed25519") else "rsa"),
                "public_key": public_key,
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
            }
        )


class LogGroup(_resource.CloudResource):
    name = "aws_cloudwatch_log_group"
    label = "CloudWatch Logs Log Group"
    unsupported = ("kms_key_id", "log_group_class", "skip_destroy")
    _RETENTION = (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096)
    schema = engine.ResourceSchema(
        _kit.block(
            {
                "arn": a("C", lang.STRING),
                "id": a("C", lang.STRING, description="The log group's name."),
                **_kit.name_attributes(512),
                "retention_in_days": a("O", lang.NUMBER, default=0, description="0: forever."),
                **_kit.tag_attributes(),
                **_kit.unsupported("kms_key_id", "log_group_class", "skip_destroy"),
            },
            description="A log group (build and instance console logs).",
        )
    )

    def check(self, cfg: dict[str, Any], config: lang.Value, diags: Diagnostics) -> None:
        _resource.check_conflicts(cfg, "name", "name_prefix", diags)
        _resource.check_length(cfg, "name", 512, diags)
        days = cfg.get("retention_in_days")
        if days is not None and days not in self._RETENTION:
            shown = ", ".join(str(d) for d in self._RETENTION)
            diags.add(
                _resource.invalid(
                    "retention_in_days", f"expected retention_in_days to be one of [{shown}]"
                )
            )

    def plan(
        self, prior: lang.Value | None, proposed: lang.Value, config: lang.Value
    ) -> engine.PlannedChange:
        change = engine.plan_by_schema(self.block, prior, proposed, config)
        return engine.PlannedChange(self.plan_tags(change.planned), change.requires_replace)

    async def create(self, planned: lang.Value, config: lang.Value | None) -> engine.ApplyResult:
        p = _kit.py(planned)
        name = p["name"] or _kit.unique_name(p["name_prefix"] or "terraform-")
        body = {"name": name, "retention_in_days": p["retention_in_days"], "tags": self.all_tags(p)}
        try:
            doc = await self.cloud.logs.create_log_group(body)
        except _client.CloudError as exc:
            return engine.ApplyResult(None, self.failed(exc, "creating", name))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def update(
        self, prior: lang.Value, planned: lang.Value, config: lang.Value | None
    ) -> engine.ApplyResult:
        p = _kit.py(planned)
        body: dict[str, Any] = {}
        if _kit.changed(prior, planned, "retention_in_days"):
            body["retention_in_days"] = p["retention_in_days"]
        if _kit.changed(prior, planned, "tags") or _kit.changed(prior, planned, "tags_all"):
            body["tags"] = self.all_tags(p)
        if not body:
            return engine.ApplyResult(planned)
        try:
            doc = await self.cloud.logs.update_log_group(p["id"], body)
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "updating", p["id"]))
        return engine.ApplyResult(self.from_doc(p, doc))

    async def delete(self, prior: lang.Value) -> engine.ApplyResult:
        p = _kit.py(prior)
        try:
            await self.cloud.logs.delete_log_group(p["id"])
        except _client.NotFoundError:
            pass
        except _client.CloudError as exc:
            return engine.ApplyResult(prior, self.failed(exc, "deleting", p["id"]))
        return engine.ApplyResult(None)

    async def read(self, current: lang.Value) -> engine.ReadResult:
        p = _kit.py(current)
        try:
            doc = await self.cloud.logs.get_log_group(p["id"])
        except _client.NotFoundError:
            return engine.ReadResult(None)
        except _client.CloudError as exc:
            return engine.ReadResult(current, self.failed(exc, "reading", p["id"]))
        return engine.ReadResult(self.from_doc(p, doc))

    async def import_(self, id_: str) -> engine.ImportResult:
        try:
            doc = await self.cloud.logs.get_log_group(id_)
        except _client.NotFoundError:
            return self.not_found_import(id_)
        except _client.CloudError as exc:
            return engine.ImportResult(diagnostics=self.failed(exc, "importing", id_))
        return engine.ImportResult((self.from_doc({}, doc),))

    def from_doc(self, p: dict[str, Any], doc: dict[str, Any]) -> lang.Value:
        return self.state(
            {
                **p,
                "arn": doc.get("arn"),
                "id": doc["name"],
                "name": doc["name"],
                "name_prefix": p.get("name_prefix") or _kit.prefix_of(doc["name"]),
                "retention_in_days": doc.get("retention_in_days") or 0,
                "tags": self.tags_state(p.get("tags"), doc.get("tags")),
                "tags_all": doc.get("tags") or {},
            }
        )

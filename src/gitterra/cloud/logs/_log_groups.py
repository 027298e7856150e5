"""Log groups: ``{"name", "arn", "retention_in_days", "tags", "created_at"}`` by name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gitterra.cloud import _ids, tokens
from gitterra.cloud._cloud import Cloud
from gitterra.cloud._errors import Conflict, NotFound, ValidationError
from gitterra.cloud._store import Doc
from gitterra.cloud.ec2 import fields

KIND = "log_group"

#: The retention periods CloudWatch Logs accepts (0: never expire).
RETENTION_DAYS = (
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

CREATE_FIELDS = ("name", "retention_in_days", "tags")
UPDATE_FIELDS = ("retention_in_days", "tags")

_NAME = re.compile(r"[A-Za-z0-9._\-/#]+")
_NAME_RULE = "use letters, digits and ._-/#"


class LogGroups:
    """The log group service (registered as ``"logs"``)."""

    name = "logs"

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.store = cloud.store

    async def start(self) -> None:
        """Nothing to restore: log groups are records."""

    async def stop(self, terminate: bool) -> None:
        del terminate

    def get(self, name: str) -> Doc:
        doc = self.store.get(KIND, name)
        if doc is None:
            raise NotFound(f"log group {name} does not exist")
        return doc

    def find(self, name_prefix: str | None = None) -> list[Doc]:
        """Every group, or those whose name starts with ``name_prefix``, ordered by name."""
        return self.store.find(KIND, lambda d: d["name"].startswith(name_prefix or ""))

    def create(self, spec: Mapping[str, Any]) -> Doc:
        spec = fields.body(spec, "a log group")
        fields.only(spec, CREATE_FIELDS, "a log group is created with")
        name = fields.string(
            spec.get("name"), "name", max_len=512, pattern=_NAME, allowed=_NAME_RULE
        )
        doc: Doc = {
            "name": name,
            "arn": _ids.arn("logs", f"log-group:{name}"),
            "retention_in_days": _retention(spec.get("retention_in_days")),
            "tags": fields.tags(spec.get("tags")),
            "created_at": fields.now(),
        }
        tokens.stamp(doc)
        with self.store.transaction():
            if self.store.get(KIND, name) is not None:
                raise Conflict(f"log group {name} already exists", "name")
            self.store.put(KIND, name, doc)
        self.cloud.event("log-group", name, f"log group {name} created")
        return doc

    def update(self, name: str, changes: Mapping[str, Any]) -> Doc:
        changes = fields.body(changes, "a log group update")
        fields.only(changes, UPDATE_FIELDS, "PATCH may change")
        with self.store.transaction():
            doc = self.get(name)
            tokens.check_change(doc, f"log group {name}")
            if "retention_in_days" in changes:
                doc["retention_in_days"] = _retention(changes["retention_in_days"])
            if "tags" in changes:
                doc["tags"] = fields.tags(changes["tags"])
            self.store.put(KIND, name, doc)
        return doc

    def delete(self, name: str) -> None:
        with self.store.transaction():
            tokens.check_change(self.get(name), f"log group {name}")
            self.store.delete(KIND, name)
        self.cloud.event("log-group", name, f"log group {name} deleted")


def _retention(value: object) -> int:
    if value is None:
        return 0
    days = fields.integer(value, "retention_in_days", 0, RETENTION_DAYS[-1])
    if days not in RETENTION_DAYS:
        raise ValidationError(
            f"retention_in_days {days} is not a period CloudWatch Logs offers: use one of "
            + ", ".join(map(str, RETENTION_DAYS)),
            "retention_in_days",
        )
    return days

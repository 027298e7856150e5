"""Launch templates: named, versioned instance specifications.

A template holds its versions, numbered from 1; a new version never changes the default one
(``PATCH default_version`` does, as EC2's ModifyLaunchTemplate). Each version names an image of
the catalogue, a known instance type, existing security groups and key pair, and base64
``user_data`` of at most 16 KiB decoded. Unlike EC2, image and instance type are required: the
local cloud could not launch a version without them, and says so at once rather than at launch.

Other services read versions with :meth:`LaunchTemplates.resolve` (``"$Latest"``/``"$Default"``
as in EC2's launch template specifications).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gitterra.cloud import _ids, _meta, tokens
from gitterra.cloud._cloud import Cloud
from gitterra.cloud._errors import Conflict, NotFound, ValidationError
from gitterra.cloud._store import Doc
from gitterra.cloud.ec2 import _fields
from gitterra.cloud.ec2 import _key_pairs as key_pairs
from gitterra.cloud.ec2 import _security_groups as security_groups

KIND = "launch_template"

VERSION_FIELDS = (
    "image_id",
    "instance_type",
    "user_data",
    "security_group_ids",
    "key_name",
    "tags",
)
CREATE_FIELDS = ("name", "tags", "version_tags", *(f for f in VERSION_FIELDS if f != "tags"))
UPDATE_FIELDS = ("default_version", "tags")

#: EC2's quota of versions per launch template.
MAX_VERSIONS = 10000

_NAME = re.compile(r"[A-Za-z0-9().\-/_]+")
_NAME_RULE = "use letters, digits and ().-/_"
_VERSION = re.compile(r"\$Latest|\$Default|[1-9][0-9]*")


class LaunchTemplates:
    """The launch template service (registered as ``"launch_templates"``)."""

    name = "launch_templates"

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.store = cloud.store

    async def start(self) -> None:
        """Nothing to restore: templates are records read at launch."""

    async def stop(self, terminate: bool) -> None:
        del terminate

    # -- reading -----------------------------------------------------------------------------

    def get(self, id_or_name: str) -> Doc:
        """A template by id (``lt-…``) or by name (EC2 accepts either)."""
        doc = self.store.get(KIND, id_or_name)
        if doc is None:
            doc = next(iter(self.find(id_or_name)), None)
        if doc is None:
            raise NotFound(f"launch template {id_or_name} does not exist")
        return doc

    def find(self, name: str | None = None) -> list[Doc]:
        return self.store.find(KIND, lambda d: name is None or d["name"] == name)

    def resolve(self, id_or_name: str, version: str | int | None = None) -> Doc:
        """The document of one version: ``version`` is a number (or its digits), ``"$Latest"``,
        or ``"$Default"``/None. The result also carries ``launch_template_id``,
        ``launch_template_name`` and the template's owner (``tokens.OWNER``, when a project
        made it); ``user_data`` stays base64. NotFound (field ``version``) for a
        version the template does not have, ValidationError for a malformed one."""
        template = self.get(id_or_name)
        number = _version_number(template, version)
        for doc in template["versions"]:
            if doc["version_number"] == number:
                out = {
                    **doc,
                    "launch_template_id": template["id"],
                    "launch_template_name": template["name"],
                }
                if tokens.OWNER in template:
                    out[tokens.OWNER] = template[tokens.OWNER]
                return out
        raise NotFound(
            f"launch template {template['id']} has no version {number} (it has 1 to "
            f"{template['latest_version']})",
            "version",
        )

    def security_group_users(self, group_id: str) -> list[str]:
        """The template versions that name ``group_id`` (they keep it from being deleted)."""
        out = []
        for template in self.find():
            numbers = [
                str(v["version_number"])
                for v in template["versions"]
                if group_id in v["security_group_ids"]
            ]
            if numbers:
                label = "version" if len(numbers) == 1 else "versions"
                out.append(
                    f"launch template {template['name']} ({template['id']}) {label} "
                    + ", ".join(numbers)
                )
        return out

    # -- writing -----------------------------------------------------------------------------

    def create(self, spec: Mapping[str, Any]) -> Doc:
        """A template with its first version (``tags`` are the template's, ``version_tags``
        the version's); the name is unique (Conflict otherwise)."""
        spec = _fields.body(spec, "a launch template")
        _fields.only(spec, CREATE_FIELDS, "a launch template is created with")
        name = _fields.string(
            spec.get("name"), "name", min_len=3, max_len=128, pattern=_NAME, allowed=_NAME_RULE
        )
        version_spec = {k: v for k, v in spec.items() if k in VERSION_FIELDS and k != "tags"}
        version_spec["tags"] = spec.get("version_tags")
        tags = _fields.tags(spec.get("tags"))
        template_id = _ids.new_id("lt")
        with self.store.transaction():
            version = self._version(version_spec, 1, tag_field="version_tags")
            if self.find(name):
                raise Conflict(f"a launch template named {name!r} already exists", "name")
            doc: Doc = {
                "id": template_id,
                "arn": _ids.arn("ec2", f"launch-template/{template_id}"),
                "name": name,
                "default_version": 1,
                "latest_version": 1,
                "tags": tags,
                "created_at": version["created_at"],
                "versions": [version],
            }
            tokens.stamp(doc)
            self.store.put(KIND, template_id, doc)
        self.cloud.event("launch-template", template_id, f"launch template {name} created")
        return doc

    def add_version(self, id_or_name: str, spec: Mapping[str, Any]) -> Doc:
        """A new version, numbered after the latest; returns the template."""
        spec = _fields.body(spec, "a launch template version")
        _fields.only(spec, VERSION_FIELDS, "a launch template version has")
        with self.store.transaction():
            doc = self.get(id_or_name)
            tokens.check_change(doc, f"launch template {doc['name']}")
            number = doc["latest_version"] + 1
            if len(doc["versions"]) >= MAX_VERSIONS:
                raise Conflict(f"launch template {doc['id']} has {MAX_VERSIONS} versions already")
            doc["versions"].append(self._version(spec, number, tag_field="tags"))
            doc["latest_version"] = number
            self.store.put(KIND, doc["id"], doc)
        self.cloud.event(
            "launch-template", doc["id"], f"launch template {doc['name']} version {number}"
        )
        return doc

    def update(self, id_or_name: str, changes: Mapping[str, Any]) -> Doc:
        """Set ``default_version`` (an existing version) and/or ``tags``."""
        changes = _fields.body(changes, "a launch template update")
        _fields.only(changes, UPDATE_FIELDS, "PATCH may change")
        with self.store.transaction():
            doc = self.get(id_or_name)
            tokens.check_change(doc, f"launch template {doc['name']}")
            if "default_version" in changes:
                number = _fields.integer(
                    changes["default_version"], "default_version", 1, MAX_VERSIONS
                )
                if not any(v["version_number"] == number for v in doc["versions"]):
                    raise ValidationError(
                        f"default_version {number} does not exist: launch template {doc['id']} "
                        f"has versions 1 to {doc['latest_version']}",
                        "default_version",
                    )
                doc["default_version"] = number
            if "tags" in changes:
                doc["tags"] = _fields.tags(changes["tags"])
            self.store.put(KIND, doc["id"], doc)
        return doc

    def delete(self, id_or_name: str) -> None:
        """Delete a template and all its versions (instances launched from it keep running)."""
        with self.store.transaction():
            doc = self.get(id_or_name)
            tokens.check_change(doc, f"launch template {doc['name']}")
            self.store.delete(KIND, doc["id"])
        self.cloud.event("launch-template", doc["id"], f"launch template {doc['name']} deleted")

    def _version(self, spec: Mapping[str, Any], number: int, tag_field: str) -> Doc:
        """One version's document, every field checked (references must exist)."""
        image_id = _fields.string(spec.get("image_id"), "image_id", max_len=64)
        _meta.image(image_id)
        instance_type = _fields.string(spec.get("instance_type"), "instance_type", max_len=64)
        if instance_type not in _meta.INSTANCE_TYPES:
            raise ValidationError(
                f"instance_type {instance_type!r} is not offered by the local cloud: use one of "
                + ", ".join(_meta.INSTANCE_TYPES),
                "instance_type",
            )
        groups = _fields.string_list(spec.get("security_group_ids"), "security_group_ids")
        for i, group_id in enumerate(groups):
            if self.store.get(security_groups.KIND, group_id) is None:
                raise NotFound(
                    f"security group {group_id} does not exist", f"security_group_ids.{i}"
                )
        key_name = spec.get("key_name")
        if key_name is not None:
            key_name = _fields.string(key_name, "key_name", max_len=255)
            if not self.store.find(key_pairs.KIND, lambda d: d["name"] == key_name):
                raise NotFound(f"key pair {key_name!r} does not exist", "key_name")
        return {
            "version_number": number,
            "image_id": image_id,
            "instance_type": instance_type,
            "user_data": _fields.user_data(spec.get("user_data")),
            "security_group_ids": groups,
            "key_name": key_name,
            "tags": _fields.tags(spec.get("tags"), tag_field),
            "created_at": _fields.now(),
        }


def _version_number(template: Doc, version: str | int | None) -> int:
    if version is None or version == "$Default":
        return int(template["default_version"])
    if version == "$Latest":
        return int(template["latest_version"])
    if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
        return version
    if isinstance(version, str) and _VERSION.fullmatch(version):
        return int(version)
    raise ValidationError(
        f'version {version!r} is invalid: use a version number, "$Latest" or "$Default"',
        "version",
    )

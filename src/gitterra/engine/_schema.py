"""Provider schemas: what a resource type's configuration and state look like.

A :class:`BlockSchema` lists attributes (each required, optional and/or computed, sensitive, and
whether changing it forces replacement) and nested blocks. Its :meth:`BlockSchema.implied_type`
is the object type of the resource's values: configuration, planned state and state all have it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from gitterra import lang

Nesting = Literal["single", "list", "set", "map"]


@dataclass(frozen=True, slots=True)
class Attribute:
    type: lang.Type
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False
    #: Changing this attribute cannot be done in place: the object is replaced.
    force_new: bool = False
    #: Value planned when the configuration leaves an optional attribute unset (and it is not
    #: computed): Terraform SDK's ``Default``.
    default: lang.Value | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if self.required and (self.optional or self.computed):
            raise ValueError("a required attribute is neither optional nor computed")
        if not (self.required or self.optional or self.computed):
            raise ValueError("an attribute must be required, optional or computed")


@dataclass(frozen=True, slots=True)
class NestedBlock:
    block: BlockSchema
    nesting: Nesting = "list"
    min_items: int = 0
    max_items: int = 0  # 0 = no limit
    force_new: bool = False


@dataclass(frozen=True, slots=True)
class BlockSchema:
    attributes: Mapping[str, Attribute] = field(default_factory=dict)
    blocks: Mapping[str, NestedBlock] = field(default_factory=dict)
    description: str = ""

    def implied_type(self) -> lang.ObjectType:
        attrs: dict[str, lang.Type] = {name: a.type for name, a in self.attributes.items()}
        for name, nb in self.blocks.items():
            inner = nb.block.implied_type()
            if nb.nesting == "single":
                attrs[name] = inner
            elif nb.nesting == "list":
                attrs[name] = lang.ListType(inner)
            elif nb.nesting == "set":
                attrs[name] = lang.SetType(inner)
            else:
                attrs[name] = lang.MapType(inner)
        return lang.ObjectType(attrs)

    def sensitive_paths(self) -> list[tuple[str, ...]]:
        """Attribute paths marked sensitive (nested blocks included, by block name)."""
        out: list[tuple[str, ...]] = [(n,) for n, a in self.attributes.items() if a.sensitive]
        for name, nb in self.blocks.items():
            out += [(name, *p) for p in nb.block.sensitive_paths()]
        return out


@dataclass(frozen=True, slots=True)
class ResourceSchema:
    block: BlockSchema
    version: int = 0


@dataclass(frozen=True, slots=True)
class ProviderSchema:
    """Everything a provider declares: its own configuration block, and its resource and data
    source types."""

    provider: BlockSchema = field(default_factory=BlockSchema)
    resources: Mapping[str, ResourceSchema] = field(default_factory=dict)
    data_sources: Mapping[str, ResourceSchema] = field(default_factory=dict)

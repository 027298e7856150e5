"""HCL structure: a file's body of attributes and blocks, with their source ranges.

``parse_file`` turns ``.tf`` text into a :class:`Body`; expressions inside are already converted
to ``_ast`` nodes. Syntax errors come back as diagnostics naming file:line:col, never as exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gitterra.diag import SourceRange
from gitterra.lang._ast import Expr


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    rng: SourceRange
    name_rng: SourceRange


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    rng: SourceRange
    type_rng: SourceRange
    label_rngs: tuple[SourceRange, ...]

    @property
    def def_rng(self) -> SourceRange:
        """The block's header (type and labels), where Terraform points at a block."""
        end = self.label_rngs[-1] if self.label_rngs else self.type_rng
        return self.type_rng.to(end)

    def describe(self) -> str:
        """``resource "aws_lb" "web"`` — how messages name this block."""
        return " ".join([self.type, *(f'"{label}"' for label in self.labels)])


@dataclass(frozen=True, slots=True)
class Body:
    attributes: tuple[Attribute, ...] = ()
    blocks: tuple[Block, ...] = ()
    rng: SourceRange | None = field(default=None, compare=False)

    def attribute(self, name: str) -> Attribute | None:
        for attr in self.attributes:
            if attr.name == name:
                return attr
        return None

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]

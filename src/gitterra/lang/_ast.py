"""The expression syntax tree the evaluator walks.

Built from python-hcl2's parse tree by ``_syntax``; every node knows its :class:`SourceRange`.
Templates (quoted strings and heredocs) become :class:`Template` with text, interpolation,
``%{if}`` and ``%{for}`` parts, whitespace strip markers already applied to the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gitterra.diag import SourceRange
from gitterra.lang._values import Value


@dataclass(frozen=True, slots=True)
class Expr:
    rng: SourceRange

    def children(self) -> Iterator[Expr]:
        return iter(())


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    value: Value


@dataclass(frozen=True, slots=True)
class Variable(Expr):
    """A root name: ``var``, ``local``, ``aws_instance``, ``count``, a ``for`` symbol."""

    name: str


@dataclass(frozen=True, slots=True)
class GetAttr(Expr):
    obj: Expr
    name: str
    name_rng: SourceRange

    def children(self) -> Iterator[Expr]:
        yield self.obj


@dataclass(frozen=True, slots=True)
class Index(Expr):
    obj: Expr
    key: Expr

    def children(self) -> Iterator[Expr]:
        yield self.obj
        yield self.key


@dataclass(frozen=True, slots=True)
class SplatItem(Expr):
    """Inside a splat's ``each`` expression: the element currently visited."""


@dataclass(frozen=True, slots=True)
class Splat(Expr):
    """``source[*].each`` (or legacy ``source.*.each``): ``each`` is evaluated per element with
    :class:`SplatItem` standing for the element."""

    source: Expr
    each: Expr

    def children(self) -> Iterator[Expr]:
        yield self.source
        yield self.each


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    expand_final: bool
    name_rng: SourceRange

    def children(self) -> Iterator[Expr]:
        yield from self.args


@dataclass(frozen=True, slots=True)
class Conditional(Expr):
    cond: Expr
    true: Expr
    false: Expr

    def children(self) -> Iterator[Expr]:
        yield self.cond
        yield self.true
        yield self.false


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr

    def children(self) -> Iterator[Expr]:
        yield self.left
        yield self.right


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    op: str
    operand: Expr

    def children(self) -> Iterator[Expr]:
        yield self.operand


@dataclass(frozen=True, slots=True)
class TupleCons(Expr):
    elements: tuple[Expr, ...]

    def children(self) -> Iterator[Expr]:
        yield from self.elements


@dataclass(frozen=True, slots=True)
class ObjectItem:
    """One ``key = value`` of an object constructor. A bare identifier key is the literal
    string (``bare_key``); any other key expression is evaluated."""

    key: Expr
    value: Expr
    bare_key: str | None


@dataclass(frozen=True, slots=True)
class ObjectCons(Expr):
    items: tuple[ObjectItem, ...]

    def children(self) -> Iterator[Expr]:
        for item in self.items:
            if item.bare_key is None:
                yield item.key
            yield item.value


@dataclass(frozen=True, slots=True)
class ForExpr(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key: Expr | None  # set for the object form {for ... : key => value}
    value: Expr
    cond: Expr | None
    group: bool

    def children(self) -> Iterator[Expr]:
        yield self.collection
        if self.key is not None:
            yield self.key
        yield self.value
        if self.cond is not None:
            yield self.cond


@dataclass(frozen=True, slots=True)
class Parens(Expr):
    inner: Expr

    def children(self) -> Iterator[Expr]:
        yield self.inner


# ---- templates -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TemplateText:
    text: str


@dataclass(frozen=True, slots=True)
class TemplateInterp:
    expr: Expr


@dataclass(frozen=True, slots=True)
class TemplateIf:
    cond: Expr
    then: tuple[TemplatePart, ...]
    otherwise: tuple[TemplatePart, ...]
    rng: SourceRange


@dataclass(frozen=True, slots=True)
class TemplateFor:
    key_var: str | None
    value_var: str
    collection: Expr
    body: tuple[TemplatePart, ...]
    rng: SourceRange


TemplatePart = TemplateText | TemplateInterp | TemplateIf | TemplateFor


@dataclass(frozen=True, slots=True)
class Template(Expr):
    """A string template. A template that is exactly one interpolation (``"${x}"``) yields the
    interpolated value itself, unconverted, as HCL specifies."""

    parts: tuple[TemplatePart, ...]

    def children(self) -> Iterator[Expr]:
        yield from _template_exprs(self.parts)


def _template_exprs(parts: tuple[TemplatePart, ...]) -> Iterator[Expr]:
    for part in parts:
        if isinstance(part, TemplateInterp):
            yield part.expr
        elif isinstance(part, TemplateIf):
            yield part.cond
            yield from _template_exprs(part.then)
            yield from _template_exprs(part.otherwise)
        elif isinstance(part, TemplateFor):
            yield part.collection
            yield from _template_exprs(part.body)


def walk(expr: Expr) -> Iterator[Expr]:
    """``expr`` and every expression inside it, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(node.children())))


# ---- references --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Traversal:
    """A static reference: a root name and the attribute names / literal keys after it, e.g.
    ``aws_lb.web.dns_name`` or ``var.ports[0]``."""

    root: str
    steps: tuple[str | Value, ...]
    rng: SourceRange

    def attr(self, i: int) -> str | None:
        """Step ``i`` if it is an attribute name (or a string key), else None."""
        if i >= len(self.steps):
            return None
        step = self.steps[i]
        if isinstance(step, str):
            return step
        return step.raw if isinstance(step.raw, str) else None


def traversals(expr: Expr) -> list[Traversal]:
    """The references ``expr`` makes to names outside itself (``for`` symbols excluded)."""
    out: list[Traversal] = []
    _collect(expr, frozenset(), out)
    return out


def _static_chain(expr: Expr) -> tuple[str, list[str | Value], Expr | None] | None:
    steps: list[str | Value] = []
    node = expr
    while True:
        if isinstance(node, GetAttr):
            steps.append(node.name)
            node = node.obj
        elif isinstance(node, Index) and isinstance(node.key, Literal):
            steps.append(node.key.value)
            node = node.obj
        elif isinstance(node, Index):
            # A dynamic key: the chain is static only up to here.
            steps.clear()
            node = node.obj
            inner = _static_chain(node)
            if inner is None:
                return None
            return inner[0], inner[1], expr
        elif isinstance(node, Variable):
            steps.reverse()
            return node.name, steps, None
        else:
            return None


def _collect(expr: Expr, bound: frozenset[str], out: list[Traversal]) -> None:
    if isinstance(expr, Variable | GetAttr | Index):
        chain = _static_chain(expr)
        if chain is not None:
            root, steps, _ = chain
            if root not in bound:
                root_rng = expr.rng
                out.append(Traversal(root, tuple(steps), root_rng))
            if isinstance(expr, Index) and not isinstance(expr.key, Literal):
                _collect(expr.key, bound, out)
                _collect_dynamic_keys(expr.obj, bound, out)
            else:
                _collect_dynamic_keys(expr, bound, out)
            return
    if isinstance(expr, ForExpr):
        _collect(expr.collection, bound, out)
        inner = bound | {expr.value_var} | ({expr.key_var} if expr.key_var else set())
        for child in (expr.key, expr.value, expr.cond):
            if child is not None:
                _collect(child, inner, out)
        return
    if isinstance(expr, Template):
        _collect_template(expr.parts, bound, out)
        return
    for child in expr.children():
        _collect(child, bound, out)


def _collect_dynamic_keys(expr: Expr, bound: frozenset[str], out: list[Traversal]) -> None:
    node = expr
    while isinstance(node, GetAttr | Index):
        if isinstance(node, Index) and not isinstance(node.key, Literal):
            _collect(node.key, bound, out)
        node = node.obj


def _collect_template(
    parts: tuple[TemplatePart, ...], bound: frozenset[str], out: list[Traversal]
) -> None:
    for part in parts:
        if isinstance(part, TemplateInterp):
            _collect(part.expr, bound, out)
        elif isinstance(part, TemplateIf):
            _collect(part.cond, bound, out)
            _collect_template(part.then, bound, out)
            _collect_template(part.otherwise, bound, out)
        elif isinstance(part, TemplateFor):
            _collect(part.collection, bound, out)
            inner = bound | {part.value_var} | ({part.key_var} if part.key_var else set())
            _collect_template(part.body, inner, out)

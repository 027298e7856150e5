"""Evaluating a resource (or provider) configuration body against its schema into one value.

Arguments are checked against the schema (unsupported, computed-only, missing required), nested
blocks against their nesting and item limits, ``dynamic`` blocks expanded, and every value
converted to its attribute's type. All problems are collected; a broken attribute becomes unknown
so the rest is still checked.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from gitterra import lang
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics, SourceRange
from gitterra.engine._schema import Attribute, BlockSchema, NestedBlock


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f' Did you mean "{close[0]}"?' if close else ""


class BodyDecoder:
    def __init__(self, scope: lang.Scope, context: str, diags: Diagnostics) -> None:
        self.scope = scope
        self.context = context
        self.diags = diags

    def error(self, summary: str, detail: str, rng: SourceRange | None) -> None:
        self.diags.add(Diagnostic.error(summary, detail, rng, self.context))

    def evaluate(self, expr: lang.Expr, scope: lang.Scope | None = None) -> lang.Value | None:
        try:
            return lang.evaluate(expr, scope or self.scope)
        except DiagnosticError as exc:
            self.diags.extend(d.with_context(self.context) for d in exc.diagnostics)
            return None

    def decode(
        self,
        body: lang.Body,
        schema: BlockSchema,
        missing_rng: SourceRange | None,
        scope: lang.Scope | None = None,
    ) -> lang.Value:
        scope = scope or self.scope
        out: dict[str, lang.Value] = {}
        given = {a.name: a for a in body.attributes}
        for given_attr in body.attributes:
            self._check_argument(given_attr, schema)
        for name, spec in schema.attributes.items():
            attr = given.get(name)
            if attr is None or (spec.computed and not spec.optional):
                if spec.required:
                    self.error(
                        "Missing required argument",
                        f'The argument "{name}" is required, but no definition was found.',
                        missing_rng or body.rng,
                    )
                out[name] = lang.null_val(spec.type)
                continue
            out[name] = self._attribute(attr, spec, scope)
        for block in body.blocks:
            target = block.labels[0] if block.type == "dynamic" and block.labels else block.type
            if target not in schema.blocks:
                what = (
                    f'"{target}"' if block.type != "dynamic" else f'"{target}" (in a dynamic block)'
                )
                self.error(
                    "Unsupported block type",
                    f"Blocks of type {what} are not expected here."
                    + _suggest(target, list(schema.blocks)),
                    block.type_rng,
                )
        for name, nb in schema.blocks.items():
            out[name] = self._blocks(body, name, nb, missing_rng, scope)
        # The object type follows the values: an `any` attribute holds a value of its own type.
        return lang.object_val(out)

    def _check_argument(self, attr: lang.Attribute, schema: BlockSchema) -> None:
        spec = schema.attributes.get(attr.name)
        if spec is None:
            if attr.name in schema.blocks:
                self.error(
                    "Unsupported argument",
                    f'An argument named "{attr.name}" is not expected here. Did you mean to '
                    f'define a block of type "{attr.name}"?',
                    attr.name_rng,
                )
            else:
                self.error(
                    "Unsupported argument",
                    f'An argument named "{attr.name}" is not expected here.'
                    + _suggest(attr.name, list(schema.attributes)),
                    attr.name_rng,
                )
        elif spec.computed and not spec.optional:
            self.error(
                "Invalid argument",
                f'The argument "{attr.name}" is computed by the provider (read-only) and cannot '
                "be set in configuration.",
                attr.name_rng,
            )

    def _attribute(self, attr: lang.Attribute, spec: Attribute, scope: lang.Scope) -> lang.Value:
        value = self.evaluate(attr.expr, scope)
        if value is None:
            return lang.unknown_val(spec.type)
        try:
            converted = lang.convert(value, spec.type)
        except lang.ConversionError as exc:
            self.error(
                "Incorrect attribute value type",
                f'Inappropriate value for attribute "{attr.name}": {exc.describe()}.',
                attr.expr.rng,
            )
            return lang.unknown_val(spec.type)
        return converted.mark_sensitive(spec.sensitive)

    def _blocks(
        self,
        body: lang.Body,
        name: str,
        nb: NestedBlock,
        missing_rng: SourceRange | None,
        scope: lang.Scope,
    ) -> lang.Value:
        ty = nb.block.implied_type()
        items: list[tuple[str | None, lang.Value]] = []
        unknown = False
        for block in body.blocks:
            if block.type == name:
                items.append(self._one_block(block, nb, scope))
            elif block.type == "dynamic" and block.labels and block.labels[0] == name:
                expanded = self._dynamic(block, nb, scope)
                if expanded is None:
                    unknown = True
                else:
                    items.extend(expanded)
        count = len(items)
        if nb.max_items and count > nb.max_items:
            self.error(
                f'Too many "{name}" blocks',
                f'No more than {nb.max_items} "{name}" block(s) are allowed.',
                missing_rng or body.rng,
            )
        if count < nb.min_items and not unknown:
            self.error(
                f'Insufficient "{name}" blocks',
                f'At least {nb.min_items} "{name}" block(s) are required.',
                missing_rng or body.rng,
            )
        return self._collect(nb, ty, items, unknown)

    def _collect(
        self,
        nb: NestedBlock,
        ty: lang.ObjectType,
        items: list[tuple[str | None, lang.Value]],
        unknown: bool,
    ) -> lang.Value:
        if nb.nesting == "single":
            if unknown:
                return lang.unknown_val(ty)
            return items[0][1] if items else lang.null_val(ty)
        if nb.nesting == "map":
            if unknown:
                return lang.unknown_val(lang.MapType(ty))
            return lang.map_val({k or "": v for k, v in items}, ty)
        if unknown:
            kind = lang.ListType(ty) if nb.nesting == "list" else lang.SetType(ty)
            return lang.unknown_val(kind)
        values = [v for _, v in items]
        return lang.list_val(values, ty) if nb.nesting == "list" else lang.set_val(values, ty)

    def _one_block(
        self, block: lang.Block, nb: NestedBlock, scope: lang.Scope
    ) -> tuple[str | None, lang.Value]:
        want = 1 if nb.nesting == "map" else 0
        if len(block.labels) != want:
            self.error(
                "Invalid block labels" if block.labels else "Missing block label",
                f'Blocks of type "{block.type}" take {want} label(s).',
                block.def_rng,
            )
        key = block.labels[0] if block.labels else None
        return key, self.decode(block.body, nb.block, block.def_rng, scope)

    def _dynamic(
        self, block: lang.Block, nb: NestedBlock, scope: lang.Scope
    ) -> list[tuple[str | None, lang.Value]] | None:
        body = block.body
        for_each = body.attribute("for_each")
        contents = body.blocks_of("content")
        if for_each is None or len(contents) != 1:
            self.error(
                "Invalid dynamic block",
                'A dynamic block needs a "for_each" argument and exactly one "content" block.',
                block.def_rng,
            )
            return []
        iterator = block.labels[0]
        it_attr = body.attribute("iterator")
        if it_attr is not None:
            if isinstance(it_attr.expr, lang.ast.Variable):
                iterator = it_attr.expr.name
            else:
                self.error(
                    "Invalid dynamic iterator name",
                    "The iterator is a plain name.",
                    it_attr.expr.rng,
                )
        coll = self.evaluate(for_each.expr, scope)
        if coll is None:
            return []
        if not coll.is_known:
            return None
        if coll.is_null or not isinstance(
            coll.type,
            lang.ListType | lang.SetType | lang.TupleType | lang.MapType | lang.ObjectType,
        ):
            self.error(
                "Invalid dynamic for_each value",
                f"Cannot use a {coll.type.friendly()} value in for_each. An iterable "
                "collection is required.",
                for_each.expr.rng,
            )
            return []
        out: list[tuple[str | None, lang.Value]] = []
        for key, value in _pairs(coll):
            it = lang.object_val({"key": key, "value": value})
            inner = scope.child({iterator: it})
            label: str | None = None
            labels = body.attribute("labels")
            if labels is not None:
                lv = self.evaluate(labels.expr, inner)
                if lv is not None and lv.is_wholly_known() and not lv.is_null:
                    parts = (
                        [e.raw for e in lv.elements()]
                        if isinstance(lv.type, lang.ListType | lang.TupleType)
                        else []
                    )
                    label = str(parts[0]) if parts else None
            out.append((label, self.decode(contents[0].body, nb.block, block.def_rng, inner)))
        return out


def _pairs(coll: lang.Value) -> list[tuple[lang.Value, lang.Value]]:
    ty = coll.type
    if isinstance(ty, lang.ListType | lang.TupleType):
        return [(lang.number_val(i), e) for i, e in enumerate(coll.elements())]
    if isinstance(ty, lang.SetType):
        return [(e, e) for e in coll.elements()]
    items = coll.items()
    return [(lang.string_val(k), items[k]) for k in sorted(items)]


def decode_body(
    body: lang.Body,
    schema: BlockSchema,
    scope: lang.Scope,
    context: str,
    missing_rng: SourceRange | None = None,
) -> tuple[lang.Value, Diagnostics]:
    """The value of ``body`` under ``schema``, and every problem found."""
    diags = Diagnostics()
    value = BodyDecoder(scope, context, diags).decode(body, schema, missing_rng)
    return value, diags


def place(
    diags: Iterable[Diagnostic], body: lang.Body, block_rng: SourceRange, context: str
) -> list[Diagnostic]:
    """Provider diagnostics placed in the configuration: at the attribute they name (when the
    body sets it), else at the block, with the block as context."""
    out = []
    for d in diags:
        if d.subject is None:
            d = d.with_subject(_at_path(body, d.attribute or (), block_rng))
        out.append(d.with_context(context))
    return out


def _at_path(body: lang.Body, path: Sequence[object], rng: SourceRange) -> SourceRange:
    """The range of the deepest part of ``path`` (attribute names, nested block types, block
    indexes) that ``body`` writes: an attribute's value, else a nested block's header."""
    steps = list(path)
    while steps:
        name = steps.pop(0)
        if not isinstance(name, str):
            break
        attr = body.attribute(name)
        if attr is not None:
            return attr.expr.rng
        blocks = body.blocks_of(name)
        if not blocks:
            break
        index = steps.pop(0) if steps and isinstance(steps[0], int) else 0
        if not isinstance(index, int) or not 0 <= index < len(blocks):
            return blocks[0].def_rng
        block = blocks[index]
        rng = block.def_rng
        body = block.body
    return rng

"""Decoding a file's blocks into the module model, checking each block's shape.

Every check reports a diagnostic at the offending place and decoding continues, so one run shows
all the mistakes of a file. Arguments that must be constant (a variable's ``default``, a module's
``source``, ``lifecycle`` flags) are evaluated here; everything else stays an expression.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from gitterra import lang
from gitterra.config import _model as m
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics, SourceRange
from gitterra.lang import functions

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

#: Blocks of the language gitterra does not implement: an error, never silently ignored.
UNSUPPORTED_TOP = {
    "moved": "refactoring with moved blocks",
    "import": "import blocks (use the `gitterra import` command)",
    "check": "check blocks",
    "removed": "removed blocks",
    "ephemeral": "ephemeral resources",
}
TOP_BLOCKS = ("terraform", "provider", "variable", "locals", "output", "resource", "data", "module")


class Decoder:
    """Decodes the files of one module into ``module``, collecting diagnostics."""

    def __init__(self, module: m.Module, diags: Diagnostics) -> None:
        self.module = module
        self.diags = diags
        self._first_seen: dict[tuple[str, str], SourceRange] = {}

    def error(
        self, summary: str, detail: str, rng: SourceRange | None, context: str | None = None
    ) -> None:
        self.diags.add(Diagnostic.error(summary, detail, rng, context))

    # ---- generic shape checks ----

    def check_body(
        self,
        body: lang.Body,
        attrs: Iterable[str],
        blocks: Iterable[str],
        context: str,
        required: Iterable[str] = (),
        missing_rng: SourceRange | None = None,
    ) -> None:
        attrs, blocks = set(attrs), set(blocks)
        for attr in body.attributes:
            if attr.name not in attrs:
                hint = suggest(attr.name, attrs)
                self.error(
                    "Unsupported argument",
                    f'An argument named "{attr.name}" is not expected here.{hint}',
                    attr.name_rng,
                    context,
                )
        for block in body.blocks:
            if block.type not in blocks:
                hint = suggest(block.type, blocks)
                self.error(
                    "Unsupported block type",
                    f'Blocks of type "{block.type}" are not expected here.{hint}',
                    block.type_rng,
                    context,
                )
        seen: dict[str, lang.Attribute] = {}
        for attr in body.attributes:
            if attr.name in seen:
                self.error(
                    "Attribute redefined",
                    f'The argument "{attr.name}" was already set at {seen[attr.name].name_rng}. '
                    "Each argument may be set only once.",
                    attr.name_rng,
                    context,
                )
            seen[attr.name] = attr
        for name in required:
            if name not in seen:
                self.error(
                    "Missing required argument",
                    f'The argument "{name}" is required, but no definition was found.',
                    missing_rng or body.rng,
                    context,
                )

    def check_labels(self, block: lang.Block, names: tuple[str, ...]) -> bool:
        """Whether ``block`` has exactly the labels ``names`` describes (and valid ones)."""
        if len(block.labels) < len(names):
            missing = names[len(block.labels)]
            self.error(
                f"Missing {missing} for {block.type}",
                f"All {block.type} blocks must have {len(names)} label(s) ({', '.join(names)}).",
                block.def_rng,
            )
            return False
        if len(block.labels) > len(names):
            self.error(
                f"Extraneous label for {block.type}",
                f"Only {len(names)} label(s) ({', '.join(names) or 'none'}) are expected for "
                f"{block.type} blocks.",
                block.label_rngs[len(names)],
            )
            return False
        ok = True
        for label, rng, what in zip(block.labels, block.label_rngs, names, strict=True):
            if not NAME.match(label):
                self.error(
                    f"Invalid {what}",
                    "A name must start with a letter or underscore and may contain only letters, "
                    "digits, underscores, and dashes.",
                    rng,
                )
                ok = False
        return ok

    def unique(self, kind: str, key: str, rng: SourceRange, summary: str, detail: str) -> bool:
        prior = self._first_seen.get((kind, key))
        if prior is not None:
            self.error(summary, f"{detail} It was already declared at {prior}.", rng)
            return False
        self._first_seen[(kind, key)] = rng
        return True

    # ---- constants ----

    def const(self, attr: lang.Attribute, context: str) -> lang.Value | None:
        """The value of an argument that must be a constant expression."""
        refs = lang.traversals(attr.expr)
        if refs:
            self.error(
                "Variables not allowed",
                f'The argument "{attr.name}" must be a constant: references such as '
                f'"{refs[0].root}" cannot be used here.',
                refs[0].rng,
                context,
            )
            return None
        try:
            return lang.evaluate(attr.expr, lang.Scope({}, functions.builtins()))
        except DiagnosticError as exc:
            self.diags.extend(d.with_context(context) for d in exc.diagnostics)
            return None

    def const_as(self, attr: lang.Attribute, ty: lang.Type, context: str) -> lang.Value | None:
        val = self.const(attr, context)
        if val is None:
            return None
        if val.is_null or not val.is_wholly_known():
            self.error(
                "Invalid value",
                f'The argument "{attr.name}" must not be null.',
                attr.expr.rng,
                context,
            )
            return None
        try:
            return lang.convert(val, ty)
        except lang.ConversionError as exc:
            self.error(
                f'Invalid value for "{attr.name}"',
                f"{exc.describe().capitalize()}.",
                attr.expr.rng,
                context,
            )
            return None

    def const_str(self, body: lang.Body, name: str, context: str, default: str = "") -> str:
        attr = body.attribute(name)
        if attr is None:
            return default
        val = self.const_as(attr, lang.STRING, context)
        return default if val is None else val.as_str()

    def const_bool(self, body: lang.Body, name: str, context: str, default: bool = False) -> bool:
        attr = body.attribute(name)
        if attr is None:
            return default
        val = self.const_as(attr, lang.BOOL, context)
        return default if val is None else val.as_bool()

    # ---- reference lists ----

    def traversal_list(
        self, attr: lang.Attribute | None, context: str
    ) -> tuple[lang.Traversal, ...]:
        """A static list of references (``depends_on``)."""
        if attr is None:
            return ()
        expr = attr.expr
        if not isinstance(expr, lang.ast.TupleCons):
            self.error(
                "Invalid expression", "A static list expression is required.", expr.rng, context
            )
            return ()
        out: list[lang.Traversal] = []
        for elem in expr.elements:
            trav = static_traversal(elem)
            if trav is None:
                self.error(
                    "Invalid expression",
                    "A single static variable reference is required: only attribute access and "
                    "indexing with constant keys. No calculations, function calls, template "
                    "expressions, etc are allowed here.",
                    elem.rng,
                    context,
                )
            else:
                out.append(trav)
        return tuple(out)

    def provider_ref(self, attr: lang.Attribute, context: str) -> m.ProviderRef | None:
        """A ``provider = aws.west`` style reference."""
        trav = static_traversal(attr.expr)
        if (
            trav is None
            or len(trav.steps) > 1
            or (trav.steps and not isinstance(trav.steps[0], str))
        ):
            self.error(
                "Invalid provider reference",
                "A provider reference is a provider name, optionally followed by a dot and an "
                "alias: aws or aws.west (without quotes).",
                attr.expr.rng,
                context,
            )
            return None
        alias = trav.steps[0] if trav.steps else None
        assert alias is None or isinstance(alias, str)
        return m.ProviderRef(trav.root, alias)

    def checks(self, body: lang.Body, kind: str, context: str) -> tuple[m.Check, ...]:
        out: list[m.Check] = []
        for block in body.blocks_of(kind):
            self.check_labels(block, ())
            self.check_body(
                block.body,
                ("condition", "error_message"),
                (),
                context,
                ("condition", "error_message"),
            )
            cond = block.body.attribute("condition")
            msg = block.body.attribute("error_message")
            if cond is not None and msg is not None:
                out.append(m.Check(cond.expr, msg.expr, block.def_rng))
        return tuple(out)


def static_traversal(expr: lang.Expr) -> lang.Traversal | None:
    """``expr`` as a static reference, or None when it computes something."""
    if not isinstance(expr, lang.ast.Variable | lang.ast.GetAttr | lang.ast.Index):
        return None
    found = lang.traversals(expr)
    if len(found) != 1:
        return None
    trav = found[0]
    # Rebuild the chain length to be sure every step was static.
    depth = 0
    node: lang.Expr = expr
    while isinstance(node, lang.ast.GetAttr | lang.ast.Index):
        if isinstance(node, lang.ast.Index) and not isinstance(node.key, lang.ast.Literal):
            return None
        depth += 1
        node = node.obj
    if depth != len(trav.steps):
        return None
    return lang.Traversal(trav.root, trav.steps, expr.rng)


def suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, [o for o in options if o != name], n=1)
    return f' Did you mean "{close[0]}"?' if close else ""

"""Rendering template files (``templatefile``) and the default function context."""

from __future__ import annotations

from collections.abc import Mapping

from gitterra.diag import DiagnosticError
from gitterra.lang import _eval
from gitterra.lang import _template as template
from gitterra.lang._context import Clock, FileSystem, FunctionContext, SystemClock
from gitterra.lang._function import Function, FunctionError
from gitterra.lang._values import Value


class TemplateRenderer:
    """Renders a template file's source with only the given variables (no ``var.``/``local.``),
    as ``templatefile`` specifies. Bound to its function context after construction."""

    def __init__(self, functions: Mapping[str, Function]) -> None:
        self.functions = functions
        self.fctx: FunctionContext | None = None

    def __call__(self, source: str, filename: str, variables: Mapping[str, Value]) -> Value:
        assert self.fctx is not None, "TemplateRenderer used before binding"
        try:
            expr = template.parse_template(source, filename)
            scope = _eval.Scope(dict(variables), self.functions, self.fctx)
            return _eval.evaluate(expr, scope)
        except DiagnosticError as exc:
            d = exc.diagnostic
            where = f"{d.subject}: " if d.subject else ""
            raise FunctionError(f"{where}{d.summary}; {d.detail}") from None


def function_context(
    fs: FileSystem | None,
    functions: Mapping[str, Function],
    clock: Clock | None = None,
) -> FunctionContext:
    """A function context whose ``templatefile`` renders with ``functions``."""
    renderer = TemplateRenderer(functions)
    fctx = FunctionContext(fs=fs, clock=clock or SystemClock(), render_template=renderer)
    renderer.fctx = fctx
    return fctx

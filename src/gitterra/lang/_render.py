"""Rendering template files (``templatefile``) and the default function context."""

from __future__ import annotations

from collections.abc import Mapping

from gitterra.diag import DiagnosticError
from gitterra.lang import _ast as ast
from gitterra.lang import _eval
from gitterra.lang import _template as template
from gitterra.lang._context import Clock, FileSystem, FunctionContext, SystemClock
from gitterra.lang._function import Function, FunctionError, Param
from gitterra.lang._values import Value


class TemplateRenderer:
    """Renders a template file's source with only the given variables (no ``var.``/``local.``),
    as ``templatefile`` specifies. Bound to its function context after construction."""

    def __init__(self, functions: Mapping[str, Function]) -> None:
        # Inside a template, templatefile itself is refused (as Terraform does): a template
        # could otherwise render itself forever.
        self.functions = {**functions, "templatefile": _NO_RECURSION}
        self.fctx: FunctionContext | None = None

    def __call__(self, source: str, filename: str, variables: Mapping[str, Value]) -> Value:
        assert self.fctx is not None, "TemplateRenderer used before binding"
        try:
            expr = template.parse_template(source, filename)
            for ref in ast.traversals(expr):
                if ref.root not in variables:
                    raise FunctionError(
                        f'vars map does not contain key "{ref.root}", referenced at {ref.rng}',
                        arg_index=1,
                    )
            scope = _eval.Scope(dict(variables), self.functions, self.fctx)
            return _eval.evaluate(expr, scope)
        except DiagnosticError as exc:
            d = exc.diagnostic
            where = f"{d.subject}: " if d.subject else ""
            raise FunctionError(f"{where}{d.summary}; {d.detail}") from None


def _refuse_recursion(ctx: FunctionContext, args: list[Value]) -> Value:
    del ctx, args
    raise FunctionError(
        "cannot recursively call templatefile from inside another templatefile call"
    )


_NO_RECURSION = Function(
    name="templatefile",
    params=(Param("path", allow_unknown=True), Param("vars", allow_unknown=True, allow_null=True)),
    impl=_refuse_recursion,
)


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

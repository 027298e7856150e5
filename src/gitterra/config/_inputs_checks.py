"""Checking input variables' ``validation`` blocks against their values.

As in Terraform 1.9 and later, a condition may refer to anything in the module, not only to
the variable it validates: other variables, locals, ``path``, ``terraform.workspace``; before
planning, resources, data sources and module outputs are unknown, so a condition that depends
on them is unknown and skipped (the engine can check again with a richer scope). Per rule:

- an unknown condition is skipped;
- a null condition, or one that is not a bool, is "Invalid variable validation result";
- false is "Invalid value for variable" with the rule's ``error_message`` (trimmed) as the
  detail, placed at the value in the variables file that set it, or at the variable's
  declaration when the value has no place in a file (-var, TF_VAR_, a prompt, the default);
- an ``error_message`` that cannot be shown (unknown, not a string, sensitive) is reported too,
  in Terraform's words.

Locals are computed only when some rule refers to ``local``; a rule that fails because a local
it uses is broken is skipped, since the local's own error is reported where locals are
evaluated (validate, plan).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from gitterra import lang
from gitterra.config import _model as m
from gitterra.config import _scope
from gitterra.config._inputs_model import InputValues
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics, SourceRange
from gitterra.lang import functions

_NO_MESSAGE = "Failed to evaluate condition error message."


def check_validations(
    module: m.Module,
    values: Mapping[str, lang.Value],
    fctx: lang.FunctionContext,
    *,
    opts: _scope.ScopeOptions | None = None,
    scope: lang.Scope | None = None,
) -> Diagnostics:
    """Evaluate every ``validation`` rule of every variable ``module`` declares.

    ``values`` are the variables' values (``input_values``'s result, whose origins place the
    messages); a variable missing from it is unknown. ``opts`` sets ``path.cwd`` and the
    workspace (default: the function context's working directory); ``scope`` replaces the
    scope built here, for callers that know more (the engine during a plan).
    """
    diags = Diagnostics()
    decls = [d for d in module.variables.values() if d.validations]
    if not decls:
        return diags
    broken: frozenset[Diagnostic] = frozenset()
    if scope is None:
        scope, broken = _build_scope(module, values, fctx, opts, decls)
    origins = values.origins if isinstance(values, InputValues) else {}
    for decl in decls:
        origin = origins.get(decl.name)
        subject = origin.rng if origin is not None and origin.rng is not None else decl.rng
        for check in decl.validations:
            _check_rule(decl, check, scope, subject, broken, diags)
    return diags


def _build_scope(
    module: m.Module,
    values: Mapping[str, lang.Value],
    fctx: lang.FunctionContext,
    opts: _scope.ScopeOptions | None,
    decls: Iterable[m.Variable],
) -> tuple[lang.Scope, frozenset[Diagnostic]]:
    if opts is None:
        cwd = fctx.fs.abspath(".") if fctx.fs is not None else "."
        opts = _scope.ScopeOptions(cwd=cwd, unknown_variables=True)
    uses_locals = any(
        trav.root == "local"
        for decl in decls
        for check in decl.validations
        for expr in (check.condition, check.error_message)
        for trav in lang.traversals(expr)
    )
    if uses_locals:
        scope, problems = _scope.module_scope(module, fctx, opts, values)
        return scope, frozenset(_bare(p) for p in problems)
    variables = _scope.base_variables(module, opts)
    variables["var"] = _scope.variable_namespace(module, values, opts.unknown_variables)
    return lang.Scope(variables, functions.builtins(), fctx), frozenset()


def _check_rule(
    decl: m.Variable,
    check: m.Check,
    scope: lang.Scope,
    subject: SourceRange,
    broken: frozenset[Diagnostic],
    diags: Diagnostics,
) -> None:
    context = f'variable "{decl.name}"'
    problems: list[Diagnostic] = []
    cond = _evaluate(check.condition, scope, problems)
    message = _evaluate(check.error_message, scope, problems)
    if any(_bare(p) in broken for p in problems):
        return
    diags.extend(p.with_context(context) for p in problems)
    if cond is None or not cond.is_known:
        return
    detail = _condition_problem(cond)
    if detail is not None:
        diags.add(
            Diagnostic.error(
                "Invalid variable validation result", detail, check.condition.rng, context
            )
        )
        return
    if lang.convert(cond, lang.BOOL).raw is True:
        return
    text = _message_text(check, message, diags, context)
    if text is not None:
        diags.add(
            Diagnostic.error(
                "Invalid value for variable",
                f"{text}\n\nThis was checked by the validation rule at {check.rng}.",
                subject,
            )
        )


def _bare(diag: Diagnostic) -> Diagnostic:
    """``diag`` without its context, to recognise a local's error re-raised where it is used."""
    return dataclasses.replace(diag, context=None)


def _evaluate(expr: lang.Expr, scope: lang.Scope, problems: list[Diagnostic]) -> lang.Value | None:
    try:
        return lang.evaluate(expr, scope)
    except DiagnosticError as exc:
        problems.extend(exc.diagnostics)
        return None


def _condition_problem(cond: lang.Value) -> str | None:
    if cond.is_null:
        return "Validation condition expression must return either true or false, not null."
    try:
        lang.convert(cond, lang.BOOL)
    except lang.ConversionError as exc:
        return f"Invalid validation condition result value: {exc.describe()}."
    return None


def _message_text(
    check: m.Check, message: lang.Value | None, diags: Diagnostics, context: str
) -> str | None:
    """The text to show for a failed rule, or None when the message is unknown (an error
    reported here, as Terraform does, instead of the failure)."""
    rng = check.error_message.rng
    if message is None or message.is_null:
        return _NO_MESSAGE
    if not message.is_known:
        diags.add(
            Diagnostic.error(
                "Invalid error message",
                "Unsuitable value for error message: expression refers to values that won't be "
                "known until the apply phase.",
                rng,
                context,
            )
        )
        return None
    try:
        text = lang.convert(message, lang.STRING)
    except lang.ConversionError as exc:
        diags.add(
            Diagnostic.error(
                "Invalid error message",
                f"Unsuitable value for error message: {exc.describe()}.",
                rng,
                context,
            )
        )
        return _NO_MESSAGE
    if text.contains_sensitive():
        diags.add(
            Diagnostic.error(
                "Error message refers to sensitive values",
                "The error expression used to explain this condition refers to sensitive "
                "values. gitterra will not display the resulting message.\n\nYou can correct "
                "this by removing references to sensitive values, or by carefully using the "
                "nonsensitive() function if the expression will not reveal the sensitive data.",
                rng,
                context,
            )
        )
        return "The error message included a sensitive value, so it will not be displayed."
    return text.as_str().strip() or _NO_MESSAGE

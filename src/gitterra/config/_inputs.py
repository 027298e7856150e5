"""Root module input variable values, assigned as Terraform assigns them.

``input_values`` gathers values from every source (``_inputs_sources`` states the precedence
and the rules for files), lets the highest-precedence value of each variable win, and then,
for each declared variable:

- text from ``-var``, ``TF_VAR_<name>`` and prompts is taken literally for a variable whose
  type is a primitive (``string``, ``number``, ``bool``) or not given, and parsed as an HCL
  expression (constants only) for any other type (``-var 'l=["a","b"]'`` is a list);
- the value is converted to the variable's type (optional attributes get their defaults); an
  unsuitable value is an error naming where it was set;
- null is refused for ``nullable = false`` (the default is used instead when there is one);
- a required variable with no value is prompted for when input is allowed and a prompt is
  given, else it is Terraform's "No value for required variable" at its declaration;
- sensitive variables' values are marked sensitive.

A value for an undeclared variable is an error from ``-var``, a warning from a file (two at
most, then a count, as Terraform does) and ignored from the environment (where it may be meant
for another configuration). When collecting finds errors (unreadable or malformed files,
malformed options) nothing is parsed, converted or prompted for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from gitterra import lang
from gitterra.config import _inputs_sources
from gitterra.config import _model as m
from gitterra.config._inputs_model import Candidate, CliVar, InputValues, ValueOrigin, VarSource
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics

#: Warnings for undeclared variables set in files before the rest are only counted.
_MAX_UNDECLARED_WARNINGS = 2

Prompt = Callable[[m.Variable], str]


def input_values(
    module: m.Module,
    fs: lang.FileSystem,
    env: Mapping[str, str],
    cli: Sequence[CliVar],
    *,
    input_allowed: bool,
    prompt: Prompt | None = None,
) -> tuple[InputValues, Diagnostics]:
    """The value of every variable ``module`` declares (an :class:`InputValues`, which is a
    ``dict``), and the diagnostics found. See the module docstring for the rules.

    ``env`` is the environment (only ``TF_VAR_*`` entries are used); ``cli`` the ``-var`` and
    ``-var-file`` options in command-line order; ``prompt`` asks the user for a required
    variable's value and returns the raw text (parsed like a ``-var`` value). Nothing is
    written; files are read through ``fs``.
    """
    diags = Diagnostics()
    out = InputValues()
    candidates = _inputs_sources.collect(fs, env, cli, diags, out.files)
    if diags.has_errors:
        _placeholders(module, out)
        return out, diags
    winners: dict[str, Candidate] = {}
    for given in candidates:
        winners[given.name] = given
    if not module.incomplete:  # else a file that failed to load may declare them
        _report_undeclared(module, winners, diags)
    if input_allowed and prompt is not None:
        for name in sorted(module.variables):
            decl = module.variables[name]
            if decl.required and name not in winners:
                winners[name] = Candidate(name, VarSource.INPUT, text=prompt(decl))
    for name, decl in module.variables.items():
        cand = winners.get(name)
        if cand is None:
            _unset(decl, out, diags)
            continue
        value = _resolve(decl, cand, out.files, diags)
        if value is None:
            value = lang.unknown_val(decl.type)
        out[name] = value.mark_sensitive(decl.sensitive)
        out.origins[name] = ValueOrigin(cand.source, cand.rng)
    return out, diags


def _placeholders(module: m.Module, out: InputValues) -> None:
    for name, decl in module.variables.items():
        out[name] = lang.unknown_val(decl.type).mark_sensitive(decl.sensitive)


def _unset(decl: m.Variable, out: InputValues, diags: Diagnostics) -> None:
    if decl.default is not None:
        out[decl.name] = decl.default.mark_sensitive(decl.sensitive)
        out.origins[decl.name] = ValueOrigin(VarSource.DEFAULT)
        return
    diags.add(
        Diagnostic.error(
            "No value for required variable",
            f'The root module input variable "{decl.name}" is not set, and has no default '
            "value. Use a -var or -var-file command line argument to provide a value for this "
            "variable.",
            decl.rng,
        )
    )
    out[decl.name] = lang.unknown_val(decl.type).mark_sensitive(decl.sensitive)


def _report_undeclared(
    module: m.Module, winners: Mapping[str, Candidate], diags: Diagnostics
) -> None:
    in_files = 0
    for name, cand in winners.items():
        if name in module.variables:
            continue
        match cand.source:
            case VarSource.ENV:
                pass  # environment variables are often set for many configurations at once
            case VarSource.VAR:
                diags.add(
                    Diagnostic.error(
                        "Value for undeclared variable",
                        f'A variable named "{name}" was assigned on the command line, but the '
                        "root module does not declare a variable of that name. To use this "
                        'value, add a "variable" block to the configuration.',
                    )
                )
            case _:
                in_files += 1
                if in_files <= _MAX_UNDECLARED_WARNINGS:
                    diags.add(_undeclared_in_file(name, cand))
    if in_files > _MAX_UNDECLARED_WARNINGS:
        diags.add(
            Diagnostic.warning(
                "Values for undeclared variables",
                "In addition to the other similar warnings shown, "
                f"{in_files - _MAX_UNDECLARED_WARNINGS} other variable(s) defined without being "
                "declared.",
            )
        )


def _undeclared_in_file(name: str, cand: Candidate) -> Diagnostic:
    return Diagnostic.warning(
        "Value for undeclared variable",
        f'The root module does not declare a variable named "{name}" but a value was found in '
        f'file "{cand.filename}". If you meant to use this value, add a "variable" block to the '
        "configuration.\n\nTo silence these warnings, use TF_VAR_... environment variables to "
        'provide certain "global" settings to all configurations in your organization.',
        cand.name_rng,
    )


# ---- one declared variable --------------------------------------------------------------------


def _resolve(
    decl: m.Variable, cand: Candidate, files: dict[str, str], diags: Diagnostics
) -> lang.Value | None:
    """The final value of ``decl`` from its winning candidate, or None after reporting why
    there is none."""
    try:
        raw = cand.value if cand.value is not None else _parse_text(decl, cand, files)
    except DiagnosticError as exc:
        context = _text_context(decl.name, cand.source)
        diags.extend(d.with_context(context) for d in exc.diagnostics)
        return None
    origin = ValueOrigin(cand.source, cand.rng)
    try:
        value = lang.convert(raw, decl.type)
    except lang.ConversionError as exc:
        diags.add(_unsuitable(decl, origin, exc.describe(), null=False))
        return None
    if value.is_null and not decl.nullable:
        if decl.default is not None:
            return decl.default
        diags.add(_unsuitable(decl, origin, "required variable may not be set to null", null=True))
        return None
    return value


def parses_literally(decl: m.Variable) -> bool:
    """Whether text given for ``decl`` (-var, TF_VAR_, a prompt) is the value itself rather
    than an HCL expression: for primitive types and for variables without a type."""
    return not decl.type_given or isinstance(decl.type, lang.PrimitiveType)


def _parse_text(decl: m.Variable, cand: Candidate, files: dict[str, str]) -> lang.Value:
    if parses_literally(decl):
        return lang.string_val(cand.text)
    filename = f"<value for var.{decl.name}>"
    if not decl.sensitive:
        files[filename] = cand.text  # for a snippet under the message; never a secret's text
    expr = lang.parse_expression(cand.text, lang.Origin(filename))
    return _inputs_sources.constant(expr)


def _text_context(name: str, source: VarSource) -> str:
    if source is VarSource.ENV:
        return f"environment variable TF_VAR_{name}"
    if source is VarSource.INPUT:
        return "interactive input"
    return "-var option"


def _unsuitable(decl: m.Variable, origin: ValueOrigin, problem: str, *, null: bool) -> Diagnostic:
    """Terraform's message for a value that does not fit ``decl`` (``null``: a null value for
    a non-nullable variable), naming where it was set."""
    summary = "Required variable not set" if null else "Invalid value for input variable"
    addr = f"var.{decl.name}"
    if origin.rng is None:
        detail = f"Unsuitable value for {addr} {origin.describe(decl.name)}: {problem}."
        return Diagnostic.error(summary, detail, decl.rng)
    if decl.sensitive and not null:
        return Diagnostic.error(
            summary,
            f"The given value is not suitable for {addr}, which is sensitive: {problem}. "
            f"Invalid value defined at {origin.rng}.",
            decl.rng,
        )
    verb = "defined" if null else "declared"
    return Diagnostic.error(
        summary,
        f"The given value is not suitable for {addr} {verb} at {decl.rng}: {problem}.",
        origin.rng,
    )

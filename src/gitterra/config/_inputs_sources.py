"""Collecting root module variable values from every source, in Terraform's precedence order.

The order, lowest first: ``TF_VAR_<name>`` environment variables; ``terraform.tfvars``;
``terraform.tfvars.json``; ``*.auto.tfvars`` and ``*.auto.tfvars.json`` in lexical order of
their names; then ``-var`` and ``-var-file`` options in command-line order. Files are found
and read through the ``lang.FileSystem`` given (relative names resolve against its base, the
working directory, as Terraform reads them from its working directory).

A variables file holds attributes only: a block is an error (a ``variable`` block gets
Terraform's hint that declarations belong in ``.tf`` files), and values must be constants (a
reference or a function call is an error at its place). Every value of every file is checked,
even one a later source overrides (Terraform evaluates only the winning value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gitterra import lang
from gitterra.config import _inputs_json
from gitterra.config._inputs_model import Candidate, CliVar, VarSource
from gitterra.diag import Diagnostic, DiagnosticError, Diagnostics

ENV_PREFIX = "TF_VAR_"
DEFAULT_FILE = "terraform.tfvars"
_EMPTY_SCOPE = lang.Scope({}, {})


def collect(
    fs: lang.FileSystem,
    env: Mapping[str, str],
    cli: Sequence[CliVar],
    diags: Diagnostics,
    files: dict[str, str],
) -> list[Candidate]:
    """Every value given by every source, lowest precedence first (a later candidate for the
    same name wins). Problems go to ``diags``; the text of each file read to ``files``."""
    out: list[Candidate] = []
    for key, text in env.items():
        if key.startswith(ENV_PREFIX):
            out.append(Candidate(key[len(ENV_PREFIX) :], VarSource.ENV, text=text))
    for path in (DEFAULT_FILE, DEFAULT_FILE + ".json"):
        if _exists(fs, path):
            out.extend(read_file(fs, path, VarSource.TFVARS, diags, files))
    for path in _auto_files(fs, diags):
        out.extend(read_file(fs, path, VarSource.AUTO, diags, files))
    for opt in cli:
        if opt.kind == "var_file":
            out.extend(read_file(fs, opt.value, VarSource.VAR_FILE, diags, files))
        else:
            cand = _var_option(opt.value, diags)
            if cand is not None:
                out.append(cand)
    return out


def _exists(fs: lang.FileSystem, path: str) -> bool:
    try:
        return fs.kind(path) is not None
    except OSError:
        return True  # reading it will say why it cannot be used


def _auto_files(fs: lang.FileSystem, diags: Diagnostics) -> list[str]:
    try:
        found = set(fs.glob(".", "*.auto.tfvars")) | set(fs.glob(".", "*.auto.tfvars.json"))
    except OSError as exc:
        diags.add(
            Diagnostic.error(
                "Failed to read variables files",
                "The working directory could not be listed to find *.auto.tfvars files: "
                f"{exc.strerror or exc}.",
            )
        )
        return []
    # Only files directly in the directory (the patterns have no "/"), in lexical order.
    return sorted(found)


def _var_option(raw: str, diags: Diagnostics) -> Candidate | None:
    """A ``-var NAME=VALUE`` option, or None (with an error) when it is malformed."""
    name, eq, text = raw.partition("=")
    if not eq:
        diags.add(
            Diagnostic.error(
                "Invalid -var option",
                f"The given -var option {lang.go_quote(raw)} is not correctly specified. Must be "
                'a variable name and value separated by an equals sign, like -var="key=value".',
            )
        )
        return None
    if name.endswith(" "):
        diags.add(
            Diagnostic.error(
                "Invalid -var option",
                f"Variable name {lang.go_quote(name)} is invalid due to trailing space. Did you "
                f'mean -var="{name.rstrip(" ")}={text.lstrip(" ")}"?',
            )
        )
        return None
    return Candidate(name, VarSource.VAR, text=text)


# ---- files ----------------------------------------------------------------------------------


def read_file(
    fs: lang.FileSystem, path: str, source: VarSource, diags: Diagnostics, files: dict[str, str]
) -> list[Candidate]:
    """The values a variables file sets: JSON when its name ends in ``.json`` (as Terraform
    decides), else native syntax."""
    text = _read_text(fs, path, diags)
    if text is None:
        return []
    files[path] = text
    if path.endswith(".json"):
        props, problems = _inputs_json.parse_json_vars(text, path)
        diags.extend(problems)
        return [
            Candidate(p.name, source, p.value, rng=p.value_rng, name_rng=p.name_rng, filename=path)
            for p in props
        ]
    return _native(text, path, source, diags)


def _read_text(fs: lang.FileSystem, path: str, diags: Diagnostics) -> str | None:
    try:
        data = fs.read_bytes(path)
    except FileNotFoundError:
        detail = f"Given variables file {path} does not exist."
    except OSError as exc:
        detail = f"Error while reading {path}: {exc.strerror or exc}."
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            detail = (
                f"{path} is not valid UTF-8 (byte offset {exc.start}); variables files must be "
                "UTF-8 encoded."
            )
    diags.add(Diagnostic.error("Failed to read variables file", detail))
    return None


def _native(text: str, path: str, source: VarSource, diags: Diagnostics) -> list[Candidate]:
    try:
        body = lang.parse_file(text, path)
    except DiagnosticError as exc:
        diags.extend(exc.diagnostics)
        return []
    for block in body.blocks:
        diags.add(_block_error(block, path))
    out: list[Candidate] = []
    seen: dict[str, lang.Attribute] = {}
    for attr in body.attributes:
        first = seen.get(attr.name)
        if first is not None:
            diags.add(
                Diagnostic.error(
                    "Attribute redefined",
                    f'The argument "{attr.name}" was already set at {first.name_rng}. Each '
                    "argument may be set only once.",
                    attr.name_rng,
                )
            )
            continue
        seen[attr.name] = attr
        try:
            value = constant(attr.expr)
        except DiagnosticError as exc:
            diags.extend(exc.diagnostics)
            continue
        out.append(
            Candidate(
                attr.name, source, value, rng=attr.expr.rng, name_rng=attr.name_rng, filename=path
            )
        )
    return out


def _block_error(block: lang.Block, path: str) -> Diagnostic:
    if block.type == "variable" and len(block.labels) == 1:
        name = block.labels[0]
        return Diagnostic.error(
            "Variable declaration in .tfvars file",
            "A .tfvars file is used to assign values to variables that have already been "
            "declared in .tf files, not to declare new variables. To declare variable "
            f'"{name}", place this block in one of your .tf files, such as variables.tf.\n\n'
            f"To set a value for this variable in {path}, use the definition syntax instead:\n"
            f"    {name} = <value>",
            block.type_rng,
        )
    return Diagnostic.error(
        f'Unexpected "{block.type}" block',
        "Blocks are not allowed here: a variables file holds only NAME = VALUE definitions.",
        block.type_rng,
    )


def constant(expr: lang.Expr) -> lang.Value:
    """The value of an expression that may use neither references nor function calls (HCL
    evaluating without a context); raises :class:`DiagnosticError` naming each one."""
    problems = [
        Diagnostic.error("Variables not allowed", "Variables may not be used here.", trav.rng)
        for trav in lang.traversals(expr)
    ]
    problems.extend(
        Diagnostic.error("Function calls not allowed", "Functions may not be called here.", n.rng)
        for n in lang.ast.walk(expr)
        if isinstance(n, lang.ast.Call)
    )
    if problems:
        problems.sort(key=lambda d: d.subject.start.offset if d.subject else 0)
        raise DiagnosticError(*problems)
    return lang.evaluate(expr, _EMPTY_SCOPE)

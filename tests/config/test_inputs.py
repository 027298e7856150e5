"""Root module input values (``config.input_values``) and validation rules
(``config.check_validations``) on fixture directories of real files.

- precedence: one fixture where every source sets the variables of its own level and above, so
  each variable's value names the source that won; then command-line order cases;
- types: literal text versus HCL parsing, and conversions with optional attributes, in tables;
- cases/: golden fixtures, one per behaviour (mostly bad input), whose expected.txt holds the
  prompts asked, the values and the rendered diagnostics, compared as full text. Each has a
  case.json: ``env``, ``cli`` (``[kind, value]`` pairs), ``input`` and prompt ``answers``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitterra import config, lang
from gitterra.config import CliVar, VarSource
from gitterra.config._inputs_json import parse_json_vars
from gitterra.diag import Diagnostics, render_text
from gitterra.kits import LocalFileSystem
from tests.golden import check_text

DATA = Path(__file__).parent / "testdata" / "inputs"
CASES = DATA / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def load(name: str) -> tuple[config.Module, LocalFileSystem]:
    fs = LocalFileSystem(DATA / name)
    module, diags = config.load_module(fs)
    assert not diags.has_errors, [str(d) for d in diags]
    return module, fs


def run(
    name: str,
    env: dict[str, str] | None = None,
    cli: list[tuple[str, str]] | None = None,
    **kwargs: Any,
) -> tuple[config.InputValues, Diagnostics]:
    module, fs = load(name)
    opts = [CliVar(kind, value) for kind, value in cli or []]  # type: ignore[arg-type]
    values, diags = config.input_values(
        module, fs, env or {}, opts, input_allowed=kwargs.pop("input_allowed", False), **kwargs
    )
    assert isinstance(values, config.InputValues)
    return values, diags


def show(value: lang.Value) -> str:
    return lang.format_value(value.unmark_deep())


# ---- precedence ------------------------------------------------------------------------------

LEVELS = ["env", "tfvars", "tfvars_json", "auto_a", "auto_b", "auto_c", "var_file", "var"]
EVERY_ENV = {f"TF_VAR_{name}": "env" for name in LEVELS}
BASE_CLI = [("var_file", "extra.tfvars"), ("var", "var=cli")]

#: variable -> (value, source, file of the value or None)
PRECEDENCE = {
    "env": ("env", VarSource.ENV, None),
    "tfvars": ("terraform.tfvars", VarSource.TFVARS, "terraform.tfvars"),
    "tfvars_json": ("terraform.tfvars.json", VarSource.TFVARS, "terraform.tfvars.json"),
    "auto_a": ("a.auto.tfvars", VarSource.AUTO, "a.auto.tfvars"),
    # b.auto.tfvars sorts before b.auto.tfvars.json, which wins.
    "auto_b": ("b.auto.tfvars.json", VarSource.AUTO, "b.auto.tfvars.json"),
    "auto_c": ("c.auto.tfvars", VarSource.AUTO, "c.auto.tfvars"),
    "var_file": ("extra.tfvars", VarSource.VAR_FILE, "extra.tfvars"),
    "var": ("cli", VarSource.VAR, None),
    "untouched": ("the default", VarSource.DEFAULT, None),
}


@pytest.mark.parametrize("name", list(PRECEDENCE))
def test_each_source_overrides_the_one_before(name: str) -> None:
    values, diags = run("precedence", EVERY_ENV, BASE_CLI)
    assert not diags, [str(d) for d in diags]
    value, source, filename = PRECEDENCE[name]
    assert values[name] == lang.string_val(value)
    origin = values.origins[name]
    assert origin.source is source
    assert (origin.rng.filename if origin.rng else None) == filename


@pytest.mark.parametrize(
    ("cli", "expected", "source"),
    [
        ([], "c.auto.tfvars", VarSource.AUTO),
        ([("var", "var=first"), ("var_file", "extra.tfvars")], "extra.tfvars", VarSource.VAR_FILE),
        ([("var_file", "extra.tfvars"), ("var", "var=last")], "last", VarSource.VAR),
        ([("var", "var=1"), ("var", "var=2")], "2", VarSource.VAR),
        (
            [("var_file", "extra.tfvars"), ("var_file", "extra.tfvars.json")],
            "extra.tfvars.json",
            VarSource.VAR_FILE,
        ),
        (
            [("var_file", "extra.tfvars.json"), ("var_file", "extra.tfvars")],
            "extra.tfvars",
            VarSource.VAR_FILE,
        ),
        ([("var", "var=a=b")], "a=b", VarSource.VAR),  # only the first "=" separates
        ([("var", "var=")], "", VarSource.VAR),
    ],
)
def test_command_line_options_apply_in_order(
    cli: list[tuple[str, str]], expected: str, source: VarSource
) -> None:
    values, diags = run("precedence", EVERY_ENV, cli)
    assert not diags.has_errors, [str(d) for d in diags]
    assert values["var"] == lang.string_val(expected)
    assert values.origins["var"].source is source


def test_environment_alone_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "x" {\n  default = "d"\n}\n')
    fs = LocalFileSystem(tmp_path)
    module, _ = config.load_module(fs)
    values, diags = config.input_values(module, fs, {}, [], input_allowed=False)
    assert (values["x"], diags.items) == (lang.string_val("d"), [])
    values, diags = config.input_values(
        module, fs, {"TF_VAR_x": "e", "TF_VAR_X": "other case"}, [], input_allowed=False
    )
    assert (values["x"], diags.items) == (lang.string_val("e"), [])


# ---- types -----------------------------------------------------------------------------------

#: (variable, text given with -var or TF_VAR_, the value as the console shows it)
TEXT_VALUES = [
    ("s", "hello", '"hello"'),
    ("s", "hello world", '"hello world"'),
    ("s", '["a"]', '"[\\"a\\"]"'),  # a string variable takes the text as it is
    ("s", '"quoted"', '"\\"quoted\\""'),
    ("n", "5", "5"),
    ("n", "1.50", "1.5"),
    ("b", "true", "true"),
    ("b", "0", "false"),
    ("untyped", "[1]", '"[1]"'),  # no type: literal text, like a string
    ("anything", "[1, 2]", "[\n  1,\n  2,\n]"),  # any: an HCL expression
    ("anything", '"x"', '"x"'),
    ("l", '["a","b"]', 'tolist([\n  "a",\n  "b",\n])'),
    ("l", "[1, true]", 'tolist([\n  "1",\n  "true",\n])'),
    ("m", "{a = 1, b = 2}", 'tomap({\n  "a" = 1\n  "b" = 2\n})'),
    ("st", '["b", "a", "b"]', 'toset([\n  "a",\n  "b",\n])'),
    ("t", '["x", "2"]', '[\n  "x",\n  2,\n]'),
    (
        "o",
        '{ name = "web" }',
        '{\n  "name" = "web"\n  "owner" = tostring(null)\n  "port" = 80\n  "tags" = tolist([])\n}',
    ),
    (
        "o",
        '{ name = "web", port = 8080, tags = ["x"], extra = true }',
        '{\n  "name" = "web"\n  "owner" = tostring(null)\n  "port" = 8080\n  "tags" = tolist([\n'
        '    "x",\n  ])\n}',
    ),
    (
        "services",
        '[{ name = "a" }, { name = "b", replicas = 2 }]',
        'tolist([\n  {\n    "name" = "a"\n    "replicas" = 1\n  },\n  {\n    "name" = "b"\n'
        '    "replicas" = 2\n  },\n])',
    ),
    ("l", "null", "tolist(null) /* of string */"),
    ("l", '[for i in [1, 2] : "${i}x"]', 'tolist([\n  "1x",\n  "2x",\n])'),
]


@pytest.mark.parametrize(("name", "text", "shown"), TEXT_VALUES)
@pytest.mark.parametrize("how", ["var", "env"])
def test_text_is_literal_for_primitives_and_hcl_otherwise(
    name: str, text: str, shown: str, how: str
) -> None:
    if how == "var":
        values, diags = run("types", cli=[("var", f"{name}={text}")])
    else:
        values, diags = run("types", env={f"TF_VAR_{name}": text})
    assert not diags, [str(d) for d in diags]
    assert show(values[name]) == shown


#: (variable, value from values.tfvars, value from values.tfvars.json)
FILE_VALUES = [
    ("s", '"42"', '"${not.interpolated}"'),
    ("n", "7", "1000"),
    ("b", "true", "true"),
    ("untyped", "[\n  1,\n  2,\n]", "null"),
    ("l", 'tolist([\n  "a",\n  "1",\n  "true",\n])', 'tolist([\n  "a",\n  "b",\n])'),
    ("m", 'tomap({\n  "a" = 1\n  "b" = 2\n})', 'tomap({\n  "a" = 1\n  "b" = 2.5\n})'),
    ("st", 'toset([\n  "a",\n  "b",\n])', "toset([])"),
    ("t", '[\n  "z",\n  9,\n]', '[\n  "a",\n  1,\n]'),
    (
        "o",
        '{\n  "name" = "web"\n  "owner" = tostring(null)\n  "port" = 80\n  "tags" = tolist([\n'
        '    "x",\n  ])\n}',
        '{\n  "name" = "web"\n  "owner" = tostring(null)\n  "port" = 8080\n  "tags" = tolist([])'
        "\n}",
    ),
    (
        "services",
        'tolist([\n  {\n    "name" = "api"\n    "replicas" = 1\n  },\n  {\n    "name" = "db"\n'
        '    "replicas" = 3\n  },\n])',
        'tolist([\n  {\n    "name" = "api"\n    "replicas" = 2\n  },\n])',
    ),
    (
        "anything",
        '{\n  "k" = [\n    1,\n    "two",\n  ]\n}',
        '[\n  1,\n  "two",\n  null,\n  {\n    "x" = false\n  },\n]',
    ),
]


@pytest.mark.parametrize(("name", "native", "from_json"), FILE_VALUES)
def test_file_values_convert_to_the_declared_type(name: str, native: str, from_json: str) -> None:
    values, diags = run("types", cli=[("var_file", "values.tfvars")])
    assert not diags, [str(d) for d in diags]
    assert show(values[name]) == native
    values, diags = run("types", cli=[("var_file", "values.tfvars.json")])
    assert not diags, [str(d) for d in diags]
    assert show(values[name]) == from_json


def test_sensitive_variables_stay_sensitive() -> None:
    for cli in ([("var_file", "values.tfvars")], [("var", "secret=x")], []):
        values, _ = run("types", cli=cli)
        assert values["secret"].sensitive
        assert not values["s"].sensitive


def test_a_sensitive_value_is_never_kept_as_source_text() -> None:
    values, diags = run("cases/text_parse_errors", cli=[("var", "sl=[oops")], input_allowed=False)
    assert diags.has_errors
    assert "<value for var.sl>" not in values.files
    assert all("oops" not in text for text in values.files.values())


# ---- prompts ---------------------------------------------------------------------------------


def test_prompts_ask_required_variables_in_lexical_order() -> None:
    asked: list[str] = []

    def prompt(var: config.Variable) -> str:
        asked.append(var.name)
        return {"zones": '["a"]', "name": "n", "count_of": "3", "ports": "[1]"}[var.name]

    values, diags = run(
        "cases/prompt", env={"TF_VAR_from_env": "e"}, input_allowed=True, prompt=prompt
    )
    assert not diags, [str(d) for d in diags]
    assert asked == ["count_of", "name", "ports", "zones"]
    assert values.origins["zones"].source is VarSource.INPUT
    assert show(values["ports"]) == "tolist([\n  1,\n])"
    assert values["optional"] == lang.string_val("not asked")


def test_no_prompt_without_input() -> None:
    def prompt(var: config.Variable) -> str:
        raise AssertionError(f"asked for {var.name}")

    _, diags = run("cases/prompt", input_allowed=False, prompt=prompt)
    assert [d.summary for d in diags] == ["No value for required variable"] * 5


# ---- golden cases ----------------------------------------------------------------------------


def render_case(path: Path) -> str:
    spec = json.loads((path / "case.json").read_text())
    fs = LocalFileSystem(path)
    module, load_diags = config.load_module(fs)
    assert not load_diags.has_errors, [str(d) for d in load_diags]
    asked: list[str] = []
    answers: dict[str, str] | None = spec.get("answers")
    prompt = None
    if answers is not None:

        def prompt(var: config.Variable) -> str:
            asked.append(var.name)
            return answers[var.name]

    cli = [CliVar(kind, value) for kind, value in spec.get("cli", [])]
    values, diags = config.input_values(
        module, fs, spec.get("env", {}), cli, input_allowed=spec.get("input", False), prompt=prompt
    )
    assert isinstance(values, config.InputValues)
    diags.extend(config.check_validations(module, values, lang.FunctionContext(fs=fs)))
    lines = [f"prompts: {', '.join(asked) or 'none'}", "--- values"]
    for name, value in values.items():
        origin = values.origins.get(name)
        where = "unset" if origin is None else origin.source.value
        if origin is not None and origin.rng is not None:
            where += f" at {origin.rng}"
        lines.append(f"{name} = {lang.format_value(value)}  ({where})")
    lines.append("--- diagnostics")
    sources = {**module.all_sources(), **values.files}
    return "\n".join(lines) + "\n" + render_text(diags, sources)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case(name: str) -> None:
    check_text(CASES / name / "expected.txt", render_case(CASES / name))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_bad_input_changes_nothing(name: str) -> None:
    path = CASES / name
    before = {p: p.stat().st_mtime_ns for p in path.rglob("*")}
    render_case(path)
    assert {p: p.stat().st_mtime_ns for p in path.rglob("*")} == before


def test_every_case_with_errors_names_a_place() -> None:
    """Each error either has a file place or says in its text which option or file it is
    about."""
    for name in CASE_NAMES:
        text = render_case(CASES / name)
        for block in text.split("Error: ")[1:]:
            places = (" on ", "-var", ".tfvars", "command line")
            assert any(p in block for p in places), (name, block)


def test_validation_subjects_follow_the_value(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "p" {\n  type = number\n  validation {\n    condition = var.p > 10\n'
        '    error_message = "Too small."\n  }\n}\n'
    )
    (tmp_path / "small.tfvars").write_text("p = 1\n")
    fs = LocalFileSystem(tmp_path)
    module, _ = config.load_module(fs)
    fctx = lang.FunctionContext(fs=fs)
    for cli, where in [
        ([CliVar("var_file", "small.tfvars")], "small.tfvars:1:5"),
        ([CliVar("var", "p=1")], "main.tf:1:1"),
    ]:
        values, diags = config.input_values(module, fs, {}, cli, input_allowed=False)
        assert not diags
        found = config.check_validations(module, values, fctx)
        assert [(d.summary, str(d.subject)) for d in found] == [
            ("Invalid value for variable", where)
        ]
        # A plain mapping (no origins) places the message at the declaration.
        plain = config.check_validations(module, dict(values), fctx)
        assert [str(d.subject) for d in plain] == ["main.tf:1:1"]


# ---- properties ------------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
JSON_FILES = st.dictionaries(st.text().filter(lambda k: k != "//"), JSON_VALUES, max_size=5)


@settings(max_examples=150, deadline=None)
@given(doc=JSON_FILES, indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans())
def test_json_files_read_like_the_json_module(
    doc: dict[str, Any], indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only)
    props, problems = parse_json_vars(text, "v.tfvars.json")
    assert problems == []
    assert [p.name for p in props] == list(doc)
    for prop in props:
        expected = lang.from_python(json.loads(json.dumps(doc[prop.name]), parse_float=Decimal))
        assert prop.value == expected
        # The value's place covers exactly its text.
        start, end = prop.value_rng.start.offset, prop.value_rng.end.offset
        assert json.loads(text[start:end]) == doc[prop.name]
        lines = text[:start].split("\n")
        assert (prop.value_rng.start.line, prop.value_rng.start.column) == (
            len(lines),
            len(lines[-1]) + 1,
        )


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_string_variables_take_any_text_as_it_is(text: str) -> None:
    module, fs = load("types")
    values, diags = config.input_values(
        module, fs, {"TF_VAR_untyped": text}, [CliVar("var", f"s={text}")], input_allowed=False
    )
    assert not diags
    assert values["s"] == lang.string_val(text)
    assert values["untyped"] == lang.string_val(text)

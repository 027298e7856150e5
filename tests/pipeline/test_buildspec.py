"""``pipeline.load_buildspec``: every key decoded into the model, every refusal placed at its
line:col, and the rendered diagnostics compared as full text with testdata/buildspec_errors.txt
(``GITTERRA_UPDATE_GOLDEN=1`` rewrites it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitterra import pipeline
from gitterra.diag import render_text
from gitterra.pipeline import OnFailure, PhaseName
from tests.golden import UPDATE, read_cases, write_cases

GOLDEN = Path(__file__).parent / "testdata" / "buildspec_errors.txt"
SRC = "buildspec.yml"

FULL = """\
version: 0.2
run-as: builder
env:
  shell: /bin/sh
  variables:
    PLAIN: hello
    QUOTED: "$(not expanded) `nor this`"
    NUMBER: 1.10
    INTEGER: 0042
    BOOL: yes
    EMPTY:
  parameter-store:
    DB_PASSWORD: /prod/db/password
  secrets-manager:
    TOKEN: prod/token:api-key:AWSCURRENT
  exported-variables:
    - IMAGE_TAG
    - BUILD_URL
  git-credential-helper: yes
phases:
  install:
    run-as: builder
    on-failure: CONTINUE
    commands:
      - echo install
  pre_build:
    commands:
      - cd src
  build:
    on-failure: ABORT
    commands:
      - make
      - |
        for f in *.txt; do
          echo "$f"
        done
    finally:
      - echo done
  post_build:
    commands:
      - echo post
artifacts:
  files:
    - '**/*'
  name: site
  discard-paths: no
  base-directory: dist
  exclude-paths:
    - '**/*.map'
"""


def load(text: str) -> tuple[pipeline.Buildspec | None, list[str]]:
    spec, diags = pipeline.load_buildspec(text, SRC)
    shown = [
        f"{'E' if d.is_error else 'W'} {d.subject.start.line}:{d.subject.start.column} {d.summary}"
        if d.subject
        else f"{'E' if d.is_error else 'W'} {d.summary}"
        for d in diags
    ]
    return spec, shown


def test_every_key_is_decoded() -> None:
    spec, diags = load(FULL)
    assert diags == []
    assert spec is not None
    assert spec.source == SRC
    assert spec.version == "0.2"
    assert spec.run_as == "builder"
    env = spec.env
    assert env.shell == "/bin/sh"
    assert dict(env.variables) == {
        "PLAIN": "hello",
        "QUOTED": "$(not expanded) `nor this`",
        "NUMBER": "1.10",  # scalars keep their text: not 1.1
        "INTEGER": "0042",
        "BOOL": "yes",  # not True
        "EMPTY": "",
    }
    assert dict(env.parameter_store) == {"DB_PASSWORD": "/prod/db/password"}
    assert dict(env.secrets_manager) == {"TOKEN": "prod/token:api-key:AWSCURRENT"}
    assert env.exported_variables == ("IMAGE_TAG", "BUILD_URL")
    assert env.git_credential_helper is True
    assert [p.name for p in spec.phases] == list(PhaseName)
    install = spec.phase(PhaseName.INSTALL)
    assert install == pipeline.Phase(
        PhaseName.INSTALL, ("echo install",), (), OnFailure.CONTINUE, "builder"
    )
    build = spec.phase(PhaseName.BUILD)
    assert build is not None
    assert build.commands == ("make", 'for f in *.txt; do\n  echo "$f"\ndone\n')
    assert build.finally_commands == ("echo done",)
    assert build.on_failure is OnFailure.ABORT
    assert build.run_as is None
    assert spec.artifacts == pipeline.Artifacts(
        files=("**/*",),
        name="site",
        discard_paths=False,
        base_directory="dist",
        exclude_paths=("**/*.map",),
    )


def test_defaults() -> None:
    spec, diags = load("version: 0.2\nphases:\n  build:\n    commands: [make]\n")
    assert diags == []
    assert spec is not None
    assert spec.env == pipeline.Env()
    assert spec.env.shell == "bash"
    assert spec.run_as is None
    assert spec.artifacts is None
    assert spec.phases == (pipeline.Phase(PhaseName.BUILD, ("make",)),)
    assert spec.phase(PhaseName.INSTALL) is None


@pytest.mark.parametrize(
    ("text", "check"),
    [
        # version written as a string, or as 0.20
        ('version: "0.2"\nphases: {build: {commands: [a]}}', lambda s: s.version == "0.2"),
        ("version: 0.20\nphases: {build: {commands: [a]}}", lambda s: s.version == "0.2"),
        # phases keep their order of execution, whatever the file's order
        (
            "version: 0.2\nphases:\n  post_build: {commands: [b]}\n  install: {commands: [a]}\n",
            lambda s: [p.name for p in s.phases] == [PhaseName.INSTALL, PhaseName.POST_BUILD],
        ),
        # anchors and merge keys
        (
            "version: 0.2\nphases:\n  build: &b\n    commands: [echo hi]\n  post_build:\n    <<: *b\n",
            lambda s: s.phases[1].commands == ("echo hi",),
        ),
        # a key set beside a merge wins over the merged one
        (
            "version: 0.2\nphases:\n  build: &b\n    commands: [a]\n    finally: [f]\n"
            "  post_build:\n    <<: *b\n    commands: [b]\n",
            lambda s: s.phases[1].commands == ("b",) and s.phases[1].finally_commands == ("f",),
        ),
        # a phase with only finally, an explicit empty command list
        (
            "version: 0.2\nphases:\n  build: {finally: [x]}\n  post_build: {commands: []}\n",
            lambda s: s.phases[0].finally_commands == ("x",) and s.phases[1].commands == (),
        ),
        # install with only runtime-versions (a warning, not an error)
        (
            "version: 0.2\nphases:\n  install:\n    runtime-versions: {python: 3.11}\n",
            lambda s: s.phases[0].commands == (),
        ),
        # discard-paths true, git-credential-helper no, empty env
        (
            "version: 0.2\nenv:\nphases: {build: {commands: [a]}}\n"
            "artifacts: {files: [a], discard-paths: yes}",
            lambda s: s.artifacts.discard_paths and not s.env.git_credential_helper,
        ),
        # a quoted "false" is a command
        ('version: 0.2\nphases: {build: {commands: ["false", "123"]}}', lambda s: True),
        # a duplicate exported name is kept once
        (
            "version: 0.2\nenv: {exported-variables: [A, A]}\nphases: {build: {commands: [a]}}",
            lambda s: s.env.exported_variables == ("A",),
        ),
    ],
)
def test_accepted_variants(text: str, check: object) -> None:
    spec, diags = load(text)
    assert spec is not None, diags
    assert callable(check)
    assert check(spec)


# name -> (buildspec, expected diagnostics as "E|W line:col summary")
CASES: dict[str, tuple[str, list[str]]] = {
    "empty file": ("", ["E 1:1 Empty buildspec"]),
    "not a mapping": ("- a\n- b\n", ["E 1:1 A buildspec must be a mapping"]),
    "yaml syntax": (
        "version: 0.2\nphases:\n  build:\n    commands: [a, b\n",
        ["E 5:1 Invalid YAML"],
    ),
    "yaml tab": ("version: 0.2\n\tphases: {}\n", ["E 2:1 Invalid YAML"]),
    "missing version and phases": (
        "run-as: x\n",
        ['E 1:1 Missing key "version"', 'E 1:1 Missing key "phases"'],
    ),
    "version 0.1": (
        "version: 0.1\nphases:\n  build:\n    commands: [cd src, make]\n",
        ["E 1:10 Buildspec version 0.1 is not supported"],
    ),
    "version other": ("version: 1.0\nphases: {}\n", ['E 1:10 Unsupported buildspec version "1.0"']),
    "version not a number": (
        "version: [0.2]\nphases: {}\n",
        ["E 1:10 Unsupported buildspec version"],
    ),
    "unknown top key": (
        "version: 0.2\nphase:\n  build: {commands: [a]}\n",
        ['E 2:1 Unsupported key "phase" at the top level', 'E 1:1 Missing key "phases"'],
    ),
    "duplicate key": (
        "version: 0.2\nphases:\n  build:\n    commands: [a]\n    commands: [b]\n",
        ['E 5:5 Duplicate key "commands" in phases.build'],
    ),
    "batch": (
        "version: 0.2\nbatch:\n  build-list: []\nphases: {build: {commands: [a]}}\n",
        ["E 2:1 Batch builds are not supported"],
    ),
    "ignored sections": (
        "version: 0.2\nproxy: {logs: yes}\nreports:\n  r: {files: [x]}\ncache: {paths: [x]}\n"
        "phases:\n  install:\n    runtime-versions: {nodejs: 18}\n    commands: [a]\n",
        [
            "W 2:1 proxy is ignored",
            "W 3:1 Test reports are not collected",
            "W 5:1 Build caching is not supported",
            "W 8:5 runtime-versions is ignored",
        ],
    ),
    "unknown phase": (
        "version: 0.2\nphases:\n  prebuild:\n    commands: [a]\n",
        ['E 3:3 Unsupported key "prebuild" in phases'],
    ),
    "unknown phase key": (
        "version: 0.2\nphases:\n  build:\n    command: [a]\n",
        ['E 4:5 Unsupported key "command" in phases.build', "E 3:3 phases.build has no commands"],
    ),
    "runtime-versions outside install": (
        "version: 0.2\nphases:\n  build:\n    runtime-versions: {python: 3.11}\n    commands: [a]\n",
        ['E 4:5 Unsupported key "runtime-versions" in phases.build'],
    ),
    "commands of other types": (
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo ok\n      - 123\n"
        "      - yes\n      -\n      - echo a: b\n      - [nested]\n      - 2024-01-01\n",
        [
            "E 6:9 phases.build.commands[1] must be a string",
            "E 7:9 phases.build.commands[2] must be a string",
            "E 8:8 phases.build.commands[3] must be a string",
            "E 9:9 phases.build.commands[4] must be a string",
            "E 10:9 phases.build.commands[5] must be a string",
            "E 11:9 phases.build.commands[6] must be a string",
        ],
    ),
    "commands not a list": (
        "version: 0.2\nphases:\n  build:\n    commands: make all\n",
        ["E 4:15 phases.build.commands must be a list"],
    ),
    "finally of other types": (
        "version: 0.2\nphases:\n  build:\n    commands: [a]\n    finally: [1.5]\n",
        ["E 5:15 phases.build.finally[0] must be a string"],
    ),
    "on-failure retry": (
        "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-3\n    commands: [a]\n",
        ["E 4:17 on-failure RETRY-3 is not supported"],
    ),
    "on-failure other": (
        "version: 0.2\nphases:\n  build:\n    on-failure: abort\n    commands: [a]\n",
        ['E 4:17 Invalid value "abort" for phases.build.on-failure'],
    ),
    "phase not a mapping": (
        "version: 0.2\nphases:\n  build: [make]\n",
        ["E 3:10 phases.build must be a mapping", "E 3:3 phases.build has no commands"],
    ),
    "env shell": (
        "version: 0.2\nenv:\n  shell: powershell.exe\nphases: {build: {commands: [a]}}\n",
        ['E 3:10 Unsupported shell "powershell.exe"'],
    ),
    "env variables": (
        "version: 0.2\nenv:\n  variables:\n    BAD-NAME: x\n    LIST: [a]\n    MAP: {a: b}\n"
        "    CODEBUILD_X: y\nphases: {build: {commands: [a]}}\n",
        [
            'E 4:5 Invalid variable name "BAD-NAME" in env.variables',
            "E 5:11 env.variables.LIST must be a string",
            "E 6:10 env.variables.MAP must be a string",
            "W 7:5 Variable CODEBUILD_X uses the reserved CODEBUILD_ prefix",
        ],
    ),
    "env references": (
        "version: 0.2\nenv:\n  parameter-store: {1X: /p}\n  secrets-manager: {T: [a]}\n"
        "phases: {build: {commands: [a]}}\n",
        [
            'E 3:21 Invalid variable name "1X" in env.parameter-store',
            "E 4:24 env.secrets-manager.T must be a string",
        ],
    ),
    "env exported and helper": (
        "version: 0.2\nenv:\n  exported-variables: [OK, 'no way', 7]\n  git-credential-helper: maybe\n"
        "  variable: {}\nphases: {build: {commands: [a]}}\n",
        [
            'E 3:28 Invalid variable name "no way" in env.exported-variables',
            "E 3:38 env.exported-variables[2] must be a string",
            "E 4:26 Invalid value for env.git-credential-helper",
            'E 5:3 Unsupported key "variable" in env',
        ],
    ),
    "env not a mapping": (
        "version: 0.2\nenv: [a]\nphases: {build: {commands: [a]}}\n",
        ["E 2:6 env must be a mapping"],
    ),
    "artifacts": (
        "version: 0.2\nphases: {build: {commands: [a]}}\nartifacts:\n  files: [/etc/passwd, ../up, ok]\n"
        "  base-directory: a/../..\n  discard-paths: sometimes\n  secondary-artifacts: {}\n"
        "  s3-prefix: x\n  file: []\n",
        [
            "E 4:11 artifacts.files[0] leaves the source directory",
            "E 4:24 artifacts.files[1] leaves the source directory",
            "E 5:19 artifacts.base-directory leaves the source directory",
            "E 6:18 Invalid value for artifacts.discard-paths",
            "E 7:3 Secondary artifacts are not supported",
            "W 8:3 artifacts.s3-prefix is ignored",
            'E 9:3 Unsupported key "file" in artifacts',
        ],
    ),
    "artifacts without files": (
        "version: 0.2\nphases: {build: {commands: [a]}}\nartifacts:\n  name: x\n",
        ['E 4:3 Missing key "files" in artifacts'],
    ),
    "run-as not a string": (
        "version: 0.2\nrun-as: [a]\nphases:\n  build:\n    run-as: {u: 1}\n    commands: [a]\n",
        ["E 2:9 run-as must be a string", "E 5:13 phases.build.run-as must be a string"],
    ),
    "control character": (
        'version: 0.2\nphases:\n  build: {commands: ["a\x07"]}\n',
        ["E 3:24 Invalid YAML"],
    ),
    "two documents": ("version: 0.2\n---\nversion: 0.2\n", ["E 2:1 Invalid YAML"]),
    "bad merge": (
        "version: 0.2\nphases:\n  build:\n    <<: [1]\n    commands: [a]\n",
        ["E 4:10 Invalid YAML"],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_refused_and_warned(name: str) -> None:
    text, expected = CASES[name]
    spec, shown = load(text)
    assert shown == expected
    has_error = any(s.startswith("E") for s in expected)
    assert (spec is None) == has_error


def test_rendered_diagnostics_golden() -> None:
    """The full text a user reads for each case: summary, place, underlined line, detail."""
    actual = {}
    for name, (text, _) in CASES.items():
        _, diags = pipeline.load_buildspec(text, SRC)
        actual[name] = render_text(diags, {SRC: text}).rstrip("\n")
    if UPDATE:
        write_cases(GOLDEN, actual)
    assert read_cases(GOLDEN) == actual


def test_every_problem_is_reported_at_once() -> None:
    text = (
        "version: 0.1\nfoo: 1\nenv:\n  shell: zsh\nphases:\n  build:\n"
        "    on-failure: RETRY\n    commands: [1]\n"
    )
    _, shown = load(text)
    assert len(shown) == 5, shown


def test_model_is_frozen() -> None:
    spec, _ = load(FULL)
    assert spec is not None
    with pytest.raises(AttributeError):
        spec.run_as = "root"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.env.variables["PLAIN"] = "changed"  # type: ignore[index]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("version: 0.2\nphases:build- []{}'\"&*<|>#\t!%@`"), max_size=120
    )
)
def test_arbitrary_text_never_raises(text: str) -> None:
    spec, diags = pipeline.load_buildspec(text, SRC)
    assert (spec is None) == diags.has_errors
    for d in diags:
        assert d.summary


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {"version": st.sampled_from([0.2, 0.1, "x"]), "phases": _yaml_values},
        optional={"env": _yaml_values, "artifacts": _yaml_values},
    )
)
def test_arbitrary_structures_never_raise(doc: dict[str, object]) -> None:
    text = yaml.safe_dump(doc)
    spec, diags = pipeline.load_buildspec(text, SRC)
    assert (spec is None) == diags.has_errors

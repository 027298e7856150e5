"""Decoding a buildspec: YAML text in, a :class:`~gitterra.pipeline.Buildspec` and diagnostics out.

Strict but helpful: a key gitterra does not know is an error naming it (CodeBuild ignores some
silently), with the closest known key; a key CodeBuild knows but gitterra does not act on
(``proxy``, ``reports``, ``cache``, ``runtime-versions``) is a warning saying so; one gitterra
cannot honour (``batch``, ``secondary-artifacts``, ``on-failure: RETRY``, version 0.1) is an
error saying why. Every problem of a file is reported at once, each at its key or value.
"""

from __future__ import annotations

import posixpath

import yaml

from gitterra.diag import Diagnostic, Diagnostics, Pos, SourceRange
from gitterra.pipeline import _buildspec_env, _model, _yaml

TOP_KEYS = (
    "version",
    "run-as",
    "env",
    "proxy",
    "batch",
    "phases",
    "reports",
    "artifacts",
    "cache",
)
PHASE_KEYS = ("run-as", "on-failure", "commands", "finally")
INSTALL_KEYS = ("run-as", "on-failure", "runtime-versions", "commands", "finally")
ARTIFACT_KEYS = (
    "files",
    "name",
    "discard-paths",
    "base-directory",
    "exclude-paths",
    "enable-symlinks",
    "s3-prefix",
    "secondary-artifacts",
)
_PHASES = {p.value: p for p in _model.PhaseName}

_V01 = (
    "Version 0.1 runs each command in a separate shell, so a cd or an export does not carry over "
    "to the next command. gitterra runs version 0.2, where all the commands of a build share one "
    "shell: write version: 0.2, and check commands that relied on the old behaviour."
)
_IGNORED = {
    "proxy": (
        "proxy is ignored",
        "gitterra builds do not run behind an explicit proxy server; the proxy settings "
        "(upload-artifacts, logs) have no effect.",
    ),
    "reports": (
        "Test reports are not collected",
        "gitterra does not collect report groups yet; the report files stay in the workspace.",
    ),
    "cache": (
        "Build caching is not supported",
        "gitterra builds in a fresh workspace each time: cache paths are neither saved nor "
        "restored.",
    ),
}


def load_buildspec(text: str, source: str) -> tuple[_model.Buildspec | None, Diagnostics]:
    """Decode buildspec ``text`` read from ``source`` (the name diagnostics show).

    Returns the buildspec (None when there is any error) and every diagnostic, errors and
    warnings, each placed at ``source:line:col`` of the offending key or value.
    """
    root, syntax = _yaml.compose(text, source)
    if syntax is not None:
        return None, Diagnostics([syntax])
    r = _yaml.Reader(source)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _yaml.NULL):
        start = Pos(1, 1, 0)
        r.diags.add(
            Diagnostic.error(
                "Empty buildspec",
                "A buildspec starts with version: 0.2 and has a phases section.",
                SourceRange(source, start, start),
            )
        )
        return None, r.diags
    spec = _decode(r, root, source)
    return (None if r.diags.has_errors else spec), r.diags


def _decode(r: _yaml.Reader, root: yaml.Node, source: str) -> _model.Buildspec:
    if not isinstance(root, yaml.MappingNode):
        r.error(root, "A buildspec must be a mapping", f"The file holds {_yaml.kind(root)}.")
        return _model.Buildspec(source)
    fields: dict[str, object] = {}
    for key, key_node, value in r.mapping(root, ""):
        if key == "version":
            _version(r, value)
            fields["version"] = _model.VERSION
        elif key == "run-as":
            fields["run_as"] = r.string(value, "run-as")
        elif key == "env":
            fields["env"] = _buildspec_env.decode_env(r, value)
        elif key == "phases":
            fields["phases"] = _phases(r, value)
        elif key == "artifacts":
            fields["artifacts"] = _artifacts(r, value)
        elif key in _IGNORED:
            r.warning(key_node, *_IGNORED[key])
        elif key == "batch":
            r.error(
                key_node,
                "Batch builds are not supported",
                "batch configures build graphs, lists and matrices of several builds; gitterra "
                "runs one build per buildspec. Remove batch, or use one project per build.",
            )
        else:
            r.unknown(key, key_node, "", TOP_KEYS)
    for required in ("version", "phases"):
        if required not in fields:
            pos = Pos(root.start_mark.line + 1, root.start_mark.column + 1, root.start_mark.index)
            detail = (
                "A buildspec starts with version: 0.2."
                if required == "version"
                else "A buildspec needs a phases section with the commands to run."
            )
            r.diags.add(
                Diagnostic.error(f'Missing key "{required}"', detail, SourceRange(source, pos, pos))
            )
    return _model.Buildspec(source, **fields)  # type: ignore[arg-type]  # keys checked above


def _version(r: _yaml.Reader, node: yaml.Node) -> None:
    text = node.value if isinstance(node, yaml.ScalarNode) else None
    try:
        number = float(text) if isinstance(text, str) else None
    except ValueError:
        number = None
    if number == 0.2:
        return
    if number == 0.1:
        r.error(node, "Buildspec version 0.1 is not supported", _V01)
        return
    if isinstance(text, str):
        r.error(node, f'Unsupported buildspec version "{text}"', "gitterra runs version: 0.2.")
    else:
        detail = f"version is {_yaml.kind(node)}; gitterra runs version: 0.2."
        r.error(node, "Unsupported buildspec version", detail)


def _phases(r: _yaml.Reader, node: yaml.Node) -> tuple[_model.Phase, ...]:
    found: dict[_model.PhaseName, _model.Phase] = {}
    for key, key_node, value in r.mapping(node, "phases"):
        name = _PHASES.get(key)
        if name is None:
            r.unknown(key, key_node, "phases", _PHASES)
            continue
        found[name] = _phase(r, name, key_node, value)
    return tuple(found[n] for n in _model.PhaseName if n in found)


def _phase(
    r: _yaml.Reader, name: _model.PhaseName, key_node: yaml.Node, node: yaml.Node
) -> _model.Phase:
    path = f"phases.{name.value}"
    keys = INSTALL_KEYS if name is _model.PhaseName.INSTALL else PHASE_KEYS
    commands: tuple[str, ...] | None = None
    finally_commands: tuple[str, ...] = ()
    on_failure = _model.OnFailure.ABORT
    run_as: str | None = None
    runtimes = False
    for key, k_node, value in r.mapping(node, path):
        if key == "commands":
            commands = _commands(r, value, f"{path}.commands")
        elif key == "finally":
            finally_commands = _commands(r, value, f"{path}.finally")
        elif key == "on-failure":
            on_failure = _on_failure(r, value, f"{path}.on-failure") or on_failure
        elif key == "run-as":
            run_as = r.string(value, f"{path}.run-as")
        elif key == "runtime-versions" and name is _model.PhaseName.INSTALL:
            runtimes = True
            r.warning(
                k_node,
                "runtime-versions is ignored",
                "gitterra runs commands with the runtimes installed on this machine; install "
                "what the build needs with commands in the install phase.",
            )
        elif key == "runtime-versions":
            r.error(
                k_node,
                f'Unsupported key "runtime-versions" in {path}',
                "runtime-versions belongs in phases.install.",
            )
        else:
            r.unknown(key, k_node, path, keys)
    if commands is None and not finally_commands and not runtimes:
        r.error(key_node, f"{path} has no commands", f"Add {path}.commands, or remove the phase.")
    return _model.Phase(name, commands or (), finally_commands, on_failure, run_as)


def _commands(r: _yaml.Reader, node: yaml.Node, path: str) -> tuple[str, ...]:
    out: list[str] = []
    for index, item in enumerate(r.sequence(node, path)):
        command = r.text(item, f"{path}[{index}]", "quote it to run it as a command")
        if command is not None:
            out.append(command)
    return tuple(out)


def _on_failure(r: _yaml.Reader, node: yaml.Node, path: str) -> _model.OnFailure | None:
    value = r.string(node, path)
    if value is None:
        return None
    if value in ("ABORT", "CONTINUE"):
        return _model.OnFailure(value)
    if value.upper().startswith("RETRY"):
        r.error(
            node,
            f"on-failure {value} is not supported",
            "gitterra does not retry phases; on-failure accepts ABORT (the default) or CONTINUE. "
            "Retry the build instead.",
        )
    else:
        r.error(
            node, f'Invalid value "{value}" for {path}', "on-failure accepts ABORT or CONTINUE."
        )
    return None


def _artifacts(r: _yaml.Reader, node: yaml.Node) -> _model.Artifacts | None:
    fields: dict[str, object] = {}
    for key, key_node, value in r.mapping(node, "artifacts"):
        path = f"artifacts.{key}"
        if key in ("files", "exclude-paths"):
            patterns = _paths(r, value, path)
            fields["files" if key == "files" else "exclude_paths"] = patterns
        elif key == "name":
            fields["name"] = r.string(value, path)
        elif key == "discard-paths":
            fields["discard_paths"] = bool(r.boolean(value, path))
        elif key == "base-directory":
            base = r.string(value, path)
            if base is not None and _inside(r, value, base, path):
                fields["base_directory"] = base
        elif key in ("enable-symlinks", "s3-prefix"):
            r.warning(
                key_node,
                f"artifacts.{key} is ignored",
                "The build service stores the artifact files itself; this setting has no effect.",
            )
        elif key == "secondary-artifacts":
            r.error(
                key_node,
                "Secondary artifacts are not supported",
                "gitterra keeps one artifact per build: list the files in artifacts.files.",
            )
        else:
            r.unknown(key, key_node, "artifacts", ARTIFACT_KEYS)
    if "files" not in fields:
        if isinstance(node, yaml.MappingNode):
            r.error(node, 'Missing key "files" in artifacts', "List the files to keep as globs.")
        return None
    return _model.Artifacts(**fields)  # type: ignore[arg-type]  # keys are the field names


def _paths(r: _yaml.Reader, node: yaml.Node, path: str) -> tuple[str, ...]:
    out: list[str] = []
    for index, item in enumerate(r.sequence(node, path)):
        item_path = f"{path}[{index}]"
        pattern = r.text(item, item_path, "quote it")
        if pattern is not None and _inside(r, item, pattern, item_path):
            out.append(pattern)
    return tuple(out)


def _inside(r: _yaml.Reader, node: yaml.Node, path: str, where: str) -> bool:
    """Artifact paths name files inside the source directory: relative, without ``..``."""
    if posixpath.isabs(path) or ".." in path.split("/"):
        r.error(
            node,
            f"{where} leaves the source directory",
            f'"{path}" must be relative to the source directory and must not contain "..".',
        )
        return False
    return True

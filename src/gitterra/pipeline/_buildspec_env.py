"""Decoding the ``env`` section of a buildspec."""

from __future__ import annotations

import re

import yaml

from gitterra.pipeline import _model, _yaml

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

ENV_KEYS = (
    "shell",
    "variables",
    "parameter-store",
    "secrets-manager",
    "exported-variables",
    "git-credential-helper",
)

_WINDOWS_SHELLS = ("powershell.exe", "cmd.exe")


def decode_env(r: _yaml.Reader, node: yaml.Node) -> _model.Env:
    """The ``env`` section; problems go to ``r``'s diagnostics."""
    shell = _model.DEFAULT_SHELL
    variables: dict[str, str] = {}
    parameter_store: dict[str, str] = {}
    secrets_manager: dict[str, str] = {}
    exported: tuple[str, ...] = ()
    helper = False
    for key, key_node, value in r.mapping(node, "env"):
        if key == "shell":
            shell = _shell(r, value) or shell
        elif key == "variables":
            variables = _variables(r, value)
        elif key == "parameter-store":
            parameter_store = _references(r, value, "env.parameter-store")
        elif key == "secrets-manager":
            secrets_manager = _references(r, value, "env.secrets-manager")
        elif key == "exported-variables":
            exported = _names(r, value)
        elif key == "git-credential-helper":
            helper = bool(r.boolean(value, "env.git-credential-helper"))
        else:
            r.unknown(key, key_node, "env", ENV_KEYS)
    return _model.Env(
        shell=shell,
        variables=_model.frozen_mapping(variables),
        parameter_store=_model.frozen_mapping(parameter_store),
        secrets_manager=_model.frozen_mapping(secrets_manager),
        exported_variables=exported,
        git_credential_helper=helper,
    )


def _shell(r: _yaml.Reader, node: yaml.Node) -> str | None:
    shell = r.string(node, "env.shell")
    if shell is None or shell in _model.SHELLS:
        return shell
    detail = "env.shell accepts bash (the default) or /bin/sh."
    if shell.lower() in _WINDOWS_SHELLS:
        detail = f"{shell} is a Windows shell; gitterra runs builds on Linux. " + detail
    r.error(node, f'Unsupported shell "{shell}"', detail)
    return None


def _check_name(r: _yaml.Reader, key_node: yaml.Node, name: str, path: str) -> bool:
    if _NAME.fullmatch(name):
        return True
    r.error(
        key_node,
        f'Invalid variable name "{name}" in {path}',
        "A variable name is letters, digits and underscores, and does not start with a digit.",
    )
    return False


def _variables(r: _yaml.Reader, node: yaml.Node) -> dict[str, str]:
    """Literal values: scalars keep the text as written (``1.10``, ``yes``); empty is ``""``."""
    out: dict[str, str] = {}
    for name, key_node, value in r.mapping(node, "env.variables"):
        if not _check_name(r, key_node, name, "env.variables"):
            continue
        if name.startswith("CODEBUILD_"):
            r.warning(
                key_node,
                f"Variable {name} uses the reserved CODEBUILD_ prefix",
                "CodeBuild reserves names starting with CODEBUILD_ for its own variables; "
                "the build service sets some of them and its values win.",
            )
        if isinstance(value, yaml.ScalarNode) and value.tag == _yaml.NULL:
            out[name] = ""
            continue
        text = r.string(value, f"env.variables.{name}")
        if text is not None:
            out[name] = text
    return out


def _references(r: _yaml.Reader, node: yaml.Node, path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, key_node, value in r.mapping(node, path):
        if not _check_name(r, key_node, name, path):
            continue
        ref = r.string(value, f"{path}.{name}")
        if ref is not None:
            out[name] = ref
    return out


def _names(r: _yaml.Reader, node: yaml.Node) -> tuple[str, ...]:
    names: list[str] = []
    for index, item in enumerate(r.sequence(node, "env.exported-variables")):
        path = f"env.exported-variables[{index}]"
        name = r.text(item, path, "quote it")
        if name is None:
            continue
        if not _NAME.fullmatch(name):
            r.error(
                item,
                f'Invalid variable name "{name}" in env.exported-variables',
                "A variable name is letters, digits and underscores, and does not start "
                "with a digit.",
            )
            continue
        if name not in names:
            names.append(name)
    return tuple(names)

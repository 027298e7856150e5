"""A build's environment: CodeBuild's variables, the server's address and token, the state
backend, and the project's variables with their secrets resolved.

The base environment is built from nothing (not the server's own environment): ``PATH`` (the
directory of the running ``gitterra`` first), ``HOME`` (the build's own), ``LANG``, the
``CODEBUILD_*`` variables in CodeBuild's formats, ``GITTERRA_ENDPOINT``/``GITTERRA_TOKEN`` (a
token minted for this build: see :func:`build_token`),
``AWS_REGION``, and ``TF_HTTP_*`` pointing at the server's state endpoint for the project
(``/state/<project>/terraform``), so ``backend "http" {}`` keeps the state in the server.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitterra import pipeline, triggers
from gitterra.cloud import Cloud, ValidationError, ids, tokens
from gitterra.cloud.codebuild import _projects, _secrets

#: The state key a build's ``TF_HTTP_ADDRESS`` names.
DEFAULT_STATE_KEY = "terraform"


_PR_VERSIONS = ("pr/", "refs/pull/", "refs/merge-requests/")


def build_token(cloud: Cloud, build: Mapping[str, Any], lifetime: float | None = None) -> str:
    """The token a build uses to reach the server (``GITTERRA_TOKEN``, the state password):
    minted for this build, scoped to its project, valid ``lifetime`` seconds (until its
    timeout) and revoked when it ends (``tokens.Tokens.revoke_build``). A build of a pull
    request gets a read-only token: it can plan, never apply, whatever its buildspec says."""
    seconds = build["build_timeout"] * 60.0 if lifetime is None else lifetime
    return tokens.of(cloud).mint_build(
        build["id"], build["project_name"], pull_request(build), seconds
    )


def pull_request(build: Mapping[str, Any]) -> bool:
    """Whether ``build`` builds a pull request's code: started by a pull request event, or
    asked for as ``pr/N`` (or a pull request's ref)."""
    trigger = build.get("trigger") or {}
    if trigger.get("event") in triggers.PULL_REQUEST_KINDS:
        return True
    wanted = (build.get("source_version") or "", (build.get("want") or {}).get("ref") or "")
    return any(v.startswith(_PR_VERSIONS) for v in wanted)


def gitterra_bin() -> str:
    """The directory of the running ``gitterra`` command (first on a build's PATH)."""
    beside_python = Path(sys.executable).parent / "gitterra"
    if beside_python.exists():
        return str(beside_python.parent)
    found = shutil.which("gitterra")
    return str(Path(found).parent) if found else str(Path(sys.executable).parent)


def source_repo_url(cloud: Cloud, source: Mapping[str, Any]) -> str:
    """The source's URL as CodeBuild gives it: a GITTERRA repository's clone URL on this
    server (so the build can hand it on, e.g. to instances that fetch the site), else the
    location as configured."""
    location = str(source.get("location") or "")
    if source.get("type") != "GITTERRA" or not location:
        return location
    try:
        return f"{cloud.endpoint}/git/{_projects.repository_name(location)}.git"
    except ValidationError:
        return location


def base(
    cloud: Cloud,
    build: Mapping[str, Any],
    src: Path,
    home: Path,
    resolved: str,
    lifetime: float | None = None,
) -> dict[str, str]:
    """The environment every command of ``build`` starts from (its token valid ``lifetime``
    seconds)."""
    project, token = build["project_name"], build_token(cloud, build, lifetime)
    state = f"{cloud.endpoint}/state/{project}/{DEFAULT_STATE_KEY}"
    path = os.pathsep.join(
        dict.fromkeys([gitterra_bin(), *os.environ.get("PATH", os.defpath).split(os.pathsep)])
    )
    env = {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "CI": "true",
        "CODEBUILD_CI": "true",
        "CODEBUILD_BUILD_ID": build["id"],
        "CODEBUILD_BUILD_ARN": build["arn"],
        "CODEBUILD_BUILD_NUMBER": str(build["build_number"]),
        "CODEBUILD_BUILD_IMAGE": build["environment"]["image"],
        "CODEBUILD_BUILD_URL": f"{cloud.endpoint}/builds/{build['id']}",
        "CODEBUILD_START_TIME": str(build["start_ms"]),
        "CODEBUILD_SRC_DIR": str(src),
        "CODEBUILD_RESOLVED_SOURCE_VERSION": resolved,
        "CODEBUILD_SOURCE_VERSION": build["source_version"] or resolved,
        "CODEBUILD_SOURCE_REPO_URL": source_repo_url(cloud, build["source"]),
        "CODEBUILD_INITIATOR": build["initiator"],
        "CODEBUILD_LOG_PATH": build["id"].partition(":")[2],
        "CODEBUILD_KMS_KEY_ID": "",
        "AWS_REGION": ids.REGION,
        "AWS_DEFAULT_REGION": ids.REGION,
        "GITTERRA_ENDPOINT": cloud.endpoint,
        "GITTERRA_TOKEN": token,
        "TF_HTTP_ADDRESS": state,
        "TF_HTTP_LOCK_ADDRESS": state,
        "TF_HTTP_UNLOCK_ADDRESS": state,
        "TF_HTTP_USERNAME": "codebuild",
        "TF_HTTP_PASSWORD": token,
        "TF_IN_AUTOMATION": "1",
    }
    env.update(build.get("webhook_variables") or {})
    return env


def git(home: Path) -> dict[str, str]:
    """The environment of the service's own git commands (no prompts, no user config)."""
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


@dataclass(slots=True)
class Overrides:
    """Variables that beat the buildspec's, and the secret values to mask."""

    values: dict[str, str] = field(default_factory=dict)
    masks: list[str] = field(default_factory=list)


def overrides(
    build: Mapping[str, Any], spec: pipeline.Buildspec, secrets: _secrets.Secrets
) -> Overrides:
    """The buildspec's parameter-store and secrets-manager entries, then the project's
    variables (they win, as in CodeBuild), resolved. Raises ``SecretMissing``."""
    out = Overrides()
    for kind, entries in (
        ("PARAMETER_STORE", spec.env.parameter_store),
        ("SECRETS_MANAGER", spec.env.secrets_manager),
    ):
        for name, reference in entries.items():
            out.values[name] = secrets.resolve(kind, reference)
            out.masks.append(out.values[name])
    for var in build["environment"]["environment_variable"]:
        if var["type"] == "PLAINTEXT":
            out.values[var["name"]] = var["value"]
        else:
            out.values[var["name"]] = secrets.resolve(var["type"], var["value"])
            out.masks.append(out.values[var["name"]])
    for var in build.get("environment_variables_override") or []:
        out.values[var["name"]] = var["value"]
    return out

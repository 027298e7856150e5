"""Collecting the artifact files a build names: ``artifacts.files`` globs, resolved on disk.

Globs are Python's ``glob`` with ``**`` for any depth (hidden files included), relative to
``base-directory`` (default: the source directory); ``exclude-paths`` are globs of the same kind
whose matches are left out. Only regular files are collected. A file that resolves outside the
source directory (through a symbolic link the build made) is skipped and said so: the service
runs with more rights than the build and must not be led to store what the build cannot read.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

from gitterra.pipeline import _model, _result


@dataclass(slots=True)
class Collected:
    """The files found, the log messages to write, and the reason it failed (or ``""``)."""

    files: list[_result.ArtifactFile] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    error: str = ""


def collect(workdir: Path, artifacts: _model.Artifacts) -> Collected:
    """The files of ``artifacts`` under ``workdir``, with CodeBuild's log lines."""
    out = Collected()
    root = workdir.resolve()
    base_name = artifacts.base_directory or "."
    out.messages += [
        f"Expanding base directory path: {base_name}",
        "Assembling file list",
        f"Expanding {base_name}",
        f"Expanding file paths for base directory {base_name}",
        "Assembling file list",
    ]
    base = (root / base_name).resolve()
    if not base.is_relative_to(root) or not base.is_dir():
        out.error = f"base directory {base_name} is not a directory inside the source directory"
        return out
    excluded = {m for p in artifacts.exclude_paths for m in _glob(base, p)}
    found: dict[str, _result.ArtifactFile] = {}
    for pattern in artifacts.files:
        out.messages.append(f"Expanding {pattern}")
        for rel in sorted(_glob(base, pattern)):
            if rel in excluded:
                continue
            path = (base / rel).resolve()
            if not path.is_relative_to(root):
                out.messages.append(f"Skipping {rel}: it leads outside the source directory")
                continue
            if not path.is_file():
                continue
            name = Path(rel).name if artifacts.discard_paths else rel
            other = found.get(name)
            if other is not None and other.path != path:
                out.error = f"discard-paths: two files would be named {name}"
                return out
            found[name] = _result.ArtifactFile(base / rel, name)
    out.files = list(found.values())
    if not out.files:
        out.error = "no matching artifact paths found"
        return out
    out.messages.append(f"Found {len(out.files)} file(s)")
    return out


def _glob(base: Path, pattern: str) -> list[str]:
    matches = glob.glob(pattern, root_dir=base, recursive=True, include_hidden=True)
    return [m.removesuffix("/") for m in matches]

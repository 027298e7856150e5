"""The Terraform states the server holds (``DATA_DIR/state/<project>/<key>/terraform.tfstate``,
written by the ``/state`` endpoint): which resources each project manages.

A state is decoded with ``gitterra.state`` (Terraform's v4 layout) and kept until its file
changes (same size and modification time: not read again). A state that cannot be read is
shown with the decoder's message, naming the file and the field, instead of its resources.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitterra import state

STATE_FILE = "terraform.tfstate"


@dataclass(frozen=True, slots=True)
class Managed:
    """One resource instance of a state: its address, type and attributes."""

    address: str
    type: str
    mode: str
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StateFile:
    project: str
    key: str
    serial: int = 0
    resources: tuple[Managed, ...] = ()
    error: str = ""
    outputs: dict[str, str] = field(default_factory=dict)

    def of_type(self, *types: str) -> list[Managed]:
        return [r for r in self.resources if r.mode == "managed" and r.type in types]


class StateFiles:
    """Every state under ``root``, decoded once per change of its file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen: dict[Path, tuple[tuple[int, int], StateFile]] = {}

    def all(self) -> list[StateFile]:
        out = []
        for path in sorted(self._paths()):
            out.append(self._read(path))
        return out

    def of_project(self, project: str) -> list[StateFile]:
        return [s for s in self.all() if s.project == project]

    def _paths(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        found = []
        for dirpath, _dirs, files in os.walk(self.root):
            if STATE_FILE in files:
                found.append(Path(dirpath) / STATE_FILE)
        return found

    def _read(self, path: Path) -> StateFile:
        rel = path.parent.relative_to(self.root).parts
        project, key = rel[0], "/".join(rel[1:])
        try:
            info = path.stat()
            stamp = (info.st_mtime_ns, info.st_size)
            cached = self._seen.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            data = path.read_bytes()
        except OSError as exc:
            return StateFile(project, key, error=f"cannot read {path}: {exc.strerror}")
        parsed = decode(project, key, data)
        self._seen[path] = (stamp, parsed)
        return parsed


def decode(project: str, key: str, data: bytes) -> StateFile:
    """One state file's resources (or the reason it cannot be read)."""
    if not data.strip():
        return StateFile(project, key)
    try:
        decoded = state.decode(data, source=f"the state {project}/{key}")
    except state.CorruptStateError as exc:
        return StateFile(project, key, error=str(exc))
    resources = []
    for res in sorted(decoded.resources.values(), key=lambda r: r.address):
        for key_, inst in sorted(res.instances.items(), key=lambda kv: _order(kv[0])):
            attrs = inst.current.attributes if inst.current is not None else {}
            resources.append(Managed(res.instance_address(key_), res.type, res.mode, attrs))
    outputs = {
        name: "(sensitive)" if out.sensitive else _short(out.value)
        for name, out in sorted(decoded.outputs.items())
    }
    return StateFile(project, key, decoded.serial, tuple(resources), outputs=outputs)


def _order(key: state.InstanceKey) -> tuple[int, int, str]:
    """Terraform's instance order: no key, then numbers, then strings."""
    if key is None:
        return (0, 0, "")
    if isinstance(key, int):
        return (1, key, "")
    return (2, 0, key)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:199] + "…"

"""Fixtures for the end-to-end workflow tests: a fresh module directory per test, driven through
the ``gitterra`` command line (in-process unless a real process is the point), and a real
Terraform http-backend server on 127.0.0.1 when a test needs one."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends.state_server import StateServer
from tests.clirun import Result, run_cli


class ModuleDir:
    """One module directory and the commands run in it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, text: str, name: str = "main.tf") -> Path:
        """Write ``name`` (dedented), creating directories; returns its path."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
        return target

    def run(self, *args: str, stdin: str = "") -> Result:
        """``gitterra ARGS`` in this process (fast)."""
        return run_cli(list(args), self.path, stdin)

    def ok(self, *args: str, stdin: str = "") -> Result:
        """Run and insist on exit status 0."""
        result = self.run(*args, stdin=stdin)
        assert result.code == 0, (
            f"gitterra {' '.join(args)} exited {result.code}\n{result.out}\n{result.err}"
        )
        return result

    def fails(self, *args: str, stdin: str = "", code: int = 1) -> Result:
        """Run and insist on a failure (status 1 unless told); returns the result."""
        result = self.run(*args, stdin=stdin)
        assert result.code == code, (
            f"gitterra {' '.join(args)} exited {result.code}, not {code}\n{result.out}\n{result.err}"
        )
        return result

    def apply(self, *args: str) -> Result:
        return self.ok("apply", "-auto-approve", *args)

    def state_file(self, name: str = "terraform.tfstate") -> Path:
        return self.path / name

    def state(self, name: str = "terraform.tfstate") -> dict[str, Any]:
        return json.loads(self.state_file(name).read_text())  # type: ignore[no-any-return]

    def snapshot(self) -> dict[str, bytes]:
        """Every file under the directory (for "nothing was written" checks)."""
        return {
            str(p.relative_to(self.path)): p.read_bytes()
            for p in sorted(self.path.rglob("*"))
            if p.is_file()
        }


def resources(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A state document's instances by resource address (module prefix included)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rs in doc["resources"]:
        prefix = f"{rs['module']}." if rs.get("module") else ""
        mode = "data." if rs["mode"] == "data" else ""
        out[f"{prefix}{mode}{rs['type']}.{rs['name']}"] = rs["instances"]
    return out


def attrs(doc: dict[str, Any], address: str, index: object = None) -> dict[str, Any]:
    """The attributes of one instance in a state document."""
    for inst in resources(doc)[address]:
        if inst.get("index_key") == index and "deposed" not in inst:
            return inst["attributes"]  # type: ignore[no-any-return]
    raise KeyError(f"{address}[{index!r}] not in state")


def addresses(doc: dict[str, Any]) -> list[str]:
    """Every instance address in a state document, as ``state list`` prints them."""
    out = []
    for address, instances in resources(doc).items():
        for inst in instances:
            key = inst.get("index_key")
            suffix = "" if key is None else f"[{json.dumps(key)}]"
            out.append(address + suffix)
    return sorted(out)


@pytest.fixture
def ws(tmp_path: Path) -> ModuleDir:
    root = tmp_path / "module"
    root.mkdir()
    return ModuleDir(root)


@pytest.fixture
def server() -> Iterator[StateServer]:
    with StateServer() as srv:
        yield srv

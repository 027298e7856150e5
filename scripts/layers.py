"""The package layers of docs/architecture.md, checked with import-linter.

ALLOWED maps each package to the packages it may import directly (DESIGN.md's table); a package
may also use whatever those may (the closure), and nothing else. The contracts are generated for
the packages that exist now, so adding a package means adding its row here — a new arrow between
packages is an architecture change and shows up in review as a change to this table.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ALLOWED: dict[str, set[str]] = {
    "diag": set(),
    "kits": {"diag"},
    "lang": {"diag", "kits"},
    "config": {"lang"},
    "state": {"diag"},
    "engine": {"config", "state", "lang", "kits"},
    "backends": {"state"},
    "providers": {"engine"},
    "pipeline": {"diag"},
    "triggers": {"diag"},
    "cloud": {"pipeline", "triggers", "kits"},
    "server": {"cloud", "backends"},
    "cli": set(),  # the top: may import everything
}


def closure(pkg: str) -> set[str]:
    seen: set[str] = set()
    stack = list(ALLOWED[pkg])
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(ALLOWED[p])
    return seen


def contracts(root: Path) -> str:
    existing = sorted(p for p in ALLOWED if (root / "src" / "gitterra" / p).is_dir())
    unknown = sorted(
        d.name
        for d in (root / "src" / "gitterra").iterdir()
        if d.is_dir() and not d.name.startswith("_") and d.name not in ALLOWED
    )
    if unknown:
        sys.exit(f"packages missing from scripts/layers.py ALLOWED: {', '.join(unknown)}")
    out = ["[importlinter]", "root_package = gitterra", ""]
    for pkg in existing:
        if pkg == "cli":
            continue
        forbidden = [p for p in existing if p != pkg and p not in closure(pkg)]
        if not forbidden:
            continue
        allowed = ", ".join(sorted(closure(pkg))) or "the standard library and its dependencies"
        out += [
            f"[importlinter:contract:{pkg}]",
            f"name = {pkg} imports only {allowed}",
            "type = forbidden",
            f"source_modules = gitterra.{pkg}",
            "forbidden_modules =",
            *(f"    gitterra.{p}" for p in forbidden),
            "",
        ]
    return "\n".join(out)


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False) as fh:
        fh.write(contracts(root))
        path = fh.name
    try:
        lint = Path(sys.executable).parent / "lint-imports"
        result = subprocess.run([str(lint), "--no-cache", "--no-logo", path], cwd=root)
        return result.returncode
    finally:
        Path(path).unlink()


if __name__ == "__main__":
    sys.exit(main())

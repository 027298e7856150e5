"""Fixture modules and their expected plans.

Each folder of tests/engine/fixtures holds a module. When it has ``step1.tf``, that
configuration is applied first (alone); then ``main.tf`` (with any ``modules/``) is planned and
the plan compared with ``expected.json``: for every resource change its address, actions,
reason, replace paths and which attributes are unknown, and for every output its actions —
the parts of Terraform's plan JSON that must not change, without the random ids. An optional
``options.json`` gives plan options (``{"mode": "destroy"}``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gitterra import config, engine, lang, providers, state
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions
from tests.golden import UPDATE

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _run(
    workdir: Path, prior: state.State, opts: engine.PlanOptions, apply: bool
) -> tuple[engine.Plan, state.State]:
    before = os.getcwd()
    os.chdir(workdir)
    try:
        fs = LocalFileSystem(".")
        module, diags = config.load_module(fs, ".")
        assert not diags.has_errors, [str(d) for d in diags]
        fctx = lang.function_context(fs, functions.builtins())
        registry = providers.builtin_registry()
        plan, diags = asyncio.run(
            engine.plan(module, prior, registry, {}, fctx, str(workdir), opts)
        )
        assert not diags.has_errors, [str(d) for d in diags]
        if not apply:
            return plan, prior
        written: list[state.State] = []

        async def persist(snapshot: state.State) -> None:
            written.append(snapshot)

        final, diags = asyncio.run(
            engine.apply(plan, module, registry, fctx, str(workdir), persist)
        )
        assert not diags.has_errors, [str(d) for d in diags]
        assert written, "apply persisted nothing"
        return plan, final
    finally:
        os.chdir(before)


def _unknown_keys(after_unknown: Any) -> list[str]:
    if not isinstance(after_unknown, dict):
        return []
    return sorted(k for k, v in after_unknown.items() if v is True)


def summary(plan: engine.Plan, schema_of: engine.SchemaLookup) -> dict[str, Any]:
    doc = engine.plan_json(plan, schema_of, "test")
    changes = []
    for rc in doc.get("resource_changes", []):
        entry: dict[str, Any] = {"address": rc["address"], "actions": rc["change"]["actions"]}
        if "action_reason" in rc:
            entry["action_reason"] = rc["action_reason"]
        if rc["change"].get("replace_paths"):
            entry["replace_paths"] = rc["change"]["replace_paths"]
        unknown = _unknown_keys(rc["change"].get("after_unknown"))
        if unknown:
            entry["unknown"] = unknown
        changes.append(entry)
    outputs = {name: oc["actions"] for name, oc in sorted(doc.get("output_changes", {}).items())}
    return {"resource_changes": changes, "output_changes": outputs}


@pytest.mark.parametrize("case", CASES)
def test_fixture_plan(case: str, tmp_path: Path) -> None:
    src = FIXTURES / case
    work = tmp_path / case
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("expected.json", "options.json"))
    opts_data = (
        json.loads((src / "options.json").read_text()) if (src / "options.json").exists() else {}
    )
    prior = state.State.new()
    if (work / "step1.tf").exists():
        main = (work / "main.tf").read_text()
        (work / "main.tf").unlink()
        _, prior = _run(work, prior, engine.PlanOptions(), apply=True)
        (work / "step1.tf").unlink()
        (work / "main.tf").write_text(main)
    the_plan, _ = _run(
        work, prior, engine.PlanOptions(mode=opts_data.get("mode", "normal")), apply=False
    )
    assert not the_plan.errored
    fs = LocalFileSystem(work)
    module, _ = config.load_module(fs, str(work))
    got = summary(the_plan, engine.schema_lookup(providers.builtin_registry(), module))
    expected_path = src / "expected.json"
    if UPDATE:
        expected_path.write_text(json.dumps(got, indent=2) + "\n")
        return
    assert got == json.loads(expected_path.read_text())

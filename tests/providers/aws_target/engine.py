"""A module directory planned and applied with the real engine (``gitterra.engine.plan`` and
``apply``), its state kept in memory, through an ``aws`` provider factory the test chooses
(AWS on moto, or the local cloud's fake); and the Fox-or-Bear scaffold written as
``gitterra new`` writes it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitterra import config, engine, lang, state
from gitterra.cli._new import write_scaffold
from gitterra.diag import Diagnostics
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions
from gitterra.providers import aws


def scaffold(where: Path, name: str = "fob") -> Path:
    """The Fox-or-Bear project in ``where`` (the files ``gitterra new`` writes)."""
    write_scaffold(where, name)
    return where


class Module:
    """One module directory, its state, and the provider factory plans and applies use."""

    def __init__(self, path: Path, factory: Callable[[], engine.Provider], **variables: Any):
        self.path = path
        self.registry = engine.ProviderRegistry({aws.SOURCE: factory})
        self.state = state.State.new()
        self.fs = LocalFileSystem(str(path))
        self.variables = variables

    def _module(self) -> config.Module:
        module, diags = config.load_module(self.fs, ".")
        assert not diags.has_errors, [str(d) for d in diags]
        return module

    def plan(self, destroy: bool = False, **variables: Any) -> tuple[engine.Plan, Diagnostics]:
        fctx = lang.function_context(self.fs, functions.builtins())
        inputs = {k: lang.from_python(v) for k, v in {**self.variables, **variables}.items()}
        opts = engine.PlanOptions(mode="destroy" if destroy else "normal")
        return asyncio.run(
            engine.plan(
                self._module(), self.state, self.registry, inputs, fctx, str(self.path), opts
            )
        )

    def apply(self, destroy: bool = False, **variables: Any) -> engine.Plan:
        """Plan and apply (the test fails on any error); returns the plan applied."""
        the_plan, diags = self.plan(destroy, **variables)
        assert not diags.has_errors, [str(d) for d in diags]
        diags = self.apply_plan(the_plan)
        assert not diags.has_errors, [str(d) for d in diags]
        return the_plan

    def apply_plan(self, the_plan: engine.Plan) -> Diagnostics:
        """Apply ``the_plan``; its diagnostics (the state keeps what was done)."""
        fctx = lang.function_context(self.fs, functions.builtins())

        async def persist(snapshot: state.State) -> None:
            self.state = snapshot

        final, diags = asyncio.run(
            engine.apply(the_plan, self._module(), self.registry, fctx, str(self.path), persist)
        )
        self.state = final
        return diags

    def edit(self, file: str, old: str, new: str) -> None:
        """Change a file of the module as a commit would."""
        path = self.path / file
        text = path.read_text()
        assert old in text, (file, old)
        path.write_text(text.replace(old, new))

    def output(self, name: str) -> Any:
        return self.state.outputs[name].value

    def attributes(self, address: str) -> dict[str, Any]:
        rs = self.state.resource(address)
        assert rs is not None, address
        current = rs.instances[None].current
        assert current is not None
        return dict(current.attributes)

    def managed(self) -> set[str]:
        return {a for a, rs in self.state.resources.items() if rs.mode != "data"}


def actions(the_plan: engine.Plan) -> dict[str, str]:
    """Address -> action name, for resources that change."""
    return {
        str(c.addr): c.action.name
        for c in the_plan.changes
        if c.action is not engine.Action.NOOP and c.action is not engine.Action.READ
    }

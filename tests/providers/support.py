"""Drive a provider the way the engine does: configuration values of the schema's type,
``proposed_new`` before planning, create/update/delete by apply, refresh by read."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from gitterra import engine, lang
from gitterra.diag import Diagnostics
from gitterra.providers import builtin_registry

TERRAFORM = "terraform.io/builtin/terraform"
NULL = "registry.terraform.io/hashicorp/null"
LOCAL = "registry.terraform.io/hashicorp/local"
RANDOM = "registry.terraform.io/hashicorp/random"


def provider(source: str, workdir: Path | None = None) -> engine.Provider:
    factory = builtin_registry(workdir=workdir).factory(source)
    assert factory is not None, source
    p = factory()
    assert not asyncio.run(p.configure(lang.object_val({})))
    return p


def block(p: engine.Provider, type_: str, data: bool = False) -> engine.BlockSchema:
    schemas = p.schema().data_sources if data else p.schema().resources
    return schemas[type_].block


def config(p: engine.Provider, type_: str, data: bool = False, **attrs: Any) -> lang.Value:
    """A configuration value as the engine builds it: every attribute present (unset ones
    null), converted to the schema's implied type."""
    ty = block(p, type_, data).implied_type()
    values = {name: lang.null_val(t) for name, t in ty.attrs.items()}
    for name, v in attrs.items():
        assert name in ty.attrs, name
        values[name] = v if isinstance(v, lang.Value) else lang.from_python(v)
    return lang.convert(lang.object_val(values), ty)


def plan(
    p: engine.Provider, type_: str, prior: lang.Value | None, cfg: lang.Value
) -> engine.PlannedChange:
    proposed = engine.proposed_new(block(p, type_), prior, cfg)
    return p.plan_resource(type_, prior, proposed, cfg)


def errors(diags: Diagnostics) -> list[str]:
    return [f"{d.summary}: {d.detail}" for d in diags.errors]


def assert_conforms(planned: lang.Value, state: lang.Value) -> None:
    """Every attribute the plan knew is what apply produced (Terraform's consistency check)."""
    assert state.is_wholly_known(), state
    for name, value in planned.items().items():
        if value.is_wholly_known():
            assert state.items()[name] == value, name


def create(p: engine.Provider, type_: str, **attrs: Any) -> lang.Value:
    """Validate, plan and apply a new object; its state."""
    cfg = config(p, type_, **attrs)
    assert not errors(p.validate_resource(type_, cfg))
    change = plan(p, type_, None, cfg)
    assert change.requires_replace == ()
    result = asyncio.run(p.apply_resource(type_, None, change.planned, cfg))
    assert not result.diagnostics.has_errors, errors(result.diagnostics)
    assert result.state is not None
    assert_conforms(change.planned, result.state)
    return result.state


def change(
    p: engine.Provider, type_: str, prior: lang.Value, **attrs: Any
) -> tuple[engine.PlannedChange, lang.Value]:
    """Plan a new configuration against ``prior`` and apply it as the engine would: replace
    (delete, then create from the plan) or update in place."""
    cfg = config(p, type_, **attrs)
    assert not errors(p.validate_resource(type_, cfg))
    planned = plan(p, type_, prior, cfg)
    if planned.requires_replace:
        deleted = asyncio.run(p.apply_resource(type_, prior, None, None))
        assert deleted.state is None
        assert not deleted.diagnostics
        result = asyncio.run(p.apply_resource(type_, None, planned.planned, cfg))
    else:
        result = asyncio.run(p.apply_resource(type_, prior, planned.planned, cfg))
    assert not result.diagnostics.has_errors, errors(result.diagnostics)
    assert result.state is not None
    assert_conforms(planned.planned, result.state)
    return planned, result.state


def delete(p: engine.Provider, type_: str, prior: lang.Value) -> engine.ApplyResult:
    return asyncio.run(p.apply_resource(type_, prior, None, None))


def read(p: engine.Provider, type_: str, current: lang.Value) -> engine.ReadResult:
    return asyncio.run(p.read_resource(type_, current))


def import_(p: engine.Provider, type_: str, id_: str) -> engine.ImportResult:
    return asyncio.run(p.import_resource(type_, id_))


def attr(value: lang.Value, name: str) -> Any:
    """A known attribute as plain Python data (None when null)."""
    return value.items()[name].to_python()

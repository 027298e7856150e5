"""Driving the aws provider as the engine does (configuration values of the schema's type,
``proposed_new`` before planning, apply, refresh, import), on one event loop per test."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from gitterra import engine, lang
from gitterra.diag import Diagnostics
from gitterra.providers import aws
from tests.providers.aws.fake_cloud import FakeCloud

T = TypeVar("T")

FAST = aws.Timing(retries=2, backoff=0.0, backoff_max=0.0, poll=0.0, request_timeout=10.0)


def errors(diags: Diagnostics) -> list[str]:
    return [f"{d.summary}: {d.detail}" for d in diags.errors]


class Driver:
    """One provider instance and the loop it runs on."""

    def __init__(self, provider: aws.AwsProvider) -> None:
        self.provider = provider
        self.loop = asyncio.new_event_loop()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self.provider.close())
        self.loop.close()

    def configure(self, **attrs: Any) -> Diagnostics:
        block = self.provider.schema().provider
        return self.run(self.provider.configure(typed(block, attrs)))

    def block(self, type_: str, data: bool = False) -> engine.BlockSchema:
        schemas = self.provider.schema()
        return (schemas.data_sources if data else schemas.resources)[type_].block

    def config(self, type_: str, data: bool = False, **attrs: Any) -> lang.Value:
        return typed(self.block(type_, data), attrs)

    def validate(self, type_: str, **attrs: Any) -> list[str]:
        return errors(self.provider.validate_resource(type_, self.config(type_, **attrs)))

    def plan(self, type_: str, prior: lang.Value | None, cfg: lang.Value) -> engine.PlannedChange:
        proposed = engine.proposed_new(self.block(type_), prior, cfg)
        return self.provider.plan_resource(type_, prior, proposed, cfg)

    def create(self, type_: str, **attrs: Any) -> lang.Value:
        result = self.try_create(type_, **attrs)
        assert not result.diagnostics.has_errors, errors(result.diagnostics)
        assert result.state is not None
        return result.state

    def try_create(self, type_: str, **attrs: Any) -> engine.ApplyResult:
        cfg = self.config(type_, **attrs)
        problems = errors(self.provider.validate_resource(type_, cfg))
        assert not problems, problems
        change = self.plan(type_, None, cfg)
        assert not change.diagnostics.has_errors, errors(change.diagnostics)
        result = self.run(self.provider.apply_resource(type_, None, change.planned, cfg))
        if result.state is not None and not result.diagnostics.has_errors:
            assert_conforms(change.planned, result.state)
        return result

    def change(
        self, type_: str, prior: lang.Value, **attrs: Any
    ) -> tuple[engine.PlannedChange, engine.ApplyResult]:
        """Plan ``attrs`` against ``prior`` and apply it as the engine would."""
        cfg = self.config(type_, **attrs)
        problems = errors(self.provider.validate_resource(type_, cfg))
        assert not problems, problems
        planned = self.plan(type_, prior, cfg)
        if planned.requires_replace:
            deleted = self.run(self.provider.apply_resource(type_, prior, None, None))
            assert deleted.state is None, errors(deleted.diagnostics)
            fresh = self.plan(type_, None, cfg)
            result = self.run(self.provider.apply_resource(type_, None, fresh.planned, cfg))
            if not result.diagnostics.has_errors and result.state is not None:
                assert_conforms(fresh.planned, result.state)
        else:
            result = self.run(self.provider.apply_resource(type_, prior, planned.planned, cfg))
            if not result.diagnostics.has_errors and result.state is not None:
                assert_conforms(planned.planned, result.state)
        return planned, result

    def update(self, type_: str, prior: lang.Value, **attrs: Any) -> lang.Value:
        planned, result = self.change(type_, prior, **attrs)
        assert not planned.requires_replace, planned.requires_replace
        assert not result.diagnostics.has_errors, errors(result.diagnostics)
        assert result.state is not None
        return result.state

    def delete(self, type_: str, prior: lang.Value) -> engine.ApplyResult:
        return self.run(self.provider.apply_resource(type_, prior, None, None))

    def read(self, type_: str, current: lang.Value) -> engine.ReadResult:
        return self.run(self.provider.read_resource(type_, current))

    def read_data(self, type_: str, **attrs: Any) -> engine.ReadResult:
        cfg = self.config(type_, data=True, **attrs)
        return self.run(self.provider.read_data_source(type_, cfg))

    def import_(self, type_: str, id_: str) -> engine.ImportResult:
        return self.run(self.provider.import_resource(type_, id_))


def typed(block: engine.BlockSchema, attrs: dict[str, Any]) -> lang.Value:
    """A configuration value as the engine builds it (unset attributes null, no blocks
    empty), converted to the schema's implied type."""
    ty = block.implied_type()
    values: dict[str, lang.Value] = {}
    for name, t in ty.attrs.items():
        given = attrs.get(name)
        if given is None:
            nb = block.blocks.get(name)
            empty = nb is not None and nb.nesting in ("list", "set")
            values[name] = lang.convert(lang.tuple_val(()), t) if empty else lang.null_val(t)
        else:
            values[name] = lang.convert(
                given if isinstance(given, lang.Value) else _fill(block, name, given), t
            )
    assert set(attrs) <= set(ty.attrs), set(attrs) - set(ty.attrs)
    return lang.object_val(values)


def _fill(block: engine.BlockSchema, name: str, given: Any) -> lang.Value:
    """Nested blocks given as plain dicts get every attribute (unset ones null)."""
    nb = block.blocks.get(name)
    if nb is None:
        return lang.from_python(given)
    if nb.nesting == "single":
        return typed(nb.block, given)
    return lang.tuple_val(typed(nb.block, item) for item in given)


def assert_conforms(planned: lang.Value, state: lang.Value) -> None:
    """Every attribute the plan knew is what apply produced (Terraform's consistency check)."""
    assert state.is_wholly_known(), state
    _conforms(planned, state, "")


def _conforms(planned: lang.Value, state: lang.Value, path: str) -> None:
    if not planned.is_known:
        return
    if planned.is_null or state.is_null:
        assert planned.is_null, f"{path}: planned {planned!r}, got {state!r}"
        assert state.is_null, f"{path}: planned {planned!r}, got {state!r}"
        return
    if isinstance(planned.raw, dict) and isinstance(state.raw, dict):
        for k, v in planned.raw.items():
            _conforms(v, state.raw[k], f"{path}.{k}")
        return
    if planned.is_wholly_known():
        assert planned.unmark_deep() == state.unmark_deep(), f"{path}: {planned!r} != {state!r}"


def attr(value: lang.Value, name: str) -> Any:
    return value.items()[name].to_python()


@pytest.fixture
def fake() -> FakeCloud:
    return FakeCloud()


@pytest.fixture
def driver(fake: FakeCloud) -> Iterator[Driver]:
    """A provider configured against ``fake``."""
    provider = aws.AwsProvider(
        transport=fake.transport(),
        env={"GITTERRA_ENDPOINT": "http://fake", "GITTERRA_TOKEN": fake.token},
        timing=FAST,
    )
    d = Driver(provider)
    diags = d.configure()
    assert not diags.has_errors, errors(diags)
    yield d
    d.close()

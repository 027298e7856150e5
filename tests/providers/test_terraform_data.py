"""terraform_data: Terraform's own planning rules for input/output/triggers_replace/id."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from gitterra import lang

from .support import (
    TERRAFORM,
    attr,
    change,
    config,
    create,
    delete,
    errors,
    import_,
    plan,
    provider,
    read,
)

T = "terraform_data"
UNKNOWN_STR = lang.unknown_val(lang.STRING)


@pytest.fixture
def p() -> Any:
    return provider(TERRAFORM)


@pytest.mark.parametrize(
    ("attrs", "output"),
    [
        ({"input": "a"}, lang.unknown_val(lang.STRING)),
        ({"input": 3}, lang.unknown_val(lang.NUMBER)),
        ({"input": ["a", "b"]}, lang.unknown_val(lang.TupleType((lang.STRING, lang.STRING)))),
        ({}, lang.NULL),
        ({"input": lang.DYNAMIC_UNKNOWN}, lang.DYNAMIC_UNKNOWN),
        ({"triggers_replace": "x"}, lang.NULL),
    ],
    ids=["string", "number", "tuple", "no-input", "unknown-input", "trigger-only"],
)
def test_plan_create(p: Any, attrs: dict[str, Any], output: lang.Value) -> None:
    cfg = config(p, T, **attrs)
    planned = plan(p, T, None, cfg)
    assert planned.requires_replace == ()
    assert planned.planned.items()["id"] == UNKNOWN_STR
    assert planned.planned.items()["output"] == output
    assert planned.planned.items()["input"] == cfg.items()["input"]


@pytest.mark.parametrize(
    "value",
    ["text", 42, True, ["a", 1], {"k": "v", "n": [1, 2]}, None],
    ids=["string", "number", "bool", "tuple", "object", "null"],
)
def test_apply_copies_input_to_output(p: Any, value: Any) -> None:
    state = create(p, T, input=value)
    assert state.items()["output"] == state.items()["input"]
    assert attr(state, "output") == (lang.from_python(value).to_python())
    uuid.UUID(attr(state, "id"))  # a real UUID
    assert read(p, T, state).state == state


def test_no_change_plans_the_prior_state(p: Any) -> None:
    prior = create(p, T, input={"a": 1}, triggers_replace="t")
    planned = plan(p, T, prior, config(p, T, input={"a": 1}, triggers_replace="t"))
    assert planned.planned == prior
    assert planned.requires_replace == ()


@pytest.mark.parametrize(
    ("new_input", "new_type"),
    [("b", lang.STRING), (7, lang.NUMBER), (None, None)],
    ids=["same-type", "other-type", "to-null"],
)
def test_input_change_updates_output_in_place(p: Any, new_input: Any, new_type: Any) -> None:
    prior = create(p, T, input="a")
    planned, state = change(p, T, prior, input=new_input)
    assert planned.requires_replace == ()
    assert planned.planned.items()["id"] == prior.items()["id"]
    expected_plan = lang.NULL if new_type is None else lang.unknown_val(new_type)
    assert planned.planned.items()["output"] == expected_plan
    assert attr(state, "output") == new_input
    assert attr(state, "id") == attr(prior, "id")


def test_unknown_input_in_update_makes_output_unknown(p: Any) -> None:
    prior = create(p, T, input="a")
    planned = plan(p, T, prior, config(p, T, input=UNKNOWN_STR))
    assert planned.planned.items()["output"] == UNKNOWN_STR
    assert planned.requires_replace == ()


@pytest.mark.parametrize(
    ("old", "new"),
    [("a", "b"), ("a", None), (None, "a"), (1, "1"), (["x"], ["x", "y"])],
    ids=["changed", "removed", "added", "type-changed", "tuple-grew"],
)
def test_triggers_replace_change_replaces(p: Any, old: Any, new: Any) -> None:
    prior = create(p, T, input="same", triggers_replace=old)
    planned, state = change(p, T, prior, input="same", triggers_replace=new)
    assert planned.requires_replace == (("triggers_replace",),)
    assert planned.planned.items()["id"] == UNKNOWN_STR
    assert planned.planned.items()["output"] == UNKNOWN_STR  # the new object computes it anew
    assert attr(state, "id") != attr(prior, "id")
    assert attr(state, "output") == "same"


def test_replacement_with_null_input_keeps_output_null(p: Any) -> None:
    prior = create(p, T, triggers_replace="a")
    planned = plan(p, T, prior, config(p, T, triggers_replace="b"))
    assert planned.planned.items()["output"] == lang.NULL


@pytest.mark.parametrize("name", ["id", "output"])
def test_computed_attributes_are_read_only(p: Any, name: str) -> None:
    problems = errors(p.validate_resource(T, config(p, T, **{name: "x"})))
    assert problems == [
        f'"{name}" attribute is read-only: '
        f"terraform_data computes {name}; remove it from the configuration."
    ]
    assert not errors(p.validate_resource(T, config(p, T, input="x")))


def test_import_sets_only_the_id(p: Any) -> None:
    result = import_(p, T, "my-id")
    assert not result.diagnostics
    (state,) = result.states
    assert attr(state, "id") == "my-id"
    assert attr(state, "input") is None
    assert attr(state, "output") is None


def test_delete_forgets(p: Any) -> None:
    prior = create(p, T, input="a")
    assert delete(p, T, prior).state is None

"""Function signatures and calls, with cty's rules for nulls, unknowns and marks.

A :class:`Function` declares its parameters (each with a type constraint the argument is
converted to) and an optional variadic parameter, how its result type follows from the argument
types, and an implementation that receives converted, *wholly known*, *unmarked* arguments unless a
parameter says otherwise:

- a null argument is refused unless ``allow_null``;
- an argument that is not wholly known makes the result unknown (of the declared result type)
  without calling the implementation, unless ``allow_unknown``;
- marks (``sensitive``) are removed before the call and put on the result, unless
  ``allow_marked``.

Implementations report a bad argument by raising :class:`FunctionError` (with the argument's index
when one argument is at fault); the evaluator turns it into a diagnostic at that argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from gitterra.lang import _convert as convert
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._values import Value

if TYPE_CHECKING:
    from gitterra.lang._context import FunctionContext


class FunctionError(Exception):
    """A function cannot produce a result for these arguments (a user error)."""

    #: The diagnostic summary; None means Terraform's generic "Error in function call".
    summary: str | None = None

    def __init__(self, message: str, arg_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.arg_index = arg_index


class ArityError(FunctionError):
    """The call has too many or too few arguments."""

    def __init__(self, message: str, too_many: bool) -> None:
        super().__init__(message)
        self.summary = (
            "Too many function arguments" if too_many else "Not enough function arguments"
        )


class ArgumentError(FunctionError):
    """An argument has the wrong type, null or value; its parameter name is in the message."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: t.Type = t.DYNAMIC
    allow_null: bool = False
    allow_unknown: bool = False
    allow_marked: bool = False


class Impl(Protocol):
    def __call__(self, ctx: FunctionContext, args: list[Value], /) -> Value: ...


ReturnType = t.Type | Callable[[list[Value]], t.Type]


@dataclass(frozen=True, slots=True)
class Function:
    """A function of the language (see the module docstring for the calling rules)."""

    name: str
    params: tuple[Param, ...]
    impl: Impl
    returns: ReturnType = t.DYNAMIC
    variadic: Param | None = None
    description: str = ""
    #: Whether the result may differ between calls with the same arguments (timestamp, uuid).
    impure: bool = False
    tags: frozenset[str] = field(default_factory=frozenset)

    def arity_text(self) -> str:
        n = len(self.params)
        return f"{n} argument(s)" if self.variadic is None else f"at least {n} argument(s)"

    def return_type(self, args: list[Value]) -> t.Type:
        if isinstance(self.returns, t.Type):
            return self.returns
        try:
            return self.returns(args)
        except (FunctionError, convert.ConversionError):
            return t.DYNAMIC

    def call(self, ctx: FunctionContext, args: Sequence[Value]) -> Value:
        """Call with already-evaluated arguments; raises :class:`FunctionError`."""
        params = self.params
        if len(args) < len(params):
            missing = params[len(args)].name
            raise ArityError(
                f'Function "{self.name}" expects {self.arity_text()}. '
                f'Missing value for "{missing}".',
                too_many=False,
            )
        if self.variadic is None and len(args) > len(params):
            raise ArityError(
                f'Function "{self.name}" expects only {len(params)} argument(s).', too_many=True
            )
        converted: list[Value] = []
        sensitive = False
        unknown = False
        for i, arg in enumerate(args):
            param = params[i] if i < len(params) else self.variadic
            assert param is not None
            arg = _convert_arg(param, arg, i)
            if not param.allow_marked and arg.contains_sensitive():
                sensitive = True
                arg = arg.unmark_deep()
            if not param.allow_unknown and not arg.is_wholly_known():
                unknown = True
            converted.append(arg)
        if unknown:
            # Marks of every argument reach an unknown result, allow_marked or not: the function
            # never saw the values, so it cannot have decided the marks itself.
            marked = sensitive or any(a.contains_sensitive() for a in converted)
            return v.unknown_val(self.return_type(converted)).mark_sensitive(marked)
        result = self.impl(ctx, converted)
        return result.mark_sensitive(sensitive)


def _convert_arg(param: Param, arg: Value, index: int) -> Value:
    if arg.is_null and arg.is_known and not param.allow_null:
        raise ArgumentError(
            f'Invalid value for "{param.name}" parameter: argument must not be null.', index
        )
    if param.type is t.DYNAMIC:
        return arg
    try:
        return convert.convert(arg, param.type)
    except convert.ConversionError as exc:
        raise ArgumentError(
            f'Invalid value for "{param.name}" parameter: {exc.describe()}.', index
        ) from None


def simple(
    name: str,
    params: Sequence[Param | tuple[str, t.Type]],
    returns: ReturnType,
    impl: Impl,
    *,
    variadic: Param | tuple[str, t.Type] | None = None,
    description: str = "",
    impure: bool = False,
) -> Function:
    """Shorthand for declaring a function; ``("name", TYPE)`` tuples become plain params."""

    def as_param(p: Param | tuple[str, t.Type]) -> Param:
        return p if isinstance(p, Param) else Param(p[0], p[1])

    return Function(
        name=name,
        params=tuple(as_param(p) for p in params),
        impl=impl,
        returns=returns,
        variadic=None if variadic is None else as_param(variadic),
        description=description,
        impure=impure,
    )

"""Functions of the language: explicit type conversion and sensitivity (``tostring``,
``tolist``, ``sensitive`` ...).

The ``to*`` functions are Terraform's ``MakeToFunc``: the argument may be null (giving a null of
the wanted type) and sensitive (staying sensitive); a conversion that can never work is refused
from the types alone ("cannot convert tuple to list of any single type"), one that fails on this
value gets Terraform's more specific message. ``sensitive`` and ``nonsensitive`` set or clear the
value's own mark; marks deeper inside are left alone, as Terraform leaves them.
"""

from __future__ import annotations

from gitterra.lang import _convert as convert
from gitterra.lang import _format
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, Impl, Param
from gitterra.lang._values import Value
from gitterra.lang.functions import _collections as coll

#: How Terraform names each wanted type in messages (cty's ``FriendlyNameForConstraint``).
_WANT_NAMES: dict[t.Type, str] = {
    t.STRING: "string",
    t.NUMBER: "number",
    t.BOOL: "bool",
    t.ListType(t.DYNAMIC): "list of any single type",
    t.SetType(t.DYNAMIC): "set of any single type",
    t.MapType(t.DYNAMIC): "map of any single type",
}


def _conversion_exists(got: t.Type, want: t.Type) -> bool:
    """cty's ``GetConversionUnsafe(got, want) != nil`` for the wanted types above: a tuple (or
    object) becomes a list or set (or map) only if its element types unify."""
    if got == want or got is t.DYNAMIC:
        return True
    if isinstance(want, t.ListType | t.SetType):
        if isinstance(got, t.TupleType):
            return not got.elements or convert.unify(got.elements, unsafe=True) is not None
        return isinstance(got, t.ListType | t.SetType)
    if isinstance(want, t.MapType):
        if isinstance(got, t.ObjectType):
            parts = list(got.attrs.values())
            return not parts or convert.unify(parts, unsafe=True) is not None
        return isinstance(got, t.MapType)
    return convert.can_convert_type(got, want, unsafe=True)


def _failure(val: Value, want: t.Type) -> str:
    """Terraform's message for a value that cannot be converted, revealing nothing sensitive."""
    got, name = val.type, _WANT_NAMES[want]
    if val.contains_sensitive():
        return f"cannot convert this sensitive {got.friendly()} to {name}"
    what = "string" if not isinstance(val.raw, str) else _format.go_quote(val.raw)
    if got is t.STRING and want is t.BOOL:
        return f'cannot convert {what} to bool; only the strings "true" or "false" are allowed'
    if got is t.STRING and want is t.NUMBER:
        return (
            f"cannot convert {what} to number; given string must be a decimal representation "
            "of a number"
        )
    return f"cannot convert {got.friendly()} to {name}"


def _make_to(want: t.Type) -> Impl:
    def impl(ctx: FunctionContext, args: list[Value]) -> Value:
        val = args[0]
        if not _conversion_exists(val.type, want):
            message = f"cannot convert {val.type.friendly()} to {_WANT_NAMES[want]}"
            raise coll.arg_error("v", 0, message)
        try:
            return convert.convert(val, want)
        except convert.ConversionError:
            raise coll.arg_error("v", 0, _failure(val, want)) from None

    impl.__doc__ = f"Terraform's explicit conversion to {_WANT_NAMES[want]}."
    return impl


def _sensitive(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``sensitive``: the same value, marked sensitive."""
    return args[0].mark_sensitive()


def _nonsensitive(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``nonsensitive`` (v1.7 and later): the value without its own sensitive mark.
    A value that is not sensitive is returned unchanged; before v1.7 that was an error."""
    return args[0].unmark()


def _issensitive(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``issensitive`` (v1.9 and later): whether the value itself is marked
    sensitive. Unknown for an unknown value not marked yet (it may become sensitive once
    known); the answer itself is not sensitive."""
    value = args[0]
    if value.sensitive:
        return v.bool_val(True)
    if not value.is_known:
        return v.unknown_val(t.BOOL)
    return v.bool_val(False)


def _any_param() -> Param:
    return Param("value", allow_null=True, allow_unknown=True, allow_marked=True)


FUNCTIONS: tuple[Function, ...] = (
    *(
        Function(
            f"to{name}",
            (Param("v", allow_null=True, allow_unknown=True, allow_marked=True),),
            _make_to(want),
            want,
            description=f"The argument converted to {_WANT_NAMES[want]}.",
        )
        for name, want in (
            ("string", t.STRING),
            ("number", t.NUMBER),
            ("bool", t.BOOL),
            ("list", t.ListType(t.DYNAMIC)),
            ("set", t.SetType(t.DYNAMIC)),
            ("map", t.MapType(t.DYNAMIC)),
        )
    ),
    Function(
        "sensitive",
        (_any_param(),),
        _sensitive,
        lambda args: args[0].type,
        description="The argument, marked sensitive.",
    ),
    Function(
        "issensitive",
        (_any_param(),),
        _issensitive,
        t.BOOL,
        description="Whether the argument is marked sensitive.",
    ),
    Function(
        "nonsensitive",
        (_any_param(),),
        _nonsensitive,
        lambda args: args[0].type,
        description="The argument without its sensitive mark.",
    ),
)

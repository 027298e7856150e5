"""Operations on values: attribute and index access, equality, arithmetic, comparison, logic.

Each follows HCL/cty semantics including unknowns (an unknown operand gives an unknown result of
the right type) and marks (a sensitive operand gives a sensitive result). A failure raises
:class:`OpError` with Terraform's summary and detail; the evaluator places it in the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from gitterra.lang import _convert as convert
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._values import NUMBER_CONTEXT, UNKNOWN, Value


class OpError(Exception):
    """An operation is invalid for its operands; ``side`` names the operand at fault."""

    def __init__(self, summary: str, detail: str, side: str | None = None) -> None:
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail
        self.side = side


# ---- access ------------------------------------------------------------------------------------


def get_attr(obj: Value, name: str) -> Value:
    """``obj.name``."""
    ty = obj.type
    if obj.raw is None:
        raise OpError(
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.",
        )
    if isinstance(ty, t.ObjectType):
        attr_type = ty.attrs.get(name)
        if attr_type is None:
            raise OpError(
                "Unsupported attribute", f'This object does not have an attribute named "{name}".'
            )
        if obj.raw is UNKNOWN:
            return Value(attr_type, UNKNOWN, obj.sensitive)
        return obj.items()[name].with_marks_of(obj)
    if isinstance(ty, t.MapType):
        if obj.raw is UNKNOWN:
            return Value(ty.element, UNKNOWN, obj.sensitive)
        found = obj.items().get(name)
        if found is None:
            raise OpError(
                "Missing map element", f'This map does not have an element with the key "{name}".'
            )
        return found.with_marks_of(obj)
    if ty is t.DYNAMIC:
        return Value(t.DYNAMIC, UNKNOWN, obj.sensitive)
    if isinstance(ty, t.ListType | t.SetType | t.TupleType):
        raise OpError(
            "Unsupported attribute",
            f"Can't access attributes on a {ty.friendly()}. Did you mean to access attribute "
            f'"{name}" for a specific element of the list, or across all elements of the list?',
        )
    raise OpError(
        "Unsupported attribute", f"Can't access attributes on a primitive-typed value ({ty})."
    )


_INVALID_INDEX = "Invalid index"


def index(obj: Value, key: Value) -> Value:
    """``obj[key]``."""
    ty = obj.type
    if obj.raw is None:
        raise OpError(
            "Attempt to index null value", "This value is null, so it does not have any indices."
        )
    if key.raw is None:
        raise OpError(_INVALID_INDEX, "Can't use a null value as an indexing key.")
    if isinstance(ty, t.ListType | t.TupleType):
        return _index_sequence(obj, key)
    if isinstance(ty, t.MapType | t.ObjectType):
        return _index_mapping(obj, key)
    if ty is t.DYNAMIC:
        return Value(t.DYNAMIC, UNKNOWN, obj.sensitive or key.sensitive)
    if isinstance(ty, t.SetType):
        raise OpError(
            _INVALID_INDEX,
            "Elements of a set are identified only by their value and don't have any separate "
            "index or key to select with, so it's only possible to perform operations across "
            "all elements of the set.",
        )
    raise OpError(_INVALID_INDEX, "This value does not have any indices.")


def _index_sequence(obj: Value, key: Value) -> Value:
    ty = obj.type
    try:
        k = convert.convert(key, t.NUMBER)
    except convert.ConversionError:
        raise OpError(
            _INVALID_INDEX,
            "The given key does not identify an element in this collection value: "
            "a number is required.",
        ) from None
    if k.raw is UNKNOWN:
        elem = ty.element if isinstance(ty, t.ListType) else t.DYNAMIC
        return Value(elem, UNKNOWN, obj.sensitive or key.sensitive)
    n = k.as_number()
    if not isinstance(n, int):
        raise OpError(
            _INVALID_INDEX,
            "The given key does not identify an element in this collection value: "
            "the key must be a whole number.",
        )
    if obj.raw is UNKNOWN:
        if isinstance(ty, t.TupleType):
            if not 0 <= n < len(ty.elements):
                raise OpError(
                    _INVALID_INDEX,
                    "The given key does not identify an element in this collection value.",
                )
            return Value(ty.elements[n], UNKNOWN, obj.sensitive)
        assert isinstance(ty, t.ListType)
        return Value(ty.element, UNKNOWN, obj.sensitive)
    elems = obj.elements()
    if not 0 <= n < len(elems):
        detail = "The given key does not identify an element in this collection value."
        if not elems:
            detail = (
                "The given key does not identify an element in this collection value: "
                "the collection has no elements."
            )
        raise OpError(_INVALID_INDEX, detail)
    return elems[n].with_marks_of(obj, key)


def _index_mapping(obj: Value, key: Value) -> Value:
    ty = obj.type
    try:
        k = convert.convert(key, t.STRING)
    except convert.ConversionError:
        raise OpError(
            _INVALID_INDEX,
            "The given key does not identify an element in this collection value: string required.",
        ) from None
    if k.raw is UNKNOWN or obj.raw is UNKNOWN:
        if isinstance(ty, t.MapType):
            return Value(ty.element, UNKNOWN, obj.sensitive or key.sensitive)
        if k.raw is not UNKNOWN and isinstance(ty, t.ObjectType):
            attr = ty.attrs.get(k.as_str())
            if attr is None:
                raise OpError(
                    _INVALID_INDEX,
                    "The given key does not identify an element in this collection value.",
                )
            return Value(attr, UNKNOWN, obj.sensitive or key.sensitive)
        return Value(t.DYNAMIC, UNKNOWN, obj.sensitive or key.sensitive)
    found = obj.items().get(k.as_str())
    if found is None:
        raise OpError(
            _INVALID_INDEX, "The given key does not identify an element in this collection value."
        )
    return found.with_marks_of(obj, key)


# ---- equality -----------------------------------------------------------------------------------


def equals(a: Value, b: Value) -> Value:
    """The language's ``a == b``: values of different types are unequal; unknown parts make the
    answer unknown unless a known difference decides it."""
    result = _equals(a, b)
    return result.with_marks_of(a, b)


def _equals(a: Value, b: Value) -> Value:
    different_types = a.type != b.type and not (a.type.has_dynamic() or b.type.has_dynamic())
    if a.raw is UNKNOWN or b.raw is UNKNOWN:
        # Values of different types never compare equal, known or not; nulls may.
        if different_types and not (a.raw is None or b.raw is None):
            return v.FALSE
        return v.unknown_val(t.BOOL)
    if a.raw is None or b.raw is None:
        return v.bool_val(a.raw is None and b.raw is None)
    if different_types:
        return v.FALSE
    ra, rb = a.raw, b.raw
    if isinstance(ra, tuple) and isinstance(rb, tuple):
        if isinstance(a.type, t.SetType):
            if not (a.is_wholly_known() and b.is_wholly_known()):
                return v.unknown_val(t.BOOL)
            return v.bool_val({e.key() for e in ra} == {e.key() for e in rb})
        if len(ra) != len(rb):
            return v.FALSE
        return _all_equal(zip(ra, rb, strict=True))
    if isinstance(ra, dict) and isinstance(rb, dict):
        if ra.keys() != rb.keys():
            return v.FALSE
        return _all_equal((ra[k], rb[k]) for k in ra)
    if type(ra) is bool or type(rb) is bool:
        return v.bool_val(type(ra) is type(rb) and ra == rb)
    return v.bool_val(ra == rb)


def _all_equal(pairs: Iterable[tuple[Value, Value]]) -> Value:
    unknown = False
    for x, y in pairs:
        r = _equals(x, y)
        if r.raw is UNKNOWN:
            unknown = True
        elif r.raw is False:
            return v.FALSE
    return v.unknown_val(t.BOOL) if unknown else v.TRUE


# ---- arithmetic, comparison, logic ---------------------------------------------------------


def operand(val: Value, want: t.Type, side: str) -> Value:
    """``val`` converted for use as an operand of type ``want`` (``number`` or ``bool``)."""
    if val.raw is None:
        raise OpError(
            "Invalid operand",
            f"Unsuitable value for {side} operand: argument must not be null.",
            side,
        )
    try:
        return convert.convert(val, want)
    except convert.ConversionError as exc:
        raise OpError(
            "Invalid operand",
            f"Unsuitable value for {side} operand: {_a(want)} is required.",
            side,
        ) from exc


def _a(ty: t.Type) -> str:
    return "a number" if ty is t.NUMBER else "a bool"


def arithmetic(op: str, a: Value, b: Value) -> Value:
    x = operand(a, t.NUMBER, "left")
    y = operand(b, t.NUMBER, "right")
    if x.raw is UNKNOWN or y.raw is UNKNOWN:
        return v.unknown_val(t.NUMBER).with_marks_of(x, y)
    return v.number_val(_compute(op, x.as_number(), y.as_number())).with_marks_of(x, y)


def _compute(op: str, p: int | Decimal, q: int | Decimal) -> int | Decimal:
    if op == "+":
        return p + q if isinstance(p, int) and isinstance(q, int) else NUMBER_CONTEXT.add(p, q)
    if op == "-":
        return p - q if isinstance(p, int) and isinstance(q, int) else NUMBER_CONTEXT.subtract(p, q)
    if op == "*":
        return p * q if isinstance(p, int) and isinstance(q, int) else NUMBER_CONTEXT.multiply(p, q)
    if op == "/":
        if q == 0:
            if p == 0:
                raise OpError(
                    "Operation failed",
                    "Error during operation: can't divide zero by zero or infinity by infinity.",
                )
            return Decimal("Infinity") if p > 0 else Decimal("-Infinity")
        try:
            return NUMBER_CONTEXT.divide(Decimal(p), Decimal(q))
        except InvalidOperation:
            raise OpError(
                "Operation failed",
                "Error during operation: can't divide zero by zero or infinity by infinity.",
            ) from None
    if op == "%":
        if q == 0:
            raise OpError("Operation failed", "Error during operation: can't use modulo zero.")
        # Truncated remainder (the sign of the dividend), as Go's and cty's.
        try:
            return NUMBER_CONTEXT.remainder(Decimal(p), Decimal(q))
        except InvalidOperation:
            raise OpError("Operation failed", "Error during operation: invalid modulo.") from None
    raise AssertionError(f"unknown arithmetic operator {op}")


def compare(op: str, a: Value, b: Value) -> Value:
    x = operand(a, t.NUMBER, "left")
    y = operand(b, t.NUMBER, "right")
    if x.raw is UNKNOWN or y.raw is UNKNOWN:
        return v.unknown_val(t.BOOL).with_marks_of(x, y)
    p, q = x.as_number(), y.as_number()
    result = {"<": p < q, ">": p > q, "<=": p <= q, ">=": p >= q}[op]
    return v.bool_val(result).with_marks_of(x, y)


def negate(a: Value) -> Value:
    x = operand(a, t.NUMBER, "unary")
    if x.raw is UNKNOWN:
        return x
    return v.number_val(-x.as_number()).with_marks_of(x)


def logical_not(a: Value) -> Value:
    x = operand(a, t.BOOL, "unary")
    if x.raw is UNKNOWN:
        return x
    return v.bool_val(not x.as_bool()).with_marks_of(x)

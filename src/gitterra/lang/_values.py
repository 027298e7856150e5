"""Values of the Terraform language, with *unknown* and *sensitive* marks.

A :class:`Value` pairs a :class:`~gitterra.lang.Type` with a Python payload:

========================  ===============================================
type                      payload (``raw``)
========================  ===============================================
``string``                ``str`` (NFC-normalised, as cty does)
``number``                ``int`` when integral, else ``decimal.Decimal``
``bool``                  ``bool``
``list`` / ``set`` /      ``tuple[Value, ...]`` (sets deduplicated and in
``tuple``                 cty's canonical order)
``map`` / ``object``      ``dict[str, Value]`` (never mutated)
any type, null            ``None``
any type, unknown         :data:`UNKNOWN` ("known after apply")
========================  ===============================================

``sensitive`` marks a value whose content must not be shown; operations on a sensitive value give
sensitive results, and reaching into a sensitive collection gives sensitive elements. A collection
may be known while some elements are unknown (:meth:`Value.is_wholly_known` tells).
"""

from __future__ import annotations

import decimal
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Final, TypeAlias

from gitterra.lang import _types as t


class _Unknown:
    """The payload of a value that is not known until apply."""

    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()

Number: TypeAlias = int | Decimal
Raw: TypeAlias = (
    "_Unknown | str | int | Decimal | bool | tuple[Value, ...] | dict[str, Value] | None"
)

#: Arithmetic context: 512 bits of mantissa, like cty's big.Float, is about 154 decimal digits.
NUMBER_CONTEXT: Final = decimal.Context(
    prec=160, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999
)


def normalize_number(n: int | float | Decimal) -> Number:
    """``n`` as the payload of a number: an ``int`` when integral, else a ``Decimal``.

    Floats enter through their shortest repr so that results of float maths (``log``) print as
    Terraform prints them.
    """
    if isinstance(n, bool):
        raise TypeError("a bool is not a number")
    if isinstance(n, int):
        return n
    if isinstance(n, float):
        if n != n or n in (float("inf"), float("-inf")):
            return Decimal(n)
        if n.is_integer():
            return int(n)  # exact: pow(2, 64) is 18446744073709551616, not ...552000
        n = Decimal(repr(n))
    if n.is_finite() and n == n.to_integral_value():
        return int(n)
    return n


def _nfc(s: str) -> str:
    if s.isascii():
        return s
    return unicodedata.normalize("NFC", s)


class Value:
    """An immutable value of the language. Build with the ``Value.*`` constructors."""

    __slots__ = ("raw", "sensitive", "type")

    type: t.Type
    raw: Raw
    sensitive: bool

    def __init__(self, type_: t.Type, raw: Raw, sensitive: bool = False) -> None:
        self.type = type_
        self.raw = raw
        self.sensitive = sensitive

    # ---- predicates -----------------------------------------------------------------------

    @property
    def is_null(self) -> bool:
        return self.raw is None

    @property
    def is_known(self) -> bool:
        return self.raw is not UNKNOWN

    def is_wholly_known(self) -> bool:
        """Known, and so is every element or attribute inside it."""
        raw = self.raw
        if raw is UNKNOWN:
            return False
        if isinstance(raw, tuple):
            return all(v.is_wholly_known() for v in raw)
        if isinstance(raw, dict):
            return all(v.is_wholly_known() for v in raw.values())
        return True

    def contains_sensitive(self) -> bool:
        """Sensitive itself or anywhere inside."""
        if self.sensitive:
            return True
        raw = self.raw
        if isinstance(raw, tuple):
            return any(v.contains_sensitive() for v in raw)
        if isinstance(raw, dict):
            return any(v.contains_sensitive() for v in raw.values())
        return False

    # ---- marks ----------------------------------------------------------------------------

    def mark_sensitive(self, sensitive: bool = True) -> Value:
        if not sensitive or self.sensitive:
            return self
        return Value(self.type, self.raw, True)

    def unmark(self) -> Value:
        if not self.sensitive:
            return self
        return Value(self.type, self.raw, False)

    def unmark_deep(self) -> Value:
        raw = self.raw
        if isinstance(raw, tuple):
            raw = tuple(v.unmark_deep() for v in raw)
        elif isinstance(raw, dict):
            raw = {k: v.unmark_deep() for k, v in raw.items()}
        elif not self.sensitive:
            return self
        return Value(self.type, raw, False)

    def with_marks_of(self, *others: Value) -> Value:
        """This value, sensitive if any of ``others`` is."""
        if self.sensitive:
            return self
        for o in others:
            if o.sensitive:
                return Value(self.type, self.raw, True)
        return self

    # ---- access ---------------------------------------------------------------------------

    def as_str(self) -> str:
        assert isinstance(self.raw, str), self
        return self.raw

    def as_number(self) -> Number:
        assert isinstance(self.raw, int | Decimal), self
        assert not isinstance(self.raw, bool), self
        return self.raw

    def as_bool(self) -> bool:
        assert isinstance(self.raw, bool), self
        return self.raw

    def elements(self) -> tuple[Value, ...]:
        """The elements of a known, non-null list, set or tuple."""
        assert isinstance(self.raw, tuple), self
        return self.raw

    def items(self) -> dict[str, Value]:
        """The elements of a known, non-null map or object."""
        assert isinstance(self.raw, dict), self
        return self.raw

    def __iter__(self) -> Iterator[Value]:
        raise TypeError("iterate over .elements() or .items()")

    def to_python(self) -> Any:
        """Plain Python data for a wholly known value (marks dropped); numbers as int/Decimal."""
        raw = self.raw
        if raw is UNKNOWN:
            raise ValueError("an unknown value has no Python equivalent")
        if isinstance(raw, tuple):
            return [v.to_python() for v in raw]
        if isinstance(raw, dict):
            return {k: v.to_python() for k, v in raw.items()}
        return raw

    # ---- identity -------------------------------------------------------------------------

    def key(self) -> Any:
        """A hashable key equal for values that are equal (ignoring marks and set order)."""
        raw = self.raw
        if isinstance(raw, tuple):
            return (str(self.type.__class__.__name__), tuple(v.key() for v in raw))
        if isinstance(raw, dict):
            return ("map", tuple(sorted((k, v.key()) for k, v in raw.items())))
        if isinstance(raw, bool):
            return ("bool", raw)
        if raw is UNKNOWN:
            return ("unknown", id(self))
        return (self.type.__class__.__name__, raw)

    def __eq__(self, other: object) -> bool:
        """Structural identity (type, content and marks); not the language's ``==``."""
        if not isinstance(other, Value):
            return NotImplemented
        return (
            self.type == other.type
            and self.sensitive == other.sensitive
            and _raw_identical(self.raw, other.raw)
        )

    def __hash__(self) -> int:
        return hash((self.type, self.key() if self.raw is not UNKNOWN else "unknown"))

    def __repr__(self) -> str:
        mark = ", sensitive" if self.sensitive else ""
        if self.raw is UNKNOWN:
            return f"Value.unknown({self.type}{mark})"
        if self.raw is None:
            return f"Value.null({self.type}{mark})"
        return f"Value({self.type}, {self.raw!r}{mark})"


def _raw_identical(a: Raw, b: Raw) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(x == y for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(a[k] == b[k] for k in a)
    return a is b or a == b


def _set_order_key(v: Value) -> tuple[Any, ...]:
    """cty's set order: known before unknown; strings lexically, numbers numerically,
    false before true; other types by their content."""
    raw = v.raw
    if raw is UNKNOWN:
        return (2, 0)
    if raw is None:
        return (1, 0)
    if isinstance(raw, bool):
        return (0, 0, raw)
    if isinstance(raw, int | Decimal):
        return (0, 1, raw)
    if isinstance(raw, str):
        return (0, 2, raw)
    return (0, 3, repr(v.key()))


def canonical_set(elements: Iterable[Value]) -> tuple[Value, ...]:
    """Deduplicate ``elements`` and put them in canonical set order.

    Unknown elements are all kept (they might be distinct); a duplicate that is sensitive makes
    the kept element sensitive.
    """
    seen: dict[Any, Value] = {}
    unknowns: list[Value] = []
    for e in elements:
        if e.raw is UNKNOWN:
            unknowns.append(e)
            continue
        k = e.key()
        prior = seen.get(k)
        if prior is None:
            seen[k] = e
        elif e.sensitive and not prior.sensitive:
            seen[k] = prior.mark_sensitive()
    ordered = sorted(seen.values(), key=_set_order_key)
    return (*ordered, *unknowns)


TRUE: Final = Value(t.BOOL, True)
FALSE: Final = Value(t.BOOL, False)
NULL: Final = Value(t.DYNAMIC, None)
DYNAMIC_UNKNOWN: Final = Value(t.DYNAMIC, UNKNOWN)
EMPTY_STRING: Final = Value(t.STRING, "")


# ---- constructors (cty's StringVal, ListVal, ...) -------------------------------------------


def string_val(s: str) -> Value:
    return Value(t.STRING, _nfc(s))


def number_val(n: int | float | Decimal) -> Value:
    return Value(t.NUMBER, normalize_number(n))


def bool_val(b: bool) -> Value:
    return TRUE if b else FALSE


def null_val(type_: t.Type = t.DYNAMIC) -> Value:
    return Value(type_, None)


def unknown_val(type_: t.Type = t.DYNAMIC) -> Value:
    return Value(type_, UNKNOWN)


def list_val(elements: Iterable[Value], element_type: t.Type | None = None) -> Value:
    """A list; with no ``element_type`` the first element's type is used (``dynamic`` if empty).
    The caller guarantees the elements share that type (see ``convert.unify``)."""
    elems = tuple(elements)
    if element_type is None:
        element_type = elems[0].type if elems else t.DYNAMIC
    return Value(t.ListType(element_type), elems)


def set_val(elements: Iterable[Value], element_type: t.Type | None = None) -> Value:
    elems = tuple(elements)
    if element_type is None:
        element_type = elems[0].type if elems else t.DYNAMIC
    return Value(t.SetType(element_type), canonical_set(elems))


def map_val(elements: Mapping[str, Value], element_type: t.Type | None = None) -> Value:
    elems = dict(elements)
    if element_type is None:
        element_type = next(iter(elems.values())).type if elems else t.DYNAMIC
    return Value(t.MapType(element_type), elems)


def object_val(attrs: Mapping[str, Value]) -> Value:
    attrs = dict(attrs)
    return Value(t.ObjectType({k: v.type for k, v in attrs.items()}), attrs)


def tuple_val(elements: Iterable[Value]) -> Value:
    elems = tuple(elements)
    return Value(t.TupleType(tuple(e.type for e in elems)), elems)


def from_python(obj: Any) -> Value:
    """A value from plain Python data: str, bool, numbers, None, lists (as tuples), dicts (as
    objects), and :class:`Value` (kept as is)."""
    if isinstance(obj, Value):
        return obj
    if obj is None:
        return NULL
    if isinstance(obj, bool):
        return bool_val(obj)
    if isinstance(obj, str):
        return string_val(obj)
    if isinstance(obj, int | float | Decimal):
        return number_val(obj)
    if isinstance(obj, Mapping):
        return object_val({str(k): from_python(v) for k, v in obj.items()})
    if isinstance(obj, list | tuple):
        return tuple_val(from_python(v) for v in obj)
    raise TypeError(f"cannot make a language value of {type(obj).__name__}")

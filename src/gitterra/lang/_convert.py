"""Type conversion and unification, following cty's ``convert`` package as Terraform uses it.

``convert(value, want)`` turns a value into one of type ``want`` or raises
:class:`ConversionError`, whose message is what Terraform prints (``string required``,
``attribute "name" is required``, ``element 0: number required``). ``unify(types)`` finds the one
type a list of types can all be converted to, as list literals passed to ``tolist`` and the two
arms of a conditional need. Null and unknown values convert to null and unknown values of the
target type; marks are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._values import UNKNOWN, Value


class ConversionError(Exception):
    """A value cannot be converted. ``path`` lists the steps into the value, outermost first."""

    def __init__(self, message: str, path: Sequence[str] = ()) -> None:
        self.message = message
        self.path = tuple(path)
        super().__init__(self.describe())

    def describe(self) -> str:
        return ": ".join([*self.path, self.message])

    def within(self, step: str) -> ConversionError:
        return ConversionError(self.message, (step, *self.path))


def _required(want: t.Type) -> ConversionError:
    return ConversionError(f"{want.friendly()} required")


# ---- numbers and strings -------------------------------------------------------------------


def format_number(n: int | Decimal) -> str:
    """A number as Terraform writes it in strings and output: integers exactly; decimals of up
    to 20 significant digits exactly (arithmetic on decimal literals is exact, so ``0.1 + 0.2``
    is ``0.3``); longer results of division or float maths as the shortest decimal identifying
    the nearest float64 (``1/3`` is ``0.3333333333333333``)."""
    if isinstance(n, int):
        return _int_text(n)
    if not n.is_finite():
        return "-Inf" if n < 0 else "+Inf" if n.is_infinite() else "NaN"
    reduced = n.normalize()
    if len(reduced.as_tuple().digits) <= 20:
        return format(reduced, "f")
    as_float = float(n)
    if as_float == int(as_float) and abs(as_float) < 2**63:
        return str(int(as_float))
    text = repr(as_float)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


_PLAIN_INT_BITS = 10_000  # well under the interpreter's 4,300-digit limit on str(int)


def _int_text(n: int) -> str:
    """``str(n)`` for integers of any length (divide and conquer keeps each ``str`` call under
    Python's digit limit)."""
    if n < 0:
        return "-" + _int_text(-n)
    if n.bit_length() <= _PLAIN_INT_BITS:
        return str(n)
    half = int(n.bit_length() * 0.30103) // 2
    high, low = divmod(n, 10**half)
    return _int_text(high) + _int_text(low).rjust(half, "0")


def parse_number(text: str) -> int | Decimal | None:
    """Parse a string the way cty converts a string to a number; None if it is not one."""
    if not text or not all(c in "0123456789.-+eE" for c in text):
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return v.normalize_number(d) if d.is_finite() else None


# ---- type-level convertibility -----------------------------------------------------------


def can_convert_type(src: t.Type, want: t.Type, unsafe: bool = False) -> bool:
    """Whether a value of type ``src`` could convert to ``want``. ``unsafe`` also admits
    conversions that depend on the value (string to number, list to tuple, map to object)."""
    if src == want or want is t.DYNAMIC or src is t.DYNAMIC:
        return True
    if isinstance(want, t.PrimitiveType):
        if not isinstance(src, t.PrimitiveType):
            return False
        if want is t.STRING:
            return True
        return unsafe and src is t.STRING
    if isinstance(want, t.ListType | t.SetType):
        if isinstance(src, t.ListType | t.SetType):
            return can_convert_type(src.element, want.element, unsafe)
        if isinstance(src, t.TupleType):
            return all(can_convert_type(e, want.element, unsafe) for e in src.elements)
        return False
    if isinstance(want, t.MapType):
        if isinstance(src, t.MapType):
            return can_convert_type(src.element, want.element, unsafe)
        if isinstance(src, t.ObjectType):
            return all(can_convert_type(a, want.element, unsafe) for a in src.attrs.values())
        return False
    if isinstance(want, t.ObjectType):
        if isinstance(src, t.ObjectType):
            for name, wt in want.attrs.items():
                st = src.attrs.get(name)
                if st is None:
                    if name not in want.optional:
                        return False
                elif not can_convert_type(st, wt, unsafe):
                    return False
            return True
        if isinstance(src, t.MapType):
            return unsafe and all(
                can_convert_type(src.element, a, unsafe) for a in want.attrs.values()
            )
        return False
    if isinstance(want, t.TupleType):
        if isinstance(src, t.TupleType):
            return len(src.elements) == len(want.elements) and all(
                can_convert_type(s, w, unsafe)
                for s, w in zip(src.elements, want.elements, strict=True)
            )
        if isinstance(src, t.ListType):
            return unsafe and all(can_convert_type(src.element, w, unsafe) for w in want.elements)
        return False
    return False


# ---- unification ---------------------------------------------------------------------------


def _preference(ty: t.Type) -> int:
    # Earlier is preferred as a unification result: string absorbs the other primitives.
    if ty is t.STRING:
        return 0
    if ty is t.NUMBER:
        return 1
    if ty is t.BOOL:
        return 2
    if ty is t.DYNAMIC:
        return 9
    return 5


def unify(types: Sequence[t.Type], unsafe: bool = False) -> t.Type | None:
    """The type all of ``types`` convert to, or None when there is none."""
    if not types:
        return t.DYNAMIC
    first = types[0]
    if all(ty == first for ty in types):
        return first
    concrete = [ty for ty in types if ty is not t.DYNAMIC]
    if not concrete:
        return t.DYNAMIC
    kinds = {type(ty) for ty in concrete}
    if kinds == {t.MapType}:
        elem = unify([ty.element for ty in concrete if isinstance(ty, t.MapType)], unsafe)
        return None if elem is None else t.MapType(elem)
    if kinds == {t.MapType, t.ObjectType}:
        elems: list[t.Type] = []
        for ty in concrete:
            if isinstance(ty, t.MapType):
                elems.append(ty.element)
            elif isinstance(ty, t.ObjectType):
                elems.extend(ty.attrs.values())
        elem = unify(elems, unsafe)
        if elem is not None:
            return t.MapType(elem)
    if kinds in ({t.ListType}, {t.ListType, t.TupleType}):
        # cty's unifyAllAsList: ``cond ? ["a"] : tolist([])`` is a list(string).
        return _unify_as_list(concrete, unsafe)
    if kinds == {t.SetType}:
        elem = unify([ty.element for ty in concrete if isinstance(ty, t.SetType)], unsafe)
        return None if elem is None else t.SetType(elem)
    if kinds == {t.ObjectType}:
        objs = [ty for ty in concrete if isinstance(ty, t.ObjectType)]
        names = set(objs[0].attrs)
        if any(set(o.attrs) != names for o in objs):
            # No object type in common: cty falls back to a map of the attributes' types.
            elem = unify([a for o in objs for a in o.attrs.values()], unsafe)
            return None if elem is None else t.MapType(elem)
        attrs: dict[str, t.Type] = {}
        for name in names:
            u = unify([o.attrs[name] for o in objs], unsafe)
            if u is None:
                return None
            attrs[name] = u
        return t.ObjectType(attrs)
    if kinds == {t.TupleType}:
        tups = [ty for ty in concrete if isinstance(ty, t.TupleType)]
        n = len(tups[0].elements)
        if any(len(tp.elements) != n for tp in tups):
            # No tuple type in common: a list, as cty's do (``cond ? [1] : []``).
            return _unify_as_list(concrete, unsafe)
        elems2: list[t.Type] = []
        for i in range(n):
            u = unify([tp.elements[i] for tp in tups], unsafe)
            if u is None:
                return None
            elems2.append(u)
        return t.TupleType(tuple(elems2))
    if t.ObjectType in kinds and t.TupleType in kinds:
        return None
    for candidate in sorted(dict.fromkeys(concrete), key=_preference):
        if all(can_convert_type(ty, candidate, unsafe) for ty in concrete):
            return candidate
    return None


def _unify_as_list(types: Sequence[t.Type], unsafe: bool) -> t.Type | None:
    """Lists and tuples unified as a list of what all their elements unify to."""
    elems: list[t.Type] = []
    for ty in types:
        if isinstance(ty, t.ListType):
            elems.append(ty.element)
        elif isinstance(ty, t.TupleType):
            elems.extend(ty.elements)
    elem = unify(elems, unsafe)
    return None if elem is None else t.ListType(elem)


# ---- value conversion ----------------------------------------------------------------------


def convert(val: Value, want: t.Type) -> Value:
    """``val`` converted to type ``want``; raises :class:`ConversionError`."""
    if val.type == want or want is t.DYNAMIC:
        return val
    raw = val.raw
    if raw is None or raw is UNKNOWN:
        if not can_convert_type(val.type, want, unsafe=True):
            raise _required(want)
        target = want if not want.has_dynamic() else _concrete_target(val.type, want)
        return Value(target, raw, val.sensitive)
    if isinstance(want, t.PrimitiveType):
        return _to_primitive(val, want)
    if isinstance(want, t.ListType | t.SetType):
        return _to_list_or_set(val, want)
    if isinstance(want, t.MapType):
        return _to_map(val, want)
    if isinstance(want, t.ObjectType):
        return _to_object(val, want)
    if isinstance(want, t.TupleType):
        return _to_tuple(val, want)
    raise _required(want)


def _concrete_target(src: t.Type, want: t.Type) -> t.Type:
    """For null/unknown values: the target type with ``dynamic`` parts filled from ``src``."""
    if want is t.DYNAMIC:
        return src
    if isinstance(want, t.ListType | t.SetType | t.MapType):
        same_kind = (
            isinstance(src, t.MapType)
            if isinstance(want, t.MapType)
            else isinstance(src, t.ListType | t.SetType)
        )
        if same_kind:
            assert isinstance(src, t.ListType | t.SetType | t.MapType)
            return type(want)(_concrete_target(src.element, want.element))
        if isinstance(src, t.TupleType | t.ObjectType):
            parts = list(src.elements if isinstance(src, t.TupleType) else src.attrs.values())
            u = unify(parts) if parts else None
            elem = u if u is not None and want.element is t.DYNAMIC else want.element
            return type(want)(elem)
        return want
    return want


def _to_primitive(val: Value, want: t.PrimitiveType) -> Value:
    src, raw = val.type, val.raw
    if want is t.STRING:
        if src is t.NUMBER:
            assert isinstance(raw, int | Decimal)
            return Value(t.STRING, format_number(raw), val.sensitive)
        if src is t.BOOL:
            return Value(t.STRING, "true" if raw else "false", val.sensitive)
        raise _required(want)
    if src is t.STRING:
        assert isinstance(raw, str)
        if want is t.NUMBER:
            n = parse_number(raw)
            if n is None:
                raise ConversionError("a number is required")
            return Value(t.NUMBER, n, val.sensitive)
        if want is t.BOOL:
            if raw in ("true", "1"):
                return Value(t.BOOL, True, val.sensitive)
            if raw in ("false", "0"):
                return Value(t.BOOL, False, val.sensitive)
            raise ConversionError("a bool is required")
    raise _required(want)


def _sequence(val: Value, want: t.Type) -> tuple[Value, ...]:
    if isinstance(val.type, t.ListType | t.SetType | t.TupleType):
        return val.elements()
    raise _required(want)


def _convert_elements(
    elems: Sequence[Value], element_type: t.Type, label: str = "element"
) -> tuple[t.Type, list[Value]]:
    if element_type.has_dynamic():
        u = unify([e.type for e in elems])
        if u is None:
            raise ConversionError("all elements must have the same type")
        element_type = u if element_type is t.DYNAMIC else _merge_dynamic(element_type, u)
    out = []
    for i, e in enumerate(elems):
        try:
            out.append(convert(e, element_type))
        except ConversionError as exc:
            raise exc.within(f"{label} {i}") from None
    return element_type, out


def _merge_dynamic(want: t.Type, found: t.Type) -> t.Type:
    """``want`` with its ``dynamic`` parts replaced by the corresponding parts of ``found``."""
    if want is t.DYNAMIC:
        return found
    if isinstance(want, t.ListType | t.SetType | t.MapType) and isinstance(found, type(want)):
        return type(want)(_merge_dynamic(want.element, found.element))
    return want


def _to_list_or_set(val: Value, want: t.ListType | t.SetType) -> Value:
    elems = _sequence(val, want)
    if not elems and want.element.has_dynamic():
        return Value(_concrete_target(val.type, want), (), val.sensitive)
    elem_type, converted = _convert_elements(elems, want.element)
    if isinstance(want, t.SetType):
        return Value(t.SetType(elem_type), v.canonical_set(converted), val.sensitive)
    return Value(t.ListType(elem_type), tuple(converted), val.sensitive)


def _to_map(val: Value, want: t.MapType) -> Value:
    if not isinstance(val.type, t.MapType | t.ObjectType):
        raise _required(want)
    items = val.items()
    if not items and want.element.has_dynamic():
        return Value(_concrete_target(val.type, want), {}, val.sensitive)
    elem_type = want.element
    if elem_type.has_dynamic():
        u = unify([e.type for e in items.values()])
        if u is None:
            raise ConversionError("all map elements must have the same type")
        elem_type = _merge_dynamic(elem_type, u)
    out = {}
    for k, e in items.items():
        try:
            out[k] = convert(e, elem_type)
        except ConversionError as exc:
            raise exc.within(f'element "{k}"') from None
    return Value(t.MapType(elem_type), out, val.sensitive)


def _to_object(val: Value, want: t.ObjectType) -> Value:
    if not isinstance(val.type, t.MapType | t.ObjectType):
        raise ConversionError("object required")
    items = val.items()
    out: dict[str, Value] = {}
    for name, attr_type in want.attrs.items():
        present = items.get(name)
        if present is not None and not (present.is_null and name in want.defaults):
            try:
                out[name] = convert(items[name], attr_type)
            except ConversionError as exc:
                raise exc.within(f'attribute "{name}"') from None
        elif name in want.optional or present is not None:
            default = want.defaults.get(name)
            if isinstance(default, Value):
                out[name] = convert(default, attr_type)
            else:
                out[name] = v.null_val(attr_type)
        else:
            raise ConversionError(f'attribute "{name}" is required')
    return Value(
        t.ObjectType({k: e.type for k, e in out.items()}),
        out,
        val.sensitive,
    )


def _to_tuple(val: Value, want: t.TupleType) -> Value:
    elems = _sequence(val, want)
    if isinstance(val.type, t.SetType):
        raise ConversionError("tuple required")
    if len(elems) != len(want.elements):
        raise ConversionError(f"tuple required with {len(want.elements)} elements")
    out = []
    for i, (e, wt) in enumerate(zip(elems, want.elements, strict=True)):
        try:
            out.append(convert(e, wt))
        except ConversionError as exc:
            raise exc.within(f"element {i}") from None
    return Value(t.TupleType(tuple(e.type for e in out)), tuple(out), val.sensitive)

"""Functions of the language: set algebra, ordering and aggregates (``setunion``, ``sort``,
``sum``, ``range`` ...).

The third part of the collection family (see ``_collections`` for the rules all parts follow).
Functions that must see every element (``distinct``, ``sort``, ``compact``, ``sum``) give an
unknown result while any element is unknown; ``setunion`` and ``alltrue``/``anytrue`` do better,
as cty's do.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from gitterra.lang import _convert as convert
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Impl, Param
from gitterra.lang._values import NUMBER_CONTEXT, Value
from gitterra.lang.functions import _collections as coll

_RANGE_LIMIT = 1024
_SET_NAMES = ("first_set", "other_sets")

# ---- distinct, compact, sort, alltrue, anytrue -------------------------------------------------


def _distinct(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``distinct``: the first occurrence of each value, in order."""
    seen: dict[object, Value] = {}
    for elem in args[0].elements():
        seen.setdefault(elem.key(), elem)
    return Value(args[0].type, tuple(seen.values()))


def _compact(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``compact``: the list without its null and empty-string elements."""
    kept = [e for e in args[0].elements() if not e.is_null and e.as_str() != ""]
    return v.list_val(kept, t.STRING)


def _sort(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``sort``: lexical order of the strings (numbers sort as their decimal text, since
    the argument is converted to a list of strings first)."""
    elems = args[0].elements()
    for i, elem in enumerate(elems):
        if elem.is_null:
            raise FunctionError(f"given list element {i} is null; a null string cannot be sorted")
    # Code point order is UTF-8 byte order, which is what Go's sort.Strings uses.
    return v.list_val(sorted(elems, key=Value.as_str), t.STRING)


def _alltrue(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``alltrue``: false at the first false (or null) element; unknown at the first
    unknown element before that."""
    if not args[0].is_known:
        return v.unknown_val(t.BOOL)
    for elem in args[0].elements():
        if not elem.is_known:
            return v.unknown_val(t.BOOL)
        if elem.is_null or not elem.as_bool():
            return v.FALSE
    return v.TRUE


def _anytrue(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``anytrue``: true if any element is true, even when others are unknown."""
    if not args[0].is_known:
        return v.unknown_val(t.BOOL)
    elems = args[0].elements()
    if any(e.is_known and not e.is_null and e.as_bool() for e in elems):
        return v.TRUE
    return v.FALSE if all(e.is_known for e in elems) else v.unknown_val(t.BOOL)


# ---- reverse, chunklist --------------------------------------------------------------------------


def _reverse_type(args: list[Value]) -> t.Type:
    ty = args[0].type
    if isinstance(ty, t.TupleType):
        return t.TupleType(ty.elements[::-1])
    if isinstance(ty, t.ListType | t.SetType):
        return t.ListType(ty.element)
    if ty is t.DYNAMIC:
        return t.DYNAMIC
    raise coll.arg_error("list", 0, f"can only reverse list or tuple values, not {ty.friendly()}")


def _reverse(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``reverse``: a set is taken in its set order, giving a list."""
    ret = _reverse_type(args)
    seq, marked = coll.unmark(args[0])
    if not seq.is_known:
        return v.unknown_val(ret).mark_sensitive(marked)
    elems = seq.elements()[::-1]
    if isinstance(ret, t.ListType):
        return v.list_val(elems, ret.element).mark_sensitive(marked)
    return v.tuple_val(elems).mark_sensitive(marked)


def _chunklist(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``chunklist``: lists of ``size`` elements (the last may be shorter); a size of 0
    gives the whole list as the one chunk."""
    seq, list_marked = coll.unmark(args[0])
    size, size_marked = coll.unmark(args[1])
    marked = list_marked or size_marked
    ret = t.ListType(seq.type)
    if not seq.is_known or not size.is_known:
        return v.unknown_val(ret).mark_sensitive(marked)
    n = coll.whole(size, "invalid size: ")
    if n < 0:
        raise FunctionError("the size argument must be positive")
    elems = seq.elements()
    if not elems or n == 0:
        return v.list_val([seq] if elems else [], seq.type).mark_sensitive(marked)
    assert isinstance(seq.type, t.ListType)
    chunks = [v.list_val(elems[i : i + n], seq.type.element) for i in range(0, len(elems), n)]
    return v.list_val(chunks, seq.type).mark_sensitive(marked)


# ---- sum, range --------------------------------------------------------------------------------


def _sum(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``sum``: exact addition of a non-empty list, set or tuple of numbers."""
    seq = args[0]
    if not seq.is_known:
        return v.unknown_val(t.NUMBER)
    if not isinstance(seq.raw, tuple | dict):
        raise coll.arg_error("list", 0, "cannot sum noniterable")
    if not seq.raw:
        raise coll.arg_error("list", 0, "cannot sum an empty list")
    if not isinstance(seq.type, t.ListType | t.SetType | t.TupleType):
        raise coll.arg_error(
            "list", 0, f"argument must be list, set, or tuple. Received {seq.type.friendly()}"
        )
    if not seq.is_wholly_known():
        return v.unknown_val(t.NUMBER)
    total: int | Decimal = 0
    for elem in seq.elements():
        try:
            n = convert.convert(elem, t.NUMBER).as_number() if not elem.is_null else None
        except convert.ConversionError:
            n = None
        if n is None:
            raise coll.arg_error("list", 0, "argument must be list, set, or tuple of number values")
        total = _add(total, n, "can't compute sum of opposing infinities")
    return v.number_val(total)


def _add(a: int | Decimal, b: int | Decimal, failure: str) -> int | Decimal:
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    try:
        return v.normalize_number(NUMBER_CONTEXT.add(Decimal(a), Decimal(b)))
    except ArithmeticError:
        raise FunctionError(failure) from None


def _range(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``range``: ``start`` plus whole steps while short of ``limit``; at most 1024
    numbers, so a mistaken limit cannot exhaust memory."""
    nums = [a.as_number() for a in args]
    if not 1 <= len(nums) <= 3:
        raise FunctionError("must have one, two, or three arguments")
    if any(isinstance(n, Decimal) and n.is_nan() for n in nums):
        raise FunctionError("the range is not a finite sequence of numbers")
    start: int | Decimal
    end: int | Decimal
    step: int | Decimal
    if len(nums) == 1:
        start, end, step = 0, nums[0], (-1 if nums[0] < 0 else 1)
    elif len(nums) == 2:
        start, end, step = nums[0], nums[1], (-1 if nums[1] < nums[0] else 1)
    else:
        start, end, step = nums
    if step == 0:
        raise coll.arg_error("params", 2, "step must not be zero")
    down = step < 0
    if down and end > start:
        raise coll.arg_error("params", 1, "end must be less than start when step is negative")
    if not down and end < start:
        raise coll.arg_error("params", 1, "end must be greater than start when step is positive")
    out: list[Value] = []
    num = start
    while num > end if down else num < end:
        if len(out) >= _RANGE_LIMIT:
            raise FunctionError(
                f"more than {_RANGE_LIMIT} values were generated; either decrease the "
                "difference between start and end or use a smaller step"
            )
        out.append(v.number_val(num))
        num = _add(num, step, "the range is not a finite sequence of numbers")
    return v.list_val(out, t.NUMBER)


# ---- setunion, setintersection, setsubtract, setproduct ----------------------------------------


def _set_op_type(args: list[Value]) -> t.Type:
    etys: list[t.Type] = []
    for arg in args:
        assert isinstance(arg.type, t.SetType)
        if not (arg.is_known and not arg.elements() and arg.type.element is t.DYNAMIC):
            etys.append(arg.type.element)
    common = convert.unify(etys, unsafe=True) if etys else t.DYNAMIC
    if common is None:
        raise FunctionError("given sets must all have compatible element types")
    return t.SetType(common)


def _set_operation(names: tuple[str, str], combine: str) -> Impl:
    """cty's set operations: the sets are converted to one element type first. Only a union
    can be computed while some elements are unknown."""

    def impl(ctx: FunctionContext, args: list[Value]) -> Value:
        ret = _set_op_type(args)
        if not all(a.is_known for a in args):
            return v.unknown_val(ret)
        keyed: list[dict[object, Value]] = []
        for i, arg in enumerate(args):
            try:
                arg = convert.convert(arg, ret)
            except convert.ConversionError as exc:
                raise coll.arg_error(names[min(i, 1)], i, exc.describe()) from None
            if combine != "union" and not arg.is_wholly_known():
                return v.unknown_val(ret)
            keyed.append({e.key() if e.is_known else id(e): e for e in arg.elements()})
        first, rest = keyed[0], keyed[1:]
        if combine == "union":
            elems = [e for k in keyed for e in k.values()]
        elif combine == "intersection":
            elems = [e for k, e in first.items() if all(k in other for other in rest)]
        else:
            elems = [e for k, e in first.items() if k not in rest[0]]
        return Value(ret, v.canonical_set(elems))

    return impl


def _setproduct_type(args: list[Value]) -> t.Type:
    if len(args) < 2:
        raise FunctionError("at least two arguments are required")
    if any(a.type is t.DYNAMIC for a in args):
        return t.DYNAMIC
    etys: list[t.Type] = []
    for i, arg in enumerate(args):
        ty = arg.type
        if isinstance(ty, t.SetType | t.ListType):
            etys.append(ty.element)
        elif isinstance(ty, t.TupleType):
            common = convert.unify(ty.elements, unsafe=True) if ty.elements else t.DYNAMIC
            if common is None:
                raise coll.arg_error("sets", i, "all elements must be of the same type")
            etys.append(common)
        else:
            raise coll.arg_error("sets", i, "a set or a list is required")
    tup = t.TupleType(tuple(etys))
    return t.SetType(tup) if any(isinstance(a.type, t.SetType) for a in args) else t.ListType(tup)


def _setproduct(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``setproduct``: all combinations, as a list of tuples when every argument is a
    list or tuple (keeping their order), else as a set of tuples."""
    ret = _setproduct_type(args)
    marked = any(a.sensitive for a in args)
    seqs = [a.unmark() for a in args]
    if ret is t.DYNAMIC or not all(s.is_known and coll.length_known(s) for s in seqs):
        return v.unknown_val(ret).mark_sensitive(marked)
    assert isinstance(ret, t.ListType | t.SetType)
    assert isinstance(ret.element, t.TupleType)
    columns = []
    for seq, ety in zip(seqs, ret.element.elements, strict=True):
        try:
            columns.append([convert.convert(e, ety) for e in seq.elements()])
        except convert.ConversionError as exc:
            raise FunctionError(exc.describe()) from None
    rows = [Value(ret.element, combo) for combo in itertools.product(*columns)]
    raw = tuple(rows) if isinstance(ret, t.ListType) else v.canonical_set(rows)
    return Value(ret, raw).mark_sensitive(marked)


def _set_param(name: str) -> Param:
    return coll.param(name, t.SetType(t.DYNAMIC))


FUNCTIONS: tuple[Function, ...] = (
    Function(
        "distinct",
        (Param("list", t.ListType(t.DYNAMIC)),),
        _distinct,
        lambda a: a[0].type,
        description="A list without its repeated elements.",
    ),
    Function(
        "compact",
        (Param("list", t.ListType(t.STRING)),),
        _compact,
        t.ListType(t.STRING),
        description="A list of strings without its null and empty elements.",
    ),
    Function(
        "sort",
        (Param("list", t.ListType(t.STRING)),),
        _sort,
        t.ListType(t.STRING),
        description="A list of strings in lexical order.",
    ),
    Function(
        "alltrue",
        (coll.param("list", t.ListType(t.BOOL)),),
        _alltrue,
        t.BOOL,
        description="Whether every element of a list is true.",
    ),
    Function(
        "anytrue",
        (coll.param("list", t.ListType(t.BOOL)),),
        _anytrue,
        t.BOOL,
        description="Whether any element of a list is true.",
    ),
    Function(
        "reverse",
        (coll.param("list", marked=True),),
        _reverse,
        _reverse_type,
        description="A list or tuple in reverse order.",
    ),
    Function(
        "chunklist",
        (
            coll.param("list", t.ListType(t.DYNAMIC), marked=True),
            coll.param("size", t.NUMBER, marked=True),
        ),
        _chunklist,
        lambda a: t.ListType(a[0].type),
        description="A list split into lists of at most a given size.",
    ),
    Function(
        "sum",
        (coll.param("list"),),
        _sum,
        t.NUMBER,
        description="The sum of a list, set or tuple of numbers.",
    ),
    Function(
        "range",
        (),
        _range,
        t.ListType(t.NUMBER),
        variadic=Param("params", t.NUMBER),
        description="A list of numbers from a start, up to a limit, by a step.",
    ),
    Function(
        "setunion",
        (_set_param("first_set"),),
        _set_operation(_SET_NAMES, "union"),
        _set_op_type,
        variadic=_set_param("other_sets"),
        description="The elements of any of the given sets.",
    ),
    Function(
        "setintersection",
        (_set_param("first_set"),),
        _set_operation(_SET_NAMES, "intersection"),
        _set_op_type,
        variadic=_set_param("other_sets"),
        description="The elements of all of the given sets.",
    ),
    Function(
        "setsubtract",
        (_set_param("a"), _set_param("b")),
        _set_operation(("a", "b"), "subtract"),
        _set_op_type,
        description="The elements of the first set that are not in the second.",
    ),
    Function(
        "setproduct",
        (),
        _setproduct,
        _setproduct_type,
        variadic=coll.param("sets", marked=True),
        description="Every combination of one element from each of the given sets or lists.",
    ),
)

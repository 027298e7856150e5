"""Functions of the language: lists, tuples and sets (``length``, ``concat``, ``flatten`` ...).

Each follows the cty/Terraform function of the same name, including its result *type* (a list
in, a list out; a tuple in, a tuple out) and how precisely it treats unknown values: cty only
short-circuits on an argument that is unknown as a whole, so a known list with some unknown
elements still has a known ``length`` and ``concat`` result. Parameters therefore accept
unknowns (see :func:`param`) and the implementations apply cty's rules themselves. Likewise for
marks where cty's function handles them itself: only the argument's own mark moves to the result
(:func:`unmark`), marks on elements stay on the elements. The helpers at the top are shared with
``_collections_more``, ``_collections_sets`` and ``_typeconv``.
"""

from __future__ import annotations

from decimal import Decimal

from gitterra.lang import _convert as convert
from gitterra.lang import _ops as ops
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import ArgumentError, Function, FunctionError, Param
from gitterra.lang._values import UNKNOWN, Value
from gitterra.lang.functions import _strings

# ---- shared helpers ----------------------------------------------------------------------------

_INT64 = 2**63


def param(name: str, type_: t.Type = t.DYNAMIC, *, marked: bool = False) -> Param:
    """A parameter that sees unknowns (and, if ``marked``, marks): the implementation applies
    cty's finer rules itself (see the module docstring)."""
    return Param(name, type_, allow_unknown=True, allow_marked=marked)


def arg_error(name: str, index: int, message: str) -> ArgumentError:
    """A bad argument, worded as HCL words cty's ``NewArgErrorf``."""
    return ArgumentError(f'Invalid value for "{name}" parameter: {message}.', index)


def unmark(val: Value) -> tuple[Value, bool]:
    """``val`` without its own (top-level) sensitive mark, and whether it had one. Marks deeper
    inside stay where they are, as cty's ``Unmark`` leaves them."""
    return val.unmark(), val.sensitive


def whole(num: Value, prefix: str) -> int:
    """A number argument as a Go ``int``, with gocty's message when it is not one."""
    n = num.as_number()
    if isinstance(n, Decimal) or not -_INT64 <= n < _INT64:
        raise FunctionError(
            f"{prefix}value must be a whole number, between {-_INT64} and {_INT64 - 1}"
        )
    return n


def length_known(seq: Value) -> bool:
    """Whether cty knows how many elements ``seq`` has: a set with several elements, some of
    them unknown, might shrink when they become known (they may equal others)."""
    if isinstance(seq.type, t.TupleType):
        return True
    if not seq.is_known:
        return False
    if isinstance(seq.type, t.SetType):
        return len(seq.elements()) <= 1 or seq.is_wholly_known()
    return True


def equals(a: Value, b: Value) -> bool | None:
    """The language's ``==`` (as ``contains`` and ``index`` compare); None when unknown."""
    eq = ops.equals(a, b)
    return eq.raw is True if eq.is_known else None


def _sequence_kind(ty: t.Type) -> bool:
    return isinstance(ty, t.ListType | t.SetType | t.TupleType)


# ---- length, element, index, contains ----------------------------------------------------------


def _length(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``length``: tuples and objects count from their type, so their length is
    known even when their value is not; strings count grapheme clusters."""
    coll, marked = unmark(args[0])
    ty = coll.type
    n: int | None = None
    if isinstance(ty, t.TupleType):
        n = len(ty.elements)
    elif isinstance(ty, t.ObjectType):
        n = len(ty.attrs)
    elif ty is t.STRING:
        n = sum(1 for _ in _strings.graphemes(coll.as_str())) if coll.is_known else None
    elif isinstance(ty, t.ListType | t.MapType | t.SetType):
        n = len(coll.raw) if length_known(coll) and isinstance(coll.raw, tuple | dict) else None
    elif ty is not t.DYNAMIC:
        raise FunctionError("argument must be a string, a collection type, or a structural type")
    result = v.unknown_val(t.NUMBER) if n is None else v.number_val(n)
    return result.mark_sensitive(marked)


def _element_type(args: list[Value]) -> t.Type:
    ty, index = args[0].type, args[1]
    if isinstance(ty, t.ListType):
        return ty.element
    if isinstance(ty, t.TupleType):
        if not index.is_known:
            return t.DYNAMIC
        i = whole(index, "invalid index: ")
        if not ty.elements:
            raise FunctionError("cannot use element function with an empty list")
        return ty.elements[i % len(ty.elements)]
    if ty is t.DYNAMIC:
        return t.DYNAMIC
    raise FunctionError(f"cannot read elements from {ty.friendly()}")


def _element(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``element``: the index wraps around, negative ones from the end."""
    ret = _element_type(args)
    seq, marked = unmark(args[0])
    if not seq.is_known or not args[1].is_known:
        return v.unknown_val(ret).mark_sensitive(marked)
    i = whole(args[1], "invalid index: ")
    elems = seq.elements()
    if not elems:
        raise FunctionError("cannot use element function with an empty list")
    return elems[i % len(elems)].mark_sensitive(marked)


def _index(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``index``: where ``value`` first occurs in a list or tuple."""
    seq, value = args
    if not seq.is_known or not value.is_known:
        return v.unknown_val(t.NUMBER)
    if not isinstance(seq.type, t.ListType | t.TupleType):
        raise FunctionError("argument must be a list or tuple")
    if not seq.elements():
        raise FunctionError("cannot search an empty list")
    for i, elem in enumerate(seq.elements()):
        eq = equals(elem, value)
        if eq is None:
            return v.unknown_val(t.NUMBER)
        if eq:
            return v.number_val(i)
    raise FunctionError("item not found")


def _contains(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``contains``: known true as soon as an element equals ``value``."""
    seq, value = args
    if not seq.is_known or not value.is_known:
        return v.unknown_val(t.BOOL)
    if not _sequence_kind(seq.type):
        raise FunctionError("argument must be list, tuple, or set")
    unknown = False
    for elem in seq.elements():
        eq = equals(value, elem)
        if eq is None:
            unknown = True
        elif eq:
            return v.TRUE
    return v.unknown_val(t.BOOL) if unknown else v.FALSE


# ---- concat, flatten, slice ------------------------------------------------------------------


def _concat_type(args: list[Value]) -> t.Type:
    if not args:
        raise FunctionError("at least one argument is required")
    if any(a.type is t.DYNAMIC for a in args):
        return t.DYNAMIC
    types = [a.type for a in args]
    if all(isinstance(ty, t.ListType) for ty in types):
        common = convert.unify(types, unsafe=True)
        if common is not None:
            return common
    etys: list[t.Type] = []
    for i, arg in enumerate(args):
        ty = arg.type
        if isinstance(ty, t.TupleType):
            etys.extend(ty.elements)
        elif isinstance(ty, t.ListType):
            if not arg.is_known:
                return t.DYNAMIC
            etys.extend([ty.element] * len(arg.elements()))
        else:
            raise arg_error(
                "seqs", i, f"all arguments must be lists or tuples; got {ty.friendly()}"
            )
    return t.TupleType(tuple(etys))


def _concat(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``concat``: a list when every argument is a list of one unifiable element type,
    else a tuple; an unknown list makes the result unknown, an unknown element does not."""
    ret = _concat_type(args)
    marked = any(a.sensitive for a in args)
    if ret is t.DYNAMIC or not all(a.is_known for a in args):
        return v.unknown_val(ret).mark_sensitive(marked)
    elems: list[Value] = []
    for i, arg in enumerate(args):
        if isinstance(ret, t.ListType):
            try:
                arg = convert.convert(arg, ret)
            except convert.ConversionError as exc:
                raise arg_error("seqs", i, exc.describe()) from None
        elems.extend(arg.elements())
    if isinstance(ret, t.ListType):
        return v.list_val(elems, ret.element).mark_sensitive(marked)
    return v.tuple_val(elems).mark_sensitive(marked)


def _flattener(seq: Value) -> tuple[list[Value], bool, bool]:
    """The flattened elements of ``seq``, whether any flattened sequence was sensitive, and
    whether the result is known (no nested sequence of unknown length)."""
    marked = seq.sensitive
    seq = seq.unmark()
    if not length_known(seq):
        return [], marked, False
    out: list[Value] = []
    known = True
    for elem in seq.elements():
        if elem.type is t.DYNAMIC and elem.raw is UNKNOWN:
            known = False
        if not elem.is_null and _sequence_kind(elem.type):
            if not elem.is_known:
                known, marked = False, marked or elem.sensitive
                continue
            sub, sub_marked, sub_known = _flattener(elem)
            marked = marked or sub_marked
            known = known and sub_known
            out.extend(sub)
        else:
            out.append(elem)
    return out, marked, known


def _flatten(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``flatten``: lists, sets and tuples nested at any depth become one tuple."""
    seq = args[0]
    if not seq.is_known:
        return v.unknown_val(t.DYNAMIC).mark_sensitive(seq.sensitive)
    if not _sequence_kind(seq.type):
        raise FunctionError("can only flatten lists, sets and tuples")
    out, marked, known = _flattener(seq)
    result = v.tuple_val(out) if known else v.unknown_val(t.DYNAMIC)
    return result.mark_sensitive(marked)


def _slice_index(arg: Value, index: int, which: str, length: int | None) -> int | None:
    if not arg.is_known:
        return None
    name = "start_index" if index == 1 else "end_index"
    try:
        n = whole(arg, f"invalid {which} index: ")
    except FunctionError as exc:
        raise arg_error(name, index, exc.message) from None
    if n < 0:
        raise arg_error(name, index, f"{which} index must not be less than zero")
    if length is not None and n > length:
        raise arg_error(
            name, index, f"{which} index must not be greater than the length of the list"
        )
    return n


def _slice_type(args: list[Value]) -> tuple[t.Type, int | None, int | None]:
    seq, ty = args[0], args[0].type
    if isinstance(ty, t.SetType):
        raise arg_error(
            "list",
            0,
            "cannot slice a set, because its elements do not have indices; "
            "explicitly convert to a list if the ordering of the result is not important",
        )
    if ty is t.DYNAMIC:
        return t.DYNAMIC, None, None
    if not isinstance(ty, t.ListType | t.TupleType):
        raise arg_error("list", 0, "must be a list or tuple value")
    length = len(seq.elements()) if seq.is_known else None
    start = _slice_index(args[1], 1, "start", length)
    end = _slice_index(args[2], 2, "end", length)
    if start is not None and end is not None and start > end:
        raise arg_error("start_index", 1, "start index must not be greater than end index")
    if isinstance(ty, t.ListType):
        return ty, start, end
    if start is None or end is None:
        return t.DYNAMIC, start, end
    return t.TupleType(ty.elements[start:end]), start, end


def _slice(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``slice``: ``[start, end)`` of a list (a list) or of a tuple (a tuple)."""
    ret, start, end = _slice_type(args)
    seq, marked = unmark(args[0])
    if start is None or end is None or not seq.is_known or ret is t.DYNAMIC:
        return v.unknown_val(ret).mark_sensitive(marked)
    part = seq.elements()[start:end]
    if isinstance(ret, t.ListType):
        return v.list_val(part, ret.element).mark_sensitive(marked)
    return v.tuple_val(part).mark_sensitive(marked)


FUNCTIONS: tuple[Function, ...] = (
    Function(
        "length",
        (param("value", marked=True),),
        _length,
        t.NUMBER,
        description="The number of elements of a collection or characters of a string.",
    ),
    Function(
        "element",
        (param("list", marked=True), param("index", t.NUMBER)),
        _element,
        _element_type,
        description="The element at an index, wrapping around the end.",
    ),
    Function(
        "index",
        (param("list"), param("value")),
        _index,
        t.NUMBER,
        description="The index of the first element equal to a value.",
    ),
    Function(
        "contains",
        (param("list"), param("value")),
        _contains,
        t.BOOL,
        description="Whether a list, tuple or set has an element equal to a value.",
    ),
    Function(
        "concat",
        (),
        _concat,
        _concat_type,
        variadic=param("seqs", marked=True),
        description="The elements of lists or tuples, one after another.",
    ),
    Function(
        "flatten",
        (param("list", marked=True),),
        _flatten,
        t.DYNAMIC,
        description="The elements of nested lists, sets and tuples as one flat tuple.",
    ),
    Function(
        "slice",
        (param("list", marked=True), param("start_index", t.NUMBER), param("end_index", t.NUMBER)),
        _slice,
        lambda args: _slice_type(args)[0],
        description="The consecutive elements from a start index up to an end index.",
    ),
)

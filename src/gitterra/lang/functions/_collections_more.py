"""Functions of the language: maps, objects and choosing (``keys``, ``merge``, ``coalesce`` ...).

The second part of the collection family (see ``_collections`` for the rules all parts follow):
maps and objects (a map in gives a list or map out, an object in gives a tuple or object out,
keys always in lexicographic order) and choosing among arguments or elements (``coalesce``,
``one``, ``matchkeys``).
"""

from __future__ import annotations

from gitterra.lang import _convert as convert
from gitterra.lang import _format
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Param
from gitterra.lang._values import Value
from gitterra.lang.functions import _collections as coll

_ONE_ELEMENT = "must be a list, set, or tuple value with either zero or one elements"

# ---- coalesce, coalescelist, one -----------------------------------------------------------------


def _coalesce_type(args: list[Value]) -> t.Type:
    common = convert.unify([a.type for a in args], unsafe=True) if args else None
    if common is None:
        raise FunctionError("all arguments must have the same type")
    return common


def _coalesce(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``coalesce``: the first argument that is neither null nor an empty string,
    converted to the arguments' common type; unknown if an unknown argument comes first."""
    ret = _coalesce_type(args)
    for arg in args:
        try:
            arg = convert.convert(arg, ret)
        except convert.ConversionError as exc:
            raise FunctionError(exc.describe()) from None
        if not arg.is_known:
            return v.unknown_val(ret)
        if arg.is_null or (ret is t.STRING and arg.raw == ""):
            continue
        return arg
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist_type(args: list[Value]) -> t.Type:
    if not args:
        raise FunctionError("at least one argument is required")
    for arg in args:
        if not arg.is_known:
            return t.DYNAMIC
        if not isinstance(arg.type, t.ListType | t.TupleType):
            raise FunctionError("coalescelist arguments must be lists or tuples")
    first = args[0].type
    return first if all(a.type == first for a in args) else t.DYNAMIC


def _coalescelist(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``coalescelist``: the first non-null, non-empty list or tuple argument."""
    ret = _coalescelist_type(args)
    for arg in args:
        if not arg.is_known:
            return v.unknown_val(ret)
        if not arg.is_null and arg.elements():
            return arg
    raise FunctionError("no non-null arguments")


def _one_type(args: list[Value]) -> t.Type:
    ty = args[0].type
    if isinstance(ty, t.ListType | t.SetType):
        return ty.element
    if ty is t.DYNAMIC or ty == t.EMPTY_TUPLE:
        return t.DYNAMIC
    if isinstance(ty, t.TupleType) and len(ty.elements) == 1:
        return ty.elements[0]
    raise coll.arg_error("list", 0, _ONE_ELEMENT)


def _one(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``one``: null for an empty collection, the element of a one-element one."""
    ret = _one_type(args)
    seq = args[0]
    if not seq.is_known or not coll.length_known(seq):
        return v.unknown_val(ret)
    elems = seq.elements()
    if len(elems) > 1:
        raise coll.arg_error("list", 0, _ONE_ELEMENT)
    return elems[0] if elems else v.null_val(ret)


# ---- keys, values, lookup, merge, zipmap ------------------------------------------------------


def _keys_type(args: list[Value]) -> t.Type:
    ty = args[0].type
    if isinstance(ty, t.MapType):
        return t.ListType(t.STRING)
    if isinstance(ty, t.ObjectType):
        return t.TupleType((t.STRING,) * len(ty.attrs))
    if ty is t.DYNAMIC:
        return t.DYNAMIC
    raise coll.arg_error("inputMap", 0, "must have map or object type")


def _keys(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``keys``: an object's keys come from its type, so they are known even when the
    object's value is not."""
    ret = _keys_type(args)
    mapping, marked = coll.unmark(args[0])
    if isinstance(mapping.type, t.ObjectType):
        return v.tuple_val(v.string_val(k) for k in sorted(mapping.type.attrs)).mark_sensitive(
            marked
        )
    if not mapping.is_known:
        return v.unknown_val(ret).mark_sensitive(marked)
    names = sorted(mapping.items())
    return v.list_val([v.string_val(k) for k in names], t.STRING).mark_sensitive(marked)


def _values_type(args: list[Value]) -> t.Type:
    ty = args[0].type
    if isinstance(ty, t.MapType):
        return t.ListType(ty.element)
    if isinstance(ty, t.ObjectType):
        return t.TupleType(tuple(ty.attrs[k] for k in sorted(ty.attrs)))
    if ty is t.DYNAMIC:
        return t.DYNAMIC
    raise FunctionError("values() requires a map as the first argument")


def _values(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``values``: the elements in the lexicographic order of their keys."""
    ret = _values_type(args)
    mapping, marked = coll.unmark(args[0])
    if not mapping.is_known:
        return v.unknown_val(ret).mark_sensitive(marked)
    items = mapping.items()
    elems = [items[k] for k in sorted(items)]
    if isinstance(ret, t.ListType):
        return v.list_val(elems, ret.element).mark_sensitive(marked)
    return v.tuple_val(elems).mark_sensitive(marked)


def _lookup_type(args: list[Value]) -> t.Type:
    if len(args) > 3:
        raise FunctionError(f"lookup() takes two or three arguments, got {len(args)}")
    ty, key = args[0].type, args[1]
    if isinstance(ty, t.ObjectType):
        if not key.is_known:
            return t.DYNAMIC
        name = key.as_str()
        if name in ty.attrs:
            return ty.attrs[name]
        if len(args) == 3:
            return args[2].type
        raise coll.arg_error(
            "inputMap", 0, f"the given object has no attribute {_format.go_quote(name)}"
        )
    if isinstance(ty, t.MapType):
        if len(args) == 3:
            try:
                convert.convert(args[2], ty.element)
            except convert.ConversionError:
                raise coll.arg_error(
                    "default", 2, "the default value must have the same type as the map elements"
                ) from None
        return ty.element
    if ty is t.DYNAMIC:
        return t.DYNAMIC
    raise coll.arg_error("inputMap", 0, "lookup() requires a map as the first argument")


def _lookup(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``lookup``: a map element or object attribute by key, else ``default``
    (converted to the element type); the marks of the map and the key go on the result."""
    ret = _lookup_type(args)
    mapping, map_marked = coll.unmark(args[0])
    key, key_marked = coll.unmark(args[1])
    marked = map_marked or key_marked
    if not mapping.is_known or not key.is_known:
        return v.unknown_val(ret).mark_sensitive(marked)
    found = mapping.items().get(key.as_str())
    if found is not None:
        return found.mark_sensitive(marked)
    if len(args) == 3:
        return convert.convert(args[2], ret).mark_sensitive(marked)
    shown = "(sensitive value)" if key_marked else _format.go_quote(key.as_str())
    raise FunctionError(f"lookup failed to find key {shown}")


def _merge_type(args: list[Value]) -> t.Type:
    if not args:
        return t.EMPTY_OBJECT
    attrs: dict[str, t.Type] = {}
    first = args[0].type
    attrs_known = True
    for arg in args:
        ty = arg.type
        if ty is t.DYNAMIC:
            return t.DYNAMIC
        if isinstance(ty, t.ObjectType):
            if not arg.is_null:
                attrs.update(ty.attrs)
        elif isinstance(ty, t.MapType):
            if arg.is_known and not arg.is_null:
                attrs.update(dict.fromkeys(arg.items(), ty.element))
            elif not arg.is_known:
                attrs_known = False
        else:
            raise FunctionError(f'arguments must be maps or objects, got "{ty.friendly()}"')
    if all(a.type == first for a in args):
        return first
    return t.ObjectType(attrs) if attrs_known else t.DYNAMIC


def _merge(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``merge``: later keys win; null arguments are skipped. The result is a map when
    every argument has the same map type, otherwise an object."""
    ret = _merge_type(args)
    marked = any(a.sensitive and not a.is_null for a in args)
    if not all(a.is_known for a in args):
        return v.unknown_val(ret).mark_sensitive(marked)
    out: dict[str, Value] = {}
    for arg in args:
        if not arg.is_null:
            out.update(arg.items())
    if isinstance(ret, t.MapType):
        return v.map_val(out, ret.element).mark_sensitive(marked)
    return v.object_val(out).mark_sensitive(marked)


def _zipmap_type(args: list[Value]) -> t.Type:
    keys, values = args
    ty = values.type
    if isinstance(ty, t.ListType):
        return t.MapType(ty.element)
    if isinstance(ty, t.TupleType):
        if not keys.is_wholly_known():
            return t.DYNAMIC
        names = _zipmap_keys(keys, len(ty.elements))
        return t.ObjectType(dict(zip(names, ty.elements, strict=True)))
    if ty is t.DYNAMIC:
        return t.DYNAMIC
    raise FunctionError("values argument must be a list or tuple value")


def _zipmap_keys(keys: Value, count: int) -> list[str]:
    elems = keys.unmark().elements()
    if len(elems) != count:
        raise FunctionError(
            f"number of keys ({len(elems)}) does not match number of values ({count})"
        )
    for i, key in enumerate(elems):
        if key.is_null:
            raise FunctionError(f"keys list has null value at index {i}")
    return [key.unmark().as_str() for key in elems]


def _zipmap(ctx: FunctionContext, args: list[Value]) -> Value:
    """cty's ``zipmap``: a map from a list of values, an object from a tuple; a repeated key
    takes its last value; the marks of the keys go on the whole result."""
    ret = _zipmap_type(args)
    keys, keys_marked = coll.unmark(args[0])
    values, values_marked = coll.unmark(args[1])
    marked = keys_marked or values_marked or any(k.sensitive for k in _elems(keys))
    if not keys.is_wholly_known() or not values.is_known or ret is t.DYNAMIC:
        return v.unknown_val(ret).mark_sensitive(marked)
    names = _zipmap_keys(keys, len(values.elements()))
    out = dict(zip(names, values.elements(), strict=True))
    if isinstance(ret, t.MapType):
        return v.map_val(out, ret.element).mark_sensitive(marked)
    return v.object_val(out).mark_sensitive(marked)


def _elems(seq: Value) -> tuple[Value, ...]:
    return seq.elements() if seq.is_known else ()


# ---- matchkeys, transpose ----------------------------------------------------------------------


def _matchkeys_type(args: list[Value]) -> t.Type:
    if convert.unify([args[1].type, args[2].type], unsafe=True) is None:
        raise FunctionError("keys and searchset must be of the same type")
    return args[0].type


def _matchkeys(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``matchkeys``: the ``values`` whose ``keys`` at the same index are in
    ``searchset``, in order."""
    ret = _matchkeys_type(args)
    assert isinstance(ret, t.ListType)
    if not all(a.is_known for a in args):
        return v.unknown_val(ret)
    values, keys, search = args
    if len(values.elements()) != len(keys.elements()):
        raise FunctionError("length of keys and values should be equal")
    common = convert.unify([keys.type, search.type], unsafe=True)
    assert common is not None
    try:
        keys, search = convert.convert(keys, common), convert.convert(search, common)
    except convert.ConversionError as exc:
        raise FunctionError(exc.describe()) from None
    if not search.elements():
        return v.list_val([], ret.element)
    if not values.is_wholly_known() or not keys.is_wholly_known():
        return v.unknown_val(ret)
    out = []
    for value, key in zip(values.elements(), keys.elements(), strict=True):
        for candidate in search.elements():
            eq = coll.equals(key, candidate)
            if eq is None:
                return v.unknown_val(ret)
            if eq:
                out.append(value)
                break
    return v.list_val(out, ret.element)


def _transpose(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``transpose``: swaps the keys and values of a map of lists of strings."""
    swapped: dict[str, list[str]] = {}
    for key, strings in sorted(args[0].items().items()):
        if strings.is_null or any(s.is_null for s in strings.elements()):
            raise FunctionError("input must be a map of lists of strings")
        for s in strings.elements():
            swapped.setdefault(s.as_str(), []).append(key)
    out = {k: v.list_val(map(v.string_val, sorted(ks)), t.STRING) for k, ks in swapped.items()}
    return v.map_val(dict(sorted(out.items())), t.ListType(t.STRING))


FUNCTIONS: tuple[Function, ...] = (
    Function(
        "coalesce",
        (),
        _coalesce,
        _coalesce_type,
        variadic=Param("vals", allow_null=True, allow_unknown=True),
        description="The first argument that is not null or an empty string.",
    ),
    Function(
        "coalescelist",
        (),
        _coalescelist,
        _coalescelist_type,
        variadic=Param("vals", allow_null=True, allow_unknown=True),
        description="The first list or tuple argument that is not empty.",
    ),
    Function(
        "one",
        (coll.param("list"),),
        _one,
        _one_type,
        description="The element of a zero- or one-element collection, or null.",
    ),
    Function(
        "keys",
        (coll.param("inputMap", marked=True),),
        _keys,
        _keys_type,
        description="The keys of a map or object, in lexicographic order.",
    ),
    Function(
        "values",
        (coll.param("values", marked=True),),
        _values,
        _values_type,
        description="The elements of a map or object, in the order of their keys.",
    ),
    Function(
        "lookup",
        (coll.param("inputMap", marked=True), coll.param("key", t.STRING, marked=True)),
        _lookup,
        _lookup_type,
        variadic=Param("default", allow_null=True, allow_unknown=True, allow_marked=True),
        description="A map element or object attribute by key, or a default.",
    ),
    Function(
        "merge",
        (),
        _merge,
        _merge_type,
        variadic=Param("maps", allow_null=True, allow_unknown=True, allow_marked=True),
        description="The elements of maps or objects together; later keys win.",
    ),
    Function(
        "zipmap",
        (coll.param("keys", t.ListType(t.STRING), marked=True), coll.param("values", marked=True)),
        _zipmap,
        _zipmap_type,
        description="A map or object from a list of keys and a list of values.",
    ),
    Function(
        "matchkeys",
        tuple(coll.param(n, t.ListType(t.DYNAMIC)) for n in ("values", "keys", "searchset")),
        _matchkeys,
        _matchkeys_type,
        description="The values whose corresponding keys are in a search set.",
    ),
    Function(
        "transpose",
        (Param("values", t.MapType(t.ListType(t.STRING))),),
        _transpose,
        t.MapType(t.ListType(t.STRING)),
        description="A map of lists of strings with its keys and values swapped.",
    ),
)

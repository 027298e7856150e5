"""``format`` and ``formatlist``: printf-style formatting as cty implements it.

The specification grammar is cty's: ``%`` then flags (``0 # - +`` and space), a width, a
``.precision``, an explicit ``[n]`` argument index, and a verb letter. Verbs: ``%v`` (default
format by type), ``%#v`` (JSON), ``%t``, ``%b %d %o %x %X`` (integers), ``%e %E %f %g %G``
(floats), ``%s``, ``%q`` (JSON string) and ``%%``. Errors carry cty's messages, with byte offsets
into the specification. Widths and string precisions count grapheme clusters. Numbers and JSON
are written as Go writes them (``_strings_gotext``).
"""

from __future__ import annotations

from collections.abc import Sequence

from gitterra.lang import _convert as convert
from gitterra.lang import _format as show
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Param, simple
from gitterra.lang._values import Value
from gitterra.lang.functions import _encoding_json, _encoding_text, _strings
from gitterra.lang.functions import _strings_gotext as gotext


class _SpecError(Exception):
    """A formatting failure; ``arg_index`` counts the specification as argument 0."""

    def __init__(self, message: str, arg_index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.arg_index = arg_index


# ---- the specification scanner (cty's format_fsm) ------------------------------------------


def _format(spec: str, args: Sequence[Value]) -> str:
    buf: list[str] = []
    next_arg = 1
    highest = 0
    i, n = 0, len(spec)
    while i < n:
        ch = spec[i]
        if ch != "%":
            buf.append(ch)
            i += 1
        elif i + 1 < n and spec[i + 1] == "%":
            buf.append("%")
            i += 2
        else:
            verb, i = _scan_verb(spec, i, next_arg)
            highest = max(highest, verb.arg_num)
            buf.append(_format_one(verb, args))
            next_arg = verb.arg_num + 1
    if highest < len(args):
        if highest == 0:
            raise _SpecError("too many arguments; no verbs in format string", 1)
        raise _SpecError(f"too many arguments; only {highest} used by format string", highest + 1)
    return "".join(buf)


def _byte_offset(spec: str, i: int) -> int:
    return len(spec[:i].encode())


def _scan_error(spec: str, i: int) -> _SpecError:
    if i >= len(spec):
        return _SpecError(f"invalid format string starting at offset {_byte_offset(spec, i)}")
    char = _strings.go_quote_rune(spec[i])
    return _SpecError(f"unrecognized format character {char} at offset {_byte_offset(spec, i)}")


def _digits(spec: str, i: int) -> tuple[int, int]:
    start = i
    while i < len(spec) and spec[i] in "0123456789":
        i += 1
    if i - start > 6:  # a million characters: refused rather than built
        offset = _byte_offset(spec, start)
        raise _SpecError(f"number too large in format string at offset {offset}")
    return (int(spec[start:i]) if i > start else 0), i


def _scan_verb(spec: str, start: int, next_arg: int) -> tuple[gotext.Verb, int]:
    """Reads the verb at ``spec[start] == "%"``; returns it and the index after it."""
    verb = gotext.Verb(arg_num=next_arg, offset=_byte_offset(spec, start))
    i, n = start + 1, len(spec)
    while i < n and spec[i] in "0#-+ ":
        flag = spec[i]
        verb.zero |= flag == "0"
        verb.sharp |= flag == "#"
        verb.minus |= flag == "-"
        verb.plus |= flag == "+"
        verb.space |= flag == " "
        i += 1
    if i < n and spec[i] in "123456789":
        verb.width, i = _digits(spec, i)
    if i < n and spec[i] == ".":
        verb.prec, i = _digits(spec, i + 1)
    if i < n and spec[i] == "[":
        i += 1
        if i >= n or spec[i] not in "123456789":
            raise _scan_error(spec, i)
        verb.arg_num, i = _digits(spec, i)
        if i >= n or spec[i] != "]":
            raise _scan_error(spec, i)
        i += 1
    if i >= n or not (spec[i].isascii() and spec[i].isalpha()):
        raise _scan_error(spec, i)
    verb.mode = spec[i]
    verb.raw = spec[start : i + 1]
    return verb, i + 1


# ---- one verb -------------------------------------------------------------------------------


def _format_one(verb: gotext.Verb, args: Sequence[Value]) -> str:
    if verb.arg_num > len(args):
        raise _SpecError(
            f"not enough arguments for {verb.where()}: need index {verb.arg_num} "
            f"but have {len(args)} total"
        )
    arg = args[verb.arg_num - 1]
    if verb.mode != "v" and arg.is_null:
        raise _SpecError(f"unsupported value for {verb.where()}: null value cannot be formatted")
    mode = verb.mode
    if mode == "v":
        return _pad(verb, _default_text(verb, arg))
    if mode == "t":
        return "true" if _converted(verb, arg, t.BOOL).as_bool() else "false"
    if mode in "bdoxXeEfgG":
        num = _converted(verb, arg, t.NUMBER).as_number()
        if mode in "bdoxX":
            if not isinstance(num, int):
                raise _SpecError(f"unsupported value for {verb.where()}: an integer is required")
            return gotext.format_int(verb, num)
        return gotext.format_float(verb, num)
    if mode in "sq":
        text = _converted(verb, arg, t.STRING).as_str()
        if verb.prec:
            text = "".join(list(_strings.graphemes(text))[: verb.prec])
        return _pad(verb, _encoding_json.quote(text) if mode == "q" else text)
    quoted_mode = _strings.go_quote_rune(mode)
    raise _SpecError(
        f"unsupported format verb {quoted_mode} in {show.go_quote(verb.raw)} "
        f"at offset {verb.offset}"
    )


def _converted(verb: gotext.Verb, arg: Value, want: t.Type) -> Value:
    if want == t.STRING and arg.type == t.NUMBER:
        # number_text also writes integers longer than str(int) allows.
        return v.string_val(_encoding_text.number_text(arg.as_number()))
    try:
        return convert.convert(arg, want)
    except convert.ConversionError as exc:
        raise _SpecError(f"unsupported value for {verb.where()}: {exc.describe()}") from None


def _default_text(verb: gotext.Verb, arg: Value) -> str:
    if not verb.sharp and not arg.is_null:
        if arg.type == t.STRING:
            return arg.as_str()
        if arg.type == t.NUMBER:
            return gotext.float_text(arg.as_number(), "g", None)
    try:
        return _encoding_json.encode(arg)
    except FunctionError as exc:  # an infinite number
        raise _SpecError(f"unsupported value for {verb.where()}: {exc.message}") from None


def _pad(verb: gotext.Verb, text: str) -> str:
    """cty's width padding: counted in grapheme clusters, ``0`` pads with zeros."""
    if verb.width is None:
        return text
    missing = verb.width - sum(1 for _ in _strings.graphemes(text))
    if missing <= 0:
        return text
    pad = ("0" if verb.zero else " ") * missing
    return text + pad if verb.minus else pad + text


# ---- the functions --------------------------------------------------------------------------


def _format_impl(ctx: FunctionContext, args: list[Value]) -> Value:
    try:
        return v.string_val(_format(args[0].as_str(), args[1:]))
    except _SpecError as exc:
        if exc.arg_index is not None:
            raise FunctionError(exc.message + ".", exc.arg_index) from None
        raise FunctionError(exc.message + ".") from None


def _formatlist_impl(ctx: FunctionContext, args: list[Value]) -> Value:
    spec, vals = args[0].as_str(), args[1:]
    if not vals:
        return v.list_val([_format_impl(ctx, args)], t.STRING)
    iter_len, chooser = -1, -1
    sequences: list[tuple[Value, ...] | None] = [None] * len(vals)
    unknown = False
    for i, val in enumerate(vals):
        ty = val.type
        if not isinstance(ty, t.ListType | t.SetType | t.TupleType) or val.is_null:
            continue
        if not val.is_known and not isinstance(ty, t.TupleType):
            unknown = True
            continue
        if val.is_known:
            length = len(val.elements())
        else:
            assert isinstance(ty, t.TupleType)
            length = len(ty.elements)
        if iter_len == -1:
            iter_len, chooser = length, i
        elif length != iter_len:
            raise FunctionError(
                f"argument {i + 1} has length {length}, "
                f"which is inconsistent with argument {chooser + 1} of length {iter_len}.",
                i + 1,
            )
        if val.is_known:
            sequences[i] = val.elements()
        else:
            unknown = True
    if unknown:
        return v.unknown_val(t.ListType(t.STRING))
    if iter_len == -1:
        iter_len = 1  # no sequence at all: one iteration with the single values
    return v.list_val(
        [_format_iteration(spec, vals, sequences, k) for k in range(iter_len)], t.STRING
    )


def _format_iteration(
    spec: str, vals: list[Value], sequences: list[tuple[Value, ...] | None], k: int
) -> Value:
    fargs = [val if seq is None else seq[k] for val, seq in zip(vals, sequences, strict=True)]
    if not all(a.is_wholly_known() for a in fargs):
        return v.unknown_val(t.STRING)
    try:
        return v.string_val(_format(spec, fargs))
    except _SpecError as exc:
        raise FunctionError(f"error on format iteration {k}: {exc.message}.") from None


FUNCTIONS: tuple[Function, ...] = (
    simple(
        "format",
        [("format", t.STRING)],
        t.STRING,
        _format_impl,
        variadic=Param("args", t.DYNAMIC, allow_null=True),
        description="Formats values according to a printf-style specification.",
    ),
    simple(
        "formatlist",
        [("format", t.STRING)],
        t.ListType(t.STRING),
        _formatlist_impl,
        variadic=Param("args", t.DYNAMIC, allow_null=True, allow_unknown=True),
        description="Formats lists of values element by element into a list of strings.",
    ),
)

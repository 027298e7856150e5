"""Functions of the language: strings (cty's string stdlib and Terraform's string functions).

"Character" means what it means to Terraform: a *grapheme cluster* (``substr``, ``strrev`` and
the widths of ``format`` count "é" written as ``e`` + combining accent as one character).
:func:`graphemes` segments text by the rules of Unicode's UAX #29 as far as Python's
``unicodedata`` allows (see its docstring for what is approximated).

Case mapping follows Go's ``strings.ToUpper``/``ToLower``/``Title``: one code point maps to one
code point (Unicode's *simple* mappings), so ``upper("ß")`` stays ``"ß"`` and ligatures such as
``"ﬄ"`` are left alone, as Terraform does.

``format``/``formatlist`` live in ``_strings_format``; ``regex``/``regexall``/``replace`` in
``_strings_regex``.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator

from gitterra.lang import _format
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Param, simple
from gitterra.lang._values import Value

_INT_RANGE_MESSAGE = (
    "value must be a whole number, between -9223372036854775808 and 9223372036854775807."
)


def go_int(value: Value, arg_index: int) -> int:
    """A number argument as Go's ``int`` (what cty's ``gocty.FromCtyValue`` accepts)."""
    n = value.as_number()
    if not isinstance(n, int) or not -(2**63) <= n < 2**63:
        raise FunctionError(_INT_RANGE_MESSAGE, arg_index)
    return n


def go_quote_rune(ch: str) -> str:
    """One character quoted as Go's ``%q`` quotes a rune (``'z'``), for error messages."""
    inner = '"' if ch == '"' else "\\'" if ch == "'" else _format.go_quote(ch)[1:-1]
    return f"'{inner}'"


# ---- grapheme clusters ---------------------------------------------------------------------

# Grapheme_Cluster_Break classes (UAX #29) as derived from general categories and code ranges.
_CR, _LF, _CONTROL, _EXTEND, _ZWJ, _RI, _SPACING, _L, _V, _T, _LV, _LVT, _PICTO, _ANY = range(14)

# Spacing marks that are Grapheme_Extend (so "Extend", not "SpacingMark") in Unicode's data.
_EXTENDING_MC = frozenset(
    {0x09BE, 0x09D7, 0x0B3E, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5, 0x0CD6, 0x0D3E, 0x0D57}
    | {0x0DCF, 0x0DDF, 0x1B35, 0x302E, 0x302F, 0x1133E, 0x11357, 0x114B0, 0x114BD, 0x115AF}
    | {0x11930, 0x1D165, 0x1D16E, 0x1D16F, 0x1D170, 0x1D171, 0x1D172}
)


@functools.lru_cache(maxsize=4096)
def _break_class(ch: str) -> int:
    cp = ord(ch)
    if cp == 0x0D:
        return _CR
    if cp == 0x0A:
        return _LF
    if cp == 0x200D:
        return _ZWJ
    if 0x1F1E6 <= cp <= 0x1F1FF:
        return _RI
    if 0x1F3FB <= cp <= 0x1F3FF or cp == 0x200C or 0xE0020 <= cp <= 0xE007F:
        return _EXTEND
    if 0xFF9E <= cp <= 0xFF9F:
        return _EXTEND
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return _L
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return _V
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return _T
    if 0xAC00 <= cp <= 0xD7A3:
        return _LV if (cp - 0xAC00) % 28 == 0 else _LVT
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me") or (cat == "Mc" and cp in _EXTENDING_MC):
        return _EXTEND
    if cat == "Mc" or cp in (0x0E33, 0x0EB3):
        return _SPACING
    if cat in ("Cc", "Cf", "Zl", "Zp", "Cs"):
        return _CONTROL
    if 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or cp in (0x00A9, 0x00AE, 0x203C):
        return _PICTO
    return _ANY


def _joins(prev: int, cur: int, ri_run: int) -> bool:
    """Whether no cluster boundary falls between two characters (rules GB3 to GB13)."""
    if prev == _CR and cur == _LF:
        return True
    if prev in (_CR, _LF, _CONTROL) or cur in (_CR, _LF, _CONTROL):
        return False
    if prev == _L and cur in (_L, _V, _LV, _LVT):
        return True
    if prev in (_LV, _V) and cur in (_V, _T):
        return True
    if prev in (_LVT, _T) and cur == _T:
        return True
    if cur in (_EXTEND, _ZWJ, _SPACING):
        return True
    if prev == _ZWJ and cur == _PICTO:
        return True
    return prev == _RI and cur == _RI and ri_run % 2 == 1


def graphemes(text: str) -> Iterator[str]:
    """The extended grapheme clusters of ``text``, in order.

    Approximations (Python's ``unicodedata`` lacks the Grapheme_Cluster_Break property): the
    classes come from general categories plus the Hangul, emoji-modifier, regional-indicator and
    tag ranges; Prepend characters are treated as ordinary ones, and an emoji after a zero-width
    joiner joins whatever precedes the joiner. Real text (accents, Hangul, emoji sequences, flags)
    segments as cty's textseg does.
    """
    if text.isascii():
        # Only CR LF joins in ASCII.
        i, n = 0, len(text)
        while i < n:
            if text[i] == "\r" and i + 1 < n and text[i + 1] == "\n":
                yield "\r\n"
                i += 2
            else:
                yield text[i]
                i += 1
        return
    start = 0
    prev = -1
    ri_run = 0
    for i, ch in enumerate(text):
        cur = _break_class(ch)
        if i > 0 and not _joins(prev, cur, ri_run):
            yield text[start:i]
            start = i
        ri_run = ri_run + 1 if cur == _RI else 0
        prev = cur
    if text:
        yield text[start:]


# ---- Go's case mapping and white space -----------------------------------------------------


def _simple_upper(ch: str) -> str:
    up = ch.upper()
    if len(up) == 1:
        return up
    title = ch.title()  # a one-character titlecase is the simple uppercase (ᾳ -> ᾼ)
    return title if len(title) == 1 else ch


def _simple_lower(ch: str) -> str:
    low = ch.lower()
    if len(low) == 1:
        return low
    return "i" if ch == "\u0130" else ch


def _simple_title(ch: str) -> str:
    title = ch.title()
    return title if len(title) == 1 else _simple_upper(ch)


def go_upper(s: str) -> str:
    return s.upper() if s.isascii() else "".join(_simple_upper(c) for c in s)


def go_lower(s: str) -> str:
    return s.lower() if s.isascii() else "".join(_simple_lower(c) for c in s)


_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(map(chr, range(0x2000, 0x200B)))
)


def _is_separator(ch: str) -> bool:
    """Go's ``strings.Title`` word separator."""
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    cat = unicodedata.category(ch)
    if cat.startswith("L") or cat == "Nd":
        return False
    return ch in _GO_SPACE


def go_title(s: str) -> str:
    out = []
    prev_sep = True
    for ch in s:
        out.append(_simple_title(ch) if prev_sep else ch)
        prev_sep = _is_separator(ch)
    return "".join(out)


# ---- implementations -----------------------------------------------------------------------


def _chomp(ctx: FunctionContext, args: list[Value]) -> Value:
    s = args[0].as_str()
    end = len(s)
    while end > 0 and s[end - 1] in "\r\n":
        end -= 1
    # cty strips the trailing run matched by (?:\r\n?|\n)*, which is any mix of CR and LF.
    return v.string_val(s[:end])


def _startswith(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.bool_val(args[0].as_str().startswith(args[1].as_str()))


def _endswith(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.bool_val(args[0].as_str().endswith(args[1].as_str()))


def _strcontains(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.bool_val(args[1].as_str() in args[0].as_str())


def _indent(ctx: FunctionContext, args: list[Value]) -> Value:
    spaces = go_int(args[0], 0)
    if spaces < 0:
        raise FunctionError("the number of spaces must not be negative.", 0)
    return v.string_val(args[1].as_str().replace("\n", "\n" + " " * spaces))


def _join(ctx: FunctionContext, args: list[Value]) -> Value:
    sep = args[0].as_str()
    lists = args[1:]
    if not lists:
        raise FunctionError("at least one list is required.")
    items: list[str] = []
    for li, lst in enumerate(lists, start=1):
        for ei, elem in enumerate(lst.elements()):
            if elem.is_null:
                where = f"element {ei} of list {li}" if len(lists) > 1 else f"element {ei}"
                raise FunctionError(f"{where} is null; cannot concatenate null values.", li)
            items.append(elem.as_str())
    return v.string_val(sep.join(items))


def _lower(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(go_lower(args[0].as_str()))


def _upper(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(go_upper(args[0].as_str()))


def _split(ctx: FunctionContext, args: list[Value]) -> Value:
    sep, s = args[0].as_str(), args[1].as_str()
    # Go's strings.Split: an empty separator splits after each character (code point).
    parts = list(s) if sep == "" else s.split(sep)
    return v.list_val([v.string_val(p) for p in parts], t.STRING)


def _strrev(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val("".join(reversed(list(graphemes(args[0].as_str())))))


def _substr(ctx: FunctionContext, args: list[Value]) -> Value:
    clusters = list(graphemes(args[0].as_str()))
    offset = go_int(args[1], 1)
    length = go_int(args[2], 2)
    if offset < 0:
        offset = max(offset + len(clusters), 0)
    elif length == 0:
        return v.EMPTY_STRING
    rest = clusters[offset:]
    # cty quirk kept on purpose: a zero length after a negative offset takes the remainder,
    # like a negative length does (its counting loop never reaches zero).
    if length > 0:
        rest = rest[:length]
    return v.string_val("".join(rest))


def _title(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(go_title(args[0].as_str()))


def _trim(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(args[0].as_str().strip(args[1].as_str()))


def _trimprefix(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(args[0].as_str().removeprefix(args[1].as_str()))


def _trimsuffix(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.string_val(args[0].as_str().removesuffix(args[1].as_str()))


def _trimspace(ctx: FunctionContext, args: list[Value]) -> Value:
    s = args[0].as_str()
    start, end = 0, len(s)
    while start < end and s[start] in _GO_SPACE:
        start += 1
    while end > start and s[end - 1] in _GO_SPACE:
        end -= 1
    return v.string_val(s[start:end])


_S = t.STRING

FUNCTIONS: tuple[Function, ...] = (
    simple("chomp", [("str", _S)], _S, _chomp, description="Removes trailing newlines."),
    simple("endswith", [("str", _S), ("suffix", _S)], t.BOOL, _endswith),
    simple("startswith", [("str", _S), ("prefix", _S)], t.BOOL, _startswith),
    simple("strcontains", [("str", _S), ("substr", _S)], t.BOOL, _strcontains),
    simple("indent", [("spaces", t.NUMBER), ("str", _S)], _S, _indent),
    simple(
        "join",
        [("separator", _S)],
        _S,
        _join,
        variadic=Param("lists", t.ListType(_S)),
        description="Concatenates the elements of lists of strings with a separator.",
    ),
    simple("lower", [("str", _S)], _S, _lower),
    simple("upper", [("str", _S)], _S, _upper),
    simple("split", [("separator", _S), ("str", _S)], t.ListType(_S), _split),
    simple("strrev", [("str", _S)], _S, _strrev, description="Reverses grapheme clusters."),
    simple("substr", [("str", _S), ("offset", t.NUMBER), ("length", t.NUMBER)], _S, _substr),
    simple("title", [("str", _S)], _S, _title),
    simple("trim", [("str", _S), ("cutset", _S)], _S, _trim),
    simple("trimprefix", [("str", _S), ("prefix", _S)], _S, _trimprefix),
    simple("trimsuffix", [("str", _S), ("suffix", _S)], _S, _trimsuffix),
    simple("trimspace", [("str", _S)], _S, _trimspace),
)

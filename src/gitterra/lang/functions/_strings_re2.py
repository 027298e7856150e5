"""Translation of RE2 patterns (Go's ``regexp/syntax``, Perl flavour) into Python ``re`` source.

:func:`translate` walks the pattern once, keeping a stack of open groups and the flags in force
(``i``, ``m``, ``s``, ``U``), and emits Python source whose every construct means what the RE2
one means:

=====================  ===========================================================
RE2                    Python emitted
=====================  ===========================================================
literal under ``i``    ``(?i:x)`` (flags are applied per atom, so ``(?i)`` mid-group
                       and ``|`` after it need no restructuring)
``^`` / ``$``          ``\\A`` / ``\\Z``, or ``(?m:^)`` / ``(?m:$)`` under ``m``
``.``                  ``[^\\n]``, or any character under ``s``
``\\d \\s \\w``, POSIX   explicit ASCII ranges (RE2's are ASCII-only)
``\\b`` / ``\\B``        ASCII word-boundary lookarounds
``\\pL``, ``\\p{Lu}``     ranges computed from ``unicodedata`` (cached)
``x*`` under ``U``     ``x*?`` (greediness swapped)
``(?P<n>x)``           ``(x)``, the name kept in the returned names
=====================  ===========================================================

Errors are Go's, as :class:`PatternError` (code and offending text).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field

_MAX = 0x10FFFF
Ranges = list[tuple[int, int]]


class PatternError(Exception):
    """An invalid (or, for gitterra, unsupported) pattern. ``message`` is cty's wording."""

    def __init__(self, message: str, code: str = "", expr: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.expr = expr

    def go_message(self) -> str:
        """The message of Go's ``regexp.Compile`` error (what ``replace`` reports)."""
        if not self.code:
            return self.message
        return f"error parsing regexp: {self.code}: `{self.expr}`"


def _error(code: str, expr: str) -> PatternError:
    return PatternError(f"invalid regexp pattern: {code} in {expr}", code, expr)


_DIGIT: Ranges = [(0x30, 0x39)]
_SPACE: Ranges = [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)]
_WORD: Ranges = [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]
_PERL = {"d": _DIGIT, "s": _SPACE, "w": _WORD}
_POSIX: dict[str, Ranges] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": _DIGIT,
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": _WORD,
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_W = "[0-9A-Za-z_]"
_BOUNDARY = f"(?:(?<={_W})(?!{_W})|(?<!{_W})(?={_W}))"
_NOT_BOUNDARY = f"(?:(?<={_W})(?={_W})|(?<!{_W})(?!{_W}))"
_HEX = "0123456789abcdefABCDEF"
_ESCAPES = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}


def _complement(ranges: Ranges) -> Ranges:
    out: Ranges = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= _MAX:
        out.append((nxt, _MAX))
    return out


@functools.cache
def _category_table() -> dict[str, Ranges]:
    """Ranges of every general category (built once, on first use of ``\\p``)."""
    table: dict[str, Ranges] = {}
    start, current = 0, unicodedata.category("\0")
    for cp in range(1, _MAX + 2):
        cat = unicodedata.category(chr(cp)) if cp <= _MAX else ""
        if cat != current:
            table.setdefault(current, []).append((start, cp - 1))
            start, current = cp, cat
    return table


def _unicode_ranges(name: str, seq: str) -> Ranges:
    if name == "Any":
        return [(0, _MAX)]
    table = _category_table()
    if len(name) == 2 and name in table and name != "Cn":
        return table[name]
    if len(name) == 1 and name in "CLMNPSZ":
        # Go's one-letter categories; C excludes unassigned code points (Cn).
        return [r for cat, rs in table.items() if cat[0] == name and cat != "Cn" for r in rs]
    if len(name) > 2 and name[0].isupper() and name.replace("_", "").isalpha():
        raise PatternError(
            f"the Unicode script class {seq} is not supported by gitterra's regexp engine; "
            "list the characters explicitly instead"
        )
    raise _error("invalid character class range", seq)


def _char(cp: int) -> str:
    """One code point as Python pattern source, safe both inside and outside a class."""
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def _class_source(ranges: Ranges, negate: bool) -> str:
    if not ranges:
        return "[\\x00-\\U0010ffff]" if negate else "(?!)"
    parts = [_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in sorted(ranges)]
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


# Kinds of emitted pieces: an atom can take a quantifier, a bar cannot.
_ATOM, _REPEATED, _BAR = range(3)


@dataclass
class _Group:
    prefix: str  # "(" or "(?:"
    pieces: list[tuple[str, int]]  # the enclosing sequence, resumed at ")"
    flags: frozenset[str]


@dataclass
class _Translator:
    src: str
    i: int = 0
    flags: frozenset[str] = frozenset()
    pieces: list[tuple[str, int]] = field(default_factory=list)
    stack: list[_Group] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    last_repeat: str = ""

    def run(self) -> tuple[str, tuple[str, ...]]:
        src = self.src
        while self.i < len(src):
            start = self.i
            repeat = self._step()
            self.last_repeat = src[start : self.i] if repeat else ""
        if self.stack:
            raise _error("missing closing )", src)
        return "".join(text for text, _ in self.pieces), tuple(self.names)

    def _step(self) -> bool:
        """Translates one token; returns whether it was a repetition operator."""
        ch = self.src[self.i]
        if ch in "*+?{":
            return self._repeat()
        if ch == "(":
            self._open()
        elif ch == ")":
            self._close()
        elif ch == "|":
            self.pieces.append(("|", _BAR))
            self.i += 1
        elif ch == "[":
            self._atom(self._class())
        elif ch == "\\":
            self._escape()
        else:
            self.i += 1
            if ch == "^":
                self._atom("(?m:^)" if "m" in self.flags else "(?:\\A)")
            elif ch == "$":
                self._atom("(?m:$)" if "m" in self.flags else "(?:\\Z)")
            elif ch == ".":
                self._atom("[\\x00-\\U0010ffff]" if "s" in self.flags else "[^\\n]")
            else:
                self._literal(ord(ch))
        return False

    def _atom(self, text: str, fold: bool = False) -> None:
        if fold and "i" in self.flags:
            text = f"(?i:{text})"
        self.pieces.append((text, _ATOM))

    def _literal(self, cp: int) -> None:
        ch = chr(cp)
        self._atom(_char(cp), fold=ch.lower() != ch.upper() or ch.casefold() != ch)

    # ---- repetition ------------------------------------------------------------------------

    def _repeat(self) -> bool:
        src, start = self.src, self.i
        if src[start] == "{":
            bounds = self._bounds()
            if bounds is None:  # not a valid repetition: "{" is a literal
                self.i += 1
                self._literal(ord("{"))
                return False
            lo, hi, end = bounds
            if lo < 0 or lo > 1000 or hi > 1000 or (hi >= 0 and lo > hi):
                raise _error("invalid repeat count", src[start:end])
            quant = f"{{{lo}}}" if hi == lo else f"{{{lo},}}" if hi < 0 else f"{{{lo},{hi}}}"
            self.i = end
        else:
            quant = src[start]
            self.i += 1
        lazy = self.i < len(src) and src[self.i] == "?"
        if lazy:
            self.i += 1
        if self.last_repeat:
            raise _error(
                "invalid nested repetition operator", self.last_repeat + src[start : self.i]
            )
        if not self.pieces or self.pieces[-1][1] == _BAR:
            raise _error("missing argument to repetition operator", src[start : self.i])
        text, kind = self.pieces.pop()
        if kind == _REPEATED:
            text = f"(?:{text})"
        if lazy != ("U" in self.flags):
            quant += "?"
        self.pieces.append((text + quant, _REPEATED))
        return True

    def _bounds(self) -> tuple[int, int, int] | None:
        """Go's ``parseRepeat`` at ``{``: (min, max or -1, end index), or None if not one."""
        src = self.src
        lo, i = self._int(self.i + 1)
        if lo is None:
            return None
        hi: int | None = lo
        if i < len(src) and src[i] == ",":
            if i + 1 < len(src) and src[i + 1] == "}":
                hi, i = -1, i + 1
            else:
                hi, i = self._int(i + 1)
        if hi is None:
            return None
        if i >= len(src) or src[i] != "}":
            return None
        return lo, hi, i + 1

    def _int(self, i: int) -> tuple[int | None, int]:
        src = self.src
        j = i
        while j < len(src) and src[j] in "0123456789":
            j += 1
        if j == i or (src[i] == "0" and j - i > 1):
            return None, j
        return (int(src[i:j]) if j - i <= 8 else -1), j  # Go's limit: 1e8 and more is too big

    # ---- groups ----------------------------------------------------------------------------

    def _open(self) -> None:
        src, start = self.src, self.i
        if len(self.stack) >= 1000:
            raise _error("expression nests too deeply", src)
        if not src.startswith("(?", start):
            self._push("(", "")
            self.i = start + 1
            return
        name_at = start + 4 if src.startswith("(?P<", start) else start + 3
        if src.startswith(("(?P<", "(?<"), start):
            end = src.find(">", name_at)
            if end < 0:
                raise _error("invalid named capture", src[start:])
            name = src[name_at:end]
            if not name or not all(c == "_" or c.isalpha() or c.isdecimal() for c in name):
                raise _error("invalid named capture", src[start : end + 1])
            self._push("(", name)
            self.i = end + 1
            return
        self._flags(start)

    def _flags(self, start: int) -> None:
        src = self.src
        flags, negate, saw = set(self.flags), False, False
        i = start + 2
        while i < len(src):
            c = src[i]
            i += 1
            if c in "imsU":
                (flags.discard if negate else flags.add)(c)
                saw = True
            elif c == "-" and not negate:
                negate, saw = True, False
            elif c in ":)" and (saw or not negate):
                if c == ":":
                    self.stack.append(_Group("(?:", self.pieces, self.flags))
                    self.pieces = []
                self.flags = frozenset(flags)
                self.i = i
                return
            else:
                break
        raise _error("invalid or unsupported Perl syntax", src[start:i])

    def _push(self, prefix: str, name: str) -> None:
        self.names.append(name)
        self.stack.append(_Group(prefix, self.pieces, self.flags))
        self.pieces = []

    def _close(self) -> None:
        if not self.stack:
            raise _error("unexpected )", self.src)
        group = self.stack.pop()
        inner = "".join(text for text, _ in self.pieces)
        self.pieces, self.flags = group.pieces, group.flags
        self.pieces.append((f"{group.prefix}{inner})", _ATOM))
        self.i += 1

    # ---- escapes and classes ---------------------------------------------------------------

    def _escape(self) -> None:
        src, i = self.src, self.i
        if i + 1 >= len(src):
            raise _error("trailing backslash at end of expression", "")
        c = src[i + 1]
        if c in "AbBz":
            self.i += 2
            self._atom({"A": "(?:\\A)", "z": "(?:\\Z)", "b": _BOUNDARY, "B": _NOT_BOUNDARY}[c])
        elif c == "Q":
            end = src.find("\\E", i + 2)
            literal = src[i + 2 :] if end < 0 else src[i + 2 : end]
            self.i = len(src) if end < 0 else end + 2
            for ch in literal:
                self._literal(ord(ch))
        elif c in "pP":
            ranges, self.i = self._unicode_class(i)
            self._atom(_class_source(ranges, False), fold=True)
        elif c in "dDsSwW":
            self.i += 2
            self._atom(_class_source(_PERL[c.lower()], c.isupper()))
        else:
            cp, self.i = self._char_escape(i)
            self._literal(cp)

    def _char_escape(self, i: int) -> tuple[int, int]:
        """Go's ``parseEscape`` at ``src[i] == "\\"``: (code point, index after)."""
        src = self.src
        if i + 1 >= len(src):
            raise _error("trailing backslash at end of expression", "")
        c, j = src[i + 1], i + 2
        if c.isascii() and not c.isalnum():
            return ord(c), j
        if c in "01234567" and (c == "0" or (j < len(src) and src[j] in "01234567")):
            k = j
            while k < len(src) and k < j + 2 and src[k] in "01234567":
                k += 1
            return int(src[i + 1 : k], 8), k
        if c == "x":
            hexed = self._hex_escape(j)
            if hexed is not None:
                return hexed
        elif c in _ESCAPES:
            return _ESCAPES[c], j
        end = min(j + (1 if c == "x" and j < len(src) else 0), len(src))
        raise _error("invalid escape sequence", src[i:end])

    def _hex_escape(self, j: int) -> tuple[int, int] | None:
        src = self.src
        if j < len(src) and src[j] == "{":
            end = src.find("}", j)
            digits = src[j + 1 : end] if end > 0 else ""
            if digits and all(d in _HEX for d in digits) and int(digits, 16) <= _MAX:
                return int(digits, 16), end + 1
            return None
        pair = src[j : j + 2]
        if len(pair) == 2 and all(d in _HEX for d in pair):
            return int(pair, 16), j + 2
        return None

    def _unicode_class(self, i: int) -> tuple[Ranges, int]:
        src = self.src
        negate = src[i + 1] == "P"
        if i + 2 < len(src) and src[i + 2] == "{":
            end = src.find("}", i)
            if end < 0:
                raise _error("invalid character class range", src[i:])
            seq, name, after = src[i : end + 1], src[i + 3 : end], end + 1
        else:
            seq, name, after = src[i : i + 3], src[i + 2 : i + 3], i + 3
        if name.startswith("^"):
            negate, name = not negate, name[1:]
        ranges = _unicode_ranges(name, seq)
        return (_complement(ranges) if negate else ranges), after

    def _class(self) -> str:
        src, start = self.src, self.i
        i = start + 1
        negate = i < len(src) and src[i] == "^"
        i += negate
        ranges: Ranges = []
        first = True
        while i >= len(src) or src[i] != "]" or first:
            if i >= len(src):
                raise _error("missing closing ]", src[start:])
            first = False
            i = self._class_item(i, start, ranges)
        self.i = i + 1
        source = _class_source(ranges, negate)
        return f"(?i:{source})" if "i" in self.flags else source

    def _class_item(self, i: int, start: int, ranges: Ranges) -> int:
        src = self.src
        if src.startswith("[:", i) and (end := src.find(":]", i + 2)) >= 0:
            name = src[i : end + 2]
            group = _POSIX.get(name[2:-2].removeprefix("^"))
            if group is None:
                raise _error("invalid character class range", name)
            ranges += _complement(group) if name.startswith("[:^") else group
            return end + 2
        if src.startswith(("\\p", "\\P"), i):
            found, after = self._unicode_class(i)
            ranges += found
            return after
        if src[i] == "\\" and i + 1 < len(src) and src[i + 1] in "dDsSwW":
            group = _PERL[src[i + 1].lower()]
            ranges += _complement(group) if src[i + 1].isupper() else group
            return i + 2
        lo, j = self._class_char(i, start)
        hi = lo
        if j + 1 < len(src) and src[j] == "-" and src[j + 1] != "]":
            hi, j = self._class_char(j + 1, start)
            if hi < lo:
                raise _error("invalid character class range", src[i:j])
        ranges.append((lo, hi))
        return j

    def _class_char(self, i: int, start: int) -> tuple[int, int]:
        if i >= len(self.src):
            raise _error("missing closing ]", self.src[start:])
        if self.src[i] == "\\":
            return self._char_escape(i)
        return ord(self.src[i]), i + 1


def translate(pattern: str) -> tuple[str, tuple[str, ...]]:
    """Python ``re`` source equivalent to the RE2 ``pattern``, and the names of its capture
    groups in order ("" for an unnamed group). Raises :class:`PatternError`."""
    return _Translator(pattern).run()

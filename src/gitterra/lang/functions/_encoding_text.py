"""Go-compatible text codecs behind the encoding functions.

Terraform's functions are written in Go, and part of what a user observes comes from Go's standard
library rather than from Terraform itself: which Base64 input ``encoding/base64`` accepts (and the
offset it blames), how ``encoding/csv`` splits records, which numbers ``strconv`` and ``big.Float``
parse and which timestamps ``time.Parse`` takes (for YAML scalars). This module reproduces those
pieces so the functions built on them behave, and fail, the way Terraform's do; it also prints
integers too long for Python's ``str(int)``. Everything here is pure; failures are
:class:`ValueError` subclasses (or None results) that the callers turn into function errors.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from gitterra.lang import _convert as convert
from gitterra.lang import _values as v
from gitterra.lang._values import Value

# ---- strings -------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def repair_surrogates(s: str) -> str:
    """``s`` with lone UTF-16 surrogates replaced by U+FFFD, as Go does for invalid UTF-8."""
    return _SURROGATE.sub("\ufffd", s)


def utf8(s: str) -> bytes:
    """The UTF-8 bytes of ``s`` (never fails: lone surrogates become U+FFFD)."""
    return repair_surrogates(s).encode("utf-8")


# ---- numbers -------------------------------------------------------------------------------

_PLAIN_INT_BITS = 13_000  # comfortably below Python's 4300-digit str(int) limit


def number_text(n: int | Decimal) -> str:
    """A number as Terraform prints it, including integers longer than ``str(int)`` allows."""
    if isinstance(n, int) and n.bit_length() > _PLAIN_INT_BITS:
        return _long_int_text(n)
    return convert.format_number(n)


def _long_int_text(n: int) -> str:
    # Divide and conquer keeps every str() call under the interpreter's digit limit.
    if n < 0:
        return "-" + _long_int_text(-n)
    if n.bit_length() <= _PLAIN_INT_BITS:
        return str(n)
    half = int(n.bit_length() * 0.30103) // 2
    high, low = divmod(n, 10**half)
    return _long_int_text(high) + _long_int_text(low).rjust(half, "0")


def decimal_number(d: Decimal) -> Value | None:
    """A number value for a parsed decimal, or None when its magnitude is beyond what the
    language's numbers hold (cty's parser refuses those as out of range too)."""
    if d.is_finite() and d and d.adjusted() > v.NUMBER_CONTEXT.Emax:
        return None
    return v.number_val(d)


# ---- numbers and timestamps as Go parses them (for YAML scalars) -------------------------

INFINITY = v.number_val(Decimal("Infinity"))
NEG_INFINITY = v.number_val(Decimal("-Infinity"))
FLOAT_SYNTAX = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_TIMESTAMPS = (
    re.compile(_DATE),
    re.compile(_DATE + r"[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(Z|[-+]\d\d:\d\d)"),
    re.compile(_DATE + r" (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?()"),
)


def parse_go_float(s: str) -> Value | None:
    """What cty.ParseNumberVal (Go's big.ParseFloat in base 10) accepts."""
    if s in ("inf", "Inf", "+inf", "+Inf"):
        return INFINITY
    if s in ("-inf", "-Inf"):
        return NEG_INFINITY
    if not FLOAT_SYNTAX.fullmatch(s):
        return None
    return decimal_number(Decimal(s))


def parse_go_int(s: str) -> Value | None:
    """What Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64), accept."""
    m = _GO_INT.fullmatch(s)
    if m is None:
        return None
    sign, digits = m.groups()
    base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2].lower())
    if base is not None:
        n = int(digits[2:], base)
    else:
        n = int(digits, 8 if digits.startswith("0") else 10)  # a leading 0 means octal
    n = -n if sign == "-" else n
    if -(2**63) <= n < 2**63 or (not sign and n < 2**64):
        return v.number_val(n)
    return None


def parse_yaml_timestamp(s: str) -> str | None:
    """The RFC 3339 form of a YAML timestamp in one of the layouts go-cty-yaml accepts."""
    for layout in _TIMESTAMPS:
        m = layout.fullmatch(s)
        if m is None:
            continue
        parts = [int(p) for p in m.groups()[:6] if p is not None]
        zone = m.group(7) if layout.groups >= 7 else None
        try:
            when = dt.datetime(*parts)  # type: ignore[arg-type]  # 3 or 6 integer fields
        except ValueError:  # month, day or time out of range
            return None
        offset = "Z"
        if zone and zone != "Z" and zone[1:] != "00:00":
            if int(zone[1:3]) > 24 or int(zone[4:6]) > 60:
                return None
            offset = zone
        return (
            f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
            f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}{offset}"
        )
    return None


# ---- Base64 (Go's encoding/base64 StdEncoding) ----------------------------------------------

_B64 = {
    c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
_NEWLINES = (0x0A, 0x0D)


class Base64Error(ValueError):
    """Invalid Base64 input; ``offset`` is the byte Go's ``CorruptInputError`` blames."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"illegal base64 data at input byte {offset}")
        self.offset = offset


def go_base64_decode(text: str) -> bytes:
    """Decode standard, padded Base64 exactly as Go's ``StdEncoding.DecodeString`` does:
    newlines are skipped anywhere, padding is required, and nothing may follow it."""
    src = utf8(text)
    out = bytearray()
    si, n = 0, len(src)
    while True:
        quantum: list[int] = []
        while len(quantum) < 4:
            if si == n:
                if not quantum:
                    return bytes(out)
                raise Base64Error(si - len(quantum))
            c = src[si]
            si += 1
            if c in _NEWLINES:
                continue
            value = _B64.get(c)
            if value is not None:
                quantum.append(value)
                continue
            if c != 0x3D or len(quantum) < 2:  # not "=", or "=" too early in the quantum
                raise Base64Error(si - 1)
            si = _check_padding(src, si, len(quantum))
            out += _quantum_bytes(quantum)
            return bytes(out)
        out += _quantum_bytes(quantum)


def _check_padding(src: bytes, si: int, have: int) -> int:
    """Validate what follows the first ``=`` of a quantum holding ``have`` symbols."""
    n = len(src)
    if have == 2:  # "==" is needed; the first "=" is consumed
        while si < n and src[si] in _NEWLINES:
            si += 1
        if si == n:
            raise Base64Error(n)
        if src[si] != 0x3D:
            raise Base64Error(si - 1)
        si += 1
    while si < n and src[si] in _NEWLINES:
        si += 1
    if si < n:
        raise Base64Error(si)
    return si


def _quantum_bytes(q: list[int]) -> bytes:
    bits = 0
    for value in q:
        bits = (bits << 6) | value
    bits <<= 6 * (4 - len(q))
    whole = bits.to_bytes(3, "big")
    return whole[: len(q) - 1]


# ---- CSV (Go's encoding/csv, RFC 4180) -----------------------------------------------------


class CsvError(ValueError):
    """A record cannot be read; ``line`` is where Go's ``csv.ParseError`` points."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


_BARE_QUOTE = 'bare " in non-quoted-field'
_BAD_QUOTE = 'extraneous or missing " in quoted-field'


class GoCsvReader:
    """Reads records the way Go's ``csv.Reader`` does with its default settings: ``\\r\\n``
    becomes ``\\n``, blank lines are skipped, quotes are strict (no ``LazyQuotes``)."""

    def __init__(self, text: str) -> None:
        pieces = text.split("\n")
        last = pieces.pop()
        self._lines = [p.removesuffix("\r") + "\n" for p in pieces]
        if last:
            self._lines.append(last.removesuffix("\r"))
        self._next = 0
        self.line = 0

    def _read_line(self) -> str | None:
        if self._next >= len(self._lines):
            return None
        self._next += 1
        self.line += 1
        return self._lines[self._next - 1]

    def read(self) -> tuple[int, list[str]] | None:
        """The next record and the line it starts on, or None at the end of the input."""
        line = self._read_line()
        while line is not None and line in ("", "\n"):
            line = self._read_line()
        if line is None:
            return None
        start = self.line
        fields: list[str] = []
        more = True
        while more:
            if line.startswith('"'):
                field, line, more = self._quoted(line[1:])
            else:
                field, line, more = self._plain(line)
            fields.append(field)
        return start, fields

    def _plain(self, line: str) -> tuple[str, str, bool]:
        comma = line.find(",")
        field = line[:comma] if comma >= 0 else line.removesuffix("\n")
        if '"' in field:
            raise CsvError(self.line, _BARE_QUOTE)
        if comma >= 0:
            return field, line[comma + 1 :], True
        return field, "", False

    def _quoted(self, line: str) -> tuple[str, str, bool]:
        parts: list[str] = []
        last_line = self.line
        while True:
            quote = line.find('"')
            if quote >= 0:
                parts.append(line[:quote])
                line = line[quote + 1 :]
                if line.startswith('"'):
                    parts.append('"')
                    line = line[1:]
                elif line.startswith(","):
                    return "".join(parts), line[1:], True
                elif line in ("", "\n"):
                    return "".join(parts), "", False
                else:
                    raise CsvError(self.line, _BAD_QUOTE)
            elif line:
                parts.append(line)
                next_line = self._read_line()
                line = next_line or ""
                if next_line:
                    last_line = self.line
            else:
                raise CsvError(last_line, _BAD_QUOTE)

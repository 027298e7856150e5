"""How Go writes numbers as text, for ``format``: as ``big.Int``/``big.Float`` print under a
verb's flags.

Floats are cty's 512-bit ``big.Float`` values: with a precision, ``%e``/``%f``/``%g`` round the
exact binary value nearest the number (half to even on exact ties, as Go's ``decimal.round``);
without one, ``%g``/``%v`` use the shortest digits with Go's rule of an exponent from 1e+06 up.
Digit strings are handled as Go's ``decimal`` does: value = 0.digits × 10**exp, no trailing zeros.
Decimal digits of integers come from ``Decimal`` rather than ``str(int)``, which refuses integers
of more than 4300 digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gitterra.lang import _convert as convert
from gitterra.lang import _format
from gitterra.lang._values import Number


@dataclass(slots=True)
class Verb:
    """One formatting verb of a specification (cty's ``formatVerb``)."""

    raw: str = ""
    offset: int = 0
    arg_num: int = 1
    mode: str = ""
    zero: bool = False
    sharp: bool = False
    plus: bool = False
    minus: bool = False
    space: bool = False
    width: int | None = None
    prec: int | None = None

    def where(self) -> str:
        return f"{_format.go_quote(self.raw)} at {self.offset}"


# ---- Go's integer and float printing (big.Int / big.Float Format) --------------------------


def format_int(verb: Verb, n: int) -> str:
    base = {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}[verb.mode]
    digits = _to_base(abs(n), base)
    if verb.mode == "X":
        digits = digits.upper()
    sign = "-" if n < 0 else "+" if verb.plus else " " if verb.space else ""
    prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb.mode, "") if verb.sharp else ""
    zeros = left = right = 0
    if verb.prec is not None:
        if len(digits) < verb.prec:
            zeros = verb.prec - len(digits)
        elif digits == "0" and verb.prec == 0:
            return ""  # Go prints nothing at all for zero with zero precision
    length = len(sign) + len(prefix) + zeros + len(digits)
    if verb.width is not None and length < verb.width:
        if verb.minus:
            right = verb.width - length
        elif verb.zero and verb.prec is None:
            zeros += verb.width - length
        else:
            left = verb.width - length
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _to_base(n: int, base: int) -> str:
    if base == 10:
        digits, exp = _digits_of(Decimal(n))
        return digits.ljust(exp, "0") or "0"
    return format(n, {2: "b", 8: "o", 16: "x"}[base])


def _digits_of(d: Decimal) -> tuple[str, int]:
    """Digits (no leading or trailing zeros) and exponent of ``|d|`` = 0.digits × 10**exp."""
    _, digit_tuple, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    stripped = digits.rstrip("0")
    return _trim(stripped, len(digits) + exponent)


def format_float(verb: Verb, n: Number) -> str:
    prec = verb.prec if verb.prec is not None else (None if verb.mode in "gG" else 6)
    body = float_text(n, verb.mode, prec)
    infinite = body.endswith("Inf")
    if body[0] == "-":
        sign, body = "-", body[1:]
    elif body[0] == "+":
        sign, body = (" " if verb.space else "+"), body[1:]
    else:
        sign = "+" if verb.plus else " " if verb.space else ""
    padding = 0
    if verb.width is not None:
        padding = max(verb.width - len(sign) - len(body), 0)
    if verb.zero and not verb.minus and not infinite:
        return sign + "0" * padding + body
    if verb.minus:
        return sign + body + " " * padding
    return " " * padding + sign + body


def float_text(n: Number, mode: str, prec: int | None) -> str:
    """Go's ``big.Float.Text(mode, prec)``; ``prec=None`` asks for the shortest digits."""
    if isinstance(n, Decimal) and not n.is_finite():
        return "-Inf" if n < 0 else "+Inf"
    neg = n < 0
    if prec is None:
        mant, exp = _shortest_digits(n)
    else:
        mant, exp = _binary512_digits(n)
        if mode in "eE":
            mant, exp = _round_digits(mant, exp, 1 + prec)
        elif mode == "f":
            mant, exp = _round_digits(mant, exp, exp + prec)
        else:
            prec = max(prec, 1)
            mant, exp = _round_digits(mant, exp, prec)
    return ("-" if neg else "") + _layout(mant, exp, mode, prec)


def _layout(mant: str, exp: int, mode: str, prec: int | None) -> str:
    if mode in "eE":
        return _fmt_e(mant, exp, mode, prec if prec is not None else len(mant) - 1)
    if mode == "f":
        return _fmt_f(mant, exp, prec if prec is not None else max(len(mant) - exp, 0))
    # %g: %e for large exponents, %f otherwise.
    shortest = prec is None
    p = len(mant) if prec is None else prec
    eprec = 6 if shortest else (len(mant) if p > len(mant) >= exp else p)
    if exp - 1 < -4 or exp - 1 >= eprec:
        return _fmt_e(mant, exp, "e" if mode == "g" else "E", min(p, len(mant)) - 1)
    if p > exp:
        p = len(mant)
    return _fmt_f(mant, exp, max(p - exp, 0))


def _fmt_e(mant: str, exp: int, letter: str, prec: int) -> str:
    out = mant[0] if mant else "0"
    if prec > 0:
        out += "." + mant[1 : prec + 1].ljust(prec, "0")
    e = exp - 1 if mant else 0
    return f"{out}{letter}{'-' if e < 0 else '+'}{abs(e):02d}"


def _fmt_f(mant: str, exp: int, prec: int) -> str:
    out = mant[:exp].ljust(exp, "0") if exp > 0 else "0"
    if prec > 0:
        frac = "".join(mant[exp + i] if 0 <= exp + i < len(mant) else "0" for i in range(prec))
        out += "." + frac
    return out


def _shortest_digits(n: Number) -> tuple[str, int]:
    """Digits and exponent (value = 0.digits × 10**exp) of the shortest form of ``n``: exact for
    integers, and the number as gitterra prints it (``convert.format_number``) otherwise."""
    if isinstance(n, int):
        return _digits_of(Decimal(n))
    return _digits_of(Decimal(convert.format_number(n)))


_EXACT_LIMIT = 4000  # decimal exponents beyond which the binary rounding is not emulated


def _binary512_digits(n: Number) -> tuple[str, int]:
    """The exact decimal digits of ``|n|`` rounded to a 512-bit binary mantissa (cty's
    precision), as digits and exponent with value = 0.digits × 10**exp."""
    if n == 0 or abs(Decimal(n).adjusted()) > _EXACT_LIMIT:
        return _digits_of(Decimal(n))  # too large or small for the difference to show
    num, den = (abs(n), 1) if isinstance(n, int) else abs(n).as_integer_ratio()
    k = num.bit_length() - den.bit_length() - 512
    while True:  # find q with exactly 512 bits such that |n| ≈ q × 2**k
        q, r = divmod(num, den << k) if k >= 0 else divmod(num << -k, den)
        if q.bit_length() == 512:
            break
        k += 1 if q.bit_length() > 512 else -1
    d2 = den << k if k >= 0 else den
    if 2 * r > d2 or (2 * r == d2 and q & 1):
        q += 1
    if k >= 0:
        return _digits_of(Decimal(q << k))
    digits, exp = _digits_of(Decimal(q * 5**-k))
    return _trim(digits, exp + k)


def _trim(mant: str, exp: int) -> tuple[str, int]:
    return (mant, exp) if mant else ("", 0)


def _round_digits(mant: str, exp: int, keep: int) -> tuple[str, int]:
    """Go's ``decimal.round``: keep ``keep`` digits, half to even on exact ties."""
    if keep < 0 or keep >= len(mant):
        return mant, exp
    digit = mant[keep]
    tie = digit == "5" and keep + 1 == len(mant)
    if tie:
        up = keep > 0 and int(mant[keep - 1]) % 2 == 1
    else:
        up = digit >= "5"
    if not up:
        return _trim(mant[:keep].rstrip("0"), exp)
    while keep > 0 and mant[keep - 1] == "9":
        keep -= 1
    if keep == 0:
        return "1", exp + 1
    return mant[: keep - 1] + chr(ord(mant[keep - 1]) + 1), exp

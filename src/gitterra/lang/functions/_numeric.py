"""Functions of the language: numeric.

Numbers stay exact (``int`` or ``Decimal``) wherever cty keeps them exact: ``abs``, ``ceil``,
``floor``, ``max``, ``min`` and ``parseint`` (which parses integers of any size in bases 2 to 62).
``log`` and ``pow`` are computed in float64 as Terraform's Go code does (``math.Log``,
``math.Pow``), with Go's rules for zeros and infinities; a result that is not a number (NaN), for
which Terraform fails inside the function, is reported as an error.
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

from gitterra.lang import _format
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, Param, simple
from gitterra.lang._values import Number, Value
from gitterra.lang.functions import _strings

_N = t.NUMBER


def _abs(ctx: FunctionContext, args: list[Value]) -> Value:
    n = args[0].as_number()
    return v.number_val(-n if n < 0 else n)


def _round(n: Number, rounding: str) -> Number:
    if isinstance(n, int) or not n.is_finite():
        return n
    return int(n.to_integral_value(rounding=rounding))


def _ceil(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.number_val(_round(args[0].as_number(), decimal.ROUND_CEILING))


def _floor(ctx: FunctionContext, args: list[Value]) -> Value:
    return v.number_val(_round(args[0].as_number(), decimal.ROUND_FLOOR))


def _extreme(args: list[Value], want_max: bool) -> Value:
    if not args:
        raise FunctionError("must pass at least one number.")
    best = args[0]
    for arg in args[1:]:
        n, b = arg.as_number(), best.as_number()
        # Strict comparison: among equal numbers the first one given wins, as in cty.
        if (n > b) if want_max else (n < b):
            best = arg
    return best


def _max(ctx: FunctionContext, args: list[Value]) -> Value:
    return _extreme(args, want_max=True)


def _min(ctx: FunctionContext, args: list[Value]) -> Value:
    return _extreme(args, want_max=False)


def _float(n: Number) -> float:
    """A number as float64, as ``gocty`` converts one (overflowing to an infinity)."""
    return float(Decimal(n)) if isinstance(n, int) else float(n)


def _go_log(x: float) -> float:
    if x == 0:
        return -math.inf
    if x < 0 or math.isnan(x):
        return math.nan
    return math.log(x)


def _go_div(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _go_pow(x: float, y: float) -> float:
    """Go's ``math.Pow``: C99 ``pow`` whose domain and range errors become NaN or infinities."""
    try:
        return math.pow(x, y)
    except ValueError:
        # 0 to a negative power is +Inf in Go; a negative base to a fractional power is NaN.
        return math.inf if x == 0 else math.nan
    except OverflowError:
        odd = y == int(y) and int(y) % 2 == 1
        return -math.inf if x < 0 and odd else math.inf


def _float_result(name: str, f: float) -> Value:
    if math.isnan(f):
        raise FunctionError(f"the result of {name} is not a number (NaN).")
    if math.isinf(f):
        return v.number_val(Decimal("Infinity") if f > 0 else Decimal("-Infinity"))
    return v.number_val(f)


def _log(ctx: FunctionContext, args: list[Value]) -> Value:
    num, base = (_float(a.as_number()) for a in args)
    return _float_result("log", _go_div(_go_log(num), _go_log(base)))


def _pow(ctx: FunctionContext, args: list[Value]) -> Value:
    num, power = (_float(a.as_number()) for a in args)
    return _float_result("pow", _go_pow(num, power))


def _signum(ctx: FunctionContext, args: list[Value]) -> Value:
    n = _strings.go_int(args[0], 0)
    return v.number_val((n > 0) - (n < 0))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _digit_value(ch: str, base: int) -> int:
    """The value of one digit, as Go's ``big.Int.SetString`` reads it (-1 when invalid)."""
    if base <= 36:
        idx = _DIGITS.find(ch.lower()) if ch.isascii() else -1
    else:
        idx = _DIGITS.find(ch) if ch.isascii() else -1
    return idx if 0 <= idx < base else -1


def _parse_int(text: str, base: int) -> int | None:
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body:
        return None
    n = 0
    for ch in body:
        d = _digit_value(ch, base)
        if d < 0:
            return None
        n = n * base + d
    return -n if text.startswith("-") else n


def _redact(value: Value, text: str) -> str:
    return "(sensitive value)" if value.sensitive else text


def _parseint(ctx: FunctionContext, args: list[Value]) -> Value:
    """``parseint`` takes marked arguments itself, to keep sensitive values out of messages."""
    num, base = args
    if num.type != t.STRING and not (num.type == t.DYNAMIC and not num.is_known):
        raise FunctionError(f"first argument must be a string, not {num.type.friendly()}.", 0)
    sensitive = num.contains_sensitive() or base.contains_sensitive()
    if not num.is_known or not base.is_known:
        return v.unknown_val(_N).mark_sensitive(sensitive)
    b = _strings.go_int(base, 1)
    if not 2 <= b <= 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive.", 1)
    text = num.as_str()
    parsed = _parse_int(text, b)
    if parsed is None:
        shown_num, shown_base = _redact(num, _format.go_quote(text)), _redact(base, str(b))
        raise FunctionError(f"cannot parse {shown_num} as a base {shown_base} integer.", 0)
    return v.number_val(parsed).mark_sensitive(sensitive)


FUNCTIONS: tuple[Function, ...] = (
    simple("abs", [("num", _N)], _N, _abs, description="The absolute value of a number."),
    simple("ceil", [("num", _N)], _N, _ceil, description="The closest whole number >= num."),
    simple("floor", [("num", _N)], _N, _floor, description="The closest whole number <= num."),
    simple("log", [("num", _N), ("base", _N)], _N, _log, description="Logarithm (float64)."),
    simple("max", [], _N, _max, variadic=("numbers", _N), description="The greatest number."),
    simple("min", [], _N, _min, variadic=("numbers", _N), description="The smallest number."),
    simple(
        "parseint",
        [
            Param("number", t.DYNAMIC, allow_unknown=True, allow_marked=True),
            Param("base", _N, allow_unknown=True, allow_marked=True),
        ],
        _N,
        _parseint,
        description="Parses an integer written in a base from 2 to 62.",
    ),
    simple("pow", [("num", _N), ("power", _N)], _N, _pow, description="num ** power (float64)."),
    simple("signum", [("num", _N)], _N, _signum, description="The sign of a whole number."),
)

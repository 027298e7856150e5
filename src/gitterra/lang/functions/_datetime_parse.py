"""RFC 3339 timestamps and Go durations, read and written exactly as Terraform reads and writes
them.

Terraform parses timestamps with Go's ``time.Parse(time.RFC3339, s)`` and durations with
``time.ParseDuration``. Both accept a few things that RFC 3339 or Python's own parsers would not
(a one-digit hour, a comma before the fractional seconds, UTC offsets up to ``+24:60``, the year
0000, sums like ``1h30m``), and Terraform's messages name the failing part of a timestamp in a
particular way. This module reproduces the accepted language and the messages (see
:func:`parse_timestamp` and :func:`parse_duration`). Instants are integer nanoseconds, so nothing
is lost to Python's microsecond datetimes or to their year range 1..9999.

The module holds no language functions; :mod:`._datetime` builds them on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from gitterra.lang import _format

_NANOS = 1_000_000_000
_DAY_SECONDS = 86_400


class Fields(NamedTuple):
    """The calendar fields of an instant as seen at its UTC offset."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    weekday: int  # 0 is Sunday


@dataclass(frozen=True, slots=True)
class Time:
    """An instant (nanoseconds since 1970-01-01T00:00:00Z) and the UTC offset it is shown at
    (seconds east of UTC), like a Go ``time.Time`` in a fixed zone."""

    unix_nanos: int
    offset: int = 0

    def add(self, nanos: int) -> Time:
        return Time(self.unix_nanos + nanos, self.offset)

    def fields(self) -> Fields:
        local = self.unix_nanos // _NANOS + self.offset
        days, secs = divmod(local, _DAY_SECONDS)
        year, month, day = civil_from_days(days)
        hour, rest = divmod(secs, 3600)
        return Fields(year, month, day, hour, rest // 60, rest % 60, (days + 4) % 7)


# ---- proleptic Gregorian calendar arithmetic (H. Hinnant's algorithms) -----------------------


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a date in the proleptic Gregorian calendar."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The (year, month, day) that is ``days`` days after 1970-01-01."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def days_in_month(month: int, year: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


# ---- quoting as Go does -----------------------------------------------------------------------


def _time_quote(s: str) -> str:
    """``s`` quoted as Go's ``time`` package quotes it: non-ASCII and control characters as
    ``\\x`` escapes of their UTF-8 bytes."""
    out = ['"']
    for c in s:
        if ord(c) >= 0x80 or ord(c) < 0x20:
            out.extend(f"\\x{b:02x}" for b in c.encode("utf-8", "surrogatepass"))
        else:
            out.append("\\" + c if c in '"\\' else c)
    out.append('"')
    return "".join(out)


# ---- timestamps -------------------------------------------------------------------------------


class TimestampError(ValueError):
    """A string is not an RFC 3339 timestamp; the message is Terraform's."""


class _GoParseError(Exception):
    """Go's ``time.ParseError``: the layout element and the remaining input where parsing
    stopped, and an optional message (which starts with ``": "``)."""

    def __init__(self, layout_elem: str, value_elem: str, message: str = "") -> None:
        super().__init__(layout_elem, value_elem, message)
        self.layout_elem = layout_elem
        self.value_elem = value_elem
        self.message = message


_WHAT = {
    "2006": "year",
    "01": "month",
    "02": "day of month",
    "15": "hour",
    "04": "minute",
    "05": "second",
    "Z07:00": "UTC offset",
}


def parse_timestamp(text: str) -> Time:
    """Parse an RFC 3339 timestamp as Terraform does; raises :class:`TimestampError` with
    Terraform's wording (cty's rewording of Go's ``time.ParseError``)."""
    try:
        return _parse(text)
    except _GoParseError as exc:
        raise TimestampError(_describe(exc)) from None


def _describe(exc: _GoParseError) -> str:
    base = "not a valid RFC3339 timestamp"
    layout, value = exc.layout_elem, exc.value_elem
    if not layout and not value and exc.message:
        return base + exc.message
    if layout == "T":
        return f"{base}: missing required time introducer 'T'"
    if layout in (":", "-"):
        if not value:
            return f'{base}: end of string where "{layout}" is expected'
        return f'{base}: found {_format.go_quote(value)} where "{layout}" is expected'
    what = _WHAT.get(layout, "timestamp segment")
    if not value:
        return f"{base}: end of string before {what}"
    return f"{base}: cannot use {_format.go_quote(value)} as {what}"


def _is_digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _getnum(s: str, fixed: bool) -> tuple[int, str] | None:
    """One or two leading digits (exactly two when ``fixed``), as Go's ``getnum``."""
    if not _is_digit(s, 0):
        return None
    if not _is_digit(s, 1):
        return None if fixed else (int(s[0]), s[1:])
    return int(s[:2]), s[2:]


def _skip(value: str, prefix: str) -> str:
    if prefix and (not value or value[0] != prefix):
        raise _GoParseError(prefix, value)
    return value[len(prefix) :]


def _number(
    value: str, std: str, fixed: bool, bounds: tuple[int, int] | None = None, what: str = ""
) -> tuple[int, str]:
    """A one- or two-digit field (exactly two when ``fixed``). A value outside ``bounds`` is
    reported, as Go reports it, together with the input that *follows* the field."""
    got = _getnum(value, fixed)
    if got is None:
        raise _GoParseError(std, value)
    if bounds is not None and not bounds[0] <= got[0] <= bounds[1]:
        raise _GoParseError(std, got[1], f": {what} out of range")
    return got


def _parse(value: str) -> Time:
    """Go's ``time.Parse`` specialised to the layout ``2006-01-02T15:04:05Z07:00``."""
    if len(value) < 4 or not all("0" <= c <= "9" for c in value[:4]):
        raise _GoParseError("2006", value)
    year, value = int(value[:4]), value[4:]
    month, value = _number(_skip(value, "-"), "01", True, (1, 12), "month")
    day, value = _number(_skip(value, "-"), "02", True)
    hour, value = _number(_skip(value, "T"), "15", False, (0, 23), "hour")
    minute, value = _number(_skip(value, ":"), "04", True, (0, 59), "minute")
    second, value = _number(_skip(value, ":"), "05", True, (0, 59), "second")
    nanos = 0
    if len(value) >= 2 and value[0] in ".," and _is_digit(value, 1):
        end = 2
        while _is_digit(value, end):
            end += 1
        nanos = int(value[1:end][:9].ljust(9, "0"))
        value = value[end:]
    offset, value = _zone(value)
    if value:
        raise _GoParseError("", value, ": extra text: " + _time_quote(value))
    if not 1 <= day <= days_in_month(month, year):
        raise _GoParseError("", value, ": day out of range")
    days = days_from_civil(year, month, day)
    seconds = days * _DAY_SECONDS + hour * 3600 + minute * 60 + second - offset
    return Time(seconds * _NANOS + nanos, offset)


def _zone(value: str) -> tuple[int, str]:
    """The ``Z07:00`` part: ``Z`` or a signed ``hh:mm`` offset (Go allows up to 24:60)."""
    if value.startswith("Z"):
        return 0, value[1:]
    if len(value) < 6 or value[3] != ":":
        raise _GoParseError("Z07:00", value)
    sign, rest = value[0], value[6:]
    hours = _getnum(value[1:3], True)
    minutes = _getnum(value[4:6], True) if hours is not None else None
    hh = hours[0] if hours is not None else 0
    mm = minutes[0] if minutes is not None else 0
    if hh > 24 or mm > 60:
        what = "time zone offset minute" if mm > 60 else "time zone offset hour"
        raise _GoParseError("Z07:00", rest, f": {what} out of range")
    if hours is None or minutes is None or sign not in "+-":
        raise _GoParseError("Z07:00", value)
    offset = (hh * 60 + mm) * 60
    return (-offset if sign == "-" else offset), rest


def _year(year: int) -> str:
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def zone(offset: int, layout: str) -> str:
    """A UTC offset as Go formats the layout elements ``Z07:00``, ``-0700`` and ``-07:00``."""
    if offset == 0 and layout == "Z07:00":
        return "Z"
    minutes = abs(offset) // 60
    sign = "-" if offset < 0 else "+"
    sep = "" if layout == "-0700" else ":"
    return f"{sign}{minutes // 60:02d}{sep}{minutes % 60:02d}"


def format_rfc3339(t: Time) -> str:
    """``t`` as Go's ``Format(time.RFC3339)`` writes it (whole seconds, ``Z`` for UTC)."""
    f = t.fields()
    date = f"{_year(f.year)}-{f.month:02d}-{f.day:02d}"
    return f"{date}T{f.hour:02d}:{f.minute:02d}:{f.second:02d}{zone(t.offset, 'Z07:00')}"


# ---- durations --------------------------------------------------------------------------------


class DurationError(ValueError):
    """A string is not a Go duration; the message is Go's."""


_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # Greek small letter mu
    "ms": 1_000_000,
    "s": _NANOS,
    "m": 60 * _NANOS,
    "h": 3600 * _NANOS,
}
_TOP = 1 << 63


def _leading_int(s: str) -> tuple[int, int] | None:
    """Go's ``leadingInt``: the value of the leading digits and their count; None on overflow."""
    x, i = 0, 0
    while _is_digit(s, i):
        if x > _TOP // 10:
            return None
        x = x * 10 + int(s[i])
        if x > _TOP:
            return None
        i += 1
    return x, i


def _leading_fraction(s: str) -> tuple[int, float, int]:
    """Go's ``leadingFraction``: digits after a point, their scale, and how many were read."""
    x, scale, i, overflow = 0, 1.0, 0, False
    while _is_digit(s, i):
        i += 1
        if overflow:
            continue
        if x > (_TOP - 1) // 10 or x * 10 + int(s[i - 1]) > _TOP:
            overflow = True
            continue
        x = x * 10 + int(s[i - 1])
        scale *= 10
    return x, scale, i


def parse_duration(text: str) -> int:
    """Parse a Go duration (``"1h30m"``, ``"-1.5h"``, ``"300ms"``) into nanoseconds, exactly as
    ``time.ParseDuration``; raises :class:`DurationError` with Go's message."""
    invalid = DurationError("time: invalid duration " + _time_quote(text))
    s, neg = text, False
    if s and s[0] in "+-":
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise invalid
    total = 0
    while s:
        if not (s[0] == "." or _is_digit(s, 0)):
            raise invalid
        whole = _leading_int(s)
        if whole is None:
            raise invalid
        value, used = whole
        s = s[used:]
        frac, scale, frac_used = 0, 1.0, 0
        if s.startswith("."):
            frac, scale, frac_used = _leading_fraction(s[1:])
            s = s[1 + frac_used :]
        if used == 0 and frac_used == 0:
            raise invalid
        end = 0
        while end < len(s) and s[end] != "." and not _is_digit(s, end):
            end += 1
        if end == 0:
            raise DurationError("time: missing unit in duration " + _time_quote(text))
        unit_name, s = s[:end], s[end:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            quoted = _time_quote(unit_name)
            raise DurationError(f"time: unknown unit {quoted} in duration {_time_quote(text)}")
        if value > _TOP // unit:
            raise invalid
        value *= unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > _TOP:
                raise invalid
        total += value
        if total > _TOP:
            raise invalid
    if neg:
        return -total
    if total > _TOP - 1:
        raise invalid
    return total

"""Date and time functions: ``formatdate``, ``timeadd``, ``timecmp`` and ``timestamp``.

Timestamps are RFC 3339 strings, read and written as Terraform's Go code does (see
:mod:`._datetime_parse`); a timestamp keeps the UTC offset it was written with, so
``timeadd("2018-01-02T23:12:01-08:00", "1h")`` is still at ``-08:00``. ``timestamp`` is impure: it
reads the context's clock, and gives whole seconds in UTC.

``plantimestamp`` is not here: it needs the time the plan started, which only the planner knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from gitterra.lang import _format
from gitterra.lang import _types as t
from gitterra.lang import _values as v
from gitterra.lang._context import FunctionContext
from gitterra.lang._function import Function, FunctionError, simple
from gitterra.lang._values import Value
from gitterra.lang.functions import _datetime_parse as p

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

#: What each verb letter may be, for the message about a wrong repetition.
_VERB_RULES = {
    "Y": 'year must either be "YY" or "YYYY"',
    "M": 'month must be "M", "MM", "MMM", or "MMMM"',
    "D": 'day of month must either be "D" or "DD"',
    "E": 'day of week must either be "EEE" or "EEEE"',
    "h": '24-hour must either be "h" or "hh"',
    "H": '12-hour must either be "H" or "HH"',
    "A": 'must be "AA"',
    "a": 'must be "aa"',
    "m": 'minute must either be "m" or "mm"',
    "s": 'second must either be "s" or "ss"',
    "Z": "timezone must be Z, ZZZZ, or ZZZZZ",
}


def _timestamp_arg(text: str, arg_index: int | None) -> p.Time:
    try:
        return p.parse_timestamp(text)
    except p.TimestampError as exc:
        raise FunctionError(str(exc), arg_index) from None


def _is_letter(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


def _spec_tokens(spec: str) -> Iterator[str]:
    """Split a ``formatdate`` spec as cty does: quoted literals (in which ``''`` stands for a
    quote; an unclosed one runs to the end of the spec), runs of one repeated letter (verbs),
    and runs of other characters (copied verbatim)."""
    i, n = 0, len(spec)
    while i < n:
        c = spec[i]
        end = i + 1
        if c == "'":
            if spec.startswith("''", i):
                end = i + 2
            else:
                end = n  # unterminated unless a closing quote is found
                j = i + 1
                while j < n:
                    if spec[j] == "'":
                        if j + 1 < n and spec[j + 1] == "'":
                            j += 2
                            continue
                        end = j + 1
                        break
                    j += 1
        elif _is_letter(c):
            while end < n and spec[end] == c:
                end += 1
        else:
            while end < n and spec[end] != "'" and not _is_letter(spec[end]):
                end += 1
        yield spec[i:end]
        i = end


def _verbs(ts: p.Time) -> dict[str, str]:
    """What every valid verb of the spec language gives for ``ts``."""
    f = ts.fields()
    month, weekday = _MONTHS[f.month - 1], _WEEKDAYS[f.weekday]
    hour12 = f.hour % 12 or 12
    utc_or_offset = p.zone(ts.offset, "-0700")
    return {
        "YY": f"{f.year % 100:02d}",
        "YYYY": f"{f.year:04d}",
        "M": str(f.month),
        "MM": f"{f.month:02d}",
        "MMM": month[:3],
        "MMMM": month,
        "D": str(f.day),
        "DD": f"{f.day:02d}",
        "EEE": weekday[:3],
        "EEEE": weekday,
        "h": str(f.hour),
        "hh": f"{f.hour:02d}",
        "H": str(hour12),
        "HH": f"{hour12:02d}",
        "AA": "AM" if f.hour < 12 else "PM",
        "aa": "am" if f.hour < 12 else "pm",
        "m": str(f.minute),
        "mm": f"{f.minute:02d}",
        "s": str(f.second),
        "ss": f"{f.second:02d}",
        "Z": p.zone(ts.offset, "Z07:00"),
        "ZZZ": "UTC" if utc_or_offset == "+0000" else utc_or_offset,
        "ZZZZ": utc_or_offset,
        "ZZZZZ": p.zone(ts.offset, "-07:00"),
    }


def _literal(token: str) -> str:
    """The text of a quoted literal token, with doubled quotes undoubled."""
    if len(token) == 1 or token[-1] != "'":
        raise FunctionError("unterminated literal '", 0)
    if len(token) == 2:
        return "'"
    out: list[str] = []
    raw, k = token[1:-1], 0
    while k < len(raw):
        out.append(raw[k])
        k += 2 if raw[k] == "'" else 1
    return "".join(out)


def _formatdate(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``formatdate(spec, timestamp)``: the timestamp rewritten by the spec."""
    ts = _timestamp_arg(args[1].as_str(), 1)
    verbs = _verbs(ts)
    out: list[str] = []
    for token in _spec_tokens(args[0].as_str()):
        if token[0] == "'":
            out.append(_literal(token))
        elif _is_letter(token[0]):
            text = verbs.get(token)
            if text is None:
                rule = _VERB_RULES.get(token[0])
                detail = "" if rule is None else f": {rule}"
                raise FunctionError(
                    f"invalid date format verb {_format.go_quote(token)}{detail}", 0
                )
            out.append(text)
        else:
            out.append(token)
    return v.string_val("".join(out))


def _timeadd(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``timeadd(timestamp, duration)``, keeping the timestamp's UTC offset."""
    ts = _timestamp_arg(args[0].as_str(), None)
    try:
        nanos = p.parse_duration(args[1].as_str())
    except p.DurationError as exc:
        raise FunctionError(str(exc)) from None
    return v.string_val(p.format_rfc3339(ts.add(nanos)))


def _timecmp(ctx: FunctionContext, args: list[Value]) -> Value:
    """Terraform's ``timecmp(a, b)``: -1, 0 or 1 as instant ``a`` is before, at or after ``b``."""
    a = _timestamp_arg(args[0].as_str(), 0).unix_nanos
    b = _timestamp_arg(args[1].as_str(), 1).unix_nanos
    return v.number_val((a > b) - (a < b))


def _timestamp(ctx: FunctionContext, args: list[Value]) -> Value:
    """The clock's current time in UTC, to the second (a naive clock time is taken as UTC)."""
    now = ctx.clock.now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    u = now.astimezone(dt.UTC)
    return v.string_val(
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"
    )


FUNCTIONS: tuple[Function, ...] = (
    simple(
        "formatdate",
        [("format", t.STRING), ("time", t.STRING)],
        t.STRING,
        _formatdate,
        description="Rewrites an RFC 3339 timestamp in another format.",
    ),
    simple(
        "timeadd",
        [("timestamp", t.STRING), ("duration", t.STRING)],
        t.STRING,
        _timeadd,
        description="Adds a duration such as 1h30m to an RFC 3339 timestamp.",
    ),
    simple(
        "timecmp",
        [("timestamp_a", t.STRING), ("timestamp_b", t.STRING)],
        t.NUMBER,
        _timecmp,
        description="Compares two RFC 3339 timestamps as instants: -1, 0 or 1.",
    ),
    simple(
        "timestamp",
        [],
        t.STRING,
        _timestamp,
        description="The current time as an RFC 3339 timestamp in UTC.",
        impure=True,
    ),
)

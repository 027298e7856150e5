"""Date and time functions: formatdate, timeadd, timecmp, timestamp."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitterra import lang
from gitterra.lang import functions
from tests.lang.functions.conftest import Call, call_function


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self._now = now

    def now(self) -> dt.datetime:
        return self._now


def error_of(name: str, *args: object) -> lang.FunctionError:
    with pytest.raises(lang.FunctionError) as info:
        call_function(name, *args)
    return info.value


# ---- formatdate ------------------------------------------------------------------------------

DOC_TIME = "2018-01-02T23:12:01Z"
GO_REFERENCE = "2006-01-02T15:04:05Z"  # Go's reference time, as cty's tests use


@pytest.mark.parametrize(
    ("spec", "timestamp", "want"),
    [
        # The documentation's examples.
        ("DD MMM YYYY hh:mm ZZZ", DOC_TIME, "02 Jan 2018 23:12 UTC"),
        ("EEEE, DD-MMM-YY hh:mm:ss ZZZ", DOC_TIME, "Tuesday, 02-Jan-18 23:12:01 UTC"),
        (
            "EEE, DD MMM YYYY hh:mm:ss ZZZ",
            "2018-01-02T23:12:01-08:00",
            "Tue, 02 Jan 2018 23:12:01 -0800",
        ),
        ("MMM DD, YYYY", DOC_TIME, "Jan 02, 2018"),
        ("HH:mmaa", DOC_TIME, "11:12pm"),
        ("h'h'mm", "2018-01-02T23:12:01-08:00", "23h12"),
        ("H 'o''clock'", "2018-01-02T23:12:01-08:00", "11 o'clock"),
        ("YYYY-MM-DD'T'hh:mm:ssZ", DOC_TIME, DOC_TIME),
        # cty's own table, at Go's reference time.
        ("", GO_REFERENCE, ""),
        ("YYYY-MM-DD", GO_REFERENCE, "2006-01-02"),
        ("EEE, MMM D ''YY", GO_REFERENCE, "Mon, Jan 2 '06"),
        ("hh:mm:ss", GO_REFERENCE, "15:04:05"),
        ("H 'o''clock' AA", GO_REFERENCE, "3 o'clock PM"),
        ("hh:mm:ssZZZZ", GO_REFERENCE, "15:04:05+0000"),
        ("hh:mm:ssZZZZZ", GO_REFERENCE, "15:04:05+00:00"),
        ("MMMM", GO_REFERENCE, "January"),
        ("EEEE", GO_REFERENCE, "Monday"),
        ("aa", GO_REFERENCE, "pm"),
        ("DD MMM YYYY hh:mm ZZZ", GO_REFERENCE, "02 Jan 2006 15:04 UTC"),
        ("EEEE, DD-MMM-YY hh:mm:ss ZZZ", GO_REFERENCE, "Monday, 02-Jan-06 15:04:05 UTC"),
        # Every verb, unpadded and padded, at a morning time in a +05:30 zone.
        ("YY YYYY M MM MMM MMMM", "2009-03-04T05:06:07+05:30", "09 2009 3 03 Mar March"),
        ("D DD EEE EEEE", "2009-03-04T05:06:07+05:30", "4 04 Wed Wednesday"),
        ("h hh H HH AA aa", "2009-03-04T05:06:07+05:30", "5 05 5 05 AM am"),
        ("m mm s ss", "2009-03-04T05:06:07+05:30", "6 06 7 07"),
        ("Z ZZZ ZZZZ ZZZZZ", "2009-03-04T05:06:07+05:30", "+05:30 +0530 +0530 +05:30"),
        ("Z ZZZ ZZZZ ZZZZZ", "2009-03-04T05:06:07-00:00", "Z UTC +0000 +00:00"),
        ("H AA", "2009-03-04T00:30:00Z", "12 AM"),
        ("H AA", "2009-03-04T12:30:00Z", "12 PM"),
        # Literals: quoted letters, doubled quotes, non-ASCII text, a quote closing the spec.
        ("'Today is' EEEE", DOC_TIME, "Today is Tuesday"),
        ("'it''s' h", DOC_TIME, "it's 23"),
        ("''", DOC_TIME, "'"),
        ("YYYY年MM月DD日", DOC_TIME, "2018年01月02日"),
        ("'YYYY'", DOC_TIME, "YYYY"),
        # Lenient input Go accepts: one-digit hour, comma fraction, year 0000, +24:00.
        ("hh", "2018-01-02T3:04:05Z", "03"),
        ("ss", "2018-01-02T03:04:05,999Z", "05"),
        ("YYYY-MM-DD EEEE", "0000-01-01T00:00:00Z", "0000-01-01 Saturday"),
        ("ZZZZZ", "2018-01-02T03:04:05+24:00", "+24:00"),
        ("DD", "2016-02-29T00:00:00Z", "29"),
    ],
)
def test_formatdate(call: Call, spec: str, timestamp: str, want: str) -> None:
    assert call("formatdate", spec, timestamp) == lang.string_val(want)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("Y", 'invalid date format verb "Y": year must either be "YY" or "YYYY"'),
        ("YYYYY", 'invalid date format verb "YYYYY": year must either be "YY" or "YYYY"'),
        ("MMMMM", 'invalid date format verb "MMMMM": month must be "M", "MM", "MMM", or "MMMM"'),
        ("DDD", 'invalid date format verb "DDD": day of month must either be "D" or "DD"'),
        ("E", 'invalid date format verb "E": day of week must either be "EEE" or "EEEE"'),
        ("hhh", 'invalid date format verb "hhh": 24-hour must either be "h" or "hh"'),
        ("HHH", 'invalid date format verb "HHH": 12-hour must either be "H" or "HH"'),
        ("A", 'invalid date format verb "A": must be "AA"'),
        ("a", 'invalid date format verb "a": must be "aa"'),
        ("mmm", 'invalid date format verb "mmm": minute must either be "m" or "mm"'),
        ("sss", 'invalid date format verb "sss": second must either be "s" or "ss"'),
        ("ZZ", 'invalid date format verb "ZZ": timezone must be Z, ZZZZ, or ZZZZZ'),
        ("x", 'invalid date format verb "x"'),
        ("'blah blah", "unterminated literal '"),
        ("'", "unterminated literal '"),
        ("YYYY 'rest", "unterminated literal '"),
    ],
)
def test_formatdate_bad_spec(spec: str, message: str) -> None:
    err = error_of("formatdate", spec, DOC_TIME)
    assert (err.message, err.arg_index) == (message, 0)


TIMESTAMP_ERRORS = [
    ("", "end of string before year"),
    ("2017-01-02", "missing required time introducer 'T'"),
    ("2017-12-02t00:00:00Z", "missing required time introducer 'T'"),
    ("2017-12-02 00:00:00Z", "missing required time introducer 'T'"),
    ("2017:01:02", 'found ":01:02" where "-" is expected'),
    ("2017", 'end of string where "-" is expected'),
    ("2017-01-02T", "end of string before hour"),
    ("2017-01-02T00", 'end of string where ":" is expected'),
    ("2017-01-02T00:00:00", "end of string before UTC offset"),
    # Go reports a value out of range together with the text that follows it.
    ("2017-01-02T26:00:00Z", 'cannot use ":00:00Z" as hour'),
    ("2017-13-02T00:00:00Z", 'cannot use "-02T00:00:00Z" as month'),
    ("2017-00-02T00:00:00Z", 'cannot use "-02T00:00:00Z" as month'),
    ("2017-01-02T00:60:00Z", 'cannot use ":00Z" as minute'),
    ("2017-01-02T00:00:60Z", 'cannot use "Z" as second'),
    ("2017-02-31T00:00:00Z", "day out of range"),
    ("2017-02-29T00:00:00Z", "day out of range"),
    ("2017-01-00T00:00:00Z", "day out of range"),
    ('"2017-12-02T00:00:00Z"', 'cannot use "\\"2017-12-02T00:00:00Z\\"" as year'),
    ("2-12-02T00:00:00Z", 'cannot use "2-12-02T00:00:00Z" as year'),
    ("2017-1-02T00:00:00Z", 'cannot use "1-02T00:00:00Z" as month'),
    ("2017-01-2T00:00:00Z", 'cannot use "2T00:00:00Z" as day of month'),
    ("2017-01-02T00:0:00Z", 'cannot use "0:00Z" as minute'),
    ("2017-01-02T00:00:00z", 'cannot use "z" as UTC offset'),
    ("2017-01-02T00:00:00+0100", 'cannot use "+0100" as UTC offset'),
    ("2017-01-02T00:00:00*01:00", 'cannot use "*01:00" as UTC offset'),
    ("2017-01-02T00:00:00+25:00", "end of string before UTC offset"),
    ("2017-01-02T00:00:00+01:00 ", 'cannot use " " as timestamp segment'),
    ("2017-01-02T00:00:00Z\n", 'cannot use "\\n" as timestamp segment'),
    ("2017-01-02T00:00:00Zé", 'cannot use "é" as timestamp segment'),
]


@pytest.mark.parametrize(("timestamp", "detail"), TIMESTAMP_ERRORS)
def test_formatdate_bad_timestamp(timestamp: str, detail: str) -> None:
    err = error_of("formatdate", "YYYY", timestamp)
    assert (err.message, err.arg_index) == (f"not a valid RFC3339 timestamp: {detail}", 1)


# ---- timeadd ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timestamp", "duration", "want"),
    [
        ("2024-08-16T12:45:05Z", "10m", "2024-08-16T12:55:05Z"),
        ("2024-08-16T12:45:05Z", "-10m", "2024-08-16T12:35:05Z"),
        ("2017-11-22T00:00:00Z", "1h30m", "2017-11-22T01:30:00Z"),
        ("2017-11-22T00:00:00Z", "1.5h", "2017-11-22T01:30:00Z"),
        ("2017-11-22T00:00:00Z", "-2h5m", "2017-11-21T21:55:00Z"),
        ("2017-11-22T00:00:00Z", "+10s", "2017-11-22T00:00:10Z"),
        ("2017-11-22T00:00:00Z", "0", "2017-11-22T00:00:00Z"),
        ("2017-11-22T00:00:00Z", "-0", "2017-11-22T00:00:00Z"),
        ("2017-11-22T00:00:00Z", ".5m", "2017-11-22T00:00:30Z"),
        ("2017-11-22T00:00:00Z", "1.h", "2017-11-22T01:00:00Z"),
        # The offset of the timestamp is kept.
        ("2017-11-22T00:00:00-08:00", "1h", "2017-11-22T01:00:00-08:00"),
        ("2017-11-22T23:30:00+05:30", "1h", "2017-11-23T00:30:00+05:30"),
        ("2017-11-22T00:00:00-00:00", "1h", "2017-11-22T01:00:00Z"),
        # Sub-second units add up exactly and fractions of the input second are kept.
        ("2017-11-22T00:00:00Z", "300ms", "2017-11-22T00:00:00Z"),
        ("2017-11-22T00:00:00.9Z", "100ms", "2017-11-22T00:00:01Z"),
        ("2017-11-22T00:00:00.999999999Z", "1ns", "2017-11-22T00:00:01Z"),
        ("2017-11-22T00:00:00.999999Z", "1us", "2017-11-22T00:00:01Z"),
        ("2017-11-22T00:00:00.999999Z", "1µs", "2017-11-22T00:00:01Z"),
        ("2017-11-22T00:00:00.999999Z", "1μs", "2017-11-22T00:00:01Z"),
        ("2017-11-22T00:00:00Z", "1h1m1s1ms1us1ns", "2017-11-22T01:01:01Z"),
        # Calendar edges and years outside Python's datetime range.
        ("2016-02-28T12:00:00Z", "24h", "2016-02-29T12:00:00Z"),
        ("2017-12-31T23:59:59Z", "1s", "2018-01-01T00:00:00Z"),
        ("9999-12-31T23:00:00Z", "2h", "10000-01-01T01:00:00Z"),
        ("0000-01-01T00:30:00Z", "-1h", "-0001-12-31T23:30:00Z"),
        ("0000-03-01T00:00:00Z", "-24h", "0000-02-29T00:00:00Z"),
        ("2000-01-01T00:00:00Z", "2562047h47m16.854775807s", "2292-04-10T23:47:16Z"),
        ("2000-01-01T00:00:00Z", "-2562047h47m16.854775808s", "1707-09-22T00:12:43Z"),
    ],
)
def test_timeadd(call: Call, timestamp: str, duration: str, want: str) -> None:
    assert call("timeadd", timestamp, duration) == lang.string_val(want)


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("", 'time: invalid duration ""'),
        ("-", 'time: invalid duration "-"'),
        ("xyz", 'time: invalid duration "xyz"'),
        (".s", 'time: invalid duration ".s"'),
        ("1", 'time: missing unit in duration "1"'),
        ("1h2", 'time: missing unit in duration "1h2"'),
        ("1h 30m", 'time: unknown unit "h " in duration "1h 30m"'),
        ("1d", 'time: unknown unit "d" in duration "1d"'),
        ("1H", 'time: unknown unit "H" in duration "1H"'),
        ("1é", 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'),
        ("--1h", 'time: invalid duration "--1h"'),
        ("9223372036854775808ns", 'time: invalid duration "9223372036854775808ns"'),
        ("2562048h", 'time: invalid duration "2562048h"'),
        ("99999999999999999999h", 'time: invalid duration "99999999999999999999h"'),
    ],
)
def test_timeadd_bad_duration(duration: str, message: str) -> None:
    err = error_of("timeadd", "2017-11-22T00:00:00Z", duration)
    assert (err.message, err.arg_index) == (message, None)


def test_timeadd_bad_timestamp() -> None:
    err = error_of("timeadd", "2017-11-22", "1h")
    message = "not a valid RFC3339 timestamp: missing required time introducer 'T'"
    assert (err.message, err.arg_index) == (message, None)


# ---- timecmp ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        ("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z", 0),
        ("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z", -1),
        ("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z", 1),
        ("2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00", 0),
        ("2017-11-22T06:00:00+02:00", "2017-11-22T04:00:00Z", 0),
        ("2017-11-22T00:00:00.000000001Z", "2017-11-22T00:00:00Z", 1),
        ("2017-11-22T00:00:00.5Z", "2017-11-22T00:00:00,5Z", 0),
        ("0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", -1),
    ],
)
def test_timecmp(call: Call, a: str, b: str, want: int) -> None:
    assert call("timecmp", a, b) == lang.number_val(want)


@pytest.mark.parametrize("index", [0, 1])
def test_timecmp_bad_timestamp_names_its_argument(index: int) -> None:
    args = ["2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"]
    args[index] = "yesterday"
    err = error_of("timecmp", *args)
    message = 'not a valid RFC3339 timestamp: cannot use "yesterday" as year'
    assert (err.message, err.arg_index) == (message, index)


# ---- timestamp -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "want"),
    [
        (dt.datetime(2018, 5, 13, 7, 44, 12, tzinfo=dt.UTC), "2018-05-13T07:44:12Z"),
        (dt.datetime(2018, 5, 13, 7, 44, 12, 999999, tzinfo=dt.UTC), "2018-05-13T07:44:12Z"),
        (dt.datetime(2018, 5, 13, 7, 44, 12), "2018-05-13T07:44:12Z"),
        (
            dt.datetime(2018, 5, 13, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2018-05-12T23:00:00Z",
        ),
        (dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "0999-01-02T03:04:05Z"),
    ],
)
def test_timestamp_reads_the_clock(now: dt.datetime, want: str) -> None:
    ctx = lang.FunctionContext(clock=FakeClock(now))
    assert call_function("timestamp", ctx=ctx) == lang.string_val(want)


def test_timestamp_is_impure_and_others_are_pure() -> None:
    table = functions.builtins()
    assert table["timestamp"].impure
    assert not any(table[n].impure for n in ("formatdate", "timeadd", "timecmp"))


def test_timestamp_from_system_clock_is_rfc3339(call: Call) -> None:
    got = call("timestamp").as_str()
    assert call("formatdate", "YYYY-MM-DD'T'hh:mm:ssZ", got) == lang.string_val(got)


# ---- properties ------------------------------------------------------------------------------

datetimes = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.just(None)
)
offsets = st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1).map(
    lambda m: dt.timezone(dt.timedelta(minutes=m))
)


def rfc3339(moment: dt.datetime) -> str:
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@given(datetimes, offsets)
def test_formatdate_round_trips_rfc3339(naive: dt.datetime, tz: dt.timezone) -> None:
    text = rfc3339(naive.replace(tzinfo=tz))
    got = call_function("formatdate", "YYYY-MM-DD'T'hh:mm:ssZ", text)
    assert got.as_str() == text
    weekday = call_function("formatdate", "EEEE", text).as_str()
    assert weekday == naive.strftime("%A")


@given(datetimes, offsets, st.integers(min_value=-(10**8), max_value=10**8))
def test_timeadd_and_timecmp_agree_with_python(
    naive: dt.datetime, tz: dt.timezone, seconds: int
) -> None:
    start = naive.replace(microsecond=0, tzinfo=tz)
    text = rfc3339(start)
    end = start + dt.timedelta(seconds=seconds)
    if not dt.datetime(1, 1, 2) <= end.replace(tzinfo=None) <= dt.datetime(9999, 12, 30):
        return
    got = call_function("timeadd", text, f"{seconds}s").as_str()
    assert got == rfc3339(end)
    want_cmp = (seconds < 0) - (seconds > 0)
    assert call_function("timecmp", text, got) == lang.number_val(want_cmp)


# ---- unknown and sensitive arguments ---------------------------------------------------------

CALLS = [
    ("formatdate", ["YYYY", DOC_TIME], lang.STRING),
    ("timeadd", [DOC_TIME, "1h"], lang.STRING),
    ("timecmp", [DOC_TIME, DOC_TIME], lang.NUMBER),
]


@pytest.mark.parametrize(("name", "args", "ty"), CALLS)
@pytest.mark.parametrize("which", [0, 1])
def test_unknown_argument_gives_unknown_result(
    call: Call, name: str, args: list[str], ty: lang.Type, which: int
) -> None:
    values: list[object] = list(args)
    values[which] = lang.unknown_val(lang.STRING)
    assert call(name, *values) == lang.unknown_val(ty)


@pytest.mark.parametrize(("name", "args", "ty"), CALLS)
@pytest.mark.parametrize("which", [0, 1])
def test_sensitive_argument_gives_sensitive_result(
    call: Call, name: str, args: list[str], ty: lang.Type, which: int
) -> None:
    values: list[object] = list(args)
    values[which] = lang.string_val(args[which]).mark_sensitive()
    got = call(name, *values)
    assert got.sensitive
    assert got.unmark() == call(name, *args)
    assert got.type == ty

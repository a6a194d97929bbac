"""Go's ``time.Parse`` for the one layout Coder's search uses, ``time.RFC3339Nano``, with Go's errors.

``httpapi.QueryParamParser.Time3339Nano`` upper-cases the term (search queries are lower-cased
as a whole, RFC 3339 wants ``T`` and ``Z``), parses it with ``time.RFC3339Nano`` and turns an
error into ``Query param "<key>" must be a valid date format (<layout>): <Go's error>``. Go's
parser is more lenient than RFC 3339 (a one-digit hour, a ``,`` before the fraction, any number
of fraction digits, an offset up to ``24:60``), and its errors name the part that failed::

    parsing time "YESTERDAY" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "YESTERDAY" as "2006"
    parsing time "2025-13-01T00:00:00Z": month out of range
    parsing time "2025-01-01T00:00:00ZX": extra text: "X"

This module reproduces that parser (``time/format.go``: ``parse``, ``getnum``, ``skip``,
``quote``) byte for byte for this layout, so the simulator accepts and refuses the same terms
with the same words.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00"

# The layout as Go's nextStdChunk cuts it: (literal prefix, standard element).
_CHUNKS = (
    ("", "2006"),
    ("-", "01"),
    ("-", "02"),
    ("T", "15"),
    (":", "04"),
    (":", "05"),
    ("", ".999999999"),
    ("", "Z07:00"),
)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class GoTimeError(ValueError):
    """Go's ``*time.ParseError``; ``str()`` is its ``Error()``."""


def _quote(raw: bytes) -> str:
    """Go's ``time.quote``: double quotes, ``\\"`` and ``\\\\``, ``\\xNN`` for control and non-ASCII bytes."""
    out = ['"']
    for byte in raw:
        if byte >= 0x80 or byte < 0x20:
            out.append(f"\\x{byte:02x}")
        else:
            char = chr(byte)
            out.append("\\" + char if char in '"\\' else char)
    out.append('"')
    return "".join(out)


def _is_digit(raw: bytes, index: int) -> bool:
    return index < len(raw) and 0x30 <= raw[index] <= 0x39


def _getnum(raw: bytes, fixed: bool) -> tuple[int, bytes] | None:
    """Go's ``getnum``: one or two digits (exactly two when ``fixed``); None is ``errBad``."""
    if not _is_digit(raw, 0):
        return None
    if not _is_digit(raw, 1):
        if fixed:
            return None
        return raw[0] - 0x30, raw[1:]
    return (raw[0] - 0x30) * 10 + raw[1] - 0x30, raw[2:]


def _cannot_parse(value: bytes, element: bytes, layout_element: str) -> GoTimeError:
    return GoTimeError(
        f"parsing time {_quote(value)} as {_quote(RFC3339_NANO.encode())}: "
        f"cannot parse {_quote(element)} as {_quote(layout_element.encode())}"
    )


def _with_message(value: bytes, message: str) -> GoTimeError:
    return GoTimeError(f"parsing time {_quote(value)}{message}")


def _days_in(month: int, year: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS[month - 1]


def go_upper(text: str) -> str:
    """Go's ``strings.ToUpper``: one rune for one rune (``ß`` stays ``ß``, where Python says ``SS``)."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def parse_rfc3339_nano(text: str) -> datetime:
    """``time.Parse(time.RFC3339Nano, text)`` in UTC; raises :class:`GoTimeError` with Go's text.

    Go's years run from 0000 to 9999; a moment before 0001-01-01 (which Python cannot hold) is
    returned as ``datetime.min`` and one after 9999-12-31 as ``datetime.max``, both in UTC: a
    search compares them with workspace timestamps only, and treats anything at or before Go's
    zero time as no filter at all.
    """
    value = original = text.encode("utf-8")
    year = month = day = hour = minute = second = nanos = 0
    offset = 0
    for prefix, element in _CHUNKS:
        literal = prefix.encode()
        if literal:
            if not value.startswith(literal):
                raise _cannot_parse(original, value, prefix)
            value = value[len(literal) :]
        hold = value
        range_error = ""
        bad = False
        if element == "2006":
            if len(value) < 4 or not _is_digit(value, 0) or not value[:4].isdigit():
                bad = True
            else:
                year, value = int(value[:4]), value[4:]
        elif element == ".999999999":
            if len(value) >= 2 and value[0] in b".," and _is_digit(value, 1):
                digits = 0
                while _is_digit(value, digits + 1):
                    digits += 1
                kept = value[1 : 1 + min(digits, 9)]
                nanos = int(kept) * 10 ** (9 - len(kept))
                value = value[1 + digits :]
        elif element == "Z07:00":
            if value[:1] == b"Z":
                value = value[1:]
            elif len(value) < 6 or value[3:4] != b":":
                bad = True
            else:
                sign, hours, minutes, value = value[0:1], value[1:3], value[4:6], value[6:]
                parsed_hours, parsed_minutes = _getnum(hours, True), _getnum(minutes, True)
                if parsed_hours is None or parsed_minutes is None:
                    bad = True
                hours_value = parsed_hours[0] if parsed_hours else 0
                minutes_value = parsed_minutes[0] if parsed_minutes and parsed_hours else 0
                if hours_value > 24:
                    range_error = "time zone offset hour"
                if minutes_value > 60:
                    range_error = "time zone offset minute"
                offset = hours_value * 3600 + minutes_value * 60
                if sign == b"-":
                    offset = -offset
                elif sign != b"+":
                    bad = True
        else:
            got = _getnum(value, element != "15")
            if got is None:
                bad = True
            else:
                number, value = got
                if element == "01":
                    month = number
                    if not 1 <= number <= 12:
                        range_error = "month"
                elif element == "02":
                    day = number  # any one or two digits here; the date is checked at the end
                elif element == "15":
                    hour = number
                    if number >= 24:
                        range_error = "hour"
                elif element == "04":
                    minute = number
                    if number >= 60:
                        range_error = "minute"
                else:
                    second = number
                    if number >= 60:
                        range_error = "second"
        if range_error:
            raise _with_message(original, f": {range_error} out of range")
        if bad:
            raise _cannot_parse(original, hold, element)
    if value:
        raise _with_message(original, f": extra text: {_quote(value)}")
    if day < 1 or day > _days_in(month, year):
        raise _with_message(original, ": day out of range")
    return _utc(year, month, day, hour, minute, second, nanos, offset)


def _utc(
    year: int, month: int, day: int, hour: int, minute: int, second: int, nanos: int, offset: int
) -> datetime:
    if year < 1:
        return datetime.min.replace(tzinfo=UTC)
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        return local - timedelta(seconds=offset) + timedelta(microseconds=round(nanos / 1000))
    except OverflowError:
        return (datetime.min if year == 1 else datetime.max).replace(tzinfo=UTC)

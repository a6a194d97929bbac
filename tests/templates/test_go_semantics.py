"""The Go library calls that read parameter values, one case each (from Go's documentation and tests)."""

from __future__ import annotations

import math

import pytest

from coder_catalog.templates import go_semantics as go


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1.0),
        ("-1.5", -1.5),
        ("+.5", 0.5),
        ("5.", 5.0),
        ("1e3", 1000.0),
        ("1E-3", 0.001),
        ("1_000", 1000.0),
        ("1_000.000_1", 1000.0001),
        ("0x1p4", 16.0),
        ("0X1.8P1", 3.0),
        ("0x_1p4", 16.0),
        ("-0x1p-2", -0.25),
        ("Inf", math.inf),
        ("+inf", math.inf),
        ("-Infinity", -math.inf),
        ("INFINITY", math.inf),
        ("1e-400", 0.0),  # underflow is not an error
    ],
)
def test_parse_float_accepts(text: str, value: float) -> None:
    assert go.parse_float(text).value == value


def test_parse_float_reads_nan() -> None:
    for text in ("NaN", "nan", "NAN"):
        parsed = go.parse_float(text).value
        assert parsed is not None and math.isnan(parsed)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "invalid syntax"),
        (".", "invalid syntax"),
        ("1e", "invalid syntax"),
        ("1e+", "invalid syntax"),
        ("0x10", "invalid syntax"),  # a hexadecimal mantissa needs a p exponent
        ("0x", "invalid syntax"),
        ("_1", "invalid syntax"),
        ("1_", "invalid syntax"),
        ("1__0", "invalid syntax"),
        ("1_.5", "invalid syntax"),
        ("+nan", "invalid syntax"),
        ("infin", "invalid syntax"),
        (" 1", "invalid syntax"),
        ("1 ", "invalid syntax"),
        ("0b101", "invalid syntax"),
        ("\u0661", "invalid syntax"),  # ASCII digits only
        ("1e400", "value out of range"),
        ("-1e400", "value out of range"),
        ("0x1p1024", "value out of range"),
    ],
)
def test_parse_float_refuses(text: str, error: str) -> None:
    assert go.parse_float(text) == go.FloatVerdict(None, error)


def test_atoi_and_parse_bool() -> None:
    assert go.atoi("+5") == 5 and go.atoi("-0") == 0 and go.atoi("007") == 7
    assert go.atoi("1_000") is None and go.atoi("1.0") is None and go.atoi("") is None
    assert go.atoi(str(2**63 - 1)) == 2**63 - 1 and go.atoi(str(2**63)) is None
    assert [go.parse_bool(t) for t in ("1", "t", "T", "TRUE", "true", "True")] == [True] * 6
    assert [go.parse_bool(t) for t in ("0", "f", "F", "FALSE", "false", "False")] == [False] * 6
    assert [go.parse_bool(t) for t in ("yes", "tRUE", "", " true")] == [None] * 4


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ('["a","b"]', ["a", "b"]),
        (' [ "a" ] \n', ["a"]),
        ("[]", []),
        ("null", []),
        ('["a", null]', ["a", ""]),
        ('["\\u00e9"]', ["é"]),
        ("", None),
        ("  ", None),
        ('["a", 1]', None),
        ('["a", true]', None),
        ('["a", ["b"]]', None),
        ('{"a": "b"}', None),
        ('"a"', None),
        ("[NaN]", None),
        ('["a"] x', None),
        ("a,b", None),
    ],
)
def test_json_string_list(text: str, items: list[str] | None) -> None:
    assert go.json_string_list(text) == items


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("abc", '"abc"'),
        ('a"b\\c', '"a\\"b\\\\c"'),
        ("a\nb\t", '"a\\nb\\t"'),
        ("\x00\x7f", '"\\x00\\x7f"'),
        ("é ü", '"é ü"'),
        ("\u00a0", '"\\u00a0"'),
        ("\u200b", '"\\u200b"'),
        ("\U0001f600", '"\U0001f600"'),
    ],
)
def test_quote_is_gos_percent_q(text: str, quoted: str) -> None:
    assert go.quote(text) == quoted


def test_regexp_is_re2() -> None:
    assert go.GO_REGEXP_EXACT, "the google-re2 package is a dependency"
    dollar = go.compile_regexp("^[a-z]+$")
    assert dollar.search is not None and dollar.search("abc") and not dollar.search("abc\n")
    digits = go.compile_regexp(r"^\d+$")
    assert digits.search is not None and not digits.search("\u0661")
    refused = go.compile_regexp("(?=x)")
    assert refused.search is None and refused.error.startswith("error parsing regexp: ")

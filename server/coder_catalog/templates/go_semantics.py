"""How Go reads a parameter value: the library calls Coder and its Terraform provider make.

Every parameter value travels as a string and is read by Go code, whose rules differ from
Python's in small ways that decide verdicts: ``strconv.ParseFloat`` accepts ``1_000``,
``0x1p4`` and ``Inf``; ``strconv.Atoi`` does not; ``encoding/json`` reads ``null`` into a
list of strings; Go's ``regexp`` (RE2 syntax) has ``$`` match only at the very end and
ASCII-only ``\\d``, ``\\w``, ``\\s``, ``\\b``. Each function here answers as the Go call does,
so that coder-catalog's verdicts are Coder's. Pure code: no I/O.

Regular expressions are run by Google's RE2 (the ``google-re2`` package), the library Go's
``regexp`` was written after; without it, Python's ``re`` stands in and ``GO_REGEXP_EXACT``
is false.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

try:  # pragma: no cover - which branch runs depends on the platform's wheels
    import re2 as _re2

    _RE2_OPTIONS = _re2.Options()
    _RE2_OPTIONS.log_errors = False  # RE2 would print parse errors to stderr
    GO_REGEXP_EXACT = True
except ImportError:  # pragma: no cover
    _re2 = None
    GO_REGEXP_EXACT = False

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


# -- strconv.ParseBool ---------------------------------------------------------------------------

_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


def parse_bool(text: str) -> bool | None:
    """``strconv.ParseBool``: the value, or None where Go returns an error."""
    return _BOOLS.get(text)


# -- strconv.Atoi ----------------------------------------------------------------------------------

_ATOI = re.compile(r"[+-]?[0-9]+", re.ASCII)


def atoi(text: str) -> int | None:
    """``strconv.Atoi`` on a 64-bit machine: base-10 digits, an optional sign, no underscores."""
    if not _ATOI.fullmatch(text):
        return None
    number = int(text)
    return number if INT64_MIN <= number <= INT64_MAX else None


# -- strconv.ParseFloat(s, 64) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FloatVerdict:
    value: float | None  # None when Go returns an error
    error: str = ""  # "" | "invalid syntax" | "value out of range"


def _special(text: str) -> bool:
    """Go's ``special``: ``Inf``/``Infinity`` (signed) and ``NaN`` (unsigned), any case."""
    folded = text.lower()
    if folded.startswith(("+", "-")):
        folded = folded[1:]
        return folded in ("inf", "infinity")
    return folded in ("inf", "infinity", "nan")


def _underscore_ok(text: str) -> bool:
    """Go's ``underscoreOK``: underscores only between digits (or after a base prefix)."""
    saw = "^"
    if text[:1] in ("+", "-"):
        text = text[1:]
    i = 0
    hexadecimal = False
    if len(text) >= 2 and text[0] == "0" and text[1].lower() in "box":
        i, saw, hexadecimal = 2, "0", text[1].lower() == "x"
    for c in text[i:]:
        if "0" <= c <= "9" or (hexadecimal and "a" <= c.lower() <= "f"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _float_syntax(text: str) -> bool:
    """Go's ``readFloat`` consuming the whole string: a decimal or hexadecimal float literal."""
    i, n = 0, len(text)
    if i < n and text[i] in "+-":
        i += 1
    hexadecimal = i + 2 < n and text[i] == "0" and text[i + 1] in "xX"
    if hexadecimal:
        i += 2
    digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
    saw_dot = saw_digits = False
    while i < n:
        c = text[i]
        if c == "_":
            pass
        elif c == ".":
            if saw_dot:
                break
            saw_dot = True
        elif c in digits:
            saw_digits = True
        else:
            break
        i += 1
    if not saw_digits:
        return False
    exponent = "pP" if hexadecimal else "eE"
    if i < n and text[i] in exponent:
        i += 1
        if i < n and text[i] in "+-":
            i += 1
        if i >= n or not "0" <= text[i] <= "9":
            return False
        while i < n and ("0" <= text[i] <= "9" or text[i] == "_"):
            i += 1
    elif hexadecimal:
        return False  # a hexadecimal mantissa needs a p exponent
    if i != n:
        return False
    return "_" not in text or _underscore_ok(text)


def parse_float(text: str) -> FloatVerdict:
    """``strconv.ParseFloat(text, 64)``: the value, or Go's error (syntax, or out of range)."""
    if _special(text):
        return FloatVerdict(float(text.lower().replace("infinity", "inf")))
    if not _float_syntax(text):
        return FloatVerdict(None, "invalid syntax")
    plain = text.replace("_", "")
    try:
        value = float.fromhex(plain) if plain.lstrip("+-")[:2].lower() == "0x" else float(plain)
    except OverflowError:
        return FloatVerdict(None, "value out of range")
    if math.isinf(value):
        return FloatVerdict(None, "value out of range")
    return FloatVerdict(value)


# -- encoding/json into []string -------------------------------------------------------------------


def _reject_constant(name: str) -> float:
    raise ValueError(name)  # Go's JSON has no NaN/Infinity literals


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def json_string_list(text: str) -> list[str] | None:
    """``json.Unmarshal([]byte(text), &[]string{})``: None where Go returns an error.

    ``null`` gives an empty list (a nil slice) and a ``null`` element an empty string, as Go
    leaves those untouched; any other non-string element is an error.
    """
    body = text.strip(" \t\r\n")  # JSON's whitespace, no more
    if not body:
        return None  # "unexpected end of JSON input"
    try:
        decoded = _DECODER.decode(body)
    except (ValueError, RecursionError):
        return None
    if decoded is None:
        return []
    if not isinstance(decoded, list):
        return None
    items: list[str] = []
    for item in decoded:
        if item is None:
            items.append("")
        elif isinstance(item, str):
            items.append(item)
        else:
            return None
    return items


# -- fmt's %q ------------------------------------------------------------------------------------

_GO_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def quote(text: str) -> str:
    """``fmt.Sprintf("%q", text)``: a double-quoted Go string literal (``strconv.Quote``)."""
    out = ['"']
    for c in text:
        if c in ('"', "\\"):
            out.append("\\" + c)
        elif c in _GO_ESCAPES:
            out.append(_GO_ESCAPES[c])
        elif c == " " or (c.isprintable() and not c.isspace()):
            out.append(c)
        elif ord(c) < 0x80:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    out.append('"')
    return "".join(out)


# -- regexp ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoRegexp:
    """A compiled pattern; ``error`` is set when Go's ``regexp.Compile`` would fail."""

    pattern: str
    search: Callable[[str], bool] | None
    error: str = ""


@lru_cache(maxsize=512)
def compile_regexp(pattern: str) -> GoRegexp:
    """``regexp.Compile(pattern)``; ``search`` is ``MatchString`` (an unanchored search)."""
    if _re2 is not None:
        try:
            compiled = _re2.compile(pattern, options=_RE2_OPTIONS)
        except Exception as error:  # re2.error; RE2 refuses what Go refuses
            return GoRegexp(pattern, None, _re2_message(error))
        return GoRegexp(pattern, lambda text: compiled.search(text) is not None)
    try:  # pragma: no cover - only without the google-re2 wheel
        fallback = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:  # pragma: no cover
        return GoRegexp(pattern, None, str(error))
    return GoRegexp(pattern, lambda text: fallback.search(text) is not None)  # pragma: no cover


def _re2_message(error: Exception) -> str:
    text = error.args[0] if error.args else str(error)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"error parsing regexp: {text}"


@lru_cache(maxsize=512)
def python_regexp(pattern: str) -> re.Pattern[str] | None:
    """The same pattern read by Python's ``re`` (what an author testing it in Python would see)."""
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None

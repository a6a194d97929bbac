"""How JavaScript writes values: numbers (``String(n)``), URI components, form-encoded queries, and the
order of an object's keys. The plugin and Backstage are JavaScript; what they send is written so."""

from __future__ import annotations

import math
import re
from decimal import Decimal


def js_string(number: float) -> str:
    """``String(number)`` in JavaScript: how the plugin would write the number YAML reads as text.

    The digits are the shortest that read back as the same double (Python's ``repr`` and
    ECMAScript's Number::toString agree on them); the layout is ECMAScript's.
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"  # -0 as well
    sign = "-" if number < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exponent)  # the value is 0.<digits> * 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text


def js_number(value: int | float) -> float:
    """The double JavaScript reads for a YAML number (integers beyond 2**53 lose digits)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


_URI_COMPONENT_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
_FORM_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._")


def encode_uri_component(text: str) -> str:
    """JavaScript's ``encodeURIComponent``: UTF-8, every byte but ``A-Za-z0-9-_.!~*'()`` escaped."""
    return "".join(
        chr(b) if b in _URI_COMPONENT_SAFE else f"%{b:02X}" for b in text.encode("utf-8", "surrogatepass")
    )


def form_urlencode(pairs: list[tuple[str, str]]) -> str:
    """``URLSearchParams.toString()``: application/x-www-form-urlencoded, a space is ``+``, every byte but
    ``A-Za-z0-9*-._`` escaped (``~`` too, unlike Python's ``urlencode``)."""

    def encode(text: str) -> str:
        return "".join(
            chr(b) if b in _FORM_SAFE else "+" if b == 0x20 else f"%{b:02X}"
            for b in text.encode("utf-8", "surrogatepass")
        )

    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


def js_key_order(keys: list[str]) -> list[str]:
    """The order JavaScript lists an object's own keys in: array indexes (canonical integers below
    2**32 - 1) ascending, then the others in the order they were first set."""
    indexes = sorted((k for k in keys if _is_array_index(k)), key=int)
    return indexes + [k for k in keys if not _is_array_index(k)]


def _is_array_index(key: str) -> bool:
    return _ARRAY_INDEX.fullmatch(key) is not None and int(key) < 2**32 - 1

"""How Coder judges a rich parameter value (every value travels as a string).

One implementation of Coder's rules, used by the analysis rules (to predict what Coder
will say) and by the simulator (to say it). See ``coder-api.md``, "Template parameters".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from coder_catalog.templates.model import TemplateParameter

# Python's ``re`` and Go's RE2 agree on the common subset. These constructs are read
# differently (or only by one of them); a rule can warn when a pattern uses them.
_RE2_DIFFERENCES: tuple[tuple[str, str], ...] = (
    (r"\(\?[=!<]", "look-around assertions are not supported by Go RE2"),
    (r"\\[1-9]", "back-references are not supported by Go RE2"),
    (r"\(\?P?<[A-Za-z_]\w*>", ""),  # named groups: both accept (?P<n>); (?<n> only newer Go
    (r"\\Z", r"\Z means end of text in Python but is not supported by Go RE2 (use \z)"),
    (r"\\z", r"\z is end of text in Go RE2 but not supported by Python"),
    (r"\[\[:\w+:\]\]", "POSIX classes like [[:alpha:]] are understood by Go RE2 but not by Python"),
    (r"\\[pP]\{", r"Unicode classes \p{...} are understood by Go RE2 but not by Python's re"),
    (r"\(\?[a-zA-Z]*[aLux]", "inline flags a, L, u, x are Python-only"),
    (r"\*\+|\+\+|\?\+|\}\+", "possessive quantifiers are not supported by Go RE2"),
)


# What Go's strconv.ParseFloat reads as a plain decimal number (ASCII digits only).
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """Why Coder rejects a value; ``message`` is close to Coder's own wording."""

    parameter: str
    message: str
    kind: str  # required | option | bool | number | range | regex | list | multi-select | regex-invalid


def regex_portability_notes(pattern: str) -> list[str]:
    """Constructs in ``pattern`` that Python's ``re`` and Go RE2 read differently."""
    notes = []
    for probe, note in _RE2_DIFFERENCES:
        if note and re.search(probe, pattern):
            notes.append(note)
    return notes


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def effective_value(param: TemplateParameter, value: str | None) -> str | None:
    """The value Coder uses: an empty optional value is replaced by the default."""
    if value is None or value == "":
        return None if param.required else param.default_value
    return value


def _render_error(template: str, param: TemplateParameter, value: str) -> str:
    text = template
    if param.validation_min is not None:
        text = text.replace("{min}", str(param.validation_min))
    if param.validation_max is not None:
        text = text.replace("{max}", str(param.validation_max))
    return text.replace("{value}", value)


def _decode_string_list(value: str) -> list[str] | None:
    try:
        decoded = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(decoded, list) or not all(isinstance(v, str) for v in decoded):
        return None
    return decoded


def check_parameter_value(param: TemplateParameter, value: str | None) -> ValueProblem | None:
    """Judge ``value`` as Coder does when a workspace is created; None when Coder accepts it."""
    name = param.name
    resolved = effective_value(param, value)
    if resolved is None:
        return ValueProblem(name, f'Parameter "{name}" is required but no value was given.', "required")
    if resolved == "" and not param.required:
        # An optional parameter whose default is empty: Coder accepts it as is.
        return None

    if param.options:
        allowed = param.option_values
        if param.is_multi_select:
            items = _decode_string_list(resolved)
            if items is None:
                return ValueProblem(
                    name, f'value "{resolved}" is not a JSON array of strings, e.g. ["a","b"]', "list"
                )
            bad = [i for i in items if i not in allowed]
            if bad:
                return ValueProblem(
                    name,
                    f'value "{bad[0]}" is not one of the options: ' + ", ".join(f'"{a}"' for a in allowed),
                    "multi-select",
                )
            return None
        if resolved not in allowed:
            return ValueProblem(
                name,
                f'value "{resolved}" must be one of the options: ' + ", ".join(f'"{a}"' for a in allowed),
                "option",
            )
        return None

    if param.type == "bool":
        if resolved not in ("true", "false"):
            return ValueProblem(name, f'value "{resolved}" is not a bool: use "true" or "false"', "bool")
        return None

    if param.type == "list(string)":
        if _decode_string_list(resolved) is None:
            return ValueProblem(
                name, f'value "{resolved}" is not a JSON array of strings, e.g. ["a","b"]', "list"
            )
        return None

    if param.type == "number":
        bounded = param.validation_min is not None or param.validation_max is not None
        if bounded:
            if not re.fullmatch(r"[+-]?[0-9]+", resolved):
                return ValueProblem(name, f'value "{resolved}" is not a whole number', "number")
            number = int(resolved)
            low, high = param.validation_min, param.validation_max
            if (low is not None and number < low) or (high is not None and number > high):
                if param.validation_error:
                    return ValueProblem(name, _render_error(param.validation_error, param, resolved), "range")
                if low is not None and number < low:
                    return ValueProblem(name, f"value {number} is less than the minimum {low}", "range")
                return ValueProblem(name, f"value {number} is more than the maximum {high}", "range")
            return None
        if not _DECIMAL.fullmatch(resolved):
            return ValueProblem(name, f'value "{resolved}" is not a number', "number")
        return None

    if param.validation_regex:
        compiled = _compile(param.validation_regex)
        if compiled is None:
            return ValueProblem(
                name,
                f'the template\'s validation regex "{param.validation_regex}" is invalid',
                "regex-invalid",
            )
        if compiled.search(resolved) is None:
            prefix = param.validation_error or "Value does not match the template's pattern"
            return ValueProblem(
                name, f'{prefix} (value "{resolved}" does not match "{param.validation_regex}")', "regex"
            )
    return None

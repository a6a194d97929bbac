"""How Coder judges a rich parameter value (every value travels as a string).

One implementation of Coder's rules, used by the analysis rules (to predict what Coder
will say) and by the simulator (to say it). Two rule sets exist, chosen per template:

- templates on the dynamic-parameter flow (``use_classic_parameter_flow: false``, the default
  for new templates) are judged when the workspace is created by the Terraform provider's
  ``ValidateInput`` (run by Coder's ``preview``): options first, then the ``validation`` block,
  then the value's type (``strconv.ParseFloat``, ``strconv.ParseBool``, JSON);
- classic templates are judged at creation by codersdk's ``validateBuildParameter`` (an empty
  optional value is checked as the default; options end the check; ``bool`` is exactly
  ``true``/``false``), and then, when the build runs, by the same provider ``ValidateInput`` on
  the value Coder stored: a value codersdk lets through can still fail the build.

An empty value is a value: Coder stores ``""`` and the provider judges ``""``, not the default.
Sources: coder/coder ``codersdk/richparameters.go``, ``coderd/wsbuilder``,
``coderd/dynamicparameters``; coder/terraform-provider-coder v2.17 ``provider/parameter.go``.
The Go library calls are in :mod:`coder_catalog.templates.go_semantics`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coder_catalog.templates import go_semantics as go
from coder_catalog.templates.model import TemplateParameter

EMPTY_OPTION_HINT = ". The value is empty, did you forget to set it with a default or from user input?"


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """Why Coder rejects a value, in Coder's words.

    ``stage`` says when: ``create`` (Coder refuses the request) or ``build`` (Coder creates the
    workspace, then the provider fails its build). ``summary``/``detail`` are the provider's
    diagnostic (dynamic flow and builds); ``message`` is the text Coder shows as a whole.
    """

    parameter: str
    message: str
    kind: str  # required | option | bool | number | range | regex | list | multi-select | regex-invalid
    stage: str = "create"
    summary: str = ""
    detail: str = ""


_MULTILINE_FLAG = re.compile(r"\(\?[a-zA-Z]*m")
_ASCII_CLASSES = re.compile(r"\\[dwsbDWSB]")


def regex_reading_difference(pattern: str, value: str) -> str | None:
    """Why Go's ``regexp`` and Python's ``re`` (how authors often test a pattern) disagree on
    ``value``; None when they agree. Coder's verdict is Go's."""
    compiled = go.compile_regexp(pattern)
    if compiled.search is None:
        return f"Go cannot compile it ({compiled.error}), so Coder refuses every value"
    python = go.python_regexp(pattern)
    if not go.GO_REGEXP_EXACT or python is None:
        return None
    in_go = compiled.search(value)
    in_python = python.search(value) is not None
    if in_go == in_python:
        return None
    reasons = []
    if value.endswith("\n") and "$" in pattern and not _MULTILINE_FLAG.search(pattern):
        reasons.append(
            "Go's `$` matches only at the very end, not before a final line break "
            "(a YAML `|` block ends the value with one; `|-` does not)"
        )
    if not value.isascii() and _ASCII_CLASSES.search(pattern):
        reasons.append("`\\d`, `\\w`, `\\s` and `\\b` match only ASCII characters in Go")
    verdict = (
        "Go refuses this value where Python's re accepts it"
        if in_python
        else "Go accepts this value where Python's re refuses it"
    )
    return verdict + (": " + "; ".join(reasons) if reasons else "")


def effective_value(param: TemplateParameter, value: str | None) -> str | None:
    """The value Coder stores: the given one (even empty), else the default; None when missing."""
    if value is None:
        return None if param.required else param.default_value
    return value


def has_validation_block(param: TemplateParameter) -> bool:
    """Whether the template's ``coder_parameter`` has a ``validation`` block, from the API's fields."""
    return any(
        v is not None
        for v in (
            param.validation_regex,
            param.validation_error,
            param.validation_min,
            param.validation_max,
            param.validation_monotonic,
        )
    )


def check_parameter_value(
    param: TemplateParameter, value: str | None, *, dynamic: bool = False
) -> ValueProblem | None:
    """Judge ``value`` (None: not given) as Coder does for a new workspace; None when it works.

    ``dynamic`` selects the rule set: the template's ``use_classic_parameter_flow`` is false.
    """
    if dynamic:
        if value is None and param.required:
            return _required(param)
        return provider_problem(param, value, stage="create")
    problem = classic_problem(param, value)
    if problem is not None or value is None:
        return problem  # a default that is not given was checked when the template was imported
    return provider_problem(param, value, stage="build")


def _required(param: TemplateParameter) -> ValueProblem:
    return ValueProblem(
        param.name,
        f"Parameter {go.quote(param.name)} is required but not provided",
        "required",
        summary="Required parameter not provided",
        detail=f"Parameter {go.quote(param.name)} is required but not provided",
    )


# -- codersdk: the classic flow, when the workspace is created ------------------------------------


def classic_problem(param: TemplateParameter, value: str | None) -> ValueProblem | None:
    """codersdk's ``ValidateResolve`` for a first build; the message is the API's ``detail``."""
    if value is None:
        if param.required:
            return _required(param)
        value = param.default_value
    elif param.required and value == "":
        return _classic(param, "parameter value is required", "required")
    if value == "":  # the parameter is optional: codersdk checks the default instead
        value = param.default_value

    if param.options:
        if value not in param.option_values:
            listed = "[" + " ".join(param.option_values) + "]"  # Go's %s of a []string
            kind = "multi-select" if param.is_multi_select else "option"
            return _classic(param, f"parameter value must match one of options: {listed}", kind)
        return None

    if not (has_validation_block(param) or param.type in ("bool", "list(string)")):
        return None
    failure = _validation_failure(param, value)
    return _classic(param, failure[0], failure[1]) if failure else None


def _classic(param: TemplateParameter, text: str, kind: str) -> ValueProblem:
    label = param.display_name or param.name
    return ValueProblem(param.name, f"can't validate build parameter {go.quote(label)}: {text}", kind)


# -- the provider's ValidateInput: the dynamic flow, and every build ---------------------------------


def provider_problem(param: TemplateParameter, value: str | None, *, stage: str) -> ValueProblem | None:
    """terraform-provider-coder's ``Parameter.ValidateInput(value, nil)`` (no previous build)."""
    if value is None:
        if param.required and not has_validation_block(param):
            return None
        value = "" if param.required else param.default_value

    option_values = param.option_values
    if option_values:
        if param.is_multi_select:
            items = go.json_string_list(value)
            if items is None:
                return _diagnostic(
                    param,
                    "When using list(string) type, value must be a json encoded list of strings",
                    f"value {go.quote(value)} is not a valid list of strings",
                    "list",
                    stage,
                )
            missing = [item for item in items if item not in option_values]
            if missing:
                return _diagnostic(
                    param,
                    "Values must be a valid option",
                    f"Value {go.quote(value)} is not a valid option, values "
                    f"{go.quote(', '.join(missing))} are missing from the options",
                    "multi-select",
                    stage,
                )
        elif value not in option_values:
            return _diagnostic(
                param,
                "Value must be a valid option" + (EMPTY_OPTION_HINT if value == "" else ""),
                f"the value {go.quote(value)} must be defined as one of options",
                "option",
                stage,
            )

    if has_validation_block(param):
        failure = _validation_failure(param, value)
        if failure is not None:
            return _diagnostic(
                param,
                "Invalid parameter value according to 'validation' block",
                failure[0],
                failure[1],
                stage,
            )

    type_error = _type_error(param.type, value)
    if type_error is not None:
        return _diagnostic(
            param,
            f"Parameter value is not of type {go.quote(param.type)}",
            type_error,
            _type_kind(param),
            stage,
        )
    return None


def _diagnostic(param: TemplateParameter, summary: str, detail: str, kind: str, stage: str) -> ValueProblem:
    return ValueProblem(param.name, f"{summary}; {detail}", kind, stage, summary, detail)


def _type_kind(param: TemplateParameter) -> str:
    return {"number": "number", "bool": "bool", "list(string)": "list"}.get(param.type, "option")


def _type_error(kind: str, value: str) -> str | None:
    """The provider's ``valueIsType``."""
    if kind == "number" and go.parse_float(value).value is None:
        return f"{go.quote(value)} is not a number"
    if kind == "bool" and go.parse_bool(value) is None:
        return f"{go.quote(value)} is not a bool"
    if kind == "list(string)" and go.json_string_list(value) is None:
        return f"value {go.quote(value)} is not a valid list of strings"
    return None


def _validation_failure(param: TemplateParameter, value: str) -> tuple[str, str] | None:
    """The provider's ``Validation.Valid(type, value, nil)``: Coder's text and our kind."""
    if param.type == "bool":
        if value not in ("true", "false"):
            return 'boolean value can be either "true" or "false"', "bool"
        return None
    if param.type == "string":
        pattern = param.validation_regex
        if not pattern:
            return None
        compiled = go.compile_regexp(pattern)
        if compiled.search is None:
            return f"compile regex {go.quote(pattern)}: {compiled.error}", "regex-invalid"
        if not compiled.search(value):
            prefix = param.validation_error or ""
            return f"{prefix} (value {go.quote(value)} does not match {go.quote(pattern)})", "regex"
        return None
    if param.type == "number":
        number = go.atoi(value)
        rendered = _render_error(param, value)
        if number is None:
            return rendered or f"value {go.quote(value)} is not a number", "number"
        low, high = param.validation_min, param.validation_max
        if low is not None and number < low:
            return rendered or f"value {number} is less than the minimum {low}", "range"
        if high is not None and number > high:
            return rendered or f"value {number} is more than the maximum {high}", "range"
        return None
    if param.type == "list(string)" and go.json_string_list(value) is None:
        return f"value {go.quote(value)} is not valid list of strings", "list"
    return None


def _render_error(param: TemplateParameter, value: str) -> str:
    """The template's ``validation_error`` with ``{min}``, ``{max}`` (0 when unset) and ``{value}``."""
    template = param.validation_error
    if not template:
        return ""
    replacements = {
        "{min}": str(param.validation_min or 0),
        "{max}": str(param.validation_max or 0),
        "{value}": value,
    }
    # strings.NewReplacer: one left-to-right pass, so a replaced text is never replaced again.
    return re.sub(r"\{min\}|\{max\}|\{value\}", lambda m: replacements[m.group(0)], template)

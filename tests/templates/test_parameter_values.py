"""Coder's value rules, one case each (shared by the rules and the simulator)."""

from __future__ import annotations

import pytest

from coder_catalog.templates.model import ParameterOption, Template, TemplateCatalog, TemplateParameter
from coder_catalog.templates.parameter_values import check_parameter_value, regex_reading_difference


def param(**kwargs: object) -> TemplateParameter:
    kwargs.setdefault("name", "p")
    return TemplateParameter(**kwargs)  # type: ignore[arg-type]


OPTIONS = (ParameterOption("A", "a"), ParameterOption("B", "b"))
REGION = param(
    name="region",
    default_value="us-east-1",
    options=(ParameterOption("US", "us-east-1"), ParameterOption("EU", "eu-west-1")),
)
SIZE = param(
    name="size",
    default_value="a",
    options=(ParameterOption("A", "a"), ParameterOption("D", "d")),
    validation_regex="[a-c]",
    validation_error="Sizes a to c only",
)
CPU = param(
    name="cpu",
    type="number",
    default_value="2",
    validation_min=1,
    validation_max=8,
    validation_error="Pick {min}-{max} CPUs, not {value}",
)
MULTI = param(type="list(string)", form_type="multi-select", options=OPTIONS, default_value="[]")


def verdict(parameter: TemplateParameter, value: str | None, dynamic: bool) -> str | None:
    """The problem's kind, with "@build" when Coder accepts the request and the build fails."""
    problem = check_parameter_value(parameter, value, dynamic=dynamic)
    if problem is None:
        return None
    return problem.kind + ("@build" if problem.stage == "build" else "")


# (parameter, value, classic verdict, dynamic verdict)
CASES = [
    (param(required=True), None, "required", "required"),
    (param(required=True), "", "required", None),  # the provider takes "" as a string
    (param(default_value="x"), "", None, None),  # no options, no validation: "" is a string
    # 1. an empty optional value is judged as "", not replaced by the default
    (REGION, "", "option@build", "option"),
    (REGION, None, None, None),  # not given: the default
    (REGION, "eu-west-1", None, None),
    (REGION, "EU-West-1", "option", "option"),  # case-sensitive
    (param(options=OPTIONS), "a", None, None),
    # 2. two rule sets: ParseBool on dynamic templates; a regex applies to option values too
    (param(type="bool", default_value="false"), "true", None, None),
    (param(type="bool", default_value="false"), "True", "bool", None),
    (param(type="bool", default_value="false"), "1", "bool", None),
    (param(type="bool", default_value="false"), "yes", "bool", "bool"),
    (param(type="bool", default_value="false"), "", "bool@build", "bool"),
    (SIZE, "a", None, None),
    (SIZE, "d", "regex@build", "regex"),
    # 3. Go's JSON: null and null elements are accepted
    (param(type="list(string)", default_value="[]"), '["x", "y"]', None, None),
    (param(type="list(string)", default_value="[]"), "null", None, None),
    (param(type="list(string)", default_value="[]"), '["a", null]', None, None),
    (param(type="list(string)", default_value="[]"), '["x", 1]', "list", "list"),
    (param(type="list(string)", default_value="[]"), "x", "list", "list"),
    (param(type="list(string)", default_value="[]"), "NaN", "list", "list"),
    (MULTI, '["a","b"]', "multi-select", None),  # codersdk compares the whole value with each option
    (MULTI, "null", "multi-select", None),
    (MULTI, '["a","c"]', "multi-select", "multi-select"),
    (MULTI, '["a", null]', "multi-select", "multi-select"),  # null is "", not an option
    (MULTI, "a,b", "multi-select", "list"),
    # 4. Go's regular expressions
    (param(validation_regex="^x", validation_error="e"), "xy", None, None),
    (param(validation_regex="y", validation_error="e"), "xyz", None, None),  # unanchored search
    (param(validation_regex="^y", validation_error="e"), "xyz", "regex", "regex"),
    (param(validation_regex="^[a-z]+$", validation_error="e"), "abc\n", "regex", "regex"),
    (param(validation_regex="(?m)^[a-z]+$", validation_error="e"), "abc\n", None, None),
    (param(validation_regex=r"^\d+$", validation_error="e"), "\u0661\u0662", "regex", "regex"),
    (param(validation_regex=r"^\d+$", validation_error="e"), "12", None, None),
    (param(validation_regex=r"^\pL+$", validation_error="e"), "\u00e9t\u00e9", None, None),
    (param(validation_regex=r"^[[:alpha:]]+$", validation_error="e"), "abc", None, None),
    (param(validation_regex="(?=x)", validation_error="e"), "x", "regex-invalid", "regex-invalid"),
    # 5. numbers: strconv.ParseFloat without bounds, strconv.Atoi with them
    (param(type="number", default_value="0"), "1.5", None, None),
    (param(type="number", default_value="0"), "1_000", None, None),
    (param(type="number", default_value="0"), "0x1p4", None, None),
    (param(type="number", default_value="0"), "NaN", None, None),
    (param(type="number", default_value="0"), "-Inf", None, None),
    (param(type="number", default_value="0"), "infinity", None, None),
    (param(type="number", default_value="0"), "1e400", "number@build", "number"),
    (param(type="number", default_value="0"), "0x10", "number@build", "number"),  # hex needs p
    (param(type="number", default_value="0"), "1__0", "number@build", "number"),
    (param(type="number", default_value="0"), "+nan", "number@build", "number"),
    (param(type="number", default_value="0"), "abc", "number@build", "number"),
    (param(type="number", default_value="0"), "", "number@build", "number"),
    (param(type="number", validation_min=0, validation_max=10), "0", None, None),  # 0 is a real bound
    (param(type="number", validation_min=0, validation_max=10), "-1", "range", "range"),
    (param(type="number", validation_min=0), "1.5", "number", "number"),  # bounded: integers only
    (param(type="number", validation_min=0), "1_000", "number", "number"),
    (param(type="number", validation_max=10), "11", "range", "range"),
    (param(type="number", validation_max=10), "+5", None, None),
    (CPU, "2.5", "number", "number"),
]


@pytest.mark.parametrize(("parameter", "value", "classic", "dynamic"), CASES)
def test_value_rules(
    parameter: TemplateParameter, value: str | None, classic: str | None, dynamic: str | None
) -> None:
    assert verdict(parameter, value, dynamic=False) == classic
    assert verdict(parameter, value, dynamic=True) == dynamic


def message(parameter: TemplateParameter, value: str | None, *, dynamic: bool) -> str:
    problem = check_parameter_value(parameter, value, dynamic=dynamic)
    assert problem is not None
    return problem.message


def test_an_empty_value_gets_the_providers_words() -> None:
    problem = check_parameter_value(REGION, "", dynamic=True)
    assert problem is not None
    assert problem.summary == (
        "Value must be a valid option. The value is empty, did you forget to set it with a default or "
        "from user input?"
    )
    assert problem.detail == 'the value "" must be defined as one of options'
    assert message(REGION, "", dynamic=False) == problem.message  # the classic build fails with it


def test_classic_messages_name_the_parameter_as_coder_does() -> None:
    assert message(REGION, "eu", dynamic=False) == (
        'can\'t validate build parameter "region": parameter value must match one of options: [us-east-1 eu-west-1]'
    )
    labelled = param(name="cpu", display_name="CPU cores", type="number", validation_max=8)
    assert message(labelled, "9", dynamic=False) == (
        'can\'t validate build parameter "CPU cores": value 9 is more than the maximum 8'
    )
    assert message(param(type="bool"), "yes", dynamic=False) == (
        'can\'t validate build parameter "p": boolean value can be either "true" or "false"'
    )


def test_the_templates_error_wins_even_for_a_non_integer() -> None:
    assert (
        message(CPU, "2.5", dynamic=False) == 'can\'t validate build parameter "cpu": Pick 1-8 CPUs, not 2.5'
    )
    problem = check_parameter_value(CPU, "2.5", dynamic=True)
    assert problem is not None and problem.detail == "Pick 1-8 CPUs, not 2.5"
    assert problem.summary == "Invalid parameter value according to 'validation' block"
    only_max = param(type="number", validation_max=8, validation_error="{min}..{max}: {value}")
    assert check_parameter_value(only_max, "9", dynamic=True).detail == "0..8: 9"  # type: ignore[union-attr]
    plain = param(type="number", validation_min=1)
    assert check_parameter_value(plain, "0", dynamic=True).detail == "value 0 is less than the minimum 1"  # type: ignore[union-attr]


def test_provider_messages_quote_as_go_does() -> None:
    regex = param(validation_regex="^x", validation_error="Must start with x")
    assert check_parameter_value(regex, 'y\n\t"', dynamic=True).detail == (  # type: ignore[union-attr]
        'Must start with x (value "y\\n\\t\\"" does not match "^x")'
    )
    assert message(SIZE, "d", dynamic=True) == (
        "Invalid parameter value according to 'validation' block; "
        'Sizes a to c only (value "d" does not match "[a-c]")'
    )
    number = check_parameter_value(param(type="number", default_value="0"), "1e400", dynamic=True)
    assert number is not None and number.summary == 'Parameter value is not of type "number"'
    assert number.detail == '"1e400" is not a number'
    multi = check_parameter_value(MULTI, '["a","c","d"]', dynamic=True)
    assert multi is not None and multi.summary == "Values must be a valid option"
    assert (
        multi.detail
        == 'Value "[\\"a\\",\\"c\\",\\"d\\"]" is not a valid option, values "c, d" are missing from the options'
    )


@pytest.mark.parametrize(
    ("pattern", "value", "differs"),
    [
        ("^[a-z]+$", "abc", None),
        ("^[a-z]+$", "abc\n", "Go's `$` matches only at the very end"),
        (r"^\d+$", "\u0661\u0662", "ASCII"),
        (r"^\w+$", "\u00e9t\u00e9", "ASCII"),
        (r"(?=x)", "x", "Go cannot compile it"),
        (r"(a)\1", "aa", "Go cannot compile it"),
        (r"\pL+", "x", None),  # Python cannot read it: Go's verdict stands alone
    ],
)
def test_regex_reading_differences(pattern: str, value: str, differs: str | None) -> None:
    note = regex_reading_difference(pattern, value)
    if differs is None:
        assert note is None
    else:
        assert note is not None and differs in note


def test_api_objects_are_read_leniently() -> None:
    parsed = TemplateParameter.from_api(
        {"name": "x", "type": None, "options": [None, {"value": 3}], "validation_min": 0}
    )
    assert parsed.type == "string" and parsed.validation_min == 0 and parsed.validation_max is None
    assert parsed.options == (ParameterOption("", ""),)
    template = Template.from_api({"name": "t", "active_user_count": -1, "use_classic_parameter_flow": False})
    assert template.active_user_count is None and template.uses_dynamic_parameters


def test_catalog_lookup_prefers_exact_case() -> None:
    catalog = TemplateCatalog((Template(id="1", name="Docker"), Template(id="2", name="docker")))
    assert catalog.find("docker").id == "2"  # type: ignore[union-attr]
    assert catalog.find("DOCKER") is not None
    assert catalog.find("nope") is None

"""Coder's value rules, one case each (shared by the rules and the simulator)."""

from __future__ import annotations

import pytest

from coder_catalog.templates.model import ParameterOption, Template, TemplateCatalog, TemplateParameter
from coder_catalog.templates.parameter_values import check_parameter_value, regex_portability_notes


def param(**kwargs: object) -> TemplateParameter:
    kwargs.setdefault("name", "p")
    return TemplateParameter(**kwargs)  # type: ignore[arg-type]


OPTIONS = (ParameterOption("A", "a"), ParameterOption("B", "b"))


@pytest.mark.parametrize(
    ("parameter", "value", "kind"),
    [
        (param(required=True), None, "required"),
        (param(required=True), "", "required"),
        (param(default_value="x"), "", None),  # empty optional -> default
        (param(options=OPTIONS), "a", None),
        (param(options=OPTIONS), "A", "option"),  # case-sensitive
        (param(type="list(string)", form_type="multi-select", options=OPTIONS), '["a","b"]', None),
        (param(type="list(string)", form_type="multi-select", options=OPTIONS), '["a","c"]', "multi-select"),
        (param(type="list(string)", form_type="multi-select", options=OPTIONS), "a,b", "list"),
        (param(type="bool"), "true", None),
        (param(type="bool"), "True", "bool"),
        (param(type="bool"), "yes", "bool"),
        (param(type="list(string)"), '["x", "y"]', None),
        (param(type="list(string)"), '["x", 1]', "list"),
        (param(type="list(string)"), "x", "list"),
        (param(type="number"), "1.5", None),  # no bounds: any number
        (param(type="number"), "abc", "number"),
        (param(type="number", validation_min=0, validation_max=10), "0", None),  # 0 is a real bound
        (param(type="number", validation_min=0, validation_max=10), "-1", "range"),
        (param(type="number", validation_min=0), "1.5", "number"),  # bounded: integers only
        (param(type="number", validation_max=10), "11", "range"),
        (param(validation_regex="^x"), "xy", None),
        (param(validation_regex="y"), "xyz", None),  # unanchored search
        (param(validation_regex="^y"), "xyz", "regex"),
        (param(validation_regex="("), "x", "regex-invalid"),
    ],
)
def test_value_rules(parameter: TemplateParameter, value: str | None, kind: str | None) -> None:
    problem = check_parameter_value(parameter, value)
    assert (problem.kind if problem else None) == kind


def test_messages_follow_coder() -> None:
    regex = check_parameter_value(param(validation_regex="^x", validation_error="Must start with x"), "y")
    assert regex is not None and regex.message == 'Must start with x (value "y" does not match "^x")'
    bounded = param(
        type="number", validation_min=1, validation_max=4, validation_error="{value} not in {min}-{max}"
    )
    problem = check_parameter_value(bounded, "9")
    assert problem is not None and problem.message == "9 not in 1-4"
    plain = check_parameter_value(param(type="number", validation_min=1), "0")
    assert plain is not None and plain.message == "value 0 is less than the minimum 1"


@pytest.mark.parametrize(
    ("pattern", "differs"),
    [
        ("^[a-z]+$", False),
        (r"(?=x)", True),
        (r"\p{L}+", True),
        ("[[:alpha:]]", True),
        (r"(a)\1", True),
        (r"a\Z", True),
    ],
)
def test_regex_portability(pattern: str, differs: bool) -> None:
    assert bool(regex_portability_notes(pattern)) is differs


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

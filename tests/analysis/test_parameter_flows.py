"""Coder's two rule sets as findings: classic templates (codersdk, then the provider at build) and
templates on the dynamic-parameter flow (the provider's ValidateInput), without Coder's evaluation."""

from __future__ import annotations

import pytest
from analysis_support import Linter, component, default_settings

from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.templates.model import ParameterOption, Template, TemplateCatalog, TemplateParameter

REGION = TemplateParameter(
    name="region",
    default_value="us-east-1",
    options=(ParameterOption("US", "us-east-1"), ParameterOption("EU", "eu-west-1")),
)
SIZE = TemplateParameter(
    name="size",
    default_value="a",
    options=(ParameterOption("A", "a"), ParameterOption("D", "d")),
    validation_regex="[a-c]",
    validation_error="Sizes a to c only",
)
PARAMETERS = (
    REGION,
    SIZE,
    TemplateParameter(name="gpu", type="bool", default_value="false"),
    TemplateParameter(name="scale", type="number", default_value="1"),
    TemplateParameter(
        name="cpu",
        type="number",
        default_value="2",
        validation_min=1,
        validation_max=8,
        validation_error="Pick {min}-{max} CPUs, not {value}",
    ),
    TemplateParameter(name="tags", type="list(string)", default_value="[]"),
    TemplateParameter(
        name="name", default_value="abc", validation_regex="^[a-z]+$", validation_error="a-z only"
    ),
    TemplateParameter(name="digits", default_value="1", validation_regex=r"^\d+$", validation_error="Digits"),
)


def linter(*, dynamic: bool) -> Linter:
    template = Template(
        id="t",
        name="flow",
        use_classic_parameter_flow=not dynamic,
        parameters=PARAMETERS,
        presets=(),
    )
    return Linter(default_settings(), TemplateData(TemplateCatalog((template,))))


def findings(value_lines: str, *, dynamic: bool) -> list[Finding]:
    params = "".join(f"    {line}\n" for line in value_lines.splitlines())
    text = component(f"coder:\n  templateName: flow\n  params:\n{params}")
    return [f for f in linter(dynamic=dynamic)(text).findings if f.code.startswith("CC3")]


def one(value_lines: str, *, dynamic: bool) -> Finding:
    found = findings(value_lines, dynamic=dynamic)
    assert len(found) == 1, [f"{f.code} {f.message}" for f in found]
    return found[0]


@pytest.mark.parametrize("dynamic", [False, True])
def test_an_empty_optional_value_is_refused_not_replaced_by_the_default(dynamic: bool) -> None:
    finding = one("region: ''", dynamic=dynamic)
    assert finding.code == "CC303" and finding.severity == "error"
    assert (
        "The value is empty, did you forget to set it with a default or from user input?" in finding.message
    )
    when = "Coder refuses it" if dynamic else "Coder creates the workspace, then its build fails"
    assert finding.message.startswith(f"region: {when}: Value must be a valid option")


@pytest.mark.parametrize(
    ("line", "classic", "dynamic"),
    [
        ("gpu: 'True'", "CC304", None),  # strconv.ParseBool on the dynamic flow
        ("gpu: '1'", "CC304", None),
        ("gpu: 'yes'", "CC304", "CC304"),
        ("size: d", "CC306", "CC306"),  # the regex applies to an option's value too
        ("tags: 'null'", None, None),  # Go's JSON: a nil slice
        ("tags: '[\"a\", null]'", None, None),
        ("tags: '[\"a\", 1]'", "CC307", "CC307"),
        ("scale: '1_000'", None, None),  # strconv.ParseFloat
        ("scale: '0x1p4'", None, None),
        ("scale: NaN", None, None),
        ("scale: Inf", None, None),
        ("scale: '1e400'", "CC305", "CC305"),
        ("cpu: '2.5'", "CC305", "CC305"),
        ("cpu: '1_0'", "CC305", "CC305"),  # bounded: base-10 integers only
        ("name: |\n  abc", "CC306", "CC306"),  # a | block ends with a line break; Go's $ is the end
        ("name: |-\n  abc", None, None),
        ("digits: '\u0661\u0662'", "CC306", "CC306"),  # \d is ASCII-only in Go
    ],
)
def test_each_flow_judges_as_coder_does(line: str, classic: str | None, dynamic: str | None) -> None:
    for flow, expected in ((False, classic), (True, dynamic)):
        codes = [f.code for f in findings(line, dynamic=flow) if f.severity == "error"]
        assert codes == ([expected] if expected else []), (flow, line)


def test_a_regex_on_an_option_fails_the_classic_build_and_the_dynamic_request() -> None:
    classic = one("size: d", dynamic=False)
    assert classic.message == (
        "size: Coder creates the workspace, then its build fails: Invalid parameter value according to "
        '\'validation\' block; Sizes a to c only (value "d" does not match "[a-c]")'
    )
    assert one("size: d", dynamic=True).message.startswith("size: Coder refuses it: Invalid parameter value")


def test_coders_wording() -> None:
    assert one("cpu: '2.5'", dynamic=False).message == (
        'cpu: Coder refuses it: can\'t validate build parameter "cpu": Pick 1-8 CPUs, not 2.5'
    )
    assert one("region: eu", dynamic=False).message == (
        'region: Coder refuses it: can\'t validate build parameter "region": '
        "parameter value must match one of options: [us-east-1 eu-west-1]"
    )
    assert one("scale: '1e400'", dynamic=True).message == (
        'scale: Coder refuses it: Parameter value is not of type "number"; "1e400" is not a number'
    )


def test_cc310_says_why_go_reads_the_pattern_differently() -> None:
    found = {f.code: f for f in findings("name: |\n  abc", dynamic=True)}
    assert found["CC310"].severity == "info"
    assert "Go's `$` matches only at the very end" in found["CC310"].message
    assert "`|-` does not" in found["CC310"].message
    digits = {f.code: f for f in findings("digits: '\u0661\u0662'", dynamic=True)}
    assert "ASCII" in digits["CC310"].message
    assert "CC310" not in {f.code for f in findings("digits: '12'", dynamic=True)}

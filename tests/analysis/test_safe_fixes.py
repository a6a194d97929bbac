"""Safe fixes are safe: ``lint --fix`` never changes what Coder receives nor deletes what the user wrote.

A value that is not a string is fixed safely only when the string written is exactly what the plugin
(JavaScript, ``String(value)``) would make of the value YAML reads; anything else is offered, unsafely.
"""

from __future__ import annotations

import pytest
from analysis_support import Linter, component

from coder_catalog.analysis.analyze import analyze_text
from coder_catalog.analysis.effective import effective_coder
from coder_catalog.analysis.entity import entity_of
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.fixes import apply_fixes, apply_safe_fixes
from coder_catalog.analysis.javascript import js_string
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.analysis.yaml_tree import parse_document, resolve_plain
from coder_catalog.settings import Settings

BOOLEANS = ["true", "True", "TRUE", "false", "False", "FALSE"]  # YAML 1.2 core schema
CANONICAL_NUMBERS = ["4", "-5", "1.5", "0", "0.5", "1e-7", "123456"]
# text as written -> String() of the number YAML reads
OTHER_NUMBERS = {
    "0x10": "16",
    "4.0": "4",
    "+5": "5",
    "007": "7",
    "0o17": "15",
    "1e3": "1000",
    "1.50": "1.5",
    "-0": "0",
    "1.": "1",
    ".5": "0.5",
    "1e21": "1e+21",
    ".inf": "Infinity",
    "-.inf": "-Infinity",
    ".nan": "NaN",
    "9007199254740993": "9007199254740992",  # beyond 2**53: a double has no such integer
}


def params_entity(value: str, template: str = "docker", name: str = "docker_in_docker") -> str:
    return component(f"coder:\n  templateName: {template}\n  params:\n    {name}: {value}")


def only(findings: list[Finding] | tuple[Finding, ...], code: str) -> Finding:
    [finding] = [f for f in findings if f.code == code]
    return finding


def coder_receives(text: str, settings: Settings, name: str) -> str:
    found = entity_of(parse_document(text).root)
    assert found is not None
    return effective_coder(found, settings).params[name].value


# -- booleans ------------------------------------------------------------------------------------


@pytest.mark.parametrize("templates", ["known", "unknown", "none"])
@pytest.mark.parametrize("value", BOOLEANS)
def test_a_boolean_is_fixed_safely_to_what_coder_accepts(
    value: str, templates: str, settings: Settings, template_data: TemplateData
) -> None:
    data = TemplateData.offline() if templates == "none" else template_data
    text = params_entity(value, template="docker" if templates != "unknown" else "no-such-template")
    finding = only(analyze_text(text, settings, data).findings, "CC107")
    expected = '"true"' if value.lower() == "true" else '"false"'
    fix = finding.safe_fix
    assert fix is not None and [e.new_text for e in fix.edits] == [expected]
    assert len(finding.fixes) == 1
    fixed, applied = apply_safe_fixes(text, [finding])
    assert applied == 1
    assert f"docker_in_docker: {expected}\n" in fixed
    codes = [f.code for f in analyze_text(fixed, settings, template_data).findings]
    assert "CC107" not in codes and "CC304" not in codes  # Coder accepts exactly "true" and "false"


def test_a_lower_case_boolean_is_quoted_and_another_case_is_changed(lint: Linter) -> None:
    quoted = only(lint(params_entity("true")).findings, "CC107")
    changed = only(lint(params_entity("TRUE")).findings, "CC107")
    assert [f.title for f in quoted.fixes] == ['Quote it: "true"']
    assert [f.title for f in changed.fixes] == ['Change to "true"']
    assert quoted.message.endswith('quote it ("true")')
    assert changed.message.endswith('write it as "true"')


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", CANONICAL_NUMBERS)
def test_a_number_written_as_javascript_writes_it_is_quoted_safely(value: str, lint: Linter) -> None:
    text = params_entity(value, name="cpu")
    finding = only(lint(text).findings, "CC107")
    assert finding.safe_fix is not None
    assert [e.new_text for e in finding.safe_fix.edits] == [f'"{value}"']
    assert finding.message.endswith(f'quote it ("{value}")')


@pytest.mark.parametrize(("value", "number"), list(OTHER_NUMBERS.items()))
def test_a_number_written_otherwise_gets_two_unsafe_fixes(value: str, number: str, lint: Linter) -> None:
    text = params_entity(value, name="cpu")
    finding = only(lint(text).findings, "CC107")
    assert finding.safe_fix is None
    assert [(f.title, f.edits[0].new_text, f.safe) for f in finding.fixes] == [
        (f'Quote the number YAML reads: "{number}"', f'"{number}"', False),
        (f'Quote the text as written: "{value}"', f'"{value}"', False),
    ]
    assert f"YAML reads {value} as {number}" in finding.message
    assert apply_safe_fixes(text, [finding]) == (text, 0)
    for fix, expected in zip(finding.fixes, (number, value), strict=True):
        fixed, applied = apply_fixes(text, [fix])
        assert applied == 1 and f'    cpu: "{expected}"\n' in fixed
        assert "CC107" not in lint.codes(fixed)


@pytest.mark.parametrize("value", [*BOOLEANS, *CANONICAL_NUMBERS, *OTHER_NUMBERS])
def test_lint_fix_never_changes_the_value_coder_receives(
    value: str, lint: Linter, settings: Settings
) -> None:
    """After ``--fix`` the value is the plugin's own text for the value YAML read, or left alone."""
    text = params_entity(value, name="cpu")
    fixed, applied = apply_safe_fixes(text, lint(text).findings)
    if not applied:
        assert value in OTHER_NUMBERS and fixed == text
        return
    read = resolve_plain(value)[1]
    expected = ("true" if read else "false") if isinstance(read, bool) else js_string(float(read))
    assert coder_receives(fixed, settings, "cpu") == expected


def test_template_name_numbers_follow_the_same_rule(lint: Linter) -> None:
    plain = only(lint(component("coder:\n  templateName: 2024")).findings, "CC103")
    assert plain.safe_fix is not None and plain.safe_fix.edits[0].new_text == '"2024"'
    hexadecimal = only(lint(component("coder:\n  templateName: 0x10")).findings, "CC103")
    assert hexadecimal.safe_fix is None
    assert [f.edits[0].new_text for f in hexadecimal.fixes] == ['"16"', '"0x10"']
    assert "YAML reads 0x10 as 16" in hexadecimal.message
    boolean = only(lint(component("coder:\n  templateName: True")).findings, "CC103")
    assert boolean.safe_fix is not None and boolean.safe_fix.edits[0].new_text == '"true"'


@pytest.mark.parametrize(
    ("number", "javascript"),
    [  # String(n) as node prints it
        (4.0, "4"),
        (-0.0, "0"),
        (1.5, "1.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (0.000012, "0.000012"),
        (1.23e-18, "1.23e-18"),
        (0.1 + 0.2, "0.30000000000000004"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (float(2**70), "1.1805916207174113e+21"),
        (float(123456789012345678901234), "1.2345678901234569e+23"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (float("nan"), "NaN"),
        (-1234.5, "-1234.5"),
    ],
)
def test_js_string_prints_numbers_as_javascript_does(number: float, javascript: str) -> None:
    assert js_string(number) == javascript


def test_a_huge_integer_is_infinity_for_javascript(lint: Linter) -> None:
    value = "1" + "0" * 400
    finding = only(lint(params_entity(value, name="cpu")).findings, "CC107")
    assert finding.safe_fix is None
    assert finding.fixes[0].edits[0].new_text == '"Infinity"'


# -- deletions and guesses -----------------------------------------------------------------------


def test_removing_an_overwritten_repo_url_is_not_a_safe_fix(lint: Linter) -> None:
    text = component(
        "coder:\n  templateName: devcontainers\n  params:\n    region: us-east-1\n    repo_url: https://x.io/r"
    )
    finding = only(lint(text).findings, "CC309")
    assert [(f.title, f.safe) for f in finding.fixes] == [('Remove "repo_url"', False)]
    assert apply_safe_fixes(text, lint(text).findings)[0] == text


def test_renaming_an_unknown_key_is_safe_only_for_case_and_separators(lint: Linter) -> None:
    certain = only(lint(component("coder:\n  template_name: docker")).findings, "CC102")
    assert certain.safe_fix is not None and certain.safe_fix.edits[0].new_text == "templateName"
    guessed = only(lint(component("coder:\n  templte: docker")).findings, "CC102")
    assert guessed.fixes and guessed.safe_fix is None
    assert guessed.fixes[0].edits[0].new_text == "templateName"


def test_a_fix_that_would_drop_an_anchor_is_only_offered(lint: Linter) -> None:
    text = component("coder:\n  templateName: docker\n  params:\n    cpu: &cpu 4\n    memory: *cpu\n")
    findings = [f for f in lint(text).findings if f.code == "CC107"]
    assert findings and all(f.fixes for f in findings)
    assert all(f.safe_fix is None for f in findings)
    assert apply_safe_fixes(text, lint(text).findings)[0] == text


def test_a_tag_may_go_with_a_safe_fix_but_an_anchor_may_not(lint: Linter) -> None:
    tagged = only(lint(params_entity("!!int 4", name="cpu")).findings, "CC107")
    assert tagged.safe_fix is not None and tagged.safe_fix.edits[0].new_text == '"4"'
    both = only(lint(params_entity("!!int &n 4", name="cpu")).findings, "CC107")
    assert both.fixes and both.safe_fix is None


def test_a_value_with_an_explicit_tag_yaml_does_not_read_is_only_offered(lint: Linter) -> None:
    finding = only(lint(params_entity("!!float 4", name="cpu")).findings, "CC107")
    assert finding.fixes and finding.safe_fix is None


def test_the_anchor_guard_holds_for_every_rule(lint: Linter) -> None:
    """The guard is in the rules' shared context: a mode fix is held back too, and only for the anchor."""
    text = component("coder:\n  templateName: docker\n  mode: &m Auto\n")
    finding = only(lint(text).findings, "CC105")
    assert finding.fixes and finding.safe_fix is None
    assert only(lint(text.replace("&m ", "")).findings, "CC105").safe_fix is not None

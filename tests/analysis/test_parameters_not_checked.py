"""CC205: while the template is unknown (CC201), the entity's parameter values are not checked, and
the analysis says so instead of staying silent."""

from __future__ import annotations

from dataclasses import replace

from analysis_support import Linter, component, position_of

from coder_catalog.analysis.analyze import analyze_text
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.rules import REGISTRY
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings, WorkspaceDefaults


def of(findings: tuple[Finding, ...] | list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def test_the_rule_is_registered_as_asked() -> None:
    rule = REGISTRY["CC205"]
    assert (rule.name, rule.severity, rule.group, rule.needs_templates) == (
        "parameters-not-checked",
        "info",
        "templates",
        True,
    )


def test_values_waiting_for_an_unknown_template_are_reported_on_params(lint: Linter) -> None:
    text = component(
        "coder:\n  templateName: devcontainer\n  params:\n    region: us-east-1\n    cpu: 4", location=None
    )
    findings = lint(text).findings
    assert of(findings, "CC201")
    [finding] = of(findings, "CC205")
    assert finding.severity == "info" and not finding.fixes
    assert finding.span.start == position_of(text, "params:")
    assert finding.message == (
        'the 2 parameter values (region, cpu) were not checked because template "devcontainer" is unknown; '
        'they will be checked once the name is fixed (against "devcontainers")'
    )


def test_one_value_and_no_close_name(lint: Linter) -> None:
    text = component("coder:\n  templateName: zzzzzzzz\n  params:\n    region: us-east-1", location=None)
    [finding] = of(lint(text).findings, "CC205")
    assert finding.message == (
        'the parameter value (region) was not checked because template "zzzzzzzz" is unknown'
    )


def test_the_repository_url_counts_as_a_value(lint: Linter) -> None:
    text = component("coder:\n  templateName: devcontainer")  # repo_url comes from the location
    [finding] = of(lint(text).findings, "CC205")
    assert "(repo_url)" in finding.message
    assert finding.span.start == position_of(text, "coder:")  # no params key: on coder


def test_app_defaults_for_template_and_values(settings: Settings, template_data: TemplateData) -> None:
    defaults = WorkspaceDefaults(default_template_name="dokker", params={"region": "eu"})
    text = component("coder:\n  mode: auto", location=None)
    findings = analyze_text(text, replace(settings, workspaces=defaults), template_data).findings
    [finding] = of(findings, "CC205")
    assert 'template "dokker" (the app\'s defaultTemplateName) is unknown' in finding.message
    assert '"docker"' in finding.message
    assert finding.span.start == position_of(text, "coder:")
    bare = analyze_text(component(), replace(settings, workspaces=defaults), template_data).findings
    assert not of(bare, "CC201") and not of(bare, "CC205")  # no spec.coder: CC201 is silent too


def test_many_values_are_counted_and_a_few_named(lint: Linter) -> None:
    params = "".join(f"\n    p{i}: v" for i in range(8))
    text = component(f"coder:\n  templateName: nope\n  params:{params}", location=None)
    [finding] = of(lint(text).findings, "CC205")
    assert "the 8 parameter values (p0, p1, p2, p3, p4, …)" in finding.message


def test_silent_when_there_is_nothing_to_say(settings: Settings, template_data: TemplateData) -> None:
    def codes(text: str, data: TemplateData = template_data) -> list[str]:
        return [f.code for f in analyze_text(text, settings, data).findings]

    unknown = component("coder:\n  templateName: devcontainer\n  params:\n    region: eu")
    assert "CC205" in codes(unknown)
    assert "CC205" not in codes(component("coder:\n  templateName: devcontainer", location=None))  # no values
    assert "CC205" not in codes(unknown.replace("devcontainer", "devcontainers"))  # known: checked
    assert "CC205" not in codes(unknown.replace("devcontainer", "Docker"))  # found, case aside (CC201 warns)
    assert "CC205" not in codes(unknown, TemplateData.offline())  # no template data: nothing is claimed
    assert "CC205" not in codes(unknown, TemplateData(problem="cannot connect"))  # CC200 says so


def test_it_can_be_turned_off(settings: Settings, template_data: TemplateData) -> None:
    text = component("coder:\n  templateName: devcontainer\n  params:\n    region: eu")
    off = replace(settings, rules={"CC205": "off"})
    codes = [f.code for f in analyze_text(text, off, template_data).findings]
    assert "CC201" in codes and "CC205" not in codes
    warning = replace(settings, rules={"CC205": "warning"})
    assert [f.severity for f in of(analyze_text(text, warning, template_data).findings, "CC205")] == [
        "warning"
    ]

"""spec.coder, template, parameter and repository rules beyond their documented examples."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest
from analysis_support import Linter

from coder_catalog.analysis.analyze import Analyzer, analyze_text
from coder_catalog.analysis.effective import effective_coder
from coder_catalog.analysis.entity import entity_of
from coder_catalog.analysis.fixes import apply_fixes, apply_safe_fixes
from coder_catalog.analysis.repository import repository_url
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.analysis.yaml_tree import parse_document
from coder_catalog.settings import Settings, WorkspaceDefaults
from coder_catalog.templates.model import DynamicEvaluation, ParameterDiagnostic


def entity(coder: str, location: str | None = "url:https://github.com/acme/python-project/tree/main/") -> str:
    annotation = f"  annotations:\n    backstage.io/source-location: {location}\n" if location else ""
    block = "".join(f"  {line}\n" for line in coder.splitlines())
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: python-project\n"
        f"{annotation}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{block}"
    )


def by_code(lint: Linter, text: str, code: str) -> list[str]:
    return [f.message for f in lint(text).findings if f.code == code]


def test_required_parameter_is_an_error_in_auto_and_a_warning_in_manual(lint: Linter) -> None:
    auto = lint(entity("coder:\n  templateName: devcontainers\n  mode: auto", location=None)).findings
    manual = lint(entity("coder:\n  templateName: devcontainers", location=None)).findings
    assert [f.severity for f in auto if f.code == "CC302"] == ["error"]
    assert [f.severity for f in manual if f.code == "CC302"] == ["warning"]


def test_repository_url_fills_the_required_repo_url(lint: Linter) -> None:
    text = entity("coder:\n  templateName: devcontainers\n  mode: auto")
    assert "CC302" not in lint.codes(text)


def test_app_defaults_fill_parameters(settings: Settings, template_data: TemplateData) -> None:
    text = entity("coder:\n  mode: auto", location=None)
    defaults = WorkspaceDefaults(
        default_template_name="devcontainers",
        params={"repo_url": "https://github.com/acme/x"},
        repo_url_param_keys=("repo_url",),
    )
    codes = [
        f.code for f in analyze_text(text, replace(settings, workspaces=defaults), template_data).findings
    ]
    assert "CC203" not in codes and "CC302" not in codes


def test_add_missing_parameters_fix_inserts_placeholders(lint: Linter) -> None:
    text = entity(
        "coder:\n  templateName: devcontainers\n  mode: auto\n  params:\n    region: us-east-1", location=None
    )
    finding = next(f for f in lint(text).findings if f.code == "CC302")
    assert finding.fixes and not finding.fixes[0].safe
    from coder_catalog.analysis.fixes import apply_fixes

    fixed, _ = apply_fixes(text, finding.fixes)
    assert '    repo_url: ""\n' in fixed
    assert "CC302" not in lint.codes(fixed.replace('repo_url: ""', 'repo_url: "https://x.io/r"'))


def test_case_only_template_name_is_a_warning_with_a_safe_fix(lint: Linter) -> None:
    text = entity("coder:\n  templateName: Docker")
    findings = [f for f in lint(text).findings if f.code == "CC201"]
    assert [f.severity for f in findings] == ["warning"]
    fixed, applied = apply_safe_fixes(text, findings)
    assert applied == 1 and "templateName: docker" in fixed


def test_unknown_template_lists_close_names_as_unsafe_fixes(lint: Linter) -> None:
    findings = [f for f in lint(entity("coder:\n  templateName: dokker")).findings if f.code == "CC201"]
    assert findings[0].severity == "error"
    assert "docker" in findings[0].message
    assert all(not fix.safe for fix in findings[0].fixes)


def test_unknown_default_template_is_reported_on_the_block(
    settings: Settings, template_data: TemplateData
) -> None:
    changed = replace(settings, workspaces=WorkspaceDefaults(default_template_name="nope"))
    findings = analyze_text(entity("coder:\n  mode: auto"), changed, template_data).findings
    assert any(f.code == "CC201" and "defaultTemplateName" in f.message for f in findings)


def test_template_rules_are_skipped_offline_and_reported_once_when_unreachable(settings: Settings) -> None:
    text = entity("coder:\n  templateName: whatever") + "---\n" + entity("coder:\n  templateName: other")
    offline = [f.code for f in analyze_text(text, settings, TemplateData.offline()).findings]
    assert not [c for c in offline if c.startswith(("CC2", "CC3"))]
    unreachable = analyze_text(text, settings, TemplateData(problem="cannot connect to https://x")).findings
    assert [f.code for f in unreachable if f.code.startswith(("CC2", "CC3"))] == ["CC200"]
    assert "cannot connect" in unreachable[0].message


def test_parameters_unavailable_while_importing(settings: Settings, template_data: TemplateData) -> None:
    catalog = template_data.catalog
    assert catalog is not None
    docker = catalog.find("docker")
    assert docker is not None
    importing = catalog.with_templates([replace(docker, parameters=None)], {"docker": "still importing"})
    findings = analyze_text(
        entity("coder:\n  templateName: docker\n  params:\n    nope: x"), settings, TemplateData(importing)
    ).findings
    codes = [f.code for f in findings]
    assert "CC204" in codes and "CC301" not in codes


def test_app_default_value_problem_is_reported_on_the_block(
    settings: Settings, template_data: TemplateData
) -> None:
    defaults = WorkspaceDefaults(params={"memory": "99"})
    text = entity("coder:\n  templateName: docker")
    findings = analyze_text(text, replace(settings, workspaces=defaults), template_data).findings
    problem = next(f for f in findings if f.code == "CC305")
    assert "workspaces.params" in problem.message
    assert problem.span.start.line == text.splitlines().index("  coder:")


def test_repository_url_that_breaks_a_pattern_is_reported_on_the_annotation(lint: Linter) -> None:
    text = entity("coder:\n  templateName: devcontainers", location="url:http://github.com/acme/x/tree/main/")
    finding = next(f for f in lint(text).findings if f.code == "CC306")
    assert finding.span.start.line == 5 and "repository URL" in finding.message


def test_overwritten_catalog_value_can_be_removed_but_not_by_lint_fix(lint: Linter) -> None:
    text = entity(
        "coder:\n  templateName: devcontainers\n  params:\n    region: us-east-1\n    repo_url: https://x.io"
    )
    findings = [f for f in lint(text).findings if f.code == "CC309"]
    assert len(findings) == 1 and findings[0].fixes
    assert findings[0].safe_fix is None  # it deletes what the user wrote: offered, never applied by --fix
    assert apply_safe_fixes(text, findings) == (text, 0)
    fixed, applied = apply_fixes(text, findings[0].fixes[:1])
    assert applied == 1 and "repo_url" not in fixed and "region: us-east-1" in fixed


def test_option_case_fix_keeps_plain_style(lint: Linter) -> None:
    text = entity("coder:\n  templateName: devcontainers\n  params:\n    region: US-EAST-1")
    fixed, _ = apply_safe_fixes(text, [f for f in lint(text).findings if f.code == "CC303"])
    assert "    region: us-east-1\n" in fixed


def test_values_are_checked_as_coder_does(lint: Linter) -> None:
    cases = {
        'cpu: "3"': "CC303",  # not an option
        'memory: "0"': "CC305",  # below the minimum 1
        'memory: "4.5"': "CC305",  # not an integer
        'docker_in_docker: "True"': "CC304",
        'dotfiles_uri: "git@github.com:me/dotfiles"': None,
        'dotfiles_uri: "github.com/me/dotfiles"': "CC306",
    }
    for line, code in cases.items():
        codes = lint.codes(entity(f"coder:\n  templateName: docker\n  params:\n    {line}"))
        value_codes = [c for c in codes if c in ("CC303", "CC304", "CC305", "CC306")]
        assert value_codes == ([code] if code else []), line


def test_dynamic_templates_without_evaluation_report_unknown_names_as_info(lint: Linter) -> None:
    text = entity("coder:\n  templateName: data-science\n  params:\n    gpu_type: a100")
    findings = [f for f in lint(text).findings if f.code == "CC301"]
    assert [f.severity for f in findings] == ["info"]


def test_dynamic_evaluation_is_used(settings: Settings, template_data: TemplateData) -> None:
    asked: list[tuple[str, Mapping[str, str]]] = []

    def lookup(name: str, values: Mapping[str, str]) -> DynamicEvaluation:
        asked.append((name, dict(values)))
        return DynamicEvaluation(
            ("ide", "jupyter_kernel", "gpu_count", "dataset_bucket", "gpu_type"),
            (ParameterDiagnostic("gpu_type", "error", "Invalid GPU", "a100 is not offered here"),),
        )

    data = replace(template_data, dynamic=lookup)
    text = entity("coder:\n  templateName: data-science\n  params:\n    gpu_type: a100")
    findings = analyze_text(text, settings, data).findings
    codes = [f.code for f in findings]
    assert "CC301" not in codes
    diagnostic = next(f for f in findings if f.code == "CC311")
    assert "Invalid GPU" in diagnostic.message and diagnostic.severity == "error"
    assert asked[0][0] == "data-science" and asked[0][1]["gpu_type"] == "a100"


def test_a_failing_dynamic_lookup_does_not_break_the_analysis(
    settings: Settings, template_data: TemplateData
) -> None:
    def lookup(name: str, values: Mapping[str, str]) -> DynamicEvaluation:
        raise RuntimeError("boom")

    text = entity("coder:\n  templateName: data-science")
    codes = [f.code for f in analyze_text(text, settings, replace(template_data, dynamic=lookup)).findings]
    assert "CC000" not in codes


@pytest.mark.parametrize(
    ("target", "url", "problem"),
    [
        ("https://github.com/org/repo/tree/main/", "https://github.com/org/repo", None),
        ("https://github.com/org/repo/tree/v1.2.3", "https://github.com/org/repo", None),
        (
            "https://github.com/org/repo/tree/main/sub/dir/",
            "https://github.com/org/repo/tree/main/sub/dir/",
            "subfolder",
        ),
        (
            "https://github.com/org/repo/tree/feature/x/",
            "https://github.com/org/repo/tree/feature/x/",
            "subfolder",
        ),
        (
            "https://gitlab.com/group/repo/-/blob/main/",
            "https://gitlab.com/group/repo/-/blob/main/",
            "GitLab",
        ),
        ("https://gitlab.com/group/repo/-/tree/main/", "https://gitlab.com/group/repo/-", "GitLab"),
        ("https://bitbucket.org/ws/repo/src/main/", "https://bitbucket.org/ws/repo/src/main/", "Bitbucket"),
        ("https://example.com/r?x=1", "https://example.com/r?x=1", "'='"),
        ("https://example.com/a,b", "https://example.com/a,b", "','"),
    ],
)
def test_repository_url_as_the_plugin_derives_it(target: str, url: str, problem: str | None) -> None:
    derived = repository_url("url:" + target)
    assert derived.url == url
    if problem is None:
        assert derived.problem is None
    else:
        assert derived.problem is not None and problem in derived.problem


def test_effective_settings_and_create_link(settings: Settings) -> None:
    defaults = WorkspaceDefaults(
        default_template_name="docker",
        default_mode="auto",
        params={"region": "eu", "cpu": "2"},
        repo_url_param_keys=("repo_url",),
    )
    text = entity('coder:\n  params:\n    cpu: "4"\n    repo_url: ignored')
    parsed = parse_document(text)
    found = entity_of(parsed.root)
    assert found is not None
    effective = effective_coder(found, replace(settings, workspaces=defaults))
    assert (effective.template_name, effective.template_source) == ("docker", "app-default")
    assert (effective.mode, effective.mode_source) == ("auto", "app-default")
    assert {k: (v.value, v.source) for k, v in effective.params.items()} == {
        "region": ("eu", "app-default"),
        "cpu": ("4", "catalog"),
        "repo_url": ("https://github.com/acme/python-project", "repository-url"),
    }
    assert effective.create_link("https://coder.example.com") == (
        "https://coder.example.com/templates/docker/workspace?mode=auto&param.region=eu&param.cpu=4"
        "&param.repo_url=https%3A%2F%2Fgithub.com%2Facme%2Fpython-project"
    )
    # the app's accessUrl is used as written: a trailing slash makes a double one, as in the card
    assert effective.create_link("https://coder.example.com/").startswith(  # type: ignore[union-attr]
        "https://coder.example.com//templates/docker/workspace?"
    )


def test_an_analyzer_reset_forgets_results(settings: Settings, template_data: TemplateData) -> None:
    analyzer = Analyzer(settings, TemplateData.offline())
    text = entity("coder:\n  templateName: nope")
    assert "CC201" not in [f.code for f in analyzer.analyze(text).findings]
    analyzer.reset(templates=template_data)
    assert "CC201" in [f.code for f in analyzer.analyze(text).findings]

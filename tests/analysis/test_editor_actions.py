"""Code actions, each applied with fixes.apply_fixes and the file analysed again."""

from __future__ import annotations

from dataclasses import replace

import pytest
from analysis_support import component, position_of

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.editor.actions import Action, code_actions, fix_all_action
from coder_catalog.analysis.findings import Finding, Fix, TextEdit
from coder_catalog.analysis.fixes import apply_fixes, apply_safe_fixes
from coder_catalog.analysis.spans import Span
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings, WorkspaceDefaults


@pytest.fixture
def analyzer(settings: Settings, template_data: TemplateData) -> Analyzer:
    return Analyzer(settings, template_data)


def actions_at(analyzer: Analyzer, text: str, needle: str, offset: int = 0) -> list[Action]:
    line, column = position_of(text, needle, offset)
    return code_actions(analyzer, text, Span.point(line, column), analyzer.analyze(text).findings)


def applied(text: str, action: Action) -> str:
    new_text, count = apply_fixes(text, [Fix(action.title, action.edits)])
    assert count == 1
    return new_text


def codes(analyzer: Analyzer, text: str) -> list[str]:
    return [f.code for f in analyzer.analyze(text).findings]


def test_a_finding_with_one_safe_fix_is_a_preferred_quick_fix(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: docker\n  mode: Auto")
    actions = actions_at(analyzer, text, "Auto")
    quick = [a for a in actions if a.kind == "quickfix"]
    assert [(a.title, a.preferred) for a in quick] == [('Change to "auto"', True)]
    assert [d.code for d in quick[0].diagnostics] == ["CC105"]
    fixed = applied(text, quick[0])
    assert "mode: auto" in fixed and "CC105" not in codes(analyzer, fixed)


def test_unsafe_choices_are_offered_but_none_preferred(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: devcontainer")
    quick = [a for a in actions_at(analyzer, text, "devcontainer") if a.kind == "quickfix"]
    assert quick and not any(a.preferred for a in quick)
    assert quick[0].title == 'Change to "devcontainers"'
    assert "CC201" not in codes(analyzer, applied(text, quick[0]))


def test_fix_all_combines_every_safe_fix_as_apply_fixes_would(analyzer: Analyzer) -> None:
    first = component("coder:\n  templateName: docker\n  mode: Auto\n  params:\n    cpu: 4\n    memory: 8")
    text = first + "---\n" + component("coder:\n  templateName: Docker\n  mode: MANUAL", name="second")
    findings = analyzer.analyze(text).findings
    fix_all = [a for a in actions_at(analyzer, text, "kind") if a.kind == "source.fixAll"]
    assert len(fix_all) == 1
    action = fix_all[0]
    assert sorted(d.code for d in action.diagnostics) == ["CC105", "CC105", "CC107", "CC107", "CC201"]
    fixed = applied(text, action)
    assert fixed == apply_safe_fixes(text, findings)[0]
    assert not {"CC105", "CC107", "CC201"} & set(codes(analyzer, fixed))


def test_no_fix_all_without_safe_fixes(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: docker")
    assert not [a for a in actions_at(analyzer, text, "docker") if a.kind == "source.fixAll"]


def test_add_a_coder_block_with_the_default_template_and_its_required_parameters(
    settings: Settings, template_data: TemplateData
) -> None:
    app = replace(settings, workspaces=WorkspaceDefaults(default_template_name="data-science"))
    analyzer = Analyzer(app, template_data)
    text = component()
    actions = actions_at(analyzer, text, "owner")
    add = next(a for a in actions if a.title.startswith("Add a Coder block"))
    assert add.kind == "refactor.rewrite" and add.title == "Add a Coder block (template data-science)"
    fixed = applied(text, add)
    assert fixed.endswith(
        '  owner: team-a\n  coder:\n    templateName: data-science\n    params:\n      dataset_bucket: ""\n'
    )
    assert analyzer.analyze(fixed).documents[0].uses_coder
    assert "CC302" in codes(analyzer, fixed)  # the value is for the author to fill in
    filled = fixed.replace('dataset_bucket: ""', "dataset_bucket: s3://acme-datasets")
    assert "CC302" not in codes(analyzer, filled)


def test_add_a_coder_block_respects_the_indentation_and_leaves_a_template_to_fill(analyzer: Analyzer) -> None:
    text = component().replace("\n  ", "\n    ").replace("\n      ", "\n        ")
    add = next(a for a in actions_at(analyzer, text, "kind") if a.title == "Add a Coder block")
    fixed = applied(text, add)
    assert fixed.endswith('    owner: team-a\n    coder:\n        templateName: ""\n')
    assert "CC104" in codes(analyzer, fixed)  # an empty template name: choose one


def test_add_a_coder_block_creates_spec_and_handles_a_missing_last_line_break(analyzer: Analyzer) -> None:
    text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x"
    add = next(a for a in actions_at(analyzer, text, "name") if a.title == "Add a Coder block")
    fixed = applied(text, add)
    assert fixed == text + '\nspec:\n  coder:\n    templateName: ""'
    assert analyzer.analyze(fixed).documents[0].uses_coder


def test_no_coder_block_for_entities_that_have_one_or_never_show_workspaces(analyzer: Analyzer) -> None:
    with_coder = component("coder:\n  templateName: docker")
    assert not [a for a in actions_at(analyzer, with_coder, "owner") if "Coder block" in a.title]
    user = component(kind="User")
    assert not [a for a in actions_at(analyzer, user, "owner") if "Coder block" in a.title]


def test_add_missing_required_parameters_anywhere_in_the_entity(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: data-science\n  mode: auto\n  params:\n    ide: jupyter")
    action = next(a for a in actions_at(analyzer, text, "lifecycle") if "required parameter" in a.title)
    assert action.kind == "quickfix" and [d.code for d in action.diagnostics] == ["CC302"]
    fixed = applied(text, action)
    assert fixed.endswith('      ide: jupyter\n      dataset_bucket: ""\n')
    filled = fixed.replace('dataset_bucket: ""', "dataset_bucket: s3://acme-datasets")
    assert "CC302" not in codes(analyzer, filled)


def test_the_finding_quick_fix_and_the_entity_action_are_not_offered_twice(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: data-science\n  params:\n    ide: jupyter")
    actions = actions_at(analyzer, text, "params")
    assert len([a for a in actions if "required parameter" in a.title]) == 1


def test_add_missing_required_parameters_without_the_finding(
    settings: Settings, template_data: TemplateData
) -> None:
    quiet = replace(settings, rules={"CC302": "off"})
    analyzer = Analyzer(quiet, template_data)
    text = component("coder:\n  templateName: data-science")
    action = next(a for a in actions_at(analyzer, text, "owner") if "required parameter" in a.title)
    assert action.kind == "refactor.rewrite" and action.diagnostics == ()
    assert applied(text, action).endswith(
        '    templateName: data-science\n    params:\n      dataset_bucket: ""\n'
    )


def test_edits_land_in_the_right_document_of_a_multi_document_file(analyzer: Analyzer) -> None:
    text = component("coder:\n  templateName: docker") + "---\n" + component(name="second")
    add = next(a for a in actions_at(analyzer, text, "name: second") if "Coder block" in a.title)
    fixed = applied(text, add)
    assert fixed.startswith(component("coder:\n  templateName: docker") + "---\n")
    assert [d.uses_coder for d in analyzer.analyze(fixed).documents] == [True, True]


def test_fix_all_skips_colliding_fixes_like_apply_fixes() -> None:
    text = "abcdef\nghijkl\n"

    def finding(line: int, start: int, end: int, new_text: str) -> Finding:
        edit = TextEdit(Span.of(line, start, line, end), new_text)
        return Finding("CC999", "error", "m", edit.span, (Fix("f", (edit,)),))

    findings = (
        finding(0, 1, 3, "X"),
        finding(0, 2, 4, "Y"),  # overlaps the first: skipped
        finding(0, 3, 3, "Z"),  # an insertion where the first ends: taken
        finding(0, 3, 3, "W"),  # a second insertion at the same place: skipped
        finding(1, 0, 6, "V"),
        finding(0, 0, 1, "U"),  # before the first, touching it: taken
    )
    action = fix_all_action(findings)
    assert action is not None
    assert [f.fixes[0].edits[0].new_text for f in action.diagnostics] == ["X", "Z", "V", "U"]
    assert (
        apply_fixes(text, [Fix("all", action.edits)])[0]
        == apply_safe_fixes(text, findings)[0]
        == "UXZdef\nV\n"
    )

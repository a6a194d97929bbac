"""Every rule's documented examples: the bad one triggers it, the good one does not, fixes lint clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_support import Linter, default_settings, snapshot_templates

from coder_catalog.analysis.fixes import apply_safe_fixes
from coder_catalog.analysis.rules import REGISTRY, iter_rules
from coder_catalog.analysis.rules.docs import render

WITH_EXAMPLES = [r.code for r in iter_rules() if r.bad]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def _with_safe_fixes() -> list[str]:
    """The rules whose bad example gets at least one finding of that rule with a safe fix (decided
    when the tests are collected, with the settings and templates of the ``lint`` fixture)."""
    lint = Linter(default_settings(), snapshot_templates())
    return [
        code
        for code in WITH_EXAMPLES
        if any(f.safe_fix is not None for f in lint(REGISTRY[code].bad).findings if f.code == code)
    ]


WITH_SAFE_FIXES = _with_safe_fixes()
# The examples whose findings ``lint --fix`` repairs. Written out so that a rule whose example gains
# or loses its safe fix is a visible change here, not a test that quietly stops running.
EXPECTED_WITH_SAFE_FIXES = {
    "CC102",  # template_name -> templateName
    "CC103",  # templateName: 2024 -> "2024"
    "CC105",  # mode: Auto -> auto
    "CC107",  # cpu: 4 -> "4", gpu: true -> "true"
    "CC301",  # CPU -> cpu
    "CC303",  # US-East-1 -> us-east-1
    "CC402",  # https://... -> url:https://...
    "CC501",  # Backstage.io/v1alpha1 -> backstage.io/v1alpha1
    "CC505",  # Python -> python
    "CC506",  # example.com/port: 8080 -> "8080"
    "CC507",  # example.com/replicas: 3 -> "3"
    "CC521",  # title: 2024 -> "2024"
}


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_bad_example_triggers_the_rule(code: str, lint: Linter) -> None:
    assert code in lint.codes(REGISTRY[code].bad)


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_good_example_does_not(code: str, lint: Linter) -> None:
    assert code not in lint.codes(REGISTRY[code].good)


def test_which_examples_have_a_safe_fix() -> None:
    assert set(WITH_SAFE_FIXES) == EXPECTED_WITH_SAFE_FIXES


@pytest.mark.parametrize("code", WITH_SAFE_FIXES)
def test_safe_fixes_lint_clean_for_their_rule(code: str, lint: Linter) -> None:
    bad = REGISTRY[code].bad
    findings = [f for f in lint(bad).findings if f.code == code]
    fixable = [f for f in findings if f.safe_fix]
    assert fixable
    fixed, applied = apply_safe_fixes(bad, fixable)
    assert applied == len(fixable)
    assert lint.codes(fixed).count(code) == len(findings) - len(fixable)


def test_codes_are_stable_and_well_formed() -> None:
    for code, rule in REGISTRY.items():
        assert code.startswith("CC") and len(code) == 5 and code[2:].isdigit()
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary and rule.explanation
        assert rule.severity in ("error", "warning", "info")
    names = [r.name for r in REGISTRY.values()]
    assert len(names) == len(set(names))


def test_rules_doc_is_generated_from_the_registry() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: run `python -m coder_catalog.analysis.rules.docs`"
    )

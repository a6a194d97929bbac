"""Every rule's documented examples: the bad one triggers it, the good one does not, fixes lint clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_support import Linter

from coder_catalog.analysis.fixes import apply_safe_fixes
from coder_catalog.analysis.rules import REGISTRY, iter_rules
from coder_catalog.analysis.rules.docs import render

WITH_EXAMPLES = [r.code for r in iter_rules() if r.bad]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_bad_example_triggers_the_rule(code: str, lint: Linter) -> None:
    assert code in lint.codes(REGISTRY[code].bad)


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_good_example_does_not(code: str, lint: Linter) -> None:
    assert code not in lint.codes(REGISTRY[code].good)


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_safe_fixes_lint_clean_for_their_rule(code: str, lint: Linter) -> None:
    bad = REGISTRY[code].bad
    findings = [f for f in lint(bad).findings if f.code == code]
    fixable = [f for f in findings if f.safe_fix]
    if not fixable:
        pytest.skip("no safe fix for this example")
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

"""An honest summary: never "All good" when something was not checked; ``--rule`` with a code that
no rule has is a usage error."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import component, isolate, run_lint, write

from coder_catalog.analysis.rules import REGISTRY, closest_code

DEEP = component("deep") + "  deep: " + "[" * 1_100 + "]" * 1_100 + "\n"  # CC006: not checked


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def test_an_invalid_project_file_is_not_all_good(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / ".coder-catalog.yaml", "rules: [\n")
    write(work / "catalog-info.yaml", component("a"))
    run = run_lint(capsys, "--offline")
    assert run.code == 2
    assert run.out == "0 files checked; 1 file could not be checked; 1 configuration error (see above)\n"
    assert ".coder-catalog.yaml:2:1: " in run.err


def test_an_unreadable_file_is_not_all_good(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "a" / "catalog-info.yaml", component("a"))
    (work / "b").mkdir()
    (work / "b" / "catalog-info.yaml").write_bytes(b"metadata:\n  name: caf\xe9\n")
    run = run_lint(capsys, "--offline")
    assert (run.code, run.out) == (2, "1 file checked; 1 file could not be checked (see above)\n")
    github = run_lint(capsys, "--offline", "--format", "github")
    assert github.out.endswith("\n1 file checked; 1 file could not be checked (see above)\n")


def test_a_refused_document_is_counted_as_not_checked(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", DEEP)
    run = run_lint(capsys, "--offline")
    assert run.code == 2 and "CC006" in run.out
    assert run.out.endswith(
        "1 error, 0 warnings, 0 infos in 1 file; 1 document could not be checked (see above)\n"
    )
    quiet = run_lint(capsys, "--offline", "--rule", "CC006=info")
    assert quiet.code == 2
    assert quiet.out.endswith(
        "0 errors, 0 warnings, 1 info in 1 file; 1 document could not be checked (see above)\n"
    )
    assert run_lint(capsys, "--offline", "--format", "json").json()["summary"]["refused"] == 1


def test_a_configuration_error_alone_is_not_all_good(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "snap.json", "{")
    write(work / "catalog-info.yaml", component("a", "templateName: docker"))
    run = run_lint(capsys, "--templates", "snap.json", "--rule", "CC200=off")
    assert run.code == 2 and "snap.json:1:2" in run.err
    assert run.out == "1 file checked; 1 configuration error (see above)\n"


def test_all_good_when_everything_was_checked(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", component("a"))
    assert run_lint(capsys, "--offline").out == "All good: 1 file checked\n"


@pytest.mark.parametrize(
    ("flag", "shown"),
    [
        ("CC999=off", 'unknown rule code "CC999";'),
        ("cc1O5=warning", 'unknown rule code "CC1O5" (did you mean "CC105"?)'),
        ("mode-invalid=off", 'unknown rule code "MODE-INVALID" (did you mean "CC105"?)'),
    ],
)
def test_rule_with_an_unknown_code_is_a_usage_error(
    work: Path, capsys: pytest.CaptureFixture[str], flag: str, shown: str
) -> None:
    write(work / "catalog-info.yaml", component("a"))
    run = run_lint(capsys, "--offline", "--rule", flag)
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith(f'coder-catalog: --rule "{flag}": {shown}')
    assert "the codes are in docs/rules.md" in run.err


def test_closest_code() -> None:
    assert "CC101" in REGISTRY and "CC105" in REGISTRY
    assert closest_code("CC10") == "CC101"  # the longest common start wins a tie
    assert closest_code("CC1055") == "CC105"
    assert closest_code("MODE-INVALID") == "CC105"
    assert closest_code("CC999") is None and closest_code("X") is None


def test_a_refusal_cannot_be_turned_off(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Turning off CC003/CC005/CC006 would make a document that was never checked look clean."""
    write(work / "catalog-info.yaml", component("a"))
    run = run_lint(capsys, "--offline", "--rule", "CC006=off")
    assert (run.code, run.out) == (2, "")
    assert "CC006 (document-too-deep) cannot be turned off" in run.err
    assert run_lint(capsys, "--offline", "--rule", "CC006=warning").code == 0  # a severity is fine

"""``lint --unsafe-fixes`` (ruff's convention), what ``--fix`` says it changed, ``--verbose``.

The unsafe fix used here is CC504's lower-casing of ``metadata.namespace`` (``Team-A``): Backstage
would accept ``team-a``, but it may be another namespace than the author meant. The safe one is
CC105's ``mode: Auto`` -> ``auto``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import component, isolate, run_lint, write

from coder_catalog.analysis.findings import Finding, Fix, TextEdit
from coder_catalog.analysis.spans import Span
from coder_catalog.cli.lint_engine import apply_in_order, chosen_fixes

SAFE_ONLY = component("svc", "templateName: docker\nmode: Auto")
BOTH = SAFE_ONLY.replace("  name: svc\n", "  name: svc\n  namespace: Team-A\n")
UNSAFE_ONLY = component("svc", "templateName: docker").replace(
    "  name: svc\n", "  name: svc\n  namespace: Team-A\n"
)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def test_the_namespace_fix_is_unsafe_and_the_mode_fix_safe(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "catalog-info.yaml", BOTH)
    findings = run_lint(capsys, "--offline", "--format", "json").json()["files"][0]["findings"]
    assert {f["code"]: f["fix"]["safe"] for f in findings} == {"CC504": False, "CC105": True}


def test_fix_applies_only_safe_fixes_and_says_how_many_more_unsafe_ones_would(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(work / "catalog-info.yaml", BOTH)
    before = run_lint(capsys, "--offline")
    assert before.out.endswith(
        "2 errors, 0 warnings, 0 infos in 1 file (1 fixable with --fix, 1 more with --fix --unsafe-fixes)\n"
    )
    run = run_lint(capsys, "--offline", "--fix")
    assert run.code == 1
    assert "namespace: Team-A" in path.read_text() and "mode: auto" in path.read_text()
    assert run.out.endswith(
        "Fixed 1 problem in 1 file.\n1 error, 0 warnings, 0 infos in 1 file (1 more fixable with --unsafe-fixes)\n"
    )


def test_unsafe_fixes_with_fix_apply_the_first_fix_of_findings_without_a_safe_one(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(work / "catalog-info.yaml", BOTH)
    run = run_lint(capsys, "--offline", "--fix", "--unsafe-fixes")
    assert run.code == 0, run.out
    assert path.read_text() == BOTH.replace("Team-A", "team-a").replace("mode: Auto", "mode: auto")
    assert run.out == "Fixed 2 problems in 1 file.\nAll good: 1 file checked\n"


def test_unsafe_fixes_with_diff_show_them_and_write_nothing(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(work / "catalog-info.yaml", UNSAFE_ONLY)
    assert run_lint(capsys, "--offline", "--diff") == type(run_lint(capsys))(0, "", "")
    run = run_lint(capsys, "--offline", "--diff", "--unsafe-fixes")
    assert run.code == 1 and "-  namespace: Team-A\n+  namespace: team-a\n" in run.out
    assert path.read_text() == UNSAFE_ONLY


def test_unsafe_fixes_alone_only_count_them_as_fixable(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(work / "catalog-info.yaml", BOTH)
    run = run_lint(capsys, "--offline", "--unsafe-fixes")
    assert run.code == 1 and path.read_text() == BOTH
    assert run.out.endswith("2 errors, 0 warnings, 0 infos in 1 file (2 fixable with --fix)\n")
    write(work / "catalog-info.yaml", UNSAFE_ONLY)
    assert run_lint(capsys, "--offline").out.endswith("(1 fixable with --fix --unsafe-fixes)\n")


def test_fixed_line_when_findings_remain_and_when_none_do(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "a" / "catalog-info.yaml", SAFE_ONLY)
    write(work / "b" / "catalog-info.yaml", SAFE_ONLY + "    surprise: yes\n")  # CC102, no fix
    run = run_lint(capsys, "--offline", "--fix")
    assert run.out.endswith("Fixed 2 problems in 2 files.\n0 errors, 1 warning, 0 infos in 2 files\n")
    write(work / "a" / "catalog-info.yaml", SAFE_ONLY)
    write(work / "b" / "catalog-info.yaml", SAFE_ONLY)
    github = run_lint(capsys, "--offline", "--fix", "--format", "github")
    assert github.out == "Fixed 2 problems in 2 files.\nAll good: 2 files checked\n"


def test_a_fixed_file_that_cannot_be_written_is_not_counted_as_fixed(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(work / "catalog-info.yaml", SAFE_ONLY)

    def refuse(path: Path, data: bytes) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", refuse)
    run = run_lint(capsys, "--offline", "--fix")
    assert run.code == 2 and "cannot write the fixed file: Permission denied" in run.err
    assert "Fixed" not in run.out
    assert run.out.endswith("; 1 file could not be checked (see above)\n")


def test_verbose_lists_each_fix_applied(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", BOTH)
    run = run_lint(capsys, "--offline", "--fix", "--unsafe-fixes", "--verbose")
    assert run.out == (
        'catalog-info.yaml:5:14: CC504 Lower-case it: "team-a" (unsafe fix)\n'
        'catalog-info.yaml:14:11: CC105 Change to "auto"\n'
        "Fixed 2 problems in 1 file.\n"
        "All good: 1 file checked\n"
    )
    write(work / "catalog-info.yaml", BOTH)
    assert "Change to" not in run_lint(capsys, "--offline", "--fix").out  # only with --verbose


def test_json_reports_what_was_fixed(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "a" / "catalog-info.yaml", BOTH)
    write(work / "b" / "catalog-info.yaml", component("b"))
    document = run_lint(capsys, "--offline", "--fix", "--format", "json").json()
    assert [(f["path"], f["fixed"]) for f in document["files"]] == [
        ("a/catalog-info.yaml", 1),
        ("b/catalog-info.yaml", 0),
    ]
    summary = document["summary"]
    assert (summary["fixed"], summary["fixedFiles"], summary["fixable"], summary["unsafeFixable"]) == (
        1,
        1,
        0,
        1,
    )
    document = run_lint(capsys, "--offline", "--fix", "--unsafe-fixes", "--format", "json").json()
    assert (document["summary"]["fixed"], document["summary"]["unsafeFixable"]) == (1, 0)


def _finding(code: str, column: int, *fixes: Fix) -> Finding:
    return Finding(code, "error", "m", Span.of(0, column, 0, column + 1), fixes)


def _fix(title: str, column: int, *, safe: bool) -> Fix:
    return Fix(title, (TextEdit(Span.of(0, column, 0, column + 1), "x"),), safe=safe)


def test_chosen_fixes_take_the_safe_fix_else_with_unsafe_the_first_offered() -> None:
    mixed = _finding("A", 0, _fix("unsafe first", 0, safe=False), _fix("safe", 0, safe=True))
    unsafe = _finding("B", 2, _fix("one", 2, safe=False), _fix("two", 2, safe=False))
    none = _finding("C", 4)
    titles = [fix.title for _, fix in chosen_fixes([mixed, unsafe, none], unsafe=False)]
    assert titles == ["safe"]
    titles = [fix.title for _, fix in chosen_fixes([mixed, unsafe, none], unsafe=True)]
    assert titles == ["safe", "one"]


def test_apply_in_order_says_which_fixes_were_applied() -> None:
    """A fix overlapping one before it is skipped (``apply_fixes``); verbose lists only the others."""
    text = "abcdefgh\n"
    fixes = [
        Fix("b", (TextEdit(Span.of(0, 1, 0, 2), "B"),)),
        Fix("bc", (TextEdit(Span.of(0, 1, 0, 3), "BC"),)),  # overlaps "b": skipped
        Fix("e", (TextEdit(Span.of(0, 4, 0, 5), "E"),)),
        Fix("ef", (TextEdit(Span.of(0, 4, 0, 6), "EF"),)),  # overlaps "e": skipped
        Fix("h", (TextEdit(Span.of(0, 7, 0, 8), "H"),)),
    ]
    assert apply_in_order(text, fixes) == ("aBcdEfgH\n", [0, 2, 4])
    assert apply_in_order(text, fixes[::2]) == ("aBcdEfgH\n", [0, 1, 2])
    assert apply_in_order(text, []) == (text, [])

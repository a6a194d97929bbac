"""``lint --fix`` and ``--diff``: safe fixes applied in place, everything else kept byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import component, copy_fixture, isolate, run_lint, write

BAD = component(
    "svc", "templateName: docker\nmode: Auto  # keep this comment\nparams:\n  cpu: 4\n  region: eu"
)
GOOD = component(
    "svc", 'templateName: docker\nmode: auto  # keep this comment\nparams:\n  cpu: "4"\n  region: eu'
)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def test_fix_applies_safe_fixes_and_relints_clean(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(work / "catalog-info.yaml", BAD)
    before = run_lint(capsys, "--offline")
    assert before.code == 1 and "(2 fixable with --fix)" in before.out
    fixed = run_lint(capsys, "--offline", "--fix")
    assert fixed.code == 0, fixed.out
    assert "Fixed 2 problems in 1 file." in fixed.out and "All good: 1 file checked" in fixed.out
    assert path.read_text() == GOOD
    again = run_lint(capsys, "--offline")
    assert again.code == 0 and again.out == "All good: 1 file checked\n"


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_fix_keeps_line_endings_bom_comments_and_layout(
    work: Path, capsys: pytest.CaptureFixture[str], bom: bool, newline: str
) -> None:
    def encoded(text: str) -> bytes:
        return (
            (("\ufeff" if bom else "") + "# top comment\n\n" + text + "\n# trailing comment\n")
            .replace("\n", newline)
            .encode("utf-8")
        )

    path = work / "catalog-info.yaml"
    path.write_bytes(encoded(BAD))
    assert run_lint(capsys, "--offline", "--fix").code == 0
    assert path.read_bytes() == encoded(GOOD)


def test_fix_on_a_bom_file_with_the_finding_on_the_first_line(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = work / "catalog-info.yaml"
    text = (
        "spec: {coder: {templateName: docker, mode: Auto}, type: service, lifecycle: production, owner: a}\n"
    )
    text += "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\n"
    path.write_bytes(("\ufeff" + text).encode())
    run = run_lint(capsys, "--offline", "--format", "json")
    mode = next(f for f in run.json()["files"][0]["findings"] if f["code"] == "CC105")
    column = text.index("Auto") + 1  # the byte order mark is not counted
    assert mode["range"] == {"start": {"line": 1, "column": column}, "end": {"line": 1, "column": column + 4}}
    assert mode["fix"]["edits"][0]["range"] == mode["range"]
    text_run = run_lint(capsys, "--offline", "--color", "never")
    assert f"catalog-info.yaml:1:{column}: CC105" in text_run.out
    assert " 1 | spec: {coder:" in text_run.out and "\n   | " + " " * (column - 1) + "^^^^\n" in text_run.out
    run_lint(capsys, "--offline", "--fix")
    assert path.read_bytes() == ("\ufeff" + text.replace("Auto", "auto")).encode()


def test_files_without_fixes_are_not_written(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = write(work / "a" / "catalog-info.yaml", component("a", "templateName: docker"))
    unfixable = write(work / "b" / "catalog-info.yaml", "metadata: [broken\n")
    stamps = {p: p.stat().st_mtime_ns for p in (clean, unfixable)}
    for p in stamps:
        p.chmod(0o444)  # a write would fail loudly
    run = run_lint(capsys, "--offline", "--fix")
    assert run.code == 1 and "CC001" in run.out
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_fix_on_the_fixture_tree_leaves_only_unfixable_findings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = copy_fixture(isolate(monkeypatch, tmp_path))
    run = run_lint(capsys, "--fix", "--format", "json")
    summary = run.json()["summary"]
    assert summary["fixed"] >= 2 and summary["fixable"] == 0
    text = (tree / "catalog-info.yaml").read_text()
    assert "mode: auto   # the plugin only knows" in text and 'cpu: "4"' in text


def test_diff_is_a_dry_run(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(work / "catalog-info.yaml", BAD)
    run = run_lint(capsys, "--offline", "--diff")
    assert run.code == 1
    assert path.read_text() == BAD
    assert run.out.startswith("--- a/catalog-info.yaml\n+++ b/catalog-info.yaml\n")
    assert "-    mode: Auto  # keep this comment\n+    mode: auto  # keep this comment\n" in run.out
    assert '+      cpu: "4"\n' in run.out
    write(work / "catalog-info.yaml", GOOD)
    assert run_lint(capsys, "--offline", "--diff") == type(run)(0, "", "")


def test_fix_and_diff_exclude_each_other(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_lint(capsys, "--fix", "--diff").code == 2
    assert run_lint(capsys, "--diff", "--format", "json").code == 2

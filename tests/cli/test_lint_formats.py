"""The details of each output format: text layout and colours, JSON structure, GitHub escaping,
the summary line, the progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lint_helpers import component, isolate, run_lint, write

from coder_catalog.cli.lint_formats import Place, Range, caret_line, escape_data, escape_property
from coder_catalog.cli.lint_progress import ProgressBar

MODE_AUTO = component("svc", "templateName: docker\nmode: Auto")


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def test_text_shows_position_source_line_and_carets(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "sub" / "catalog-info.yaml", MODE_AUTO)
    out = run_lint(capsys, "--offline").out
    lines = out.splitlines()
    assert lines[0].startswith("sub/catalog-info.yaml:13:11: CC105 error ")
    assert lines[1] == " 13 |     mode: Auto"
    assert lines[2] == "    |           ^^^^"
    assert lines[-1] == "1 error, 0 warnings, 0 infos in 1 file (1 fixable with --fix)"
    assert "\x1b[" not in out  # not a terminal: no colours


def test_paths_outside_the_working_folder_are_absolute(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = write(tmp_path / "other" / "catalog-info.yaml", MODE_AUTO)
    assert run_lint(capsys, "--offline", str(outside)).out.startswith(f"{outside}:13:11: CC105")


@pytest.mark.parametrize(
    ("source", "start", "end", "expected"),
    [
        ("  mode: Auto", (1, 9), (1, 13), "        ^^^^"),
        ("\tmode: Auto", (1, 8), (1, 12), "\t      ^^^^"),  # a tab stays a tab, so the carets line up
        ("spec: [", (1, 7), (3, 1), "      ^"),  # a multi-line span: to the end of its first line
        ("spec: x", (1, 3), (1, 3), "  ^"),  # an empty span: one caret
        ("spec:", (1, 6), (1, 6), "     ^"),  # at the end of the line: one caret after it
    ],
)
def test_caret_line(source: str, start: tuple[int, int], end: tuple[int, int], expected: str) -> None:
    assert caret_line(source, Range(Place(*start), Place(*end))) == expected


def test_colours(work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(work / "catalog-info.yaml", MODE_AUTO)
    coloured = run_lint(capsys, "--offline", "--color", "always").out
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b[" not in run_lint(capsys, "--offline", "--color", "never").out
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_lint(capsys, "--offline").out


def test_summary_when_clean_and_after_fixing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "a" / "catalog-info.yaml", component("a"))
    write(work / "b" / "catalog-info.yaml", component("b"))
    assert run_lint(capsys, "--offline").out == "All good: 2 files checked\n"
    write(work / "c" / "catalog-info.yaml", MODE_AUTO)
    assert (
        run_lint(capsys, "--offline", "--fix").out
        == "Fixed 1 problem in 1 file.\nAll good: 3 files checked\n"
    )


def test_json_structure(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", MODE_AUTO + "---\nmetadata: [broken\n")
    write(work / "clean" / "catalog-info.yaml", component("clean"))
    document = run_lint(capsys, "--offline", "--format", "json").json()
    assert set(document) == {"version", "files", "errors", "summary"} and document["version"] == 1
    assert [f["path"] for f in document["files"]] == ["catalog-info.yaml", "clean/catalog-info.yaml"]
    mode, syntax = document["files"][0]["findings"]
    assert set(mode) == {"code", "name", "severity", "message", "range", "entity", "fix"}
    assert (mode["code"], mode["name"], mode["severity"]) == ("CC105", "mode-invalid", "error")
    assert mode["range"] == {"start": {"line": 13, "column": 11}, "end": {"line": 13, "column": 15}}
    assert mode["entity"] == "component:default/svc"
    assert mode["fix"]["safe"] is True and mode["fix"]["edits"] == [
        {"range": mode["range"], "newText": "auto"}
    ]
    assert (syntax["code"], syntax["entity"], syntax["fix"]) == ("CC001", None, None)
    assert syntax["range"]["start"]["line"] == 15  # where the unclosed bracket opens
    assert document["files"][1]["findings"] == []
    assert [f["fixed"] for f in document["files"]] == [0, 0]
    assert document["errors"] == []
    assert document["summary"] == {
        "files": 2,
        "errors": 2,
        "warnings": 0,
        "infos": 0,
        "fixable": 1,
        "unsafeFixable": 0,
        "fixed": 0,
        "fixedFiles": 0,
        "unreadable": 0,
        "refused": 0,
    }


def test_github_annotations(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", MODE_AUTO)
    (work / "bad").mkdir()
    (work / "bad" / "catalog-info.yaml").write_bytes(b"\xe9")
    run = run_lint(capsys, "--offline", "--format", "github", "--fail-on", "error")
    first, second = run.out.splitlines()[:2]
    assert first.startswith(
        "::error file=catalog-info.yaml,line=13,col=11,endLine=13,endColumn=15,"
        "title=CC105 mode-invalid::mode must be"
    )
    assert second.startswith("::error file=bad/catalog-info.yaml,title=coder-catalog::the file is not UTF-8")
    assert run.err == "" and run.code == 2


def test_github_escaping() -> None:
    assert escape_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_for_many_files() -> None:
    assert not ProgressBar.wanted(io.StringIO()) and ProgressBar.wanted(FakeTerminal())
    few = FakeTerminal()
    bar = ProgressBar(few)
    for done in range(1, 21):
        bar(done, 20)
    bar.close()
    assert few.getvalue() == ""
    many = FakeTerminal()
    bar = ProgressBar(many)
    for done in range(1, 101):
        bar(done, 100)
    bar.close()
    shown = many.getvalue()
    assert "100/100 files" in shown and shown.endswith("\r\x1b[K")
    assert shown.count("\r[") < 100  # throttled


def test_no_progress_when_stderr_is_not_a_terminal(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for number in range(25):
        write(work / f"s{number}" / "catalog-info.yaml", component(f"s{number}"))
    run = run_lint(capsys, "--offline")
    assert run.err == "" and run.out == "All good: 25 files checked\n"

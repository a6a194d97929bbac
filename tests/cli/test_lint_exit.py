"""``lint`` exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage/configuration/file
errors (the other files still checked), 3 --require-deployment without a deployment answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import codes, component, isolate, run_lint, write

WARNING_ONLY = component("w", "templateName: docker\nsurprise: yes")  # CC102 unknown key: a warning
INFO_ONLY = component("i", "templateName: docker").replace(
    "  annotations:\n    backstage.io/source-location: url:https://github.com/acme/i/tree/main/\n", ""
)  # CC401 missing source location: an info


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def test_clean_files_exit_0(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", component("ok", "templateName: docker"))
    run = run_lint(capsys, "--offline")
    assert (run.code, run.out, run.err) == (0, "All good: 1 file checked\n", "")


def test_no_catalog_files_at_all_is_fine(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_lint(capsys, "--offline").out == "All good: 0 files checked\n"


@pytest.mark.parametrize(
    ("text", "fail_on", "expected"),
    [
        (WARNING_ONLY, "error", 0),
        (WARNING_ONLY, "warning", 1),
        (WARNING_ONLY, "info", 1),
        (INFO_ONLY, "warning", 0),
        (INFO_ONLY, "info", 1),
        ("metadata: [broken\n", "error", 1),
    ],
)
def test_fail_on_threshold(
    work: Path, capsys: pytest.CaptureFixture[str], text: str, fail_on: str, expected: int
) -> None:
    write(work / "catalog-info.yaml", text)
    run = run_lint(capsys, "--offline", "--fail-on", fail_on, "--format", "json")
    assert run.code == expected, run.out


def test_fixture_severities_are_what_the_threshold_tests_assume(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "w" / "catalog-info.yaml", WARNING_ONLY)
    write(work / "i" / "catalog-info.yaml", INFO_ONLY)
    severities = {
        f["code"]: f["severity"]
        for file in run_lint(capsys, "--offline", "--format", "json").json()["files"]
        for f in file["findings"]
    }
    assert severities == {"CC102": "warning", "CC401": "info"}


def test_rule_flag_changes_a_severity(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", WARNING_ONLY)
    assert run_lint(capsys, "--offline", "--rule", "CC102=error").code == 1
    assert codes(run_lint(capsys, "--offline", "--rule", "cc102=off", "--format", "json")) == []
    bad = run_lint(capsys, "--offline", "--rule", "CC102")
    assert bad.code == 2 and "CODE=SEVERITY" in bad.err


def test_bad_project_file_exits_2_with_its_position_and_other_files_are_linted(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "bad" / ".coder-catalog.yaml", "workspaces:\n  defaultMode: Auto\n")
    write(work / "bad" / "catalog-info.yaml", component("bad"))
    write(work / "good" / "catalog-info.yaml", component("good", "templateName: docker\nmode: Auto"))
    run = run_lint(capsys, "--offline", "--format", "json")
    assert run.code == 2
    assert "bad/.coder-catalog.yaml:2:16: " in run.err and "Traceback" not in run.err
    assert [f["path"] for f in run.json()["files"]] == ["good/catalog-info.yaml"]
    assert codes(run) == ["CC105"]


def test_unreadable_and_non_utf8_files_exit_2_and_the_others_are_linted(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "a" / "catalog-info.yaml", component("a", "templateName: docker\nmode: Auto"))
    (work / "b").mkdir()
    (work / "b" / "catalog-info.yaml").write_bytes(b"metadata:\n  name: caf\xe9\n")
    (work / "c").mkdir()
    (work / "c" / "catalog-info.yaml").write_bytes("name: x\n".encode("utf-16"))
    run = run_lint(capsys, "--offline")
    assert run.code == 2
    assert "b/catalog-info.yaml: error: the file is not UTF-8 (byte 0xe9 at offset 21)" in run.err
    assert "c/catalog-info.yaml: error: the file is UTF-16" in run.err
    assert "a/catalog-info.yaml:" in run.out and "CC105" in run.out
    assert "2 files could not be checked" in run.out


def test_usage_errors_exit_2(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_lint(capsys, "--offline", "--templates", "snap.json").code == 2
    assert run_lint(capsys, "--offline", "--require-deployment").code == 2
    bad_url = run_lint(capsys, "--url", "ftp://coder.example.com")
    assert bad_url.code == 2 and "http" in bad_url.err
    with pytest.raises(SystemExit) as exit_info:
        run_lint(capsys, "--format", "xml")
    assert exit_info.value.code == 2


def test_bad_snapshot_exits_2_and_reports_templates_unavailable(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "snap.json", "{")
    write(work / "catalog-info.yaml", component("a", "templateName: docker"))
    run = run_lint(capsys, "--templates", "snap.json", "--format", "json")
    assert run.code == 2
    assert "snap.json:1:2: not valid JSON" in run.err
    assert codes(run) == ["CC200"]


def test_no_deployment_is_offline_with_a_note(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "catalog-info.yaml", component("a", "templateName: no-such-template"))
    run = run_lint(capsys)
    assert run.code == 0 and run.out == "All good: 1 file checked\n"
    assert run.err.count("\n") == 1 and "no Coder deployment is configured" in run.err
    required = run_lint(capsys, "--require-deployment")
    assert required.code == 2 and "--require-deployment" in required.err

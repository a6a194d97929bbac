"""CI reports beyond GitHub: ``--format gitlab`` (GitLab Code Quality), ``--format junit`` (read back
with junitparser, an independent JUnit library), the GitHub Action's lint-and-summary step
(ci/github/lint_summary.py) and the CI examples of docs/lint.md and action.yml."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from junitparser import Error, Failure, JUnitXml
from lint_helpers import component, copy_fixture, isolate, run_lint, write

REPO = Path(__file__).resolve().parents[2]
ACTION = REPO / "action.yml"
SUMMARY_SCRIPT = REPO / "ci" / "github" / "lint_summary.py"
LINT_DOC = REPO / "docs" / "lint.md"
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


@pytest.fixture
def tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return copy_fixture(isolate(monkeypatch, tmp_path))


def gitlab(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    run = run_lint(capsys, "--format", "gitlab", *args)
    assert run.code in (0, 1, 2), run.err
    issues: list[dict[str, Any]] = run.json()
    return issues


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, list[dict[str, Any]]]:
    return {f["path"]: f["findings"] for f in run_lint(capsys, "--format", "json", *args).json()["files"]}


# -- gitlab ------------------------------------------------------------------------------------------


def test_gitlab_issues_have_the_fields_gitlab_reads(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issues = gitlab(capsys)
    expected = [(path, f["code"]) for path, found in findings(capsys).items() for f in found]
    assert [(i["location"]["path"], i["check_name"]) for i in issues] == expected
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"] in issue["description"]
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in GITLAB_SEVERITIES
        assert (tree / issue["location"]["path"]).is_file()
        assert issue["location"]["lines"]["begin"] >= 1
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities["CC105"] == "major" and severities["CC202"] == "minor"  # error, warning
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_severities_follow_the_rule_settings(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issues = gitlab(capsys, "--rule", "CC105=info", "--rule", "CC107=warning")
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert severities["CC105"] == "info" and severities["CC107"] == "minor"


def test_gitlab_paths_are_relative_to_the_repository_root(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tree / "services")
    paths = {i["location"]["path"] for i in gitlab(capsys, "--offline")}
    assert "services/api/catalog-info.yaml" in paths
    assert all("\\" not in path and not path.startswith(("/", ".")) for path in paths)


def test_gitlab_fingerprints_survive_lines_inserted_above(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in gitlab(capsys)}
    path = tree / "services" / "api" / "catalog-info.yaml"
    path.write_text("# one\n# two\n# three\n" + path.read_text())
    after = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in gitlab(capsys)}
    assert set(after) == set(before)
    moved = [key for key in before if after[key] != before[key]]
    assert len(moved) == 3 and all(after[key] == before[key] + 3 for key in moved)


def test_gitlab_identical_findings_get_distinct_fingerprints(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    same = component("a", "templateName: docker\nmode: Auto")
    write(work / "catalog-info.yaml", same + "---\n" + same)
    modes = [i["fingerprint"] for i in gitlab(capsys, "--offline") if i["check_name"] == "CC105"]
    assert len(modes) == 2 and len(set(modes)) == 2


def test_gitlab_reports_files_that_cannot_be_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    (work / "catalog-info.yaml").write_bytes(b"kind: \xe9\n")
    (issue,) = gitlab(capsys, "--offline")
    assert issue["check_name"] == "file-not-checked" and issue["severity"] == "critical"
    assert issue["location"] == {"path": "catalog-info.yaml", "lines": {"begin": 1}}


def test_gitlab_clean_run_is_an_empty_array(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    write(work / "catalog-info.yaml", component("a"))
    assert gitlab(capsys, "--offline") == []


# -- junit ---------------------------------------------------------------------------------------------


def junit(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> JUnitXml:
    report = tmp_path / "junit.xml"
    run = run_lint(capsys, "--format", "junit", "-o", str(report), *args)
    assert run.code in (0, 1, 2) and run.out == "", run.err
    return JUnitXml.fromfile(str(report))


def test_junit_report_read_by_junitparser(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = findings(capsys)
    (suite,) = list(junit(tmp_path, capsys))
    cases = {case.name: case for case in suite}
    assert list(cases) == list(expected)  # a test case per file, in discovery order
    for path, found in expected.items():
        results = cases[path].result
        assert all(isinstance(result, Failure) for result in results)
        assert [r.type for r in results] == [f["code"] for f in found]
        for result, finding in zip(results, found, strict=True):
            line = finding["range"]["start"]["line"]
            assert f"line {line}," in result.message and finding["message"] in result.message
            assert f"{path}:{line}:" in result.text
    assert cases["services/clean/catalog-info.yaml"].is_passed
    assert suite.tests == len(cases)
    assert suite.failures == sum(1 for found in expected.values() if found)
    assert suite.errors == suite.skipped == 0


def test_junit_unreadable_file_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    (work / "catalog-info.yaml").write_bytes(b"kind: \xe9\n")
    write(work / "other" / "catalog-info.yaml", component("a", "templateName: docker\nmode: Auto\x07"))
    (suite,) = list(junit(tmp_path, capsys, "--offline"))
    cases = {case.name: case for case in suite}
    (error,) = cases["catalog-info.yaml"].result
    assert isinstance(error, Error) and "UTF-8" in (error.message or "")
    assert suite.errors == 1 and suite.tests == 2


def test_junit_configuration_errors_are_a_test_case(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    write(work / ".coder-catalog.yaml", "rules: [not, a, mapping]\n")
    write(work / "catalog-info.yaml", component("a"))
    (suite,) = list(junit(tmp_path, capsys, "--offline"))
    cases = {case.name: case for case in suite}
    assert all(isinstance(r, Error) for r in cases["configuration"].result)
    assert cases["configuration"].result and suite.errors >= 1


# -- the GitHub Action --------------------------------------------------------------------------------


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODER_", "GITHUB_", "INPUT_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"))
    env.pop("NO_COLOR", None)
    return env


def test_action_lint_step_writes_the_job_summary(tree: Path, tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    summary.write_text("earlier step\n")
    env = _clean_env(tmp_path)
    env.update(
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(outputs),
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_REPOSITORY="acme/catalog",
        GITHUB_SHA="0123abc",
        INPUT_PATHS="services extra",
        INPUT_ARGS="--fail-on warning",
        INPUT_SARIF_FILE="reports/lint.sarif",
    )
    (tree / "reports").mkdir()
    done = subprocess.run(
        [sys.executable, str(SUMMARY_SCRIPT)], cwd=tree, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert (tree / "reports" / "lint.sarif").is_file()
    assert outputs.read_text().splitlines() == ["exit-code=1", "sarif=reports/lint.sarif"]
    text = summary.read_text()
    assert text.startswith("earlier step\n### coder-catalog lint\n")  # appended
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0] == "| Severity | Location | Rule | Message |"
    cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows[1:]]
    assert [(c[0], re.search(r"CC\d+", c[2]).group()) for c in cells] == [  # type: ignore[union-attr]
        ("error", "CC002"),
        ("warning", "CC403"),
        ("error", "CC201"),
        ("error", "CC001"),
        ("warning", "CC202"),  # in the order of INPUT_PATHS
    ]
    assert cells[0][1] == (
        "[`services/api/catalog-info.yaml:11`]"
        "(https://github.com/acme/catalog/blob/0123abc/services/api/catalog-info.yaml#L11)"
    )
    assert cells[0][2].startswith("[CC002](https://") and "duplicate-key" in cells[0][2]
    assert "3 errors, 2 warnings, 0 infos" in text


def test_action_lint_step_on_a_clean_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    work = isolate(monkeypatch, tmp_path)
    write(work / "catalog-info.yaml", component("a"))
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    env = _clean_env(tmp_path)
    env.update(GITHUB_STEP_SUMMARY=str(summary), GITHUB_OUTPUT=str(outputs), INPUT_ARGS="--offline")
    done = subprocess.run([sys.executable, str(SUMMARY_SCRIPT)], cwd=work, env=env, timeout=60)
    assert done.returncode == 0
    assert "No findings" in summary.read_text() and "| Severity" not in summary.read_text()
    assert "sarif=coder-catalog.sarif" in outputs.read_text().splitlines()


# -- the CI examples -------------------------------------------------------------------------------------


def _doc_yaml_blocks() -> list[Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", LINT_DOC.read_text(encoding="utf-8"), re.DOTALL)
    return [yaml.safe_load(block) for block in blocks]


def _output_of(command: str) -> tuple[list[str], str]:
    words = shlex.split(command)
    for flag in ("-o", "--output"):
        if flag in words:
            return words, words[words.index(flag) + 1]
    raise AssertionError(f"no --output in {command!r}")


def test_gitlab_ci_example_uploads_the_report_lint_writes() -> None:
    jobs = [
        job
        for block in _doc_yaml_blocks()
        if isinstance(block, dict)
        for job in block.values()
        if isinstance(job, dict) and "codequality" in job.get("artifacts", {}).get("reports", {})
    ]
    assert jobs, "docs/lint.md has no GitLab job with artifacts.reports.codequality"
    for job in jobs:
        (command,) = [line for line in job["script"] if line.startswith("coder-catalog lint")]
        words, output = _output_of(command)
        assert words[words.index("--format") + 1] == "gitlab"
        assert job["artifacts"]["reports"]["codequality"] == output
        assert job["artifacts"]["when"] == "always"  # the report is wanted most when lint fails


def test_action_yml_is_a_composite_action_whose_references_resolve() -> None:
    text = ACTION.read_text(encoding="utf-8")
    action = yaml.safe_load(text)
    assert action["runs"]["using"] == "composite"
    assert action["name"] and action["description"]
    inputs = action["inputs"]
    assert {"paths", "args", "version", "package"} <= set(inputs)
    assert all("description" in spec and "default" in spec for spec in inputs.values())
    assert set(re.findall(r"inputs\.([\w-]+)", text)) <= set(inputs)
    steps = {step.get("id") or step.get("name") or step["uses"]: step for step in action["runs"]["steps"]}
    assert all("shell" in step for step in steps.values() if "run" in step)  # composite steps need one
    assert set(re.findall(r"steps\.([\w-]+)\.", text)) <= set(steps)
    lint = steps["lint"]
    assert "ci/github/lint_summary.py" in lint["run"] and SUMMARY_SCRIPT.is_file()
    script = SUMMARY_SCRIPT.read_text(encoding="utf-8")
    assert all(name in script for name in lint["env"])  # the script reads what the step passes
    assert set(re.findall(r"steps\.lint\.outputs\.([\w-]+)", text)) <= {"exit-code", "sarif"}
    uses = [step["uses"] for step in action["runs"]["steps"] if "uses" in step]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)


def test_docs_show_the_action_with_its_inputs() -> None:
    inputs = set(yaml.safe_load(ACTION.read_text(encoding="utf-8"))["inputs"])
    steps = [
        step
        for block in _doc_yaml_blocks()
        if isinstance(block, dict)
        for job in block.get("jobs", {}).values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("coder-catalog/coder-catalog@")
    ]
    assert steps, "docs/lint.md does not show the GitHub Action"
    assert all(set(step.get("with", {})) <= inputs for step in steps)

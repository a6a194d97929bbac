"""``--format sarif``: the SARIF 2.1.0 fields GitHub code scanning requires, checked one by one
(the official schema is not available offline), and fingerprints that survive line shifts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from lint_helpers import component, copy_fixture, isolate, run_lint, write

from coder_catalog import __version__

LEVELS = {"none", "note", "warning", "error"}


@pytest.fixture
def tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return copy_fixture(isolate(monkeypatch, tmp_path))


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    run = run_lint(capsys, "--format", "sarif", *args)
    assert run.code in (0, 1, 2), run.err
    document: dict[str, Any] = run.json()
    return document


def is_absolute_uri(text: str) -> bool:
    parts = urlsplit(text)
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def check_rule(rule: dict[str, Any]) -> None:
    assert re.fullmatch(r"[A-Z]+[0-9]+", rule["id"])
    assert isinstance(rule["name"], str) and rule["name"]
    for key in ("shortDescription", "fullDescription"):
        assert isinstance(rule[key]["text"], str) and rule[key]["text"]
    assert rule["help"]["text"] and rule["help"]["markdown"]
    assert is_absolute_uri(rule["helpUri"])
    assert rule["helpUri"].endswith(
        f"#{rule['id'].lower()}-{rule['name']}"
    )  # the heading's anchor in docs/rules.md
    assert rule["defaultConfiguration"]["level"] in LEVELS
    assert len(rule.get("properties", {}).get("tags", [])) <= 20  # GitHub's limit


def check_result(result: dict[str, Any], rules: list[dict[str, Any]]) -> None:
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert result["level"] in LEVELS
    assert isinstance(result["message"]["text"], str) and result["message"]["text"]
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    artifact = physical["artifactLocation"]
    assert artifact["uriBaseId"] == "%SRCROOT%"
    assert not urlsplit(artifact["uri"]).scheme and not artifact["uri"].startswith("/")
    region = physical["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1
    if "endLine" in region:
        assert region["endLine"] >= region["startLine"] and region["endColumn"] >= 1
        if region["endLine"] == region["startLine"]:
            assert region["endColumn"] >= region["startColumn"]
    fingerprints = result["partialFingerprints"]
    assert fingerprints and all(isinstance(k, str) and isinstance(v, str) for k, v in fingerprints.items())


def test_document_has_every_field_github_requires(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = sarif(capsys)
    assert document["$schema"].startswith("https://") and "sarif" in document["$schema"]
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "coder-catalog" and driver["version"] == __version__
    assert is_absolute_uri(driver["informationUri"])
    rules = driver["rules"]
    assert len({r["id"] for r in rules}) == len(rules) > 0
    for rule in rules:
        check_rule(rule)
    results = run["results"]
    assert 0 < len(results) <= 25_000
    for result in results:
        check_result(result, rules)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tree.as_uri() + "/"
    assert run["invocations"][0]["executionSuccessful"] is True
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "services/api/catalog-info.yaml" in uris


def test_levels_follow_the_findings_severities(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = sarif(capsys, "--rule", "CC105=info", "--rule", "CC107=warning")["runs"][0]["results"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels["CC105"] == "note" and levels["CC107"] == "warning" and levels["CC002"] == "error"


def fingerprints(document: dict[str, Any]) -> dict[str, tuple[str, int]]:
    return {
        next(iter(r["partialFingerprints"].values())): (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in document["runs"][0]["results"]
    }


def test_fingerprints_are_stable_across_line_shifts(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = fingerprints(sarif(capsys))
    assert len(before) == len(sarif(capsys)["runs"][0]["results"])  # all distinct
    path = tree / "services" / "api" / "catalog-info.yaml"
    path.write_text("# one\n# two\n# three\n" + path.read_text())
    after = fingerprints(sarif(capsys))
    assert set(after) == set(before)
    moved = [key for key in before if before[key][1] != after[key][1]]
    assert moved and all(after[key][1] == before[key][1] + 3 for key in moved)


def test_identical_findings_get_distinct_fingerprints(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    same = component("a", "templateName: docker\nmode: Auto")
    write(work / "catalog-info.yaml", same + "---\n" + same)
    results = sarif(capsys, "--offline")["runs"][0]["results"]
    modes = [next(iter(r["partialFingerprints"].values())) for r in results if r["ruleId"] == "CC105"]
    assert len(modes) == 2 and len(set(modes)) == 2


def test_files_that_cannot_be_read_are_tool_notifications(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path)
    (work / "catalog-info.yaml").write_bytes(b"\xff\xfe\x00")
    outside = write(
        tmp_path / "elsewhere" / "catalog-info.yaml", component("x", "templateName: docker\nmode: Auto")
    )
    document = sarif(capsys, "--offline", ".", str(outside))
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "UTF-16" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "CC105"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}  # not below the source root: an absolute URI


def test_output_to_a_file(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_lint(capsys, "--format", "sarif", "--output", "results.sarif")
    assert run.code == 1 and run.out == ""
    assert '"version": "2.1.0"' in (tree / "results.sarif").read_text(encoding="utf-8")

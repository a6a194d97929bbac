"""``lint`` with ``references.complete``: every file linted is indexed, then references that name no
entity of any of them are reported (CC601); without the setting, none is."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import codes, isolate, run_lint, write

SERVICE = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    backstage.io/source-location: url:https://github.com/acme/payments/tree/main/
spec:
  type: service
  lifecycle: production
  owner: group:default/Team-A
  system: billing
"""

TEAMS = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: billings
spec:
  owner: team-a
"""


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    work = isolate(monkeypatch, tmp_path)
    write(work / "services" / "catalog-info.yaml", SERVICE)
    write(work / "org" / "catalog-info.yaml", TEAMS)
    return work


def test_off_by_default(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_lint(capsys, "--offline", "--format", "json")
    assert codes(run) == []


def test_a_reference_to_nothing_is_reported_and_one_across_files_resolves(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / ".coder-catalog.yaml", "references: {complete: true}\n")
    run = run_lint(capsys, "--offline", "--format", "json")
    found = [
        (file["path"], f["code"], f["severity"], f["message"], f["range"]["start"]["line"])
        for file in run.json()["files"]
        for f in file["findings"]
    ]
    assert found == [
        (
            "services/catalog-info.yaml",
            "CC601",
            "warning",
            '"spec.system" names system:default/billing, which no file of the catalog defines '
            '(did you mean "billings"?)',
            11,
        )
    ]
    assert run.code == 0  # a warning: below the default --fail-on
    text = run_lint(capsys, "--offline", "--color", "never")
    assert "CC601" in text.out and "services/catalog-info.yaml:11:11" in text.out


def test_the_rule_severity_and_ignore_comments_apply(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / ".coder-catalog.yaml", "references: {complete: true}\nrules: {CC601: error}\n")
    run = run_lint(capsys, "--offline", "--format", "json")
    assert [f["severity"] for file in run.json()["files"] for f in file["findings"]] == ["error"]
    assert run.code == 1
    assert codes(run_lint(capsys, "--offline", "--rule", "CC601=off", "--format", "json")) == []
    write(
        work / "services" / "catalog-info.yaml",
        SERVICE.replace("  system: billing\n", "  system: billing  # coder-catalog: ignore[CC601]\n"),
    )
    assert codes(run_lint(capsys, "--offline", "--format", "json")) == []


def test_only_the_files_linted_count(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / ".coder-catalog.yaml", "references: {complete: true}\n")
    run = run_lint(capsys, "--offline", "--format", "json", "services")
    assert codes(run) == ["CC601", "CC601"]  # the owner's Group is in a file not linted


LOCATION = """\
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: root
spec:
  targets:
    - ./teams/*.yaml
    - https://github.com/acme/elsewhere/blob/main/catalog-info.yaml
"""


def test_files_a_location_names_are_linted_and_resolve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As Backstage reads them: the Group is defined only in a file the root Location names."""
    work = isolate(monkeypatch, tmp_path)
    write(work / ".coder-catalog.yaml", "references: {complete: true}\n")
    write(work / "catalog-info.yaml", LOCATION)
    write(work / "teams" / "a.yaml", TEAMS.replace("name: billings", "name: billing"))
    write(work / "services" / "catalog-info.yaml", SERVICE)
    run = run_lint(capsys, "--offline", "--format", "json")
    assert sorted(file["path"] for file in run.json()["files"]) == [
        "catalog-info.yaml",
        "services/catalog-info.yaml",
        "teams/a.yaml",
    ]
    assert codes(run) == []  # owner and system resolve through teams/a.yaml

    # A named file is linted alone (pre-commit names the files that changed): no Location followed
    named = run_lint(
        capsys, "--offline", "--format", "json", "catalog-info.yaml", "services/catalog-info.yaml"
    )
    assert sorted(file["path"] for file in named.json()["files"]) == [
        "catalog-info.yaml",
        "services/catalog-info.yaml",
    ]
    assert codes(named) == ["CC601", "CC601"]


def test_the_rest_of_the_catalog_in_another_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """references.catalog: the organization's catalog checked out beside the service's repository is
    indexed (not linted); references resolve against it, and those naming nothing are reported."""
    work = isolate(monkeypatch, tmp_path)
    org = tmp_path / "org-catalog"
    write(org / "catalog-info.yaml", TEAMS)
    write(work / ".coder-catalog.yaml", f"references:\n  catalog: [{org}]\n")
    write(work / "catalog-info.yaml", SERVICE)
    run = run_lint(capsys, "--offline", "--format", "json")
    assert [file["path"] for file in run.json()["files"]] == [
        "catalog-info.yaml"
    ]  # org's files are not linted
    found = [(f["code"], f["message"]) for file in run.json()["files"] for f in file["findings"]]
    assert found == [
        (
            "CC601",
            '"spec.system" names system:default/billing, which no file of the catalog defines (did you mean "billings"?)',
        )
    ]  # the owner resolves in the other folder

    write(work / ".coder-catalog.yaml", "references:\n  catalog: [../nowhere]\n")
    run = run_lint(capsys, "--offline", "--format", "json")
    assert codes(run) == []
    assert "coder-catalog: note: references.catalog:" in run.err and "is not a folder" in run.err

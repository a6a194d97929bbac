"""Which files ``lint`` checks, through the command: named files, missing paths, git asked once. The
discovery itself (catalog names, globs, ignores, each folder's settings): tests/catalog_files/."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lint_helpers import component, isolate, run_lint, write
from tests.conftest import MISSING_TOOL


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def test_named_files_are_always_linted(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "docs" / "example.yaml", component("example"))
    run = run_lint(capsys, "docs/example.yaml", "--format", "json")
    assert run.code == 0 and [f["path"] for f in run.json()["files"]] == ["docs/example.yaml"]


def test_a_missing_path_is_reported_and_the_others_are_linted(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "catalog-info.yaml", component("root"))
    run = run_lint(capsys, "missing.yaml", ".")
    assert run.code == 2
    assert "missing.yaml: error: no such file or folder" in run.err
    assert "1 file checked" in run.out and "1 file could not be checked" in run.out


@pytest.mark.skipif(shutil.which("git") is None, reason=f"{MISSING_TOOL}git is not installed")
def test_git_is_asked_once_per_repository(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = isolate(monkeypatch, tmp_path, repository=False)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    for number in range(30):
        write(work / f"s{number}" / "catalog-info.yaml", component(f"s{number}"))
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command: list[str], *args: object, **kwargs: object) -> object:
        calls.append(command)
        return real_run(command, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting_run)
    run = run_lint(capsys, "--offline")
    assert run.code == 0 and "30 files checked" in run.out
    assert len(calls) == 1

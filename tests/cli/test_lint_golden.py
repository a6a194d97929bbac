"""``lint`` output in every format on the fixture tree, compared with tests/cli/golden/.

The rule set is still growing: ``UPDATE_GOLDEN=1 pytest tests/cli/test_lint_golden.py`` rewrites
the golden files; review the diff before committing them. In the SARIF golden file the driver's
rules keep only their id, name and level (their texts are the rule docs, checked by
test_lint_sarif.py), so rewording a rule's explanation does not touch it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lint_helpers import GOLDEN, copy_fixture, isolate, run_lint

from coder_catalog import __version__

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

CASES = {
    "lint.txt": ["--color", "never"],
    "lint-color.txt": ["--color", "always"],
    "lint.json": ["--format", "json"],
    "lint.sarif": ["--format", "sarif"],
    "lint-github.txt": ["--format", "github"],
    "lint-gitlab.json": ["--format", "gitlab"],
    "lint-junit.xml": ["--format", "junit"],
    "lint-offline.txt": ["--offline", "--fail-on", "warning"],
}


@pytest.fixture
def tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return copy_fixture(isolate(monkeypatch, tmp_path))


def _normalized(name: str, text: str, root: Path) -> str:
    """Nothing that depends on the machine or the release: the temporary root and the version."""
    text = text.replace(root.as_uri(), "file:///SRCROOT")
    text = text.replace(f'"version": "{__version__}"', '"version": "VERSION"')
    if name.endswith(".sarif"):
        document = json.loads(text)
        driver = document["runs"][0]["tool"]["driver"]
        driver["rules"] = [
            {"id": r["id"], "name": r["name"], "level": r["defaultConfiguration"]["level"]}
            for r in driver["rules"]
        ]
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return text


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    assert path.is_file(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest {__file__}"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from the golden file; if intended: UPDATE_GOLDEN=1 pytest"


@pytest.mark.parametrize("name", list(CASES))
def test_output_matches_golden(name: str, tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_lint(capsys, *CASES[name])
    assert run.code == 1  # the fixture has errors (and warnings, for --fail-on warning)
    assert "Traceback" not in run.err
    check_golden(name, _normalized(name, run.out, tree))


def test_fixture_tree_shows_each_kind_of_problem(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Independent of the golden files: the problems the fixture was written for are found."""
    findings = {
        (file["path"], f["code"])
        for file in run_lint(capsys, "--format", "json").json()["files"]
        for f in file["findings"]
    }
    assert ("services/broken/catalog-info.yml", "CC001") in findings  # YAML syntax error
    assert ("services/api/catalog-info.yaml", "CC002") in findings  # duplicate key
    assert ("catalog-info.yaml", "CC105") in findings  # mode: Auto
    assert ("catalog-info.yaml", "CC107") in findings  # cpu: 4
    assert ("services/api/catalog-info.yaml", "CC201") in findings  # unknown template (from the snapshot)
    assert not any(path == "services/clean/catalog-info.yaml" for path, _ in findings)

"""examples/catalog shows every rule: linted from a snapshot, and against the simulator."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coder_catalog.analysis.rules import REGISTRY
from coder_catalog.cli import main
from coder_catalog.simulator.server import SimulatorServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "catalog"
SNAPSHOT = ROOT / "tests" / "fixtures" / "coder-templates.json"
REFUSED = ROOT / "examples" / "refused"
# Codes the examples cannot show: an internal error, an unreachable deployment, a template still
# importing, a file over 8 MB, a pattern the simulator's templates do not use, and (offline) Coder's own evaluation.
NOT_SHOWN_OFFLINE = {"CC000", "CC005", "CC200", "CC204", "CC310", "CC311"}
SHOWN_BY_REFUSED = {"CC003", "CC006"}  # documents the analysis refuses: examples/refused (lint exits 2)
# Rules on the catalog as a whole, off unless ``references.complete``: tests/cli/test_lint_references.py.
SHOWN_BY_CATALOG_TESTS = {"CC601"}


def lint_codes(capsys: pytest.CaptureFixture[str], *args: str) -> set[str]:
    assert main(["lint", str(EXAMPLES), "--format", "json", *args]) == 1
    document = json.loads(capsys.readouterr().out)
    return {f["code"] for file in document["files"] for f in file["findings"]}


@pytest.fixture
def no_coder_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CODER_"):
            monkeypatch.delenv(name)


def test_examples_show_every_rule(capsys: pytest.CaptureFixture[str], no_coder_env: None) -> None:
    codes = lint_codes(capsys, "--templates", str(SNAPSHOT))
    expected = set(REGISTRY) - NOT_SHOWN_OFFLINE - SHOWN_BY_REFUSED - SHOWN_BY_CATALOG_TESTS
    assert expected <= codes, sorted(expected - codes)


def test_refused_documents_are_reported_and_lint_exits_2(
    capsys: pytest.CaptureFixture[str], no_coder_env: None
) -> None:
    assert main(["lint", str(REFUSED), "--format", "json", "--templates", str(SNAPSHOT)]) == 2
    document = json.loads(capsys.readouterr().out)
    assert {f["code"] for file in document["files"] for f in file["findings"]} == SHOWN_BY_REFUSED


def test_against_the_simulator_coder_evaluates_the_dynamic_template(
    simulator: SimulatorServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_coder_env: None,
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    codes = lint_codes(capsys, "--url", simulator.url)
    assert "CC311" in codes and "CC200" not in codes

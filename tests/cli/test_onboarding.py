"""First steps: ``coder-catalog simulator`` says what to paste, ``templates list`` shows only columns
that say something, and the commands quote values the way the rules do ("docker")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from lint_helpers import isolate

from coder_catalog.cli import main
from coder_catalog.simulator.server import SimulatorServer

CLI = [sys.executable, "-m", "coder_catalog"]


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No settings leak in from the machine: empty home, no Coder variables, a fresh repository."""
    return isolate(monkeypatch, tmp_path)


def test_simulator_prints_lines_to_paste_and_what_to_try(isolated: Path) -> None:
    process = subprocess.Popen([*CLI, "simulator", "--port", "0"], stdout=subprocess.PIPE, text=True)
    deadline = threading.Timer(30, process.kill)  # then readline() returns "" instead of waiting
    deadline.start()
    try:
        assert process.stdout is not None
        lines = []
        while not lines or not lines[-1].startswith("Stop it"):
            line = process.stdout.readline()
            assert line, f"the simulator stopped after {lines}"
            lines.append(line.rstrip("\n"))
        url = re.fullmatch(r"Coder simulator listening on (http://127\.0\.0\.1:\d+)", lines[0])
        first_user = re.fullmatch(r"Session token for (\w+): (\S+)", lines[1])
        assert url and first_user, lines
        assert f"export CODER_URL={url.group(1)}" in lines
        assert f"export CODER_SESSION_TOKEN={first_user.group(2)}" in lines
        assert any(line.startswith("Then try: coder-catalog templates list") for line in lines), lines
        pasted = dict(
            line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
        )
        listed = subprocess.run(
            [*CLI, "templates", "list"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **pasted},
        )
        assert listed.returncode == 0 and "docker" in listed.stdout, listed.stderr
    finally:
        deadline.cancel()
        process.terminate()
        assert process.wait(timeout=10) == 0


def _table(out: str) -> list[str]:
    return out.splitlines()[1:]  # below "Templates of ..."


def test_templates_list_has_no_column_of_dashes(
    simulator: SimulatorServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_URL", simulator.url)
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    assert main(["templates", "list"]) == 0
    table = _table(capsys.readouterr().out)
    assert table[0].split() == ["NAME", "DISPLAY", "NAME", "ORGANIZATION", "STATUS"]
    assert not any(" - " in row or row.endswith(" -") for row in table), table
    assert main(["templates", "list", "--parameters"]) == 0
    loaded = _table(capsys.readouterr().out)
    assert "PARAMETERS" in loaded[0].split()
    docker = next(row for row in loaded if row.startswith("docker "))
    assert re.search(r"  \d+ \(\d+ required\)  ", docker), docker


def test_templates_list_from_a_snapshot_shows_its_parameters(
    simulator: SimulatorServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    assert main(["templates", "pull", "--url", simulator.url, "-o", "snap.json"]) == 0
    capsys.readouterr()
    assert main(["templates", "list", "--templates", "snap.json"]) == 0
    assert "PARAMETERS" in _table(capsys.readouterr().out)[0].split()


def test_templates_list_quotes_values_as_the_rules_do(
    simulator: SimulatorServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_URL", simulator.url)
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    assert main(["templates", "list", "--parameters"]) == 0
    out = capsys.readouterr().out
    assert '  cpu (number, default "4") one of "2", "4", "8"\n' in out
    assert (
        '  libraries (list(string), default ["pandas"]) one of "pandas", "numpy", "polars", "torch"\n' in out
    )
    assert '  tools (list(string), default ["git"])\n' in out
    assert "'" not in out.split("\n\n", 1)[1]


def test_lint_flag_messages_quote_values_as_the_rules_do(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--offline", "--rule", "CC102"]) == 2
    assert capsys.readouterr().err.startswith('coder-catalog: --rule "CC102": expected CODE=SEVERITY')

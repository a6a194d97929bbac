"""The command line: help, version, templates list/pull against the simulator and a snapshot, exit codes."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import isolate

from coder_catalog import __version__
from coder_catalog.cli import main
from coder_catalog.simulator.server import SimulatorServer

CLI = [sys.executable, "-m", "coder_catalog"]


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No settings leak in from the machine: empty home, no Coder variables, a fresh repository."""
    return isolate(monkeypatch, tmp_path)


def test_help_lists_the_subcommands() -> None:
    out = subprocess.run([*CLI, "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("templates", "simulator", "config"):
        assert command in out


def test_version() -> None:
    out = subprocess.run([*CLI, "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"coder-catalog {__version__}"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2


def test_templates_list_from_the_deployment(
    simulator: SimulatorServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    assert main(["templates", "list", "--url", simulator.url]) == 0
    out = capsys.readouterr().out
    assert simulator.url in out
    assert "deprecated" in out
    assert simulator.token not in out


def test_pull_then_list_offline(
    simulator: SimulatorServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    monkeypatch.setenv("CODER_URL", simulator.url)
    assert main(["templates", "pull", "-o", "snap.json"]) == 0
    assert "Wrote" in capsys.readouterr().out
    text = (isolated / "snap.json").read_text()
    assert simulator.token not in text
    monkeypatch.delenv("CODER_SESSION_TOKEN")
    monkeypatch.delenv("CODER_URL")
    simulator.clear_requests()
    assert main(["templates", "list", "--templates", "snap.json", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in listed] == [t["name"] for t in json.loads(text)["templates"]]
    assert simulator.requests() == []  # offline: no request at all


def test_project_file_snapshot_is_the_offline_default(
    simulator: SimulatorServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    (isolated / ".coder-catalog.yaml").write_text(
        f"deployment:\n  accessUrl: {simulator.url}\ntemplates: ./coder-templates.json\n"
    )
    assert main(["templates", "pull"]) == 0
    assert (isolated / "coder-templates.json").is_file()
    capsys.readouterr()
    assert main(["templates", "list"]) == 0
    assert "snapshot" in capsys.readouterr().out


def test_no_deployment_configured(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "list"]) == 2
    assert "no Coder deployment is configured" in capsys.readouterr().err


def test_unreachable_deployment_exits_3(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["templates", "list", "--url", f"http://127.0.0.1:{port}"]) == 3
    assert "cannot connect" in capsys.readouterr().err


def test_rejected_token_exits_1(
    simulator: SimulatorServer,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CODER_SESSION_TOKEN", "Bogus")
    assert main(["templates", "list", "--url", simulator.url]) == 1
    err = capsys.readouterr().err
    assert "401" in err and "Bogus" not in err


def test_insecure_url_is_refused(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "list", "--url", "http://coder.example.com"]) == 2
    assert "http://" in capsys.readouterr().err


def test_bad_project_file_is_reported_with_position(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / ".coder-catalog.yaml").write_text("workspaces:\n  defaultMode: Auto\n")
    assert main(["templates", "list"]) == 2
    err = capsys.readouterr().err
    assert re.search(r"\.coder-catalog\.yaml:2:\d+: ", err), err
    assert "Traceback" not in err


def test_bad_snapshot_is_reported(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (isolated / "snap.json").write_text("{")
    assert main(["templates", "list", "--templates", "snap.json"]) == 2
    assert "snap.json:1:2" in capsys.readouterr().err


def test_config_shows_sources(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODER_URL", "https://coder.example.com")
    (isolated / ".coder-catalog.yaml").write_text("workspaces:\n  defaultTemplateName: docker\n")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert 'deployment.accessUrl = "https://coder.example.com"' in out and "CODER_URL" in out
    assert "workspaces.defaultTemplateName" in out and ".coder-catalog.yaml" in out


def test_simulator_command_prints_url_and_token_and_serves() -> None:
    process = subprocess.Popen([*CLI, "simulator", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        second = process.stdout.readline()
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first)
        assert url, first
        assert re.search(r"Session token for \w+: [A-Za-z0-9]{10}-[A-Za-z0-9]{22}", second), second
        out = subprocess.run(
            [*CLI, "templates", "list", "--url", url.group(1)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "CODER_SESSION_TOKEN": second.split(": ")[1].strip()},
        )
        assert out.returncode == 0, out.stderr
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0

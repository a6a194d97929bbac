"""``coder-catalog open --vscode`` and ``coder-catalog apps`` against the simulator (issue 19, points 1-2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import test_workspaces_cli
from test_workspaces_cli import cli, posts, write

from coder_catalog.simulator.server import SimulatorServer
from workspace_seed import entity, fast_seed


@pytest.fixture
def deployment() -> Iterator[SimulatorServer]:
    with SimulatorServer(fast_seed()) as server:
        yield server


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, deployment: SimulatorServer) -> Path:
    """The repository of test_workspaces_cli: configured for the simulator, signed in as alice."""
    return test_workspaces_cli.signed_in_repository(monkeypatch, tmp_path, deployment)


PYTHON_API_EU = "70c69a67-30a8-50a4-a44e-950bda4efd5b"


def test_open_vscode_prints_the_ssh_command_and_the_link(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = cli(capsys, "open", "python-project", "--vscode", "--print")
    ssh, link = out.splitlines()
    assert code == 0 and ssh == "coder ssh alice/python-api"
    assert parse_qs(urlsplit(link).query) == {
        "owner": ["alice"],
        "workspace": ["python-api"],
        "url": [deployment.url],
        "folder": ["/workspaces/project"],
    }
    assert link.startswith("vscode://coder.coder-remote/open?") and deployment.tokens["alice"] not in out


def test_open_vscode_starts_a_stopped_workspace_only_when_asked(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = cli(capsys, "open", "python-project", "-w", "python-api-eu", "--vscode", "--print")
    assert code == 2 and "python-api-eu is stopped: pass --start" in err
    assert posts(deployment) == []
    code, out, err = cli(
        capsys, "open", "python-project", "-w", "python-api-eu", "--vscode", "--start", "--print"
    )
    assert code == 0, err
    assert "Starting python-api-eu" in err
    assert out.splitlines()[0] == "coder ssh alice/python-api-eu"
    assert [p["path"] for p in posts(deployment)] == [f"/api/v2/workspaces/{PYTHON_API_EU}/builds"]


def test_open_vscode_with_several_agents(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        work / "boxes" / "catalog-info.yaml", entity("boxes", "templateName: docker\nmode: auto", location="")
    )
    code, out, _err = cli(capsys, "open", "boxes", "-w", "dev", "--vscode", "--agent", "db", "--print")
    ssh, link = out.splitlines()
    assert code == 0 and ssh == "coder ssh alice/dev.db" and parse_qs(urlsplit(link).query)["agent"] == ["db"]
    code, _out, err = cli(capsys, "open", "boxes", "-w", "dev", "--vscode", "--agent", "gpu", "--print")
    assert code == 2 and 'no agent named "gpu"' in err


def test_apps_table_json_and_open(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = cli(capsys, "apps", "python-project")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "python-api (running): 3 apps"
    assert lines[1].split() == ["SLUG", "NAME", "AGENT", "STATE", "URL"]
    assert f"{deployment.url}/@alice/python-api.main/apps/code-server/" in lines[2]
    assert "unhealthy" in lines[4]

    code, out, _err = cli(capsys, "apps", "python-project", "--json")
    apps = {a["slug"]: a for a in json.loads(out)["apps"]}
    assert apps["preview"]["url"] == "http://preview--main--python-api--alice.apps.coder.test/"

    code, out, _err = cli(capsys, "apps", "python-project", "--open", "code-server", "--print")
    assert code == 0 and out == f"code-server: {deployment.url}/@alice/python-api.main/apps/code-server/\n"
    code, _out, err = cli(capsys, "apps", "python-project", "--open", "docs", "--print")
    assert code == 1 and "not opening Docs server of python-api: unhealthy" in err
    code, _out, err = cli(capsys, "apps", "python-project", "--open", "nope")
    assert code == 2 and 'no app "nope"' in err


def test_apps_of_a_stopped_workspace(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, "apps", "python-project", "-w", "python-api-eu")
    assert code == 0 and "python-api-eu is stopped: start it to use its apps" in out

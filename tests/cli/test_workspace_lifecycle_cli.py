"""``coder-catalog update`` and ``delete`` against the simulator (issue 19, points 4-5)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_workspaces_cli import signed_in_repository

from coder_catalog.cli import main
from coder_catalog.simulator.server import SimulatorServer
from workspace_seed import entity, fast_seed

OLD_DOCKER = "47589cef-679d-5252-bb81-2c4a661d1c5b"


def seed_with_new_required_parameters() -> dict[str, Any]:
    """docker v2 (active) adds two required parameters to v1: ``team`` (free text) and ``zone``
    (options), besides ``memory`` (a default, bounded 1-16)."""
    seed = fast_seed()
    docker = next(t for t in seed["templates"] if t["name"] == "docker")
    v2 = next(v for v in docker["versions"] if v["name"] == "v2")
    v2["parameters"] += [
        {"name": "team", "display_name": "Team", "type": "string"},
        {
            "name": "zone",
            "display_name": "Zone",
            "type": "string",
            "options": [{"name": "North", "value": "north"}, {"name": "South", "value": "south"}],
        },
    ]
    return seed


@pytest.fixture
def deployment() -> Iterator[SimulatorServer]:
    with SimulatorServer(seed_with_new_required_parameters()) as server:
        yield server


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, deployment: SimulatorServer) -> Path:
    root = signed_in_repository(monkeypatch, tmp_path, deployment)
    docker = entity("boxes", 'templateName: docker\nmode: auto\nparams:\n  team: "platform"')
    (root / "boxes").mkdir()
    (root / "boxes" / "catalog-info.yaml").write_text(docker)
    monkeypatch.chdir(root)
    return root


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def posts(deployment: SimulatorServer) -> list[dict[str, Any]]:
    return [r for r in deployment.requests() if r["method"] == "POST"]


def workspace_json(deployment: SimulatorServer, workspace_id: str) -> dict[str, Any]:
    import httpx

    response = httpx.get(
        f"{deployment.url}/api/v2/workspaces/{workspace_id}",
        params={"include_deleted": "true"},
        headers={"Coder-Session-Token": deployment.tokens["alice"]},
        timeout=10,
    )
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


# -- delete ----------------------------------------------------------------------------------------------


def test_delete_needs_yes_off_a_terminal(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.clear_requests()
    code, _out, err = cli(capsys, "delete", "python-project", "-w", "python-api-eu")
    assert code == 2
    assert "deleting alice/python-api-eu (stopped) needs --yes" in err
    assert posts(deployment) == []


def test_delete_with_yes_waits_until_deleted(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "delete", "python-project", "-w", "python-api-eu", "--yes")
    assert code == 0, err
    assert out == "Workspace python-api-eu is deleted\n"
    code, out, _err = cli(capsys, "workspaces")
    assert "python-api-eu" not in out and "2 workspaces" in out


def test_delete_no_wait_shows_deleting_in_the_list(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "delete", "python-project", "-w", "python-api-eu", "-y", "--no-wait")
    assert code == 0, err
    assert out.startswith("python-api-eu (deleting)") or out.startswith("python-api-eu (pending)")
    code, out, _err = cli(capsys, "workspaces")
    line = next(row for row in out.splitlines() if "python-api-eu" in row)
    assert " deleting " in line or " pending " in line


def test_delete_of_a_building_workspace_shows_coders_409(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, _err = cli(capsys, "start", "python-project", "-w", "python-api-eu", "--no-wait")
    assert code == 0
    code, _out, err = cli(capsys, "delete", "python-project", "-w", "python-api-eu", "--yes")
    assert code == 1 and "a build of python-api-eu is already running" in err


# -- update ----------------------------------------------------------------------------------------------


def test_update_names_the_missing_required_parameters(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.clear_requests()
    code, _out, err = cli(capsys, "update", "boxes", "-w", "old-docker")
    assert code == 2
    assert "needs a value for the new required parameter zone (the entity gives none)" in err
    assert posts(deployment) == []


def test_update_builds_the_active_version_with_the_entitys_and_the_given_values(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert workspace_json(deployment, OLD_DOCKER)["outdated"] is True
    deployment.clear_requests()
    code, out, err = cli(capsys, "update", "boxes", "-w", "old-docker", "--param", "zone=south")
    assert code == 0, err
    assert out == f"Workspace old-docker is updated and running: {deployment.url}/@alice/old-docker\n"
    assert len([p for p in posts(deployment) if p["path"].endswith("/builds")]) == 1
    data = workspace_json(deployment, OLD_DOCKER)
    assert data["outdated"] is False
    assert data["latest_build"]["template_version_id"] == data["template_active_version_id"]
    code, out, _err = cli(capsys, "update", "boxes", "-w", "old-docker")
    assert code == 0 and "already on the template's active version" in out


def test_update_reports_coders_refusal_by_parameter(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = cli(
        capsys, "update", "boxes", "-w", "old-docker", "--param", "zone=south", "--param", "memory=64"
    )
    assert code == 1
    assert 'parameter "memory" ("64", given by you)' in err
    assert "Memory must be between 1 and 16 GB, got 64." in err
    assert workspace_json(deployment, OLD_DOCKER)["outdated"] is True


# -- create with a preset ------------------------------------------------------------------------------


def test_create_with_a_preset_sends_its_id_and_warns_of_overrides(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    text = entity("fresh", 'templateName: devcontainers\nmode: auto\nparams:\n  region: "us-east-1"')
    (work / "fresh").mkdir()
    (work / "fresh" / "catalog-info.yaml").write_text(text)
    code, out, err = cli(capsys, "create", "fresh", "--preset", "large", "--print")
    assert code == 0, err
    assert 'preset "Large" sets region to "eu-west-1" instead of "us-east-1"' in err
    assert '"template_version_preset_id": "bdb2c18b-9789-5705-89ae-52e40efdf9d8"' in out
    assert '"value": "eu-west-1"' in out and '"value": "200"' in out
    code, out, err = cli(capsys, "create", "fresh", "--preset", "Large")
    assert code == 0, err
    assert out.startswith("Workspace fresh is running")
    data = httpx_get(deployment, "/api/v2/users/alice/workspace/fresh")
    stored = httpx_get(deployment, f"/api/v2/workspacebuilds/{data['latest_build']['id']}/parameters")
    values = {p["name"]: p["value"] for p in stored}
    assert (values["region"], values["disk_size"]) == ("eu-west-1", "200")


def test_create_with_an_unknown_preset_names_the_presets(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.clear_requests()
    code, _out, err = cli(capsys, "create", "python-project", "--new", "--preset", "huge")
    assert code == 2
    assert 'template "devcontainers" has no preset "huge" (its presets: Small, Large)' in err
    assert posts(deployment) == []


def httpx_get(deployment: SimulatorServer, path: str) -> Any:
    import httpx

    response = httpx.get(
        f"{deployment.url}{path}", headers={"Coder-Session-Token": deployment.tokens["alice"]}, timeout=10
    )
    response.raise_for_status()
    return response.json()

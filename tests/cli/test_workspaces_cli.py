"""``coder-catalog workspaces`` and ``open|create|start|stop ENTITY`` against a private simulator."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import MISSING_TOOL

from coder_catalog.cli import main
from coder_catalog.cli.workspace_targets import BuildProgress
from coder_catalog.simulator.server import SimulatorServer
from coder_catalog.workspaces.model import WorkspaceInfo
from workspace_seed import entity, fast_seed

COMMA_URL = "url:https://github.com/acme/python-project,https://github.com/Acme/Web-Frontend"


@pytest.fixture
def deployment() -> Iterator[SimulatorServer]:
    with SimulatorServer(fast_seed()) as server:
        yield server


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, deployment: SimulatorServer) -> Path:
    """A repository below the current folder, configured for the simulator, signed in as alice."""
    return signed_in_repository(monkeypatch, tmp_path, deployment)


def signed_in_repository(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, deployment: SimulatorServer
) -> Path:
    """A repository (the current folder) with one catalog file, configured for ``deployment``, signed in
    as alice through CODER_SESSION_TOKEN (no other CODER_* variable, a home of its own)."""
    for name in list(os.environ):
        if name.startswith("CODER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("CODER_SESSION_TOKEN", deployment.tokens["alice"])
    root = tmp_path / "work"
    (root / ".git").mkdir(parents=True)
    (root / ".coder-catalog.yaml").write_text(
        f"deployment:\n  accessUrl: {deployment.url}\nworkspaces:\n  repoUrlParamKeys: [repo_url]\n"
    )
    write(root / "catalog-info.yaml", entity())
    monkeypatch.chdir(root)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def posts(deployment: SimulatorServer) -> list[dict[str, Any]]:
    return [r for r in deployment.requests() if r["method"] == "POST"]


# -- listing ---------------------------------------------------------------------------------------------


def test_workspaces_table(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "web" / "catalog-info.yaml", entity("web", location=COMMA_URL))
    write(work / "plain" / "catalog-info.yaml", entity("plain").split("  coder:\n")[0])
    code, out, err = cli(capsys, "workspaces")
    assert code == 0, err
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 2  # only entities with a spec.coder block
    lines = blocks[0].splitlines()
    assert lines[0] == (
        "catalog-info.yaml:11  component:default/python-project  (template devcontainers, auto mode): "
        "3 workspaces (2 running)"
    )
    assert lines[1].split() == ["NAME", "STATUS", "OUTDATED", "LAST", "USED", "TEMPLATE", "OWNER", "URL"]
    assert lines[2].split() == [
        "python-api", "running", "no", "2025-06-19", "11:00", "devcontainers", "alice",
        f"{deployment.url}/@alice/python-api",
    ]  # fmt: skip
    assert [line.split()[0] for line in lines[3:]] == ["gpu-train", "python-api-eu"]
    web = blocks[1].splitlines()
    assert web[0].startswith("web/catalog-info.yaml:11  component:default/web") and web[0].endswith(
        "0 workspaces (0 running)"
    )
    assert web[1].startswith("  note: the repository URL") and "','" in web[1]


def test_workspaces_json(work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, "workspaces", "--json", "catalog-info.yaml")
    assert code == 0
    (found,) = json.loads(out)["entities"]
    assert found["entity"] == "component:default/python-project"
    assert (found["file"], found["line"], found["template"], found["mode"]) == (
        "catalog-info.yaml", 11, "devcontainers", "auto",
    )  # fmt: skip
    assert found["repositoryUrl"] == "https://github.com/acme/python-project"
    assert found["queries"] == ['owner:me param:"repo_url=https://github.com/acme/python-project"']
    assert found["summary"] == "3 workspaces (2 running)" and found["running"] == 2
    assert [w["name"] for w in found["workspaces"]] == ["python-api", "gpu-train", "python-api-eu"]
    assert found["workspaces"][0]["url"] == f"{deployment.url}/@alice/python-api"


def test_an_expired_token_and_an_unreachable_deployment(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.revoke_tokens("alice")
    code, out, _err = cli(capsys, "workspaces")
    assert code == 1 and "error: the Coder session token" in out and "sign in again" in out
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, _err = cli(capsys, "workspaces", "--url", f"http://127.0.0.1:{port}")
    assert code == 3 and "cannot reach the Coder deployment" in out


# -- open and create -------------------------------------------------------------------------------------


def test_open(work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cli(capsys, "open", "python-project", "--print")
    assert code == 0 and out == f"python-api (running): {deployment.url}/@alice/python-api\n"
    code, out, _err = cli(capsys, "open", "component:default/python-project", "-w", "python-api-eu")
    assert code == 0 and out.strip().endswith("/@alice/python-api-eu")
    code, _out, err = cli(capsys, "open", "nothing-here")
    assert code == 2 and 'no entity "nothing-here" in' in err


def test_create_in_manual_mode_prints_the_prefilled_page(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "manual" / "catalog-info.yaml", entity("manual", "templateName: docker\nmode: manual"))
    deployment.clear_requests()
    code, out, _err = cli(capsys, "create", "manual", "--file", "manual/catalog-info.yaml")
    assert code == 0
    assert out.strip().endswith(
        f"{deployment.url}/templates/docker/workspace?mode=manual"
        "&param.repo_url=https%3A%2F%2Fgithub.com%2Facme%2Fmanual"
    )
    assert posts(deployment) == []


def test_create_in_auto_mode_waits_for_the_first_build(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    write(work / "svc" / "catalog-info.yaml", entity("new-service"))
    code, out, err = cli(capsys, "create", "new-service")
    assert code == 0, err
    assert out == f"Workspace new-service is running: {deployment.url}/@alice/new-service\n"
    assert "Creating workspace new-service from template devcontainers" in err
    assert "\r" not in err  # no progress line when stderr is not a terminal
    code, out, _err = cli(capsys, "create", "new-service", "--new", "--no-wait")
    assert code == 0 and out.startswith("new-service-2 (")


def test_create_offers_the_existing_workspace(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.clear_requests()
    code, out, _err = cli(capsys, "create", "python-project")
    assert code == 0
    assert "already has a workspace of template devcontainers: python-api (running), python-api-eu" in out
    assert f"{deployment.url}/@alice/python-api\n(pass --new to create another)" in out
    assert posts(deployment) == []


def test_create_refusals(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "create", "python-project", "--new", "--name", "python-api")
    assert code == 1 and 'you already have a workspace named "python-api"' in err
    write(work / "old" / "catalog-info.yaml", entity("old", "templateName: legacy-vm\nmode: auto"))
    code, _out, err = cli(capsys, "create", "old", "--force")
    assert code == 1 and 'template "legacy-vm" is deprecated' in err
    write(
        work / "big" / "catalog-info.yaml",
        entity("big", 'templateName: devcontainers\nmode: auto\nparams:\n  disk_size: "900"'),
    )
    code, _out, err = cli(capsys, "create", "big", "--force")
    assert code == 1 and 'parameter "disk_size" ("900", set in spec.coder.params)' in err
    code, _out, err = cli(capsys, "create", "big", "--name", "new", "--force")
    assert code == 2 and "reserved" in err


# -- acting only on what lint accepts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coder", "codes"),
    [
        ("templateName: dockr\nmode: manual", "CC201"),  # no such template
        ("templateName: legacy-vm\nmode: manual", "CC202"),  # deprecated: Coder refuses it
        ('templateName: docker\nmode: manual\nparams:\n  memory: "64"', "CC305"),  # out of range
        ("templateName: docker\nmode: auto\nparams:\n  memory: 8", "CC107"),  # breaks the card
    ],
)
def test_create_refuses_what_lint_rejects(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str], coder: str, codes: str
) -> None:
    path = write(work / "svc" / "catalog-info.yaml", entity("svc", coder))
    deployment.clear_requests()
    code, out, err = cli(capsys, "create", "svc")
    assert code == 1, err
    assert out == ""  # no link printed, nothing opened
    assert "svc/catalog-info.yaml:" in err
    assert f" error {codes} " in err or f" warning {codes} " in err
    assert f"not creating a workspace for component:default/svc: lint finds 1 problem in it ({codes})" in err
    assert "pass --force to create anyway" in err
    assert posts(deployment) == []
    assert path.read_text(encoding="utf-8") == entity("svc", coder)  # lint's analysis fixes nothing


def test_create_with_force_builds_the_link_anyway(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        work / "svc" / "catalog-info.yaml",
        entity("svc", 'templateName: docker\nmode: manual\nparams:\n  memory: "64"'),
    )
    code, out, err = cli(capsys, "create", "svc", "--force", "--print")
    assert code == 0, err
    assert out.strip().endswith(
        "/templates/docker/workspace?mode=manual&param.memory=64&param.repo_url=https%3A%2F%2Fgithub.com%2Facme%2Fsvc"
    )


def test_create_print_in_auto_mode_prints_the_request_and_creates_nothing(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        work / "svc" / "catalog-info.yaml",
        entity("svc", "templateName: devcontainers\nmode: auto\nparams:\n  region: eu-west-1"),
    )
    deployment.clear_requests()
    code, out, err = cli(capsys, "create", "svc", "--print")
    assert code == 0, err
    first, _newline, body = out.partition("\n")
    assert first == f"POST {deployment.url}/api/v2/users/me/workspaces"
    request = json.loads(body)
    assert request["name"] == "svc"
    assert set(request) == {"name", "template_id", "rich_parameter_values"}
    values = {p["name"]: p["value"] for p in request["rich_parameter_values"]}
    assert values["region"] == "eu-west-1" and values["repo_url"] == "https://github.com/acme/svc"
    assert "Would create workspace svc for component:default/svc from template devcontainers" in err
    assert "active version" in err
    assert posts(deployment) == []
    code, out, _err = cli(capsys, "workspaces", "svc/catalog-info.yaml")
    assert code == 0 and "0 workspaces" in out


# -- start and stop --------------------------------------------------------------------------------------


def test_stop_then_start(work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = cli(capsys, "stop", "python-project")  # python-api and gpu-train are running
    assert code == 2 and "pass --workspace with one of python-api (running), gpu-train (running)" in err
    code, out, err = cli(capsys, "stop", "python-project", "--workspace", "python-api")
    assert code == 0, err
    assert out == f"Workspace python-api is stopped: {deployment.url}/@alice/python-api\n"
    code, out, _err = cli(capsys, "start", "python-project", "-w", "python-api")
    assert code == 0 and out.startswith("Workspace python-api is running")


def test_start_a_running_and_stop_a_stopped_workspace_queue_no_build(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment.clear_requests()
    code, out, err = cli(capsys, "start", "python-project", "-w", "python-api")
    assert code == 0, err
    assert out == f"Workspace python-api is already running: {deployment.url}/@alice/python-api\n"
    code, out, err = cli(capsys, "stop", "python-project", "-w", "python-api-eu")
    assert code == 0, err
    assert out == f"Workspace python-api-eu is already stopped: {deployment.url}/@alice/python-api-eu\n"
    assert posts(deployment) == []


def test_a_workspace_that_does_not_exist_is_a_usage_error(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("stop", "start"):
        code, _out, err = cli(capsys, command, "python-project", "-w", "nosuch")
        assert code == 2, err
        assert err == 'coder-catalog: --workspace nosuch: you have no workspace named "nosuch"\n'
    assert posts(deployment) == []


def test_a_failed_build_exits_1(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(work / "pods" / "catalog-info.yaml", entity("pods", "templateName: kubernetes\nmode: auto"))
    code, _out, err = cli(capsys, "create", "pods")
    assert code == 1 and "the build of pods ended failed" in err and "exceeded quota" in err


# -- the progress line -----------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_progress_is_drawn_on_a_terminal_only() -> None:
    import asyncio

    terminal = FakeTerminal()
    async with BuildProgress("svc", terminal) as progress:
        progress.update(WorkspaceInfo("id", "svc", "alice", "docker", "starting", "u"))
        await asyncio.sleep(0.15)
    assert "svc: starting (0 s)" in terminal.getvalue() and terminal.getvalue().endswith("\r\x1b[K")
    plain = io.StringIO()
    async with BuildProgress("svc", plain):
        await asyncio.sleep(0.15)
    assert plain.getvalue() == ""


# -- entities without spec.coder -----------------------------------------------------------------------


def test_an_entity_without_a_block_as_the_card_shows_it(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The plugin's card shows on every entity page, from the app defaults: create and workspaces work
    for an entity without spec.coder when asked for it."""
    (work / ".coder-catalog.yaml").write_text(
        f"deployment:\n  accessUrl: {deployment.url}\nworkspaces:\n  repoUrlParamKeys: [repo_url]\n"
        "  defaultTemplateName: docker\n"
    )
    write(work / "plain" / "catalog-info.yaml", entity("plain").split("  coder:\n")[0])
    code, out, _err = cli(capsys, "workspaces")
    assert code == 0 and "component:default/plain" not in out  # listed only when asked
    code, out, err = cli(capsys, "workspaces", "--all")
    assert code == 0, err
    assert (
        "plain/catalog-info.yaml" in out and "component:default/plain  (template docker, manual mode)" in out
    )
    code, out, err = cli(capsys, "create", "plain", "--print")
    assert code == 0, err
    assert out.strip().endswith(
        f"{deployment.url}/templates/docker/workspace?mode=manual"
        "&param.repo_url=https%3A%2F%2Fgithub.com%2Facme%2Fplain"
    )


@pytest.mark.skipif(shutil.which("git") is None, reason=f"{MISSING_TOOL}git is not installed")
def test_a_file_without_source_location_gets_the_one_backstage_writes(
    work: Path, deployment: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """At ingestion Backstage writes backstage.io/source-location from the folder the file was registered
    from; in a real git repository coder-catalog derives the same (remote origin, its branch, the folder)."""
    shutil.rmtree(work / ".git")
    git = ["git", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=work, check=True)
    subprocess.run(
        ["git", "remote", "add", "origin", "git@github.com:acme/python-project.git"], cwd=work, check=True
    )
    write(work / "catalog-info.yaml", entity(location=""))  # at the root: .../tree/main/ is stripped
    write(work / "services" / "api" / "catalog-info.yaml", entity("api", "templateName: docker", location=""))
    code, out, err = cli(capsys, "lint", "--offline", "--format", "json")
    codes = {f["code"] for file in json.loads(out)["files"] for f in file["findings"]}
    assert "CC401" not in codes, out  # the source location is known
    assert "CC403" in codes  # the subfolder URL, which the plugin does not strip
    code, out, err = cli(capsys, "workspaces", "--json")
    assert code == 0, err
    urls = {e["entity"]: e["repositoryUrl"] for e in json.loads(out)["entities"]}
    assert urls == {
        "component:default/python-project": "https://github.com/acme/python-project",
        "component:default/api": "https://github.com/acme/python-project/tree/main/services/api/",
    }
    code, out, err = cli(capsys, "create", "api", "--print", "--force")
    assert code == 0, err
    assert (
        "param.repo_url=https%3A%2F%2Fgithub.com%2Facme%2Fpython-project%2Ftree%2Fmain%2Fservices%2Fapi%2F"
        in out
    )

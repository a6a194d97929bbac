"""``coderCatalog.openWorkspaceInVSCode`` and ``coderCatalog.workspaceApps`` over stdio, against a
private simulator (issue 19, points 1-2)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_asyncio
from lsprotocol import types
from test_lsp_workspaces import WorkspaceClient, lenses_until, open_entity, posts, run, start

from coder_catalog.simulator.server import SimulatorServer
from conftest import stop_client
from workspace_seed import entity, fast_seed

pytestmark = pytest.mark.asyncio(loop_scope="module")

OPEN_VSCODE = "coderCatalog.openWorkspaceInVSCode"
APPS = "coderCatalog.workspaceApps"


@pytest.fixture(scope="module")
def deployment() -> Iterator[SimulatorServer]:
    """The devcontainers agent connects 1.5 s after its build: long enough to be reported."""
    seed = fast_seed()
    devcontainers = next(t for t in seed["templates"] if t["name"] == "devcontainers")
    for version in devcontainers["versions"]:
        for agent in version.get("agents", []):
            agent["connect_seconds"] = 1.5
    with SimulatorServer(seed) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def code(
    deployment: SimulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WorkspaceClient]:
    client = await start("visual-studio-code", deployment, tmp_path_factory.mktemp("open"))
    yield client
    await stop_client(client)


async def test_open_a_running_workspace_in_vscode(
    code: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    titles = await lenses_until(code, uri, lambda t: t[0].startswith("3 workspaces"))
    assert "Open in VS Code" in titles
    deployment.clear_requests()
    result = await run(code, OPEN_VSCODE, uri=uri, line=line, workspace="python-api")
    assert result["status"] == "opened" and result["ssh"] == "coder ssh alice/python-api"
    link = result["url"]
    assert link.startswith("vscode://coder.coder-remote/open?")
    assert parse_qs(urlsplit(link).query) == {
        "owner": ["alice"],
        "workspace": ["python-api"],
        "url": [deployment.url],
        "folder": ["/workspaces/project"],
    }
    assert deployment.tokens["alice"] not in link
    assert [(d.uri, d.external) for d in code.shown_documents[-1:]] == [(link, True)]
    assert posts(deployment) == []


async def test_a_stopped_workspace_is_started_first_when_the_user_agrees(
    code: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    deployment.clear_requests()
    declined = await run(code, OPEN_VSCODE, uri=uri, line=line, workspace="python-api-eu")
    assert declined["status"] == "cancelled" and posts(deployment) == []
    code.replies["python-api-eu is stopped. Start it and open it in VS Code?"] = "Start and open"
    shown = len(code.shown_documents)
    result = await run(code, OPEN_VSCODE, uri=uri, line=line, workspace="python-api-eu")
    assert result["status"] == "opened", result
    assert result["workspace"]["status"] == "running"
    assert [p["path"] for p in posts(deployment)] == [
        "/api/v2/workspaces/70c69a67-30a8-50a4-a44e-950bda4efd5b/builds"
    ]
    assert code.shown_documents[shown].uri == result["url"]
    (reports,) = [
        r for r in code.progress_reports.values() if r and "python-api-eu" in getattr(r[0], "title", "")
    ]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert any(
        isinstance(r, types.WorkDoneProgressReport) and "connecting" in (r.message or "") for r in reports
    )
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)


async def test_several_agents_and_a_bad_agent_name(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, entity("boxes", "templateName: docker\nmode: auto", location=""))
    result = await run(code, OPEN_VSCODE, uri=uri, line=line, workspace="dev", agent="db")
    assert result["status"] == "opened" and result["ssh"] == "coder ssh alice/dev.db"
    assert parse_qs(urlsplit(result["url"]).query)["agent"] == ["db"]
    failed = await run(code, OPEN_VSCODE, uri=uri, line=line, workspace="dev", agent="gpu")
    assert failed["status"] == "failed" and failed["reason"] == "usage"
    assert 'no agent named "gpu"' in failed["message"]
    assert "coder-catalog: " in code.messages[-1].message


async def test_list_and_open_apps(code: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    listed = await run(code, APPS, uri=uri, line=line, workspace="python-api")
    assert listed["status"] == "ok" and listed["note"] is None
    apps = {a["slug"]: a for a in listed["apps"]}
    assert apps["code-server"]["url"] == f"{deployment.url}/@alice/python-api.main/apps/code-server/"
    assert apps["preview"]["url"] == "http://preview--main--python-api--alice.apps.coder.test/"
    assert (apps["docs"]["openable"], apps["docs"]["problem"]) == (False, "unhealthy")

    opened = await run(code, APPS, uri=uri, line=line, workspace="python-api", app="code-server")
    assert opened["status"] == "opened" and code.shown_documents[-1].uri == apps["code-server"]["url"]

    refused = await run(code, APPS, uri=uri, line=line, workspace="python-api", app="docs")
    assert refused["status"] == "failed" and "unhealthy" in refused["message"]

    code.replies["Apps of python-api"] = "Preview"
    picked = await run(code, APPS, uri=uri, line=line, workspace="python-api", pick=True)
    assert picked["status"] == "opened" and picked["url"] == apps["preview"]["url"]


async def test_apps_of_a_stopped_workspace_say_why_there_are_none(
    code: WorkspaceClient, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity("boxes", "templateName: docker\nmode: auto", location=""))
    listed = await run(code, APPS, uri=uri, line=line, workspace="old-docker")
    assert listed["apps"] == [] and "stopped: start it to use its apps" in listed["note"]


async def test_code_actions_offer_vscode_and_apps(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    await lenses_until(code, uri, lambda t: t[0].startswith("3 workspaces"))
    actions = await code.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line + 1, 4), types.Position(line + 1, 4)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]),
        )
    )
    titles = {a.title for a in actions or [] if isinstance(a, types.CodeAction)}
    assert {"Coder: open python-api in VS Code", "Coder: open an app of python-api"} <= titles

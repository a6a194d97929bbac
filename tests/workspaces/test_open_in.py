"""Opening a workspace in VS Code and its apps, against the simulator over HTTP: Coder's extension link
(no token in it), the ``coder ssh`` command, starting a stopped workspace until its agent connects, and
the apps' URLs and readiness."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_asyncio

from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.coder.client import CoderClient
from coder_catalog.settings import origin_of
from coder_catalog.simulator.server import SimulatorServer
from coder_catalog.workspaces import open_in
from coder_catalog.workspaces.service import WorkspaceError, WorkspaceService
from workspace_seed import fast_seed


@pytest.fixture
def deployment() -> Iterator[SimulatorServer]:
    with SimulatorServer(fast_seed()) as server:
        yield server


@pytest_asyncio.fixture
async def service(deployment: SimulatorServer) -> AsyncIterator[WorkspaceService]:
    credential = Credential(origin_of(deployment.url), Secret(deployment.tokens["alice"]), "test")
    async with CoderClient(deployment.url, credential) as client:
        yield WorkspaceService(client, poll_interval=0.05, build_timeout=10)


async def _workspace(service: WorkspaceService, name: str) -> open_in.WorkspaceInfo:
    return await service.refresh(
        open_in.WorkspaceInfo(id="", name=name, owner="alice", template="", status="", url="")
    )


async def test_the_vscode_link_of_a_running_workspace(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    workspace, agents = await open_in.ensure_running(service, await _workspace(service, "python-api"))
    assert [(a.name, a.status, a.folder) for a in agents] == [("main", "connected", "/workspaces/project")]
    link = open_in.vscode_link(service.access_url, workspace, agents)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("vscode", "coder.coder-remote", "/open")
    assert parse_qs(parts.query) == {
        "owner": ["alice"],
        "workspace": ["python-api"],
        "url": [deployment.url],
        "folder": ["/workspaces/project"],
    }
    assert deployment.tokens["alice"] not in link and "token" not in link
    assert open_in.ssh_command(workspace, agents) == "coder ssh alice/python-api"


async def test_several_agents_name_the_agent(service: WorkspaceService) -> None:
    workspace, agents = await open_in.ensure_running(service, await _workspace(service, "dev"))
    assert [a.name for a in agents] == ["main", "db"]
    query = parse_qs(urlsplit(open_in.vscode_link(service.access_url, workspace, agents)).query)
    assert query["agent"] == ["main"] and query["folder"] == ["/home/alice"]
    query = parse_qs(urlsplit(open_in.vscode_link(service.access_url, workspace, agents, "db")).query)
    assert query["agent"] == ["db"] and "folder" not in query
    assert open_in.ssh_command(workspace, agents, "DB") == "coder ssh alice/dev.db"
    with pytest.raises(WorkspaceError, match='no agent named "gpu"'):
        open_in.vscode_link(service.access_url, workspace, agents, "gpu")


async def test_a_stopped_workspace_is_started_until_its_agent_connects(service: WorkspaceService) -> None:
    stopped = await _workspace(service, "python-api-eu")
    assert stopped.status == "stopped"
    _, before = await open_in.agents_of(service, stopped)
    assert before == ()  # a stopped build has no agents
    seen: list[str] = []
    workspace, agents = await open_in.ensure_running(service, stopped, seen.append)
    assert workspace.status == "running" and [a.status for a in agents] == ["connected"]
    assert any("running" in s for s in seen)
    assert any("agent main: connecting" in s for s in seen)


async def test_apps_have_coder_urls_and_readiness(
    deployment: SimulatorServer, service: WorkspaceService
) -> None:
    workspace, agents = await open_in.agents_of(service, await _workspace(service, "python-api"))
    host = await open_in.app_host(service)
    assert host == "*.apps.coder.test"
    entries = {e.slug: e for e in open_in.app_entries(service.access_url, host, workspace, agents)}
    assert entries["code-server"].url == f"{deployment.url}/@alice/python-api.main/apps/code-server/"
    assert entries["code-server"].openable
    assert entries["preview"].url == "http://preview--main--python-api--alice.apps.coder.test/"
    assert entries["docs"].problem == "unhealthy" and not entries["docs"].openable
    without_host = open_in.app_entries(service.access_url, "", workspace, agents)
    assert [e.slug for e in without_host if e.url is None] == ["preview"]
    with pytest.raises(WorkspaceError, match='no app "nope"'):
        open_in.find_app(list(entries.values()), "nope")
    assert open_in.find_app(list(entries.values()), "Docs server").slug == "docs"


def _slow_agents_seed() -> dict[str, Any]:
    seed = fast_seed()
    for template in seed["templates"]:
        for version in template["versions"]:
            for agent in version.get("agents", []):
                agent["connect_seconds"] = 30
    return seed


async def test_apps_of_an_agent_not_yet_connected_are_not_opened() -> None:
    with SimulatorServer(_slow_agents_seed()) as deployment:
        credential = Credential(origin_of(deployment.url), Secret(deployment.tokens["alice"]), "test")
        async with CoderClient(deployment.url, credential) as client:
            service = WorkspaceService(client, poll_interval=0.05, build_timeout=10)
            await _check_connecting_apps(service)
            stopped = await _workspace(service, "python-api-eu")
            with pytest.raises(WorkspaceError, match="did not connect within 0 s"):
                await open_in.ensure_running(service, stopped, agent_timeout=0)


async def _check_connecting_apps(service: WorkspaceService) -> None:
    stopped = await _workspace(service, "python-api-eu")
    queued = await service.transition(stopped, "start")
    built = await service.wait(queued)
    workspace, agents = await open_in.agents_of(service, built)
    assert [a.status for a in agents] == ["connecting"]
    entries = open_in.app_entries(service.access_url, "*.apps.coder.test", workspace, agents)
    assert {e.problem for e in entries} == {"agent main is connecting"}


@pytest.mark.parametrize(
    ("status", "kind", "words"), [(409, "conflict", "already running"), (403, "refused", "Forbidden")]
)
async def test_coders_refusal_to_start_is_said(
    deployment: SimulatorServer, service: WorkspaceService, status: int, kind: str, words: str
) -> None:
    stopped = await _workspace(service, "python-api-eu")
    deployment.set_fault(
        "status", status=status, count=1, path_prefix=f"/api/v2/workspaces/{stopped.id}/builds"
    )
    with pytest.raises(WorkspaceError) as refused:
        await open_in.ensure_running(service, stopped)
    assert refused.value.kind == kind and words in refused.value.message, refused.value.message
    assert (await _workspace(service, "python-api-eu")).status == "stopped"  # nothing half-done

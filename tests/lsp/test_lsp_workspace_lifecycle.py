"""``coderCatalog.updateWorkspace`` and ``coderCatalog.deleteWorkspace`` over stdio, against a private
simulator (issue 19, points 4-5)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from test_lsp_workspaces import (
    WorkspaceClient,
    lenses_until,
    open_entity,
    posts,
    run,
    start,
    start_build,
)

from coder_catalog.simulator.server import SimulatorServer
from conftest import stop_client
from workspace_seed import entity, fast_seed

pytestmark = pytest.mark.asyncio(loop_scope="module")

CREATE = "coderCatalog.createWorkspace"
UPDATE = "coderCatalog.updateWorkspace"
DELETE = "coderCatalog.deleteWorkspace"
PYTHON_API_EU = "70c69a67-30a8-50a4-a44e-950bda4efd5b"


@pytest.fixture(scope="module")
def deployment() -> Iterator[SimulatorServer]:
    """docker v2 adds a required ``zone`` (options) to v1: old-docker (v1) needs it to update."""
    seed = fast_seed()
    docker = next(t for t in seed["templates"] if t["name"] == "docker")
    v2 = next(v for v in docker["versions"] if v["name"] == "v2")
    v2["parameters"].append(
        {
            "name": "zone",
            "display_name": "Zone",
            "type": "string",
            "options": [{"name": "North", "value": "north"}, {"name": "South", "value": "south"}],
        }
    )
    with SimulatorServer(seed) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def code(
    deployment: SimulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WorkspaceClient]:
    client = await start("visual-studio-code", deployment, tmp_path_factory.mktemp("lifecycle"))
    yield client
    await stop_client(client)


DOCKER = entity("boxes", "templateName: docker\nmode: auto", location="")


async def test_the_lens_counts_outdated_workspaces(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, _line = open_entity(code, tmp_path, DOCKER)  # no repository URL: all of alice's workspaces
    titles = await lenses_until(code, uri, lambda t: "outdated" in t[0])
    assert re.fullmatch(r"\d+ workspaces \(\d+ running, 1 outdated\): all yours .*", titles[0]), titles


async def test_update_asks_for_a_new_required_parameter_with_options(
    code: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, DOCKER)
    deployment.clear_requests()
    dismissed = await run(code, UPDATE, uri=uri, line=line, workspace="old-docker")
    assert dismissed["status"] == "failed" and dismissed["reason"] == "usage"
    assert dismissed["missing"] == [
        {
            "name": "zone",
            "displayName": "Zone",
            "description": "",
            "type": "string",
            "options": [{"name": "North", "value": "north"}, {"name": "South", "value": "south"}],
        }
    ]
    assert "needs Zone (zone)" in code.message_requests[-1].message
    assert posts(deployment) == []
    # clientAsks (the VS Code extension, the Neovim plugin): the client asks every missing parameter
    # itself, so the server asks nothing, shows no error and answers the whole list.
    questions, shown = len(code.message_requests), len(code.messages)
    for_client = await run(code, UPDATE, uri=uri, line=line, workspace="old-docker", clientAsks=True)
    assert for_client["status"] == "failed" and for_client["missing"] == dismissed["missing"]
    await asyncio.sleep(0.2)  # a stray showMessage would have arrived by now
    assert len(code.message_requests) == questions and len(code.messages) == shown
    assert posts(deployment) == []
    invalid = await run(code, UPDATE, uri=uri, line=line, workspace="old-docker", params={"memory": "64"})
    assert invalid["reason"] == "usage"  # still missing zone: nothing sent
    code.replies["the template's active version needs Zone"] = "South"
    refused = await run(code, UPDATE, uri=uri, line=line, workspace="old-docker", params={"memory": "64"})
    assert refused["status"] == "failed" and refused["reason"] == "refused"
    assert refused["message"] == (
        'Coder refused to update old-docker: parameter "memory" ("64", given by you): '
        'can\'t validate build parameter "Memory (GB)": Memory must be between 1 and 16 GB, got 64.'
    )
    updated = await run(code, UPDATE, uri=uri, line=line, workspace="old-docker")
    assert updated["status"] == "updated", updated
    assert updated["workspace"]["outdated"] is False and updated["workspace"]["status"] == "running"
    assert updated["params"] == {"zone": "south"}
    again = await run(code, UPDATE, uri=uri, line=line, workspace="old-docker")
    assert again["status"] == "up-to-date"
    del code.replies["the template's active version needs Zone"]


async def test_delete_asks_naming_the_workspace_then_deletes(
    code: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    await lenses_until(code, uri, lambda t: t[0] == "3 workspaces (2 running)")
    deployment.clear_requests()
    cancelled = await run(code, DELETE, uri=uri, line=line, workspace="python-api-eu")
    assert cancelled["status"] == "cancelled"
    asked = code.message_requests[-1]
    assert asked.message.startswith("Delete workspace alice/python-api-eu (stopped)?")
    assert [a.title for a in asked.actions or ()] == ["Delete python-api-eu"]
    assert posts(deployment) == []
    code.replies["Delete workspace alice/python-api-eu"] = "Delete python-api-eu"
    deleted = await run(code, DELETE, uri=uri, line=line, workspace="python-api-eu")
    assert deleted["status"] == "deleted" and deleted["workspace"]["status"] == "deleted"
    await lenses_until(code, uri, lambda t: t[0] == "2 workspaces (2 running)")


async def test_delete_while_a_build_runs_shows_coders_409(
    code: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    start_build(deployment, "3a15f311-e7b5-51fa-9b86-af19f0868b7b")  # python-api: a build runs
    code.replies["Delete workspace alice/python-api"] = "Delete python-api"
    shown = len(code.messages)
    failed = await run(code, DELETE, uri=uri, line=line, workspace="python-api")
    assert failed["status"] == "failed" and failed["reason"] == "conflict"
    assert "a build of python-api is already running" in failed["message"]
    assert code.messages[shown:][-1].type == types.MessageType.Error


async def test_code_actions_offer_update_and_delete(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, DOCKER)
    await lenses_until(code, uri, lambda t: "workspaces (" in t[0])
    actions = await code.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line, 0), end=types.Position(line, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    titles = [a.title for a in actions or []]
    assert "Coder: delete gpu-train" in titles


async def test_create_offers_the_presets_and_warns_of_overrides(
    code: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path
) -> None:
    text = entity("preset-box", 'templateName: devcontainers\nmode: auto\nparams:\n  region: "us-east-1"')
    uri, line = open_entity(code, tmp_path, text)
    code.replies["with a preset of devcontainers"] = "Large"
    shown = len(code.messages)
    deployment.clear_requests()
    created = await run(code, CREATE, uri=uri, line=line, new=True)
    assert created["status"] == "created" and created["preset"] == "Large", created
    asked = next(m for m in code.message_requests if "with a preset of devcontainers" in m.message)
    assert [a.title for a in asked.actions or ()] == ["Small", "Large", "No preset"]
    assert "Large: A big disk in Europe. — region=eu-west-1" in asked.message
    warnings = [m.message for m in code.messages[shown:] if m.type == types.MessageType.Warning]
    assert warnings == ['coder-catalog: preset "Large" sets region to "eu-west-1" instead of "us-east-1"']
    assert len([p for p in posts(deployment) if p["path"].endswith("/workspaces")]) == 1
    del code.replies["with a preset of devcontainers"]


async def test_create_with_an_unknown_preset_is_a_usage_error(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, entity("other-box", "templateName: devcontainers\nmode: auto"))
    failed = await run(code, CREATE, uri=uri, line=line, new=True, preset="Huge")
    assert failed["reason"] == "usage"
    assert failed["message"] == 'template "devcontainers" has no preset "Huge" (its presets: Small, Large)'

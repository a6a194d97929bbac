"""Workspace lenses, commands and code actions over stdio, against private simulators over HTTP.

Starting a server costs about two seconds, so most tests share one VS Code client and one
simulator (each test uses its own entities or puts back what it changes); the lens test runs
for each editor, and the token test has its own server.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from lsp_support import open_document
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from coder_catalog.simulator.server import SimulatorServer
from conftest import RecordingClient, action_converter, server_env, stop_client
from workspace_seed import WORKSPACE_SETTINGS, entity, fast_seed

pytestmark = pytest.mark.asyncio(loop_scope="module")

LIST = "coderCatalog.listWorkspaces"
OPEN = "coderCatalog.openWorkspace"
CREATE = "coderCatalog.createWorkspace"
START = "coderCatalog.startWorkspace"
STOP = "coderCatalog.stopWorkspace"
PYTHON_API_EU = "70c69a67-30a8-50a4-a44e-950bda4efd5b"


# -- a client that answers message requests and counts lens refreshes ------------------------------------


class WorkspaceClient(RecordingClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.replies: dict[str, str] = {}  # a fragment of the message -> the action to choose
        self.message_requests: list[types.ShowMessageRequestParams] = []
        self.lens_refreshes = 0


def _message_request(
    client: WorkspaceClient, params: types.ShowMessageRequestParams
) -> types.MessageActionItem | None:
    client.message_requests.append(params)
    titles = [a.title for a in params.actions or ()]
    for fragment, title in client.replies.items():
        if fragment in params.message and title in titles:
            return types.MessageActionItem(title=title)
    return None


def _lens_refresh(client: WorkspaceClient, params: None) -> None:
    client.lens_refreshes += 1


def _publish(client: WorkspaceClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics


def _register(client: WorkspaceClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def _make_client() -> WorkspaceClient:
    client = WorkspaceClient(converter_factory=action_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    features[types.CLIENT_REGISTER_CAPABILITY] = _register
    features[types.WINDOW_SHOW_MESSAGE_REQUEST] = _message_request
    features[types.WORKSPACE_CODE_LENS_REFRESH] = _lens_refresh
    register_lsp_features(client, features)
    return client


async def start(
    editor: str, deployment: SimulatorServer, root: Path, more: dict[str, Any] | None = None
) -> WorkspaceClient:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    settings = {
        "coderCatalog": {
            "deployment": {"accessUrl": deployment.url},
            "workspaces": WORKSPACE_SETTINGS,
            **(more or {}),
        }
    }
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "coder_catalog", "serve"],
        server_env=server_env({"CODER_SESSION_TOKEN": deployment.tokens["alice"]}),
        client_factory=_make_client,
    )
    client = await config.start()
    assert isinstance(client, WorkspaceClient)
    client.set_configuration(settings)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor), initialization_options=settings, root_uri=root.as_uri()
        )
    )
    return client


# -- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def module_deployment() -> Iterator[SimulatorServer]:
    with SimulatorServer(fast_seed()) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def code(
    module_deployment: SimulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WorkspaceClient]:
    """One VS Code client for the tests that do not need a server of their own."""
    client = await start("visual-studio-code", module_deployment, tmp_path_factory.mktemp("one-deployment"))
    yield client
    await stop_client(client)


@pytest.fixture
def deployment() -> Iterator[SimulatorServer]:
    """A private simulator whose devcontainers builds take 1.5 s, long enough to be seen."""
    seed = fast_seed()
    for template in seed["templates"]:
        if template["name"] == "devcontainers":
            template["build_seconds"] = 1.5
    with SimulatorServer(seed) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="module")
async def lsp(editor: str, deployment: SimulatorServer, tmp_path: Path) -> AsyncIterator[WorkspaceClient]:
    client = await start(editor, deployment, tmp_path)
    yield client
    await stop_client(client)


# -- helpers ------------------------------------------------------------------------------------------


def open_entity(client: WorkspaceClient, folder: Path, text: str) -> tuple[str, int]:
    """Open ``text`` as a catalog file; the uri and the line of its (last) ``coder:`` key."""
    (folder / ".git").mkdir(parents=True, exist_ok=True)
    uri = open_document(client, folder / "catalog-info.yaml", text)
    return uri, len(text.splitlines()) - 1 - text.splitlines()[::-1].index("  coder:")


async def lens_titles(client: WorkspaceClient, uri: str) -> list[tuple[int, str]]:
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    return [(lens.range.start.line, lens.command.title if lens.command else "") for lens in lenses or []]


async def lenses_until(
    client: WorkspaceClient, uri: str, wanted: Callable[[list[str]], bool], timeout: float = 8.0
) -> list[str]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        titles = [title for _line, title in await lens_titles(client, uri)]
        if wanted(titles):
            return titles
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"lenses never matched; last: {titles}")
        await asyncio.sleep(0.1)


async def run(client: WorkspaceClient, command: str, **arguments: Any) -> Any:
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=[arguments])
    )


async def until(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
    return value


def start_build(deployment: SimulatorServer, workspace_id: str) -> None:
    response = httpx.post(
        f"{deployment.url}/api/v2/workspaces/{workspace_id}/builds",
        json={"transition": "start"},
        headers={"Coder-Session-Token": deployment.tokens["alice"]},
        timeout=10,
    )
    assert response.status_code == 201, response.text


def posts(deployment: SimulatorServer) -> list[dict[str, Any]]:
    return [r for r in deployment.requests() if r["method"] == "POST"]


# -- each editor: lenses and opening -------------------------------------------------------------------


async def test_lenses_appear_at_once_fill_in_and_follow_a_build(
    lsp: WorkspaceClient, editor: str, deployment: SimulatorServer, tmp_path: Path
) -> None:
    start_build(deployment, PYTHON_API_EU)  # starting when the listing arrives: the lens must follow it
    plain = entity("plain").split("  coder:\n")[0]
    uri, line = open_entity(lsp, tmp_path, plain + "---\n" + entity())
    first = await lens_titles(lsp, uri)  # answered from memory while the listing loads
    assert first == [(line, "Coder workspaces: loading…"), (line, "Create workspace")]  # only on spec.coder
    if editor == "visual-studio-code":
        await until(lambda: lsp.lens_refreshes >= 1)  # told when the data arrived
    titles = await lenses_until(lsp, uri, lambda t: t[0].startswith("3 workspaces"))
    assert titles in (
        ["3 workspaces (2 running)", "Create workspace", "Open in Coder", "Open in VS Code"],
        ["3 workspaces (3 running)", "Create workspace", "Open in Coder", "Open in VS Code"],  # slow machine
    )

    result = await run(lsp, OPEN, uri=uri, line=line)
    page = f"{deployment.url}/@alice/python-api"
    assert result["url"] == page and result["workspace"]["name"] == "python-api"
    if editor == "neovim@v0.7":  # no window/showDocument: the URL comes back, and is shown
        assert result["status"] == "url" and lsp.shown_documents == []
        assert any(page in m.message for m in lsp.messages)
    else:
        assert result["status"] == "opened"
        assert [(d.uri, d.external) for d in lsp.shown_documents] == [(page, True)]

    if editor == "visual-studio-code":  # fetched again within seconds while a build runs
        await lenses_until(lsp, uri, lambda t: t[0] == "3 workspaces (3 running)")
        await until(lambda: lsp.lens_refreshes >= 2)


# -- listing (one VS Code client for the module) ----------------------------------------------------------------------


async def test_list_returns_the_workspaces_for_a_picker(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    result = await run(code, LIST, uri=uri, line=line + 1)
    assert result["status"] == "ok" and result["entity"] == "component:default/python-project"
    assert result["summary"] == "3 workspaces (2 running)"
    assert [w["name"] for w in result["workspaces"]] == ["python-api", "gpu-train", "python-api-eu"]
    assert set(result["workspaces"][0]) >= {
        "name",
        "owner",
        "template",
        "status",
        "outdated",
        "lastUsedAt",
        "url",
    }
    code.replies["Workspaces of"] = "gpu-train (running)"
    picked = await run(code, LIST, uri=uri, entity="component:default/python-project", pick=True)
    assert picked["opened"] is True and code.shown_documents[-1].uri.endswith("/@alice/gpu-train")
    named = await run(code, OPEN, uri=uri, line=line, workspace="python-api-eu")
    assert named["url"].endswith("/@alice/python-api-eu")


async def test_an_unmatchable_url_lists_nothing_and_says_why(code: WorkspaceClient, tmp_path: Path) -> None:
    location = "url:https://github.com/acme/python-project,https://github.com/Acme/Web-Frontend"
    uri, line = open_entity(code, tmp_path, entity(location=location))
    assert (await lens_titles(code, uri))[0][1] == "Coder workspaces: none can be matched"
    result = await run(code, LIST, uri=uri, line=line)
    assert result["workspaces"] == [] and "','" in result["note"]


async def test_a_bad_argument_is_a_readable_failure(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, _line = open_entity(code, tmp_path, entity())
    unknown = await run(code, LIST, uri=uri, entity="component:default/elsewhere")
    assert unknown["reason"] == "usage" and 'no entity named "component' in unknown["message"]
    missing = await run(code, OPEN, uri="file:///nowhere/catalog-info.yaml", line=0)
    assert missing["status"] == "failed" and "not a catalog file open" in missing["message"]


# -- creating ------------------------------------------------------------------------------------------


async def test_create_in_manual_mode_opens_the_prefilled_page(
    code: WorkspaceClient, module_deployment: SimulatorServer, tmp_path: Path
) -> None:
    text = entity(coder='templateName: devcontainers\nmode: manual\nparams:\n  region: "eu-west-1"')
    uri, line = open_entity(code, tmp_path, text)
    module_deployment.clear_requests()
    result = await run(code, CREATE, uri=uri, line=line)
    link = (
        f"{module_deployment.url}/templates/devcontainers/workspace?mode=manual&param.region=eu-west-1"
        "&param.repo_url=https%3A%2F%2Fgithub.com%2Facme%2Fpython-project"
    )
    assert result == {"status": "opened", "mode": "manual", "url": link}
    assert code.shown_documents[-1].uri == link
    assert posts(module_deployment) == []


async def test_create_in_auto_mode_with_progress_then_offer_to_open(
    code: WorkspaceClient, module_deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity("new-service"))
    await lenses_until(code, uri, lambda t: t[0] == "0 workspaces (0 running)")
    code.replies["new-service is running"] = "Open in Coder"
    shown = len(code.shown_documents)
    result = await run(code, CREATE, uri=uri, line=line)
    assert result["status"] == "created" and result["workspace"]["name"] == "new-service"
    assert result["workspace"]["status"] == "running"
    (reports,) = [
        r for r in code.progress_reports.values() if r and "new-service" in getattr(r[0], "title", "")
    ]
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert any(
        isinstance(r, types.WorkDoneProgressReport) and "running" in (r.message or "") for r in reports
    )
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)
    await until(lambda: len(code.shown_documents) > shown)  # the offer to open, answered "Open in Coder"
    assert code.shown_documents[-1].uri == f"{module_deployment.url}/@alice/new-service"
    await lenses_until(code, uri, lambda t: t[0] == "1 workspace (1 running)")


async def test_create_offers_the_existing_workspace_instead(
    code: WorkspaceClient, module_deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    module_deployment.clear_requests()
    code.replies["already has a workspace of template devcontainers"] = "Open python-api"
    result = await run(code, CREATE, uri=uri, line=line)
    assert result["status"] == "opened" and result["existing"] is True
    assert code.shown_documents[-1].uri == f"{module_deployment.url}/@alice/python-api"
    assert "python-api-eu" in code.message_requests[-1].message
    del code.replies["already has a workspace of template devcontainers"]  # dismissed: nothing is made
    assert (await run(code, CREATE, uri=uri, line=line))["status"] == "cancelled"
    assert posts(module_deployment) == []


async def test_create_errors_are_readable(code: WorkspaceClient, tmp_path: Path) -> None:
    """Coder's own refusals, past the analysis (``force``), come back as readable sentences."""
    errors_before = len(code.messages)
    uri, line = open_entity(
        code,
        tmp_path / "a",
        entity("api", 'templateName: devcontainers\nmode: auto\nparams:\n  disk_size: "900"'),
    )
    invalid = await run(code, CREATE, uri=uri, line=line, new=True, force=True)
    assert invalid["status"] == "failed" and invalid["reason"] == "refused"
    assert 'parameter "disk_size" ("900", set in spec.coder.params)' in invalid["message"]
    taken = await run(code, CREATE, uri=uri, line=line, new=True, name="Python-API", force=True)
    assert taken["reason"] == "conflict" and 'named "Python-API"' in taken["message"]
    old, old_line = open_entity(code, tmp_path / "b", entity("old", "templateName: legacy-vm\nmode: auto"))
    deprecated = await run(code, CREATE, uri=old, line=old_line, force=True)
    assert deprecated["reason"] == "refused" and 'template "legacy-vm" is deprecated' in deprecated["message"]
    shown = [m for m in code.messages[errors_before:] if m.type == types.MessageType.Error]
    assert [m.message for m in shown] == [
        f"coder-catalog: {r['message']}" for r in (invalid, taken, deprecated)
    ]


async def diagnostics_with(client: WorkspaceClient, uri: str, wanted: str) -> None:
    """Wait until the server has published ``wanted`` for ``uri`` (templates load in the background)."""
    await until(lambda: any(d.code == wanted for d in client.diagnostics.get(uri, [])), timeout=10)


async def test_create_asks_before_acting_on_what_lint_rejects(
    code: WorkspaceClient, module_deployment: SimulatorServer, tmp_path: Path
) -> None:
    text = entity("big", 'templateName: devcontainers\nmode: manual\nparams:\n  disk_size: "900"')
    uri, line = open_entity(code, tmp_path, text)
    await diagnostics_with(code, uri, "CC305")
    module_deployment.clear_requests()
    shown = len(code.shown_documents)
    refused = await run(code, CREATE, uri=uri, line=line)  # the question is dismissed
    assert refused["status"] == "cancelled" and refused["reason"] == "lint" and refused["codes"] == ["CC305"]
    question = code.message_requests[-1]
    assert question.type == types.MessageType.Warning
    assert [a.title for a in question.actions or ()] == ["Create anyway"]
    assert "not creating a workspace for component:default/big: lint finds 1 problem in it (CC305)" in (
        question.message
    )
    assert f"line {line + 5}: CC305 disk_size:" in question.message
    assert question.message.endswith("900 is out of range. Create anyway?")
    assert len(code.shown_documents) == shown  # no page opened
    code.replies["not creating a workspace for component:default/big"] = "Create anyway"
    try:
        anyway = await run(code, CREATE, uri=uri, line=line)
    finally:
        del code.replies["not creating a workspace for component:default/big"]
    assert anyway["status"] == "opened" and "param.disk_size=900" in anyway["url"]
    assert posts(module_deployment) == []


async def test_no_create_offered_for_a_template_the_deployment_lacks(
    code: WorkspaceClient, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity("typo", "templateName: devcontainer\nmode: auto"))
    await diagnostics_with(code, uri, "CC201")
    titles = await lenses_until(code, uri, lambda t: t[0] != "Coder workspaces: loading…")
    assert "Create workspace" not in titles
    actions = await code.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line + 1, 4), types.Position(line + 1, 4)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]),
        )
    )
    titles = [a.title for a in actions or []]
    assert "Coder: list the workspaces of typo" in titles
    assert not [t for t in titles if t.startswith("Coder: create")]


# -- start, stop and code actions -------------------------------------------------------------------------


async def test_stop_and_start_show_in_the_lens(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    await lenses_until(code, uri, lambda t: t[0] == "3 workspaces (2 running)")
    stopped = await run(code, STOP, uri=uri, line=line, workspace="python-api")
    assert stopped["status"] == "stopped" and stopped["workspace"]["name"] == "python-api"
    await lenses_until(code, uri, lambda t: t[0] == "3 workspaces (1 running)", timeout=4)
    code.replies["Which workspace of component:default/python-project to start?"] = "python-api (stopped)"
    started = await run(code, START, uri=uri, line=line)  # two are stopped now: the user is asked which
    assert started["status"] == "running" and started["workspace"]["name"] == "python-api"
    await lenses_until(code, uri, lambda t: t[0] == "3 workspaces (2 running)", timeout=4)


async def test_start_a_running_workspace_says_so_and_queues_no_build(
    code: WorkspaceClient, module_deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    module_deployment.clear_requests()
    shown = len(code.messages)
    started = await run(code, START, uri=uri, line=line, workspace="python-api")
    assert started["status"] == "running" and started["already"] is True
    stopped = await run(code, STOP, uri=uri, line=line, workspace="python-api-eu")
    assert stopped["status"] == "stopped" and stopped["already"] is True
    assert [m.message for m in code.messages[shown:]] == [
        "python-api is already running",
        "python-api-eu is already stopped",
    ]
    assert posts(module_deployment) == []


async def test_code_actions_offer_the_commands_on_the_block(code: WorkspaceClient, tmp_path: Path) -> None:
    uri, line = open_entity(code, tmp_path, entity())
    await lenses_until(code, uri, lambda t: t[0].startswith("3 workspaces"))
    actions = await code.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(line + 1, 4), types.Position(line + 1, 4)),
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Source]),
        )
    )
    titles = {a.title: a for a in actions or [] if isinstance(a, types.CodeAction)}
    assert "Coder: list the workspaces of python-project" in titles
    assert "Coder: create a workspace for python-project (auto mode)" in titles
    assert {"Coder: open python-api", "Coder: stop python-api", "Coder: start python-api-eu"} <= set(titles)
    stop = titles["Coder: stop python-api"]
    assert stop.kind == "source.coderCatalog" and stop.command is not None and stop.command.command == STOP
    outside = await code.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(1, 0), types.Position(1, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not [a for a in outside or [] if a.title.startswith("Coder:")]


# -- an expired token (its own server) -----------------------------------------------------------------


@pytest.mark.parametrize("editor", ["visual-studio-code"])
async def test_an_expired_token_mid_way(
    lsp: WorkspaceClient, deployment: SimulatorServer, tmp_path: Path
) -> None:
    uri, line = open_entity(lsp, tmp_path / "a", entity())
    await lenses_until(lsp, uri, lambda t: t[0].startswith("3 workspaces"))
    deployment.revoke_tokens("alice")
    result = await run(lsp, STOP, uri=uri, line=line, workspace="python-api")
    assert result["status"] == "failed" and result["reason"] == "unauthorized"
    assert "sign in again" in result["message"]
    assert any("sign in again" in m.message for m in lsp.messages if m.type == types.MessageType.Error)
    assert (await lens_titles(lsp, uri))[0][1].startswith("3 workspaces")  # the last listing stays
    other, _line = open_entity(lsp, tmp_path / "b", entity("other-project"))  # never listed before
    titles = await lenses_until(lsp, other, lambda t: t[0] != "Coder workspaces: loading…")
    assert titles[0] == "Coder workspaces: sign in to see them"


# -- entities without spec.coder ----------------------------------------------------------------------


async def test_entities_without_a_block_get_lenses_only_when_asked(
    code: WorkspaceClient, module_deployment: SimulatorServer, tmp_path: Path
) -> None:
    """The plugin's card shows on every entity page; the editor stays quiet for entities without a
    spec.coder block unless editor.workspaceLenses is "all", and its commands work on them anyway."""
    plain = entity().split("  coder:\n")[0]
    uri, _line = open_entity(code, tmp_path / "quiet", plain + "---\n" + entity("other"))
    titles = await lens_titles(code, uri)
    assert {line for line, _title in titles} == {plain.count("\n") + 1 + 10}  # only on the other's coder:
    listed = await run(code, LIST, uri=uri, entity="python-project")  # a command: any entity
    assert listed["status"] == "ok" and listed["summary"] == "3 workspaces (2 running)"
    client = await start(
        "visual-studio-code", module_deployment, tmp_path / "all", {"editor": {"workspaceLenses": "all"}}
    )
    try:
        uri = open_document(client, tmp_path / "all" / "catalog-info.yaml", plain)
        found = await lenses_until(client, uri, lambda t: bool(t) and t[0].startswith("3 workspaces"))
        assert found[0] == "3 workspaces (2 running)"
        [(line, _title), *_rest] = await lens_titles(client, uri)
        assert line == plain.splitlines().index("spec:")  # on spec: there is no coder: line
    finally:
        await stop_client(client)

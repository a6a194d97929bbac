"""The catalog as a graph, over stdio: a workspace of two folders (several files, namespaces, a Location
tree whose targets are found only through it), indexed in the background; definition, references,
highlights, rename, completion, hover and workspace symbols on entity references; CC601 in the editor;
watched files; the template usage commands."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsp_support import open_document, wait_for_diagnostics
from lsprotocol import types

from conftest import RecordingClient, start_client, stop_client

ORG_LOCATION = """apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: org
spec:
  targets:
    - ./teams/*.yaml
    - ./systems/payments.yaml
    - https://github.com/acme/elsewhere/blob/main/catalog-info.yaml
"""
TEAM_A = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: Team A
  description: Payments engineers
spec:
  type: team
  children: []
"""
PLATFORM = """apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: platform
  namespace: infra
  title: Platform
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ada
  namespace: infra
spec:
  memberOf: [platform]
"""
PAYMENTS = """apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: payments
  title: Payments
  description: Takes the money
spec:
  owner: team-a
"""
WEB = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
spec:
  type: website
  lifecycle: production
  owner: team-a
  system: payments
  dependsOn:
    - component:api
    - resource:infra/db
  consumesApis:
    - payments-api
  coder:
    templateName: docker
"""
API = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: api
spec:
  type: service
  lifecycle: production
  owner: 'Group:Default/Team-A'
  system: payments
  coder:
    templateName: docker
"""
DB = """apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: db
  namespace: infra
spec:
  type: database
  owner: group:infra/platform
"""


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    org, services = tmp_path / "org", tmp_path / "services"
    files = {
        org / "catalog-info.yaml": ORG_LOCATION,
        org / "teams" / "team-a.yaml": TEAM_A,
        org / "teams" / "platform.yaml": PLATFORM,
        org / "systems" / "payments.yaml": PAYMENTS,
        services / "web" / "catalog-info.yaml": WEB,
        services / "api" / "catalog-info.yaml": API,
        services / "db" / "catalog-info.yaml": DB,
        services / ".coder-catalog.yaml": "references:\n  complete: true\n",
        org / ".coder-catalog.yaml": "references:\n  complete: true\nrules:\n  CC601: error\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return org, services


def _apply_edit(client: RecordingClient, params: types.ApplyWorkspaceEditParams) -> Any:
    client.applied_edits.append(params)  # type: ignore[attr-defined]
    return types.ApplyWorkspaceEditResult(applied=True)


@pytest_asyncio.fixture
async def client(workspace: tuple[Path, Path]) -> AsyncIterator[RecordingClient]:
    org, services = workspace
    lsp = await start_client(
        "visual-studio-code", folders=[org, services], configuration={"coderCatalog": {}}
    )
    lsp.applied_edits = []  # type: ignore[attr-defined]
    lsp.feature(types.WORKSPACE_APPLY_EDIT)(lambda params: _apply_edit(lsp, params))
    await _indexed(lsp)
    yield lsp
    await stop_client(lsp)


async def _stats(client: RecordingClient) -> dict[str, Any]:
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="coderCatalog.serverStats", arguments=[])
    )
    assert isinstance(answer, dict)
    return answer


async def _indexed(client: RecordingClient, files: int | None = None) -> dict[str, Any]:
    for _ in range(200):
        stats = (await _stats(client))["catalogIndex"]
        if stats["ready"] and (files is None or stats["files"] == files):
            return stats
        await asyncio.sleep(0.05)
    raise AssertionError(f"the workspace was not indexed: {stats}")


def _position(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


def _where(locations: Any) -> set[tuple[str, int]]:
    return {
        (Path(location.uri.removeprefix("file://")).name, location.range.start.line) for location in locations
    }


@pytest.mark.asyncio
async def test_the_index_follows_the_location_tree_with_progress(client: RecordingClient) -> None:
    stats = await _indexed(client)
    # org/catalog-info.yaml, its three targets found through it (teams/*.yaml, systems/...), 3 services
    assert stats["files"] == 7
    assert stats["entities"] == 8
    reports = [r for reports in client.progress_reports.values() for r in reports]
    begins = [r for r in reports if isinstance(r, types.WorkDoneProgressBegin)]
    assert any(b.title == "Indexing the catalog" for b in begins)
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)


@pytest.mark.asyncio
async def test_definition_references_and_highlights(
    client: RecordingClient, workspace: tuple[Path, Path]
) -> None:
    org, services = workspace
    web = open_document(client, services / "web" / "catalog-info.yaml", WEB)
    definition = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=web), position=_position(WEB, "owner: team-a", 9)
        )
    )
    assert _where(definition) == {("team-a.yaml", 3)}
    assert definition[0].uri == (org / "teams" / "team-a.yaml").as_uri()  # type: ignore[index]
    # A namespaced resource named with its kind
    definition = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=web),
            position=_position(WEB, "resource:infra/db", 3),
        )
    )
    assert _where(definition) == {("catalog-info.yaml", 3)}
    assert "services/db" in definition[0].uri  # type: ignore[index]

    # From the definition (a file that is not open): every reference, the API's Group:Default/Team-A too
    team_a = (org / "teams" / "team-a.yaml").as_uri()
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=team_a),
            position=_position(TEAM_A, "team-a", 2),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert _where(references) == {("team-a.yaml", 3), ("catalog-info.yaml", 7), ("payments.yaml", 7)}
    assert {Path(r.uri.removeprefix("file://")).parent.name for r in references} == {
        "teams",
        "web",
        "api",
        "systems",
    }

    highlights = await client.text_document_document_highlight_async(
        types.DocumentHighlightParams(
            text_document=types.TextDocumentIdentifier(uri=web),
            position=_position(WEB, "system: payments", 9),
        )
    )
    assert [(h.range.start.line, h.kind) for h in highlights or ()] == [(8, types.DocumentHighlightKind.Read)]


@pytest.mark.asyncio
async def test_rename_changes_every_file_and_keeps_each_form(
    client: RecordingClient, workspace: tuple[Path, Path]
) -> None:
    _, services = workspace
    web = open_document(client, services / "web" / "catalog-info.yaml", WEB)
    where = _position(WEB, "owner: team-a", 9)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=types.TextDocumentIdentifier(uri=web), position=where)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "team-a"
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=web), position=where, new_name="team-b"
        )
    )
    assert edit is not None and edit.changes is not None
    changed = {
        Path(uri.removeprefix("file://")).parent.name: [e.new_text for e in edits]
        for uri, edits in edit.changes.items()
    }
    assert changed == {
        "teams": ["team-b"],
        "systems": ["team-b"],
        "web": ["team-b"],
        "api": ["'Group:Default/team-b'"],
    }
    # From the other end: the Group's own metadata.name, in a file that is not open
    team_a = (workspace[0] / "teams" / "team-a.yaml").as_uri()
    edit = await client.text_document_rename_async(
        types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=team_a),
            position=_position(TEAM_A, "team-a", 1),
            new_name="payments-team",
        )
    )
    assert edit is not None and edit.changes is not None
    assert sorted(e.new_text for edits in edit.changes.values() for e in edits) == [
        "'Group:Default/payments-team'",
        "payments-team",
        "payments-team",
        "payments-team",
    ]
    assert edit.changes[team_a][0].range == types.Range(
        start=types.Position(line=3, character=8), end=types.Position(line=3, character=14)
    )
    with pytest.raises(Exception, match="not a valid entity name"):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=web), position=where, new_name="-x"
            )
        )
    api = _position(WEB, "component:api", 11)
    with pytest.raises(Exception, match="component:default/web already exists"):
        await client.text_document_rename_async(
            types.RenameParams(
                text_document=types.TextDocumentIdentifier(uri=web), position=api, new_name="Web"
            )
        )


@pytest.mark.asyncio
async def test_completion_of_references_filtered_by_kind(
    client: RecordingClient, workspace: tuple[Path, Path]
) -> None:
    _, services = workspace
    text = WEB.replace("owner: team-a", "owner: ").replace("    - component:api\n", "    - \n")
    web = open_document(client, services / "web" / "catalog-info.yaml", text)
    owner = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=web), position=_position(text, "owner: ", 7)
        )
    )
    assert owner is not None
    items = owner.items if isinstance(owner, types.CompletionList) else owner
    labels = {item.label: item for item in items}
    assert set(labels) == {"team-a", "infra/platform", "user:infra/ada"}  # Groups and Users, nothing else
    assert labels["team-a"].detail == "Team A"
    documentation = labels["team-a"].documentation
    assert isinstance(documentation, types.MarkupContent) and "Payments engineers" in documentation.value

    depends = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=web), position=_position(text, "    - \n", 6)
        )
    )
    assert depends is not None
    items = depends.items if isinstance(depends, types.CompletionList) else depends
    assert {item.label for item in items} == {"component:api", "resource:infra/db"}  # not web itself


@pytest.mark.asyncio
async def test_hover_on_a_reference_and_workspace_symbols(
    client: RecordingClient, workspace: tuple[Path, Path]
) -> None:
    _, services = workspace
    web = open_document(client, services / "web" / "catalog-info.yaml", WEB)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=web),
            position=_position(WEB, "system: payments", 10),
        )
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Payments** `system:default/payments`" in hover.contents.value
    assert "Takes the money" in hover.contents.value
    assert "payments.yaml" in hover.contents.value

    symbols = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="plat"))
    assert symbols is not None
    assert [(s.name, s.container_name) for s in symbols] == [("platform", "group:infra")]
    every = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    assert every is not None and len(every) == 8


@pytest.mark.asyncio
async def test_unresolved_references_in_the_editor_and_watched_files(
    client: RecordingClient, workspace: tuple[Path, Path]
) -> None:
    _, services = workspace
    web = open_document(client, services / "web" / "catalog-info.yaml", WEB)
    found = await wait_for_diagnostics(client, web, lambda d: any(x.code == "CC601" for x in d))
    [unresolved] = [d for d in found if d.code == "CC601"]
    assert unresolved.range.start.line == 13
    assert "api:default/payments-api" in unresolved.message
    assert unresolved.severity == types.DiagnosticSeverity.Warning

    # The other folder's settings make it an error there
    payments = open_document(
        client, workspace[0] / "systems" / "payments.yaml", PAYMENTS + "  domain: money\n"
    )
    found = await wait_for_diagnostics(client, payments, lambda d: any(x.code == "CC601" for x in d))
    assert [(d.severity, d.range.start.line) for d in found if d.code == "CC601"] == [
        (types.DiagnosticSeverity.Error, 8)
    ]

    # A file created on disk defines it: the watcher's event brings it into the index
    new = services / "payments-api" / "catalog-info.yaml"
    new.parent.mkdir()
    new.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: payments-api\n"
        "spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: x\n",
        encoding="utf-8",
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_for_diagnostics(client, web, lambda d: not any(x.code == "CC601" for x in d))

    # ...and deleting it takes it out again
    new.unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Deleted)]
        )
    )
    await wait_for_diagnostics(client, web, lambda d: any(x.code == "CC601" for x in d))


@pytest.mark.asyncio
async def test_an_open_document_edits_the_index(
    client: RecordingClient, workspace: tuple[Path, Path]
) -> None:
    org, services = workspace
    web = open_document(client, services / "web" / "catalog-info.yaml", WEB)
    await wait_for_diagnostics(client, web, lambda d: any(x.code == "CC601" for x in d))
    # Defining the API in an open (unsaved) document of the other folder resolves the reference
    extra = open_document(
        client,
        org / "apis.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: payments-api\n"
        "spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: x\n",
    )
    await wait_for_diagnostics(client, web, lambda d: not any(x.code == "CC601" for x in d))
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=extra),
            position=types.Position(line=3, character=9),
            context=types.ReferenceContext(include_declaration=False),
        )
    )
    assert _where(references) == {("catalog-info.yaml", 13)}


@pytest.mark.asyncio
async def test_template_usage_and_move(client: RecordingClient) -> None:
    usage = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="coderCatalog.templateUsage", arguments=[])
    )
    assert isinstance(usage, dict)
    assert usage["indexing"] is False
    [docker] = usage["templates"]
    assert docker["name"] == "docker"
    assert sorted(u["entity"] for u in docker["uses"]) == ["component:default/api", "component:default/web"]
    assert all(u["range"]["start"]["line"] in (10, 15) for u in docker["uses"])

    moved = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="coderCatalog.moveTemplate", arguments=[{"from": "Docker", "to": "nix"}]
        )
    )
    assert isinstance(moved, dict)
    assert moved["applied"] is True and moved["changed"] == 2
    [params] = client.applied_edits  # type: ignore[attr-defined]
    edit = params.edit
    assert edit.document_changes is not None  # VS Code: annotated, so that it previews the change
    assert {Path(c.text_document.uri.removeprefix("file://")).parent.name for c in edit.document_changes} == {
        "web",
        "api",
    }
    assert edit.change_annotations is not None
    assert all(a.needs_confirmation for a in edit.change_annotations.values())
    assert [e.new_text for c in edit.document_changes for e in c.edits] == ["nix", "nix"]

    # preview: false (VS Code's "Move"): a plain edit, applied at once
    moved = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="coderCatalog.moveTemplate", arguments=[{"from": "docker", "to": "nix", "preview": False}]
        )
    )
    assert isinstance(moved, dict) and moved["applied"] is True
    plain = client.applied_edits[-1].edit  # type: ignore[attr-defined]
    assert plain.document_changes is None and plain.changes is not None and len(plain.changes) == 2
    assert plain.change_annotations is None


LEGACY = WEB.replace("name: web", "name: legacy").replace("templateName: docker", "templateName: legacy-vm")
SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "coder-templates.json"


@pytest_asyncio.fixture
async def with_templates(workspace: tuple[Path, Path]) -> AsyncIterator[RecordingClient]:
    """The workspace with a third service on the deprecated legacy-vm, and template data (a snapshot)."""
    org, services = workspace
    (services / "legacy").mkdir()
    (services / "legacy" / "catalog-info.yaml").write_text(LEGACY, encoding="utf-8")
    settings = {"coderCatalog": {"templates": str(SNAPSHOT)}}
    lsp = await start_client(
        "visual-studio-code", folders=[org, services], configuration=settings, initialization_options=settings
    )
    lsp.applied_edits = []  # type: ignore[attr-defined]
    lsp.asked = []  # type: ignore[attr-defined]
    lsp.feature(types.WORKSPACE_APPLY_EDIT)(lambda params: _apply_edit(lsp, params))

    @lsp.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def answer(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        lsp.asked.append(params)  # type: ignore[attr-defined]
        return params.actions[0] if params.actions else None

    await _indexed(lsp)
    yield lsp
    await stop_client(lsp)


@pytest.mark.asyncio
async def test_a_deprecated_template_offers_its_successor_workspace_wide(
    with_templates: RecordingClient, workspace: tuple[Path, Path]
) -> None:
    client = with_templates
    usage = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="coderCatalog.templateUsage", arguments=[])
    )
    assert isinstance(usage, dict)
    legacy = next(t for t in usage["templates"] if t["name"] == "legacy-vm")
    assert legacy["status"] == "deprecated" and legacy["replacement"] == "docker"
    assert "docker" in usage["available"] and "legacy-vm" not in usage["available"]

    # The deprecated-template finding offers to move every entity on it to docker
    uri = open_document(client, workspace[1] / "legacy" / "catalog-info.yaml", LEGACY)
    found = await wait_for_diagnostics(client, uri, lambda d: any(x.code == "CC202" for x in d))
    deprecated = next(d for d in found if d.code == "CC202")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=deprecated.range,
            context=types.CodeActionContext(diagnostics=[deprecated]),
        )
    )
    move = next(
        a
        for a in actions or ()
        if isinstance(a, types.CodeAction) and a.title.startswith("Move every entity")
    )
    assert move.title == "Move every entity of the workspace on legacy-vm to docker"
    assert move.command is not None and list(move.command.arguments or ()) == [
        {"from": "legacy-vm", "to": "docker"}
    ]

    # Without a target, the server asks, the successor first
    moved = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="coderCatalog.moveTemplate", arguments=[{"from": "legacy-vm"}])
    )
    assert isinstance(moved, dict) and moved["applied"] is True and moved["changed"] == 1
    [asked] = client.asked  # type: ignore[attr-defined]
    assert asked.message == "Move the 1 entity on legacy-vm to which template?"
    assert [a.title for a in asked.actions or ()][:2] == ["docker", "data-science"]


@pytest.mark.asyncio
async def test_no_unresolved_references_for_a_file_without_a_workspace(tmp_path: Path) -> None:
    settings = {"coderCatalog": {"references": {"complete": True}}}
    lsp = await start_client("neovim@v0.7", configuration=settings, initialization_options=settings)
    try:
        await _indexed(lsp)
        uri = open_document(lsp, tmp_path / "lonely" / "catalog-info.yaml", WEB)
        found = await wait_for_diagnostics(lsp, uri, lambda d: any(x.code == "CC401" for x in d))
        await asyncio.sleep(0.5)  # past the index's republishing
        assert not [d for d in lsp.diagnostics.get(uri, found) if d.code == "CC601"]
        # ...while the editor features still work on what is open
        definition = await lsp.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=_position(WEB, "component:api", 11),
            )
        )
        assert definition is None
    finally:
        await stop_client(lsp)

"""``coderCatalog.openWorkspaceInVSCode`` and ``coderCatalog.workspaceApps`` (issue 19, points 1-2).

Both take the arguments of the other workspace commands (``uri`` and ``line`` or ``entity``,
``workspace``: default the most recently used running workspace, else the most recently used one).

- ``openWorkspaceInVSCode`` (``agent``: which agent, when there are several): opens Coder's VS Code
  extension link through ``window/showDocument`` (``external: true``); the link carries no token. A
  stopped workspace is started first when the user agrees (``window/showMessageRequest``), with
  work-done progress until its agent is connected. Answers ``{"status": "opened" | "url", "url",
  "ssh", "workspace"}`` (``"url"``: the client cannot open links; the link and the ``coder ssh``
  command are shown in a message), or ``{"status": "cancelled"}`` when the user did not start it.
- ``workspaceApps``: ``{"status": "ok", "workspace", "apps": [{"slug", "displayName", "agent",
  "health", "agentStatus", "url", "openable", "problem", "subdomain", "external"}], "note"}``; with
  ``app`` (a slug or display name) it opens that app (``{"status": "opened" | "url", "url", "app"}``),
  with ``pick: true`` it lets the user choose one first. An app that is unhealthy, initializing, or
  whose agent is not connected is not opened: the answer is a failure saying so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from coder_catalog.lsp.features import add_code_actions
from coder_catalog.lsp.workspace_commands import (
    MAX_CHOICES,
    Progress,
    Result,
    Target,
    _command,
    actions_in_range,
    ask,
    command_action,
    show,
)
from coder_catalog.lsp.workspace_state import state_of
from coder_catalog.workspaces import open_in
from coder_catalog.workspaces.model import WorkspaceInfo
from coder_catalog.workspaces.service import WorkspaceError, needs_start

if TYPE_CHECKING:
    from coder_catalog.lsp.documents import OpenDocument
    from coder_catalog.lsp.server import CatalogServer
    from coder_catalog.workspaces.entities import CoderEntity

OPEN_VSCODE = "coderCatalog.openWorkspaceInVSCode"
APPS = "coderCatalog.workspaceApps"
START_AND_OPEN = "Start and open"


async def _workspace(target: Target) -> WorkspaceInfo:
    reference = target.option("workspace")
    if reference:
        return await target.service().find(target.entity, reference)
    found = await target.workspaces()
    best = found.best()
    if best is None:
        note = f" ({found.note})" if found.note else ""
        raise WorkspaceError(f"{target.entity.ref} has no workspaces{note}", "not-found")
    return best


def _can_show_document(ls: CatalogServer) -> bool:
    window = ls.client_capabilities.window
    return bool(window and window.show_document and window.show_document.support)


async def _show_external(ls: CatalogServer, url: str) -> bool:
    try:
        result = await ls.window_show_document_async(types.ShowDocumentParams(uri=url, external=True))
    except Exception:
        return False
    return bool(result and result.success)


async def open_in_vscode(target: Target) -> Result:
    service = target.service()
    workspace = await _workspace(target)
    if needs_start(workspace) or workspace.building:
        if needs_start(workspace):
            question = f"{workspace.name} is {workspace.status}. Start it and open it in VS Code?"
            if await ask(target.ls, question, [START_AND_OPEN]) != START_AND_OPEN:
                return {"status": "cancelled", "workspace": workspace.to_json()}
        async with Progress(target.ls, f"Starting {workspace.name} to open it in VS Code") as progress:
            try:
                workspace, agents = await open_in.ensure_running(service, workspace, progress.report)
            finally:
                target.changed()
    else:
        workspace, agents = await open_in.ensure_running(service, workspace)
    link = open_in.vscode_link(service.access_url, workspace, agents, target.option("agent"))
    ssh = open_in.ssh_command(workspace, agents, target.option("agent"))
    opened = _can_show_document(target.ls) and await _show_external(target.ls, link)
    if not opened:
        show(target.ls, f"Open {workspace.name} in VS Code: {link}  (or in a terminal: {ssh})")
    return {
        "status": "opened" if opened else "url",
        "url": link,
        "ssh": ssh,
        "workspace": workspace.to_json(),
    }


async def workspace_apps(target: Target) -> Result:
    service = target.service()
    workspace, agents = await open_in.agents_of(service, await _workspace(target))
    host = await open_in.app_host(service) if any(a.subdomain for ag in agents for a in ag.apps) else ""
    entries = open_in.app_entries(service.access_url, host, workspace, agents)
    note = None
    if not workspace.running:
        note = f"{workspace.name} is {workspace.status}: start it to use its apps"
    elif not entries:
        note = f"{workspace.name} has no apps"
    result: Result = {
        "status": "ok",
        "workspace": workspace.to_json(),
        "apps": [e.to_json() for e in entries],
        "note": note,
    }
    reference = target.option("app")
    chosen: open_in.AppEntry | None = None
    if reference:
        chosen = open_in.find_app(entries, reference)
    elif target.options.get("pick"):
        if not entries:
            show(target.ls, note or f"{workspace.name} has no apps")
            return result
        shown = entries[:MAX_CHOICES]
        title = await ask(target.ls, f"Apps of {workspace.name}", [e.label for e in shown])
        chosen = next((e for e in shown if e.label == title), None)
        if chosen is None:
            return {**result, "status": "cancelled"}
    if chosen is None:
        return result
    if not chosen.openable:
        raise WorkspaceError(
            f"not opening {chosen.display_name} of {workspace.name}: {chosen.problem}", "refused"
        )
    assert chosen.url is not None
    opened = _can_show_document(target.ls) and await _show_external(target.ls, chosen.url)
    if not opened:
        show(target.ls, f"Open {chosen.display_name}: {chosen.url}")
    return {"status": "opened" if opened else "url", "url": chosen.url, "app": chosen.to_json()}


Handler = Callable[[Target], Awaitable[Result]]
COMMANDS: dict[str, Handler] = {OPEN_VSCODE: open_in_vscode, APPS: workspace_apps}


def code_actions(
    ls: CatalogServer, document: OpenDocument, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """For each workspace already in memory: open it in VS Code; list its apps when it runs."""
    if not document.settings.access_url:
        return []
    return actions_in_range(ls, document, params, _entity_actions)


def _entity_actions(ls: CatalogServer, document: OpenDocument, entity: CoderEntity) -> list[types.CodeAction]:
    listing = state_of(ls).peek(document.settings, entity.search)

    def action(title: str, command: str, **extra: Any) -> types.CodeAction:
        return command_action(document, entity, title, command, **extra)

    actions = []
    for workspace in (listing.result.workspaces if listing.result else ())[:MAX_CHOICES]:
        actions.append(
            action(f"Coder: open {workspace.name} in VS Code", OPEN_VSCODE, workspace=workspace.id)
        )
        if workspace.running:
            actions.append(
                action(f"Coder: open an app of {workspace.name}", APPS, workspace=workspace.id, pick=True)
            )
    return actions


def register(server: CatalogServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(_command(handler))
    add_code_actions(server, code_actions)

"""The workspace commands (``workspace/executeCommand``), also offered as code actions of kind
``source.coderCatalog`` on an entity's ``spec.coder`` block.

Every command takes one JSON object naming an entity of an open catalog document:

- ``uri``: the document; ``line``: a 0-based line inside the entity's document (the lenses pass
  the ``coder:`` line), or ``entity``: ``kind:namespace/name`` or the entity's name;
- ``workspace`` (open, start, stop): a workspace id, name or ``owner/name``;
- ``name`` (create, auto mode): the new workspace's name instead of the derived one;
- ``new`` (create): ``true`` to create even when the entity has a workspace of that template;
- ``force`` (create): ``true`` to create even though the analysis finds errors in the entity
  (otherwise the user is asked first: the editor acts only on what ``lint`` accepts);
- ``pick`` (list): ``true`` to also let the user choose one to open (``window/showMessageRequest``).

Each answers a JSON object with a ``status``; a failure is also shown to the user
(``window/showMessage``) and answered ``{"status": "failed", "reason", "message"}``.
This module only translates: the work is done by ``coder_catalog.workspaces``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from coder_catalog.lsp.features import add_code_actions
from coder_catalog.lsp.workspace_state import WorkspaceState, state_of
from coder_catalog.workspaces.entities import CoderEntity, EntityReference, entity_at_line
from coder_catalog.workspaces.model import EntityWorkspaces, WorkspaceInfo
from coder_catalog.workspaces.plugin_rules import cannot_create_reason, create_link
from coder_catalog.workspaces.readiness import creation_blockers, refusal, template_missing
from coder_catalog.workspaces.service import (
    Transition,
    WorkspaceError,
    WorkspaceService,
    already_done,
    pick_for_transition,
)

if TYPE_CHECKING:
    from coder_catalog.lsp.documents import OpenDocument
    from coder_catalog.lsp.server import CatalogServer

log = logging.getLogger(__name__)

LIST = "coderCatalog.listWorkspaces"
OPEN = "coderCatalog.openWorkspace"
CREATE = "coderCatalog.createWorkspace"
START = "coderCatalog.startWorkspace"
STOP = "coderCatalog.stopWorkspace"
ACTION_KIND = "source.coderCatalog"
MAX_CHOICES = 8

Result = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """The entity a command is about, in the document it was named in."""

    ls: CatalogServer
    document: OpenDocument
    entity: CoderEntity
    options: dict[str, Any]

    @property
    def state(self) -> WorkspaceState:
        return state_of(self.ls)

    def service(self) -> WorkspaceService:
        return self.state.service(self.document.settings)

    async def workspaces(self) -> EntityWorkspaces:
        return await self.state.fetch(self.document.settings, self.entity.search)

    def changed(self) -> None:
        self.state.refetch_soon(self.document.settings, self.entity.search)

    def option(self, key: str) -> str | None:
        value = self.options.get(key)
        return value if isinstance(value, str) and value.strip() else None


def target_of(ls: CatalogServer, args: tuple[Any, ...]) -> Target:
    options = args[0] if args and isinstance(args[0], dict) else None
    if options is None:
        raise WorkspaceError('expected one argument: {"uri": ..., "line": ...}', "usage")
    uri = options.get("uri")
    document = ls.catalog.documents.get(uri) if isinstance(uri, str) else None
    if document is None or not document.is_catalog:
        raise WorkspaceError(f"{uri} is not a catalog file open in the editor", "usage")
    entity = _entity(state_of(ls).entities(document, everyone=True), options)
    return Target(ls, document, entity, options)


def _entity(entities: list[CoderEntity], options: dict[str, Any]) -> CoderEntity:
    line, reference = options.get("line"), options.get("entity")
    if isinstance(line, int) and not isinstance(line, bool):
        found = entity_at_line(entities, line)
        where = f"at line {line + 1}"
    elif isinstance(reference, str):
        wanted = EntityReference.parse(reference)
        matches = [e for e in entities if wanted.matches(e)]
        found = matches[0] if len(matches) == 1 else None
        where = f'named "{reference}"' + (" (several match)" if len(matches) > 1 else "")
    else:
        found = entities[0] if len(entities) == 1 else None
        where = "(name one with line or entity)"
    if found is None:
        raise WorkspaceError(f"no entity {where}", "usage")
    return found


# -- talking to the user -------------------------------------------------------------------------------


def show(ls: CatalogServer, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
    try:
        ls.window_show_message(types.ShowMessageParams(type=kind, message=message))
    except Exception:
        log.info("%s", message)


async def ask(
    ls: CatalogServer, message: str, choices: list[str], kind: types.MessageType = types.MessageType.Info
) -> str | None:
    """The title the user chose, or None (dismissed, or the client cannot ask)."""
    params = types.ShowMessageRequestParams(
        type=kind, message=message, actions=[types.MessageActionItem(title=c) for c in choices]
    )
    try:
        answer = await ls.window_show_message_request_async(params)
    except Exception:
        log.info("the client did not answer window/showMessageRequest", exc_info=True)
        return None
    return answer.title if answer is not None else None


async def open_url(ls: CatalogServer, url: str) -> bool:
    """Open a page through ``window/showDocument``; False when the client cannot."""
    window = ls.client_capabilities.window
    if not (window and window.show_document and window.show_document.support):
        show(ls, f"Open in your browser: {url}")
        return False
    try:
        result = await ls.window_show_document_async(types.ShowDocumentParams(uri=url, external=True))
    except Exception:
        log.info("window/showDocument failed", exc_info=True)
        return False
    return bool(result and result.success)


async def open_workspace_page(ls: CatalogServer, workspace: WorkspaceInfo) -> Result:
    opened = await open_url(ls, workspace.url)
    return {"status": "opened" if opened else "url", "url": workspace.url, "workspace": workspace.to_json()}


class Progress:
    """Work-done progress started by the server, when the client shows it; else nothing."""

    def __init__(self, ls: CatalogServer, title: str) -> None:
        self.ls = ls
        self.title = title
        self.token: str | None = None

    async def __aenter__(self) -> Progress:
        window = self.ls.client_capabilities.window
        if not (window and window.work_done_progress):
            return self
        token = f"coder-catalog/workspace/{uuid.uuid4()}"
        try:
            await self.ls.work_done_progress.create_async(token)
            self.ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=self.title))
        except Exception:
            log.debug("work-done progress refused", exc_info=True)
            return self
        self.token = token
        return self

    def report(self, message: str) -> None:
        if self.token is not None:
            self.ls.work_done_progress.report(self.token, types.WorkDoneProgressReport(message=message))

    async def __aexit__(self, *exc: object) -> None:
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd())
            self.token = None


async def choose(ls: CatalogServer, message: str, workspaces: list[WorkspaceInfo]) -> WorkspaceInfo | None:
    shown = workspaces[:MAX_CHOICES]
    title = await ask(ls, message, [w.label for w in shown])
    return next((w for w in shown if w.label == title), None)


# -- the commands ------------------------------------------------------------------------------------


async def list_workspaces(target: Target) -> Result:
    found = await target.workspaces()
    result = {"status": "ok", "entity": target.entity.ref, **found.to_json()}
    if not target.options.get("pick"):
        return result
    if not found.workspaces:
        await _offer_create(target, found)
        return result
    chosen = await choose(
        target.ls, f"Workspaces of {target.entity.ref}: {found.summary}", list(found.workspaces)
    )
    if chosen is not None:
        result["opened"] = (await open_workspace_page(target.ls, chosen))["status"] == "opened"
    return result


def can_offer_create(ls: CatalogServer, document: OpenDocument, entity: CoderEntity) -> bool:
    """Whether to offer "Create workspace" (lens, code action, prompt): the plugin could build a create
    link, and the template is not one the deployment lacks (CC201)."""
    if cannot_create_reason(entity.effective, document.settings) is not None:
        return False
    return not template_missing(ls.catalog.analyzer_for(document).templates, entity)


async def _offer_create(target: Target, found: EntityWorkspaces) -> None:
    reason = f" ({found.note})" if found.note else ""
    message = f"{target.entity.ref} has no workspaces{reason}."
    if not can_offer_create(target.ls, target.document, target.entity):
        show(target.ls, message)
        return
    if await ask(target.ls, message, ["Create workspace"]) == "Create workspace":
        await create_workspace(target)


async def open_workspace(target: Target) -> Result:
    found = await target.workspaces()
    reference = target.option("workspace")
    workspace = found.find(reference) if reference else found.best()
    if workspace is None and reference:
        workspace = await target.service().find(target.entity, reference)
    if workspace is None:
        note = f" ({found.note})" if found.note else ""
        raise WorkspaceError(f"{target.entity.ref} has no workspaces to open{note}", "not-found")
    return await open_workspace_page(target.ls, workspace)


async def create_workspace(target: Target) -> Result:
    effective = target.entity.effective
    settings = target.document.settings
    if not target.options.get("force"):
        refused = await _refuse_what_lint_rejects(target)
        if refused is not None:
            return refused
    reason = cannot_create_reason(effective, settings)
    if reason is not None:
        raise WorkspaceError(f"{target.entity.ref}: {reason}", "usage")
    if effective.mode != "auto":
        link = create_link(effective, settings)
        assert link is not None
        opened = await open_url(target.ls, link)
        return {"status": "opened" if opened else "url", "mode": effective.mode, "url": link}
    if not target.options.get("new"):
        existing = await target.service().existing(target.entity)
        if existing:
            return await _offer_existing(target, existing)
    return await _create_through_api(target)


CREATE_ANYWAY = "Create anyway"


async def _refuse_what_lint_rejects(target: Target) -> Result | None:
    """The analysis' errors in the entity (those of its diagnostics): the user is asked before a
    workspace is created anyway; None when there are none or the user insists."""
    blockers = creation_blockers(target.ls.catalog.analyze(target.document), target.entity)
    if not blockers:
        return None
    first = blockers[0]
    more = f" (and {len(blockers) - 1} more)" if len(blockers) > 1 else ""
    message = (
        f"{refusal(target.entity.ref, blockers)}: line {first.span.start.line + 1}: {first.code} "
        f"{first.message.rstrip('.')}{more}. Create anyway?"
    )
    if await ask(target.ls, message, [CREATE_ANYWAY], types.MessageType.Warning) == CREATE_ANYWAY:
        return None
    return {
        "status": "cancelled",
        "reason": "lint",
        "message": message.removesuffix(". Create anyway?"),
        "codes": sorted({f.code for f in blockers}),
    }


async def _offer_existing(target: Target, existing: list[WorkspaceInfo]) -> Result:
    names = ", ".join(w.label for w in existing[:MAX_CHOICES])
    message = (
        f"{target.entity.ref} already has a workspace of template {target.entity.template_name}: {names}. "
        "Open it instead of creating another?"
    )
    first = existing[0]
    answer = await ask(target.ls, message, [f"Open {first.name}", "Create another"])
    if answer == f"Open {first.name}":
        return {**(await open_workspace_page(target.ls, first)), "existing": True}
    if answer == "Create another":
        return await _create_through_api(target)
    return {"status": "cancelled", "existing": [w.to_json() for w in existing]}


async def _create_through_api(target: Target) -> Result:
    from coder_catalog.lsp.workspace_presets import choose_preset

    service = target.service()
    preset = await choose_preset(target, service)
    async with Progress(target.ls, f"Creating a Coder workspace for {target.entity.name}") as progress:
        created = await service.create(target.entity, target.option("name"), preset)
        progress.report(f"{created.name}: {created.status}")
        target.changed()
        final = await service.wait(created, lambda w: progress.report(f"{w.name}: {w.status}"))
    target.changed()
    if final.status != "running":
        raise WorkspaceError(_build_failed(final, "first build"), "refused")
    _offer_open_later(target.ls, final)
    return {"status": "created", "url": final.url, "workspace": final.to_json(), "preset": preset}


_OFFERS: set[asyncio.Task[None]] = set()


def _offer_open_later(ls: CatalogServer, workspace: WorkspaceInfo) -> None:
    """Offer to open the new workspace without holding the command's answer until the user replies."""

    async def offer() -> None:
        if await ask(ls, f"Workspace {workspace.name} is running.", ["Open in Coder"]) == "Open in Coder":
            await open_url(ls, workspace.url)

    task = asyncio.get_running_loop().create_task(offer())
    _OFFERS.add(task)
    task.add_done_callback(_OFFERS.discard)


def _build_failed(workspace: WorkspaceInfo, what: str) -> str:
    error = f": {workspace.job_error}" if workspace.job_error else ""
    return f"the {what} of {workspace.name} ended {workspace.status}{error}"


async def transition_workspace(target: Target, transition: Transition) -> Result:
    workspace = await _workspace_for(target, transition)
    if already_done(workspace, transition):
        show(target.ls, f"{workspace.name} is already {workspace.status}")
        return {
            "status": workspace.status,
            "url": workspace.url,
            "workspace": workspace.to_json(),
            "already": True,
        }
    service = target.service()
    verb = "Starting" if transition == "start" else "Stopping"
    async with Progress(target.ls, f"{verb} {workspace.name}") as progress:
        queued = await service.transition(workspace, transition)
        progress.report(queued.status)
        target.changed()
        final = await service.wait(queued, lambda w: progress.report(w.status))
    target.changed()
    wanted = "running" if transition == "start" else "stopped"
    if final.status != wanted:
        raise WorkspaceError(_build_failed(final, f"{transition} build"), "refused")
    show(target.ls, f"{final.name} is {final.status}")
    return {"status": final.status, "url": final.url, "workspace": final.to_json()}


async def _workspace_for(target: Target, transition: Transition) -> WorkspaceInfo:
    reference = target.option("workspace")
    if reference:
        return await target.service().find(target.entity, reference)
    found = await target.workspaces()
    chosen, choices = pick_for_transition(found.workspaces, transition)
    if chosen is not None:
        return chosen
    if not choices:
        raise WorkspaceError(f"{target.entity.ref} has no workspaces to {transition}", "not-found")
    picked = await choose(target.ls, f"Which workspace of {target.entity.ref} to {transition}?", choices)
    if picked is None:
        raise WorkspaceError(f"no workspace chosen to {transition}", "usage")
    return picked


# -- registration ------------------------------------------------------------------------------------

Handler = Callable[[Target], Awaitable[Result]]


def _command(handler: Handler) -> Callable[..., Awaitable[Result]]:
    async def run(ls: LanguageServer, *args: Any) -> Result:
        server = cast("CatalogServer", ls)
        try:
            return await handler(target_of(server, args))
        except WorkspaceError as exc:
            show(server, f"coder-catalog: {exc.message}", types.MessageType.Error)
            return {"status": "failed", "reason": exc.kind, "message": exc.message}
        except Exception:
            log.exception("%s failed", handler.__name__)
            message = "the workspace command failed unexpectedly (see the server log)"
            show(server, f"coder-catalog: {message}", types.MessageType.Error)
            return {"status": "failed", "reason": "internal", "message": message}

    return run


async def _start(target: Target) -> Result:
    return await transition_workspace(target, "start")


async def _stop(target: Target) -> Result:
    return await transition_workspace(target, "stop")


COMMANDS: dict[str, Handler] = {
    LIST: list_workspaces,
    OPEN: open_workspace,
    CREATE: create_workspace,
    START: _start,
    STOP: _stop,
}


EntityActions = Callable[["CatalogServer", "OpenDocument", "CoderEntity"], list[types.CodeAction]]


def actions_in_range(
    ls: CatalogServer, document: OpenDocument, params: types.CodeActionParams, entity_actions: EntityActions
) -> list[types.CodeAction]:
    """``entity_actions`` of every entity whose ``spec.coder`` block the requested range touches: the
    workspace commands' source actions (this module's, workspace_open's, workspace_lifecycle's)."""
    span = document.converter(ls.encoding()).range_from_client(params.range)
    actions: list[types.CodeAction] = []
    for entity in state_of(ls).shown_entities(document):
        if entity.block.start.line <= span.end.line and span.start.line <= entity.block.end.line:
            actions.extend(entity_actions(ls, document, entity))
    return actions


def command_action(
    document: OpenDocument, entity: CoderEntity, title: str, command: str, **extra: Any
) -> types.CodeAction:
    """A source action running a workspace command on ``entity`` (``extra``: more of its arguments)."""
    arguments = [{"uri": document.uri, "line": entity.coder_key.start.line, **extra}]
    return types.CodeAction(
        title=title,
        kind=ACTION_KIND,
        command=types.Command(title=title, command=command, arguments=arguments),
    )


def code_actions(
    ls: CatalogServer, document: OpenDocument, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """The commands as source actions when the range touches an entity's ``spec.coder`` block
    (start and stop only for workspaces already in memory: no request waits on the network)."""
    return actions_in_range(ls, document, params, _entity_actions)


def _entity_actions(ls: CatalogServer, document: OpenDocument, entity: CoderEntity) -> list[types.CodeAction]:
    name = entity.name or entity.ref

    def action(title: str, command: str, **extra: Any) -> types.CodeAction:
        return command_action(document, entity, title, command, **extra)

    actions = [action(f"Coder: list the workspaces of {name}", LIST, pick=True)]
    if can_offer_create(ls, document, entity):
        actions.append(action(f"Coder: create a workspace for {name} ({entity.mode} mode)", CREATE))
    listing = state_of(ls).peek(document.settings, entity.search) if document.settings.access_url else None
    for workspace in (listing.result.workspaces if listing and listing.result else ())[:MAX_CHOICES]:
        actions.append(action(f"Coder: open {workspace.name}", OPEN, workspace=workspace.id))
        if workspace.running:
            actions.append(action(f"Coder: stop {workspace.name}", STOP, workspace=workspace.id))
        elif not workspace.building:
            actions.append(action(f"Coder: start {workspace.name}", START, workspace=workspace.id))
    return actions


def register(server: CatalogServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(_command(handler))
    add_code_actions(server, code_actions)

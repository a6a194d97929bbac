"""``coderCatalog.updateWorkspace`` and ``coderCatalog.deleteWorkspace`` (issue 19, points 4-5).

Both take the arguments of the other workspace commands (``uri`` and ``line`` or ``entity``,
``workspace``); ``updateWorkspace`` also takes ``params``: ``{name: value}`` for the new required
parameters of the active version the entity gives no value for. Missing ones with options are asked
(``window/showMessageRequest``, one action per option); the others make the command fail with
``"reason": "usage"`` and ``"missing": [{"name", "displayName", "description", "type", "options"}]``,
so that a client can ask and run the command again with ``params``. Deleting always asks first,
naming the workspace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from coder_catalog.lsp.features import add_code_actions
from coder_catalog.lsp.workspace_commands import (
    MAX_CHOICES,
    Progress,
    Result,
    Target,
    actions_in_range,
    ask,
    choose,
    command_action,
    show,
    target_of,
)
from coder_catalog.lsp.workspace_state import state_of
from coder_catalog.workspaces import lifecycle
from coder_catalog.workspaces.model import WorkspaceInfo
from coder_catalog.workspaces.service import WorkspaceError

if TYPE_CHECKING:
    from coder_catalog.lsp.documents import OpenDocument
    from coder_catalog.lsp.server import CatalogServer
    from coder_catalog.templates.model import TemplateParameter
    from coder_catalog.workspaces.entities import CoderEntity

log = logging.getLogger(__name__)

UPDATE = "coderCatalog.updateWorkspace"
DELETE = "coderCatalog.deleteWorkspace"


async def _pick(target: Target, verb: str, wanted: Callable[[WorkspaceInfo], bool]) -> WorkspaceInfo:
    reference = target.option("workspace")
    if reference:
        return await target.service().find(target.entity, reference)
    found = await target.workspaces()
    candidates = [w for w in found.workspaces if wanted(w)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise WorkspaceError(f"{target.entity.ref} has no workspace to {verb}", "not-found")
    picked = await choose(target.ls, f"Which workspace of {target.entity.ref} to {verb}?", candidates)
    if picked is None:
        raise WorkspaceError(f"no workspace chosen to {verb}", "usage")
    return picked


# -- delete ----------------------------------------------------------------------------------------------


async def delete_workspace(target: Target) -> Result:
    workspace = await _pick(target, "delete", lambda w: w.status not in ("deleting", "deleted"))
    confirm = f"Delete {workspace.name}"
    message = (
        f"Delete workspace {workspace.owner}/{workspace.name} ({workspace.status})? "
        "Its disk and everything not pushed are lost."
    )
    if await ask(target.ls, message, [confirm], types.MessageType.Warning) != confirm:
        return {"status": "cancelled", "workspace": workspace.to_json()}
    service = target.service()
    async with Progress(target.ls, f"Deleting {workspace.name}") as progress:
        queued = await lifecycle.delete(service, workspace)
        progress.report(queued.status)
        target.changed()
        final = await lifecycle.wait_by_id(service, queued, lambda w: progress.report(w.status))
    target.changed()
    if final.status != "deleted":
        error = f": {final.job_error}" if final.job_error else ""
        raise WorkspaceError(
            f"the delete build of {final.name} ended {final.status}{error}; the workspace is still there",
            "refused",
        )
    show(target.ls, f"{final.name} is deleted")
    return {"status": "deleted", "workspace": final.to_json()}


# -- update ----------------------------------------------------------------------------------------------


async def update_workspace(target: Target) -> Result:
    workspace = await _pick(target, "update", lambda w: w.outdated)
    service = target.service()
    answers = _given_params(target)
    plan = await lifecycle.plan_update(service, target.entity, workspace, answers)
    if not plan.outdated:
        show(target.ls, f"{workspace.name} is already on the template's active version")
        return {"status": "up-to-date", "workspace": plan.workspace.to_json()}
    if plan.missing and not _client_asks(target):
        asked = await _ask_missing(target, workspace, plan.missing)
        if asked:
            plan = await lifecycle.plan_update(service, target.entity, workspace, {**answers, **asked})
    async with Progress(target.ls, f"Updating {workspace.name}") as progress:
        queued = await lifecycle.update(service, plan)
        progress.report(queued.status)
        target.changed()
        final = await service.wait(queued, lambda w: progress.report(w.status))
    target.changed()
    if final.status != "running":
        error = f": {final.job_error}" if final.job_error else ""
        raise WorkspaceError(f"the update build of {final.name} ended {final.status}{error}", "refused")
    show(target.ls, f"{final.name} is updated and running")
    return {"status": "updated", "workspace": final.to_json(), "params": plan.values}


def _client_asks(target: Target) -> bool:
    """``"clientAsks": true``: the client asks every missing parameter itself (the VS Code extension and
    the Neovim plugin do, with options as a pick): the server asks nothing and shows no error, it only
    answers the whole ``missing`` list."""
    return target.options.get("clientAsks") is True


def _given_params(target: Target) -> dict[str, str]:
    raw = target.options.get("params")
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise WorkspaceError('"params" must be an object of strings: {"name": "value"}', "usage")
    return {str(k): v for k, v in raw.items()}


async def _ask_missing(
    target: Target, workspace: WorkspaceInfo, missing: list[TemplateParameter]
) -> dict[str, str]:
    """Ask for each missing parameter that has options (one action per option)."""
    answers: dict[str, str] = {}
    for parameter in missing:
        if not parameter.options:
            continue
        titles = {(o.name or o.value): o.value for o in parameter.options}
        label = parameter.display_name or parameter.name
        message = (
            f"Updating {workspace.name}: the template's active version needs {label} ({parameter.name})."
        )
        answer = await ask(target.ls, message, list(titles))
        if answer is None:
            break
        answers[parameter.name] = titles[answer]
    return answers


# -- registration ------------------------------------------------------------------------------------

Handler = Callable[[Target], Awaitable[Result]]


def _command(handler: Handler) -> Callable[..., Awaitable[Result]]:
    async def run(ls: LanguageServer, *args: Any) -> Result:
        server = cast("CatalogServer", ls)
        target: Target | None = None
        try:
            target = target_of(server, args)
            return await handler(target)
        except WorkspaceError as exc:
            missing = isinstance(exc, lifecycle.MissingParameters)
            if not (missing and target is not None and _client_asks(target)):
                show(server, f"coder-catalog: {exc.message}", types.MessageType.Error)
            result: Result = {"status": "failed", "reason": exc.kind, "message": exc.message}
            if isinstance(exc, lifecycle.MissingParameters):
                result["missing"] = [lifecycle.parameter_json(p) for p in exc.missing]
            return result
        except Exception:
            log.exception("%s failed", handler.__name__)
            message = "the workspace command failed unexpectedly (see the server log)"
            show(server, f"coder-catalog: {message}", types.MessageType.Error)
            return {"status": "failed", "reason": "internal", "message": message}

    return run


COMMANDS: dict[str, Handler] = {UPDATE: update_workspace, DELETE: delete_workspace}


def code_actions(
    ls: CatalogServer, document: OpenDocument, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """Update (outdated workspaces) and delete, for the workspaces already in memory."""
    if not document.settings.access_url:
        return []
    return actions_in_range(ls, document, params, _entity_actions)


def _entity_actions(ls: CatalogServer, document: OpenDocument, entity: CoderEntity) -> list[types.CodeAction]:
    listing = state_of(ls).peek(document.settings, entity.search)
    actions = []
    for workspace in (listing.result.workspaces if listing and listing.result else ())[:MAX_CHOICES]:
        todo = [("delete", DELETE)] if workspace.status not in ("deleting", "deleted") else []
        if workspace.outdated and not workspace.building:
            todo.insert(0, ("update", UPDATE))
        for verb, command in todo:
            title = f"Coder: {verb} {workspace.name}"
            actions.append(command_action(document, entity, title, command, workspace=workspace.id))
    return actions


def register(server: CatalogServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(_command(handler))
    add_code_actions(server, code_actions)

"""Coder templates across the workspace's catalog: ``coderCatalog.templateUsage`` lists, for each
template, the entities using it (their effective template, app defaults included) and flags deprecated
and unknown ones from the template data in memory; ``coderCatalog.moveTemplate`` moves every entity from
one template to another in one ``workspace/applyEdit`` (previewed where the client can).

The files are those of the workspace index; they are read and analysed off the event loop. What uses
what, and the edits, are the core's (``analysis.template_usage``), as for ``coder-catalog templates usage``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from coder_catalog.analysis.analyze import MAX_FILE_CHARACTERS
from coder_catalog.analysis.rules.templates import DEPRECATED_TEMPLATE
from coder_catalog.analysis.template_usage import (
    TemplateUse,
    distinct_catalogs,
    plan_template_move,
    successor_name,
    target_problems,
    template_status,
    template_uses,
)
from coder_catalog.lsp.diagnostics import SOURCE
from coder_catalog.lsp.features import add_code_actions
from coder_catalog.lsp.positions import PositionConverter
from coder_catalog.lsp.workspace_commands import MAX_CHOICES, ask
from coder_catalog.lsp.workspace_index import path_of
from coder_catalog.settings import Settings, SettingsError, ingestion_location

if TYPE_CHECKING:
    from coder_catalog.lsp.documents import OpenDocument
    from coder_catalog.lsp.server import CatalogServer
    from coder_catalog.templates.model import TemplateCatalog

log = logging.getLogger(__name__)

TEMPLATE_USAGE = "coderCatalog.templateUsage"
MOVE_TEMPLATE = "coderCatalog.moveTemplate"
MOVE_ANNOTATION = "coder-catalog.moveTemplate"


@dataclass
class FileUses:
    uri: str
    text: str
    settings: Settings
    uses: list[TemplateUse]
    catalog: TemplateCatalog | None = None
    converter: PositionConverter | None = None  # see _converter


def _file_uses(uri: str, text: str | None, settings: Settings | SettingsError) -> FileUses | None:
    """One file's uses (worker thread). ``text`` None: read from disk."""
    path = path_of(uri)
    if isinstance(settings, SettingsError):
        return None
    if text is None:
        try:
            with open(path or "", encoding="utf-8") as handle:
                text = handle.read(MAX_FILE_CHARACTERS + 1)
        except (OSError, UnicodeDecodeError):
            return None
    uses = template_uses(text, settings, ingestion_location(settings, path))
    return FileUses(uri, text, settings, uses) if uses else None


async def collect(ls: CatalogServer) -> list[FileUses]:
    """The uses of every indexed file (open documents from their text), with their template data."""
    index = ls.graph.current()
    open_texts = {uri: d.text for uri, d in ls.catalog.documents.items() if d.is_catalog}
    uris = sorted(set(index.uris) | set(open_texts))

    def work() -> list[FileUses]:
        found = []
        for uri in uris:
            settings = ls.catalog.settings_for(path_of(uri) or None)
            file = _file_uses(uri, open_texts.get(uri), settings)
            if file is not None:
                found.append(file)
        return found

    files = await asyncio.to_thread(work)
    for file in files:
        provider = ls.providers.for_settings(file.settings)
        file.catalog = provider.data().catalog
        names = {u.template for u in file.uses if u.template}
        if names:
            provider.want(names)  # fill a cold cache in the background: the next listing knows more
    return files


def usage_answer(ls: CatalogServer, files: Sequence[FileUses]) -> dict[str, Any]:
    by_name: dict[str | None, list[tuple[FileUses, TemplateUse]]] = {}
    for file in files:
        for use in file.uses:
            by_name.setdefault(use.template, []).append((file, use))
    encoding = ls.encoding()
    templates = []
    for name, uses in sorted(by_name.items(), key=lambda item: (item[0] is None, (item[0] or "").casefold())):
        statuses = {template_status(use, file.catalog) for file, use in uses} - {None}
        status = next((s for s in ("unknown", "deprecated", "active") if s in statuses), None)
        entry: dict[str, Any] = {"name": name, "status": status}
        if status == "deprecated" and name is not None:
            replacement = successor_name(name, [file.catalog for file, _ in uses])
            if replacement is not None:
                entry["replacement"] = replacement
        templates.append(
            {
                **entry,
                "uses": [
                    {
                        "entity": use.entity,
                        "uri": file.uri,
                        "range": _converter(ls, file, encoding).range_json(use.span),
                        "inherited": use.inherited,
                    }
                    for file, use in uses
                ],
            }
        )
    notes = []
    if not ls.graph.ready:
        notes.append("the workspace is still being indexed: the list may be incomplete")
    if any(file.catalog is None for file in files):
        notes.append(
            "no template data (no deployment or snapshot loaded yet): deprecated and unknown templates are not flagged"
        )
    available = sorted(
        {name for catalog in _catalogs(files) for name in catalog.names(include_deprecated=False)},
        key=str.casefold,
    )
    return {"indexing": not ls.graph.ready, "templates": templates, "available": available, "notes": notes}


def _catalogs(files: Sequence[FileUses]) -> list[TemplateCatalog]:
    return distinct_catalogs(f.catalog for f in files)


def _converter(ls: CatalogServer, file: FileUses, encoding: str) -> PositionConverter:
    """The file's position converter, made once per file (its lines are split once, not per use)."""
    if file.converter is None or file.converter.encoding != encoding:
        document = ls.catalog.documents.get(file.uri)
        if document is not None and document.text is file.text:
            file.converter = document.converter(encoding)
        else:
            file.converter = PositionConverter(file.text, encoding)
    return file.converter


def _command(handler: Callable[[CatalogServer, Sequence[Any]], Awaitable[dict[str, Any]]]) -> Any:
    async def run(ls: LanguageServer, *args: Any) -> dict[str, Any]:
        try:
            return await handler(cast("CatalogServer", ls), args)
        except Exception:
            log.exception("%s failed", handler.__name__)
            return {"failureReason": "the command failed unexpectedly (see the server log)"}

    return run


async def template_usage(ls: CatalogServer, args: Sequence[Any]) -> dict[str, Any]:
    return usage_answer(ls, await collect(ls))


def _default_hint(file: FileUses) -> str:
    where = file.settings.project_file
    place = f" in {os.path.basename(where)}" if where else ""
    return f"uses the default: workspaces.defaultTemplateName{place}; change the default there"


async def move_template(ls: CatalogServer, args: Sequence[Any]) -> dict[str, Any]:
    """``moveTemplate({from, to, preview?})``: the edit moving every entity from one template to the other
    (``preview: false``: applied at once, without asking the editor to preview it)."""
    wanted = args[0] if args and isinstance(args[0], Mapping) else {}
    old, new = wanted.get("from"), wanted.get("to")
    if not isinstance(old, str) or not old.strip() or not (new is None or isinstance(new, str)):
        return _refused('give {"from": OLD, "to": NEW}')
    old = old.strip()
    files = await collect(ls)
    if new is None or not new.strip():
        new = await _ask_target(ls, old, files)
        if new is None:
            return _refused("no template chosen")
    new = new.strip()
    by_uri = {file.uri: file for file in files}
    file_of = {id(use): file for file in files for use in file.uses}
    move = plan_template_move(
        {file.uri: (file.text, file.uses) for file in files},
        old,
        new,
        lambda use: _default_hint(file_of[id(use)]),
    )
    encoding = ls.encoding()
    not_changed = [
        {
            "entity": use.entity,
            "uri": uri,
            "range": _converter(ls, by_uri[uri], encoding).range_json(use.span),
            "reason": reason,
        }
        for uri, use, reason in move.not_changed
    ]
    answer: dict[str, Any] = {"applied": False, "changed": len(move.changed), "notChanged": not_changed}
    warning = _target_warning(new, [by_uri[uri] for uri, _ in move.changed])
    if warning:
        answer["warning"] = warning
    if not move.edits:
        answer["failureReason"] = f"no entity sets spec.coder.templateName: {old}"
        return answer
    label = f"Move {len(move.changed)} entit{'y' if len(move.changed) == 1 else 'ies'} from {old} to {new}"
    edit = _workspace_edit(ls, move.edits, by_uri, label, preview=wanted.get("preview") is not False)
    try:
        result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))
    except Exception as exc:
        log.info("the client could not apply the edit", exc_info=True)
        answer["failureReason"] = f"the editor did not apply the edit: {exc}"
        return answer
    answer["applied"] = bool(result.applied)
    if not result.applied:
        answer["failureReason"] = result.failure_reason or "the editor did not apply the edit"
    return answer


def _refused(reason: str) -> dict[str, Any]:
    return {"applied": False, "changed": 0, "notChanged": [], "failureReason": reason}


async def _ask_target(ls: CatalogServer, old: str, files: Sequence[FileUses]) -> str | None:
    """Which template to move to, asked with ``window/showMessageRequest``: the deprecated template's
    successor first, then the other active templates (at most ``MAX_CHOICES``)."""
    catalogs = _catalogs(files)
    successor = successor_name(old, catalogs)
    names = sorted(
        {n for c in catalogs for n in c.names(include_deprecated=False) if n.casefold() != old.casefold()},
        key=str.casefold,
    )
    choices = ([successor] if successor else []) + [n for n in names if n != successor]
    count = sum(1 for f in files for u in f.uses if u.template and u.template.casefold() == old.casefold())
    if not choices:
        return None
    entities = f"{count} entit{'y' if count == 1 else 'ies'}"
    return await ask(ls, f"Move the {entities} on {old} to which template?", choices[:MAX_CHOICES])


def move_actions(
    ls: CatalogServer, document: OpenDocument, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """On a deprecated-template finding (CC202): move every entity of the workspace on that template to
    its successor (named by the deprecation message), or to a template the user picks."""
    actions = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.code != DEPRECATED_TEMPLATE or diagnostic.source != SOURCE:
            continue
        name = _deprecated_name(diagnostic.message)
        if name is None:
            continue
        successor = successor_name(name, [ls.catalog.analyzer_for(document).templates.catalog])
        arguments: dict[str, Any] = {"from": name}
        if successor is not None:
            arguments["to"] = successor
            title = f"Move every entity of the workspace on {name} to {successor}"
        else:
            title = f"Move every entity of the workspace on {name} to another template…"
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                command=types.Command(title=title, command=MOVE_TEMPLATE, arguments=[arguments]),
            )
        )
    return actions


_DEPRECATED_NAME = re.compile(r'^template "(?P<name>[^"]+)" is deprecated')


def _deprecated_name(message: str) -> str | None:
    found = _DEPRECATED_NAME.match(message)
    return found.group("name") if found else None


def _target_warning(new: str, files: Sequence[FileUses]) -> str | None:
    return next(iter(target_problems(new, (f.catalog for f in files))), None)


def _workspace_edit(
    ls: CatalogServer,
    edits: Mapping[str, Sequence[Any]],
    files: Mapping[str, FileUses],
    label: str,
    *,
    preview: bool,
) -> types.WorkspaceEdit:
    """The edit; with ``preview``, a change annotation asking for confirmation when the client supports
    it (VS Code then opens its refactor preview, each change to be ticked before it is applied)."""
    encoding = ls.encoding()
    workspace = ls.client_capabilities.workspace
    capability = workspace.workspace_edit if workspace else None
    annotated = preview and bool(
        capability and capability.document_changes and capability.change_annotation_support
    )
    converted = {
        uri: [(_converter(ls, files[uri], encoding).range_to_client(e.span), e.new_text) for e in file_edits]
        for uri, file_edits in edits.items()
    }
    if not annotated:
        return types.WorkspaceEdit(
            changes={
                uri: [types.TextEdit(range=r, new_text=t) for r, t in pairs]
                for uri, pairs in converted.items()
            }
        )
    versions = {uri: d.version for uri, d in ls.catalog.documents.items()}
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=versions.get(uri)
                ),
                edits=[
                    types.AnnotatedTextEdit(range=r, new_text=t, annotation_id=MOVE_ANNOTATION)
                    for r, t in pairs
                ],
            )
            for uri, pairs in converted.items()
        ],
        change_annotations={
            MOVE_ANNOTATION: types.ChangeAnnotation(label=label, needs_confirmation=True, description=label)
        },
    )


def register(server: CatalogServer) -> None:
    server.command(TEMPLATE_USAGE)(_command(template_usage))
    server.command(MOVE_TEMPLATE)(_command(move_template))
    add_code_actions(server, move_actions)

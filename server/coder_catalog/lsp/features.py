"""Completion, hover, code actions, document symbols and document links.

Each handler converts positions, asks the core (``coder_catalog.analysis.editor``) and converts
the answer back. None of them waits on the network: the core answers from the template data in
memory; a cold cache is filled in the background (asked for here) and later requests see it.
Every handler is guarded: a failure is logged and answered with an empty result.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from coder_catalog.analysis.analyze import MAX_FILE_CHARACTERS
from coder_catalog.analysis.editor.actions import Action, code_actions
from coder_catalog.analysis.editor.completion import Proposal, complete
from coder_catalog.analysis.editor.entity_references import (
    reference_hover,
    reference_proposals,
    reference_slot,
)
from coder_catalog.analysis.editor.hover import hover
from coder_catalog.analysis.editor.links import links
from coder_catalog.analysis.editor.outline import Symbol, symbols
from coder_catalog.lsp.json_answers import JsonAnswer, markdown
from coder_catalog.lsp.positions import PositionConverter

if TYPE_CHECKING:
    from coder_catalog.lsp.documents import OpenDocument
    from coder_catalog.lsp.server import CatalogServer

log = logging.getLogger(__name__)

TRIGGER_CHARACTERS = [":", " "]
_COMPLETION_KIND = {
    "key": types.CompletionItemKind.Property,
    "template": types.CompletionItemKind.Module,
    "mode": types.CompletionItemKind.EnumMember,
    "parameter": types.CompletionItemKind.Field,
    "value": types.CompletionItemKind.Value,
    "entity": types.CompletionItemKind.Reference,
}
_SYMBOL_KIND = {
    "entity": types.SymbolKind.Class,
    "coder": types.SymbolKind.Namespace,
    "templateName": types.SymbolKind.Property,
    "mode": types.SymbolKind.EnumMember,
    "params": types.SymbolKind.Object,
    "parameter": types.SymbolKind.Field,
    "document": types.SymbolKind.File,
}
_ACTION_KIND = {
    "quickfix": types.CodeActionKind.QuickFix,
    "source.fixAll": types.CodeActionKind.SourceFixAll,
    "refactor.rewrite": types.CodeActionKind.RefactorRewrite,
}


def guarded(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Log a handler's failure and answer "nothing" (null) instead of breaking the connection; an error
    meant for the user (a ``JsonRpcException``, such as a refused rename) is answered as that error."""

    @functools.wraps(handler)
    def run(ls: CatalogServer, params: Any) -> Any:
        try:
            return handler(ls, params)
        except JsonRpcException:
            raise
        except Exception:
            log.exception("%s failed", handler.__name__)
            return None

    return run


def _document(ls: CatalogServer, uri: str) -> OpenDocument | None:
    """The open catalog document, unless it is one the analysis refuses (too large)."""
    document = ls.catalog.documents.get(uri)
    if document is None or not document.is_catalog or len(document.text) > MAX_FILE_CHARACTERS:
        return None
    return document


def _converter(ls: CatalogServer, document: OpenDocument) -> PositionConverter:
    return document.converter(ls.encoding())


# -- completion ---------------------------------------------------------------------------------------


def _snippets(ls: CatalogServer) -> bool:
    text_document = ls.client_capabilities.text_document
    completion = text_document.completion if text_document else None
    item = completion.completion_item if completion else None
    return bool(item and item.snippet_support)


def _deprecated_tags(ls: CatalogServer) -> bool:
    text_document = ls.client_capabilities.text_document
    completion = text_document.completion if text_document else None
    item = completion.completion_item if completion else None
    tags = item.tag_support if item else None
    return bool(tags and types.CompletionItemTag.Deprecated in tags.value_set)


def completion_item(proposal: Proposal, converter: PositionConverter, tags: bool) -> dict[str, Any]:
    """A proposal as an LSP ``CompletionItem`` in its JSON form (see ``json_answers``)."""
    item: dict[str, Any] = {
        "label": proposal.label,
        "kind": _COMPLETION_KIND.get(proposal.kind, types.CompletionItemKind.Text).value,
        "textEdit": {"range": converter.range_json(proposal.replace_span), "newText": proposal.insert_text},
        "insertTextFormat": (
            types.InsertTextFormat.Snippet if proposal.is_snippet else types.InsertTextFormat.PlainText
        ).value,
    }
    if proposal.detail:
        item["detail"] = proposal.detail
    if proposal.documentation:
        item["documentation"] = markdown(proposal.documentation)
    if proposal.sort_text:
        item["sortText"] = proposal.sort_text
    if proposal.filter_text:
        item["filterText"] = proposal.filter_text
    if proposal.preselect:
        item["preselect"] = True
    if "\n" in proposal.insert_text:
        # Proposals that span lines carry their own indentation: the editor must not add more.
        item["insertTextMode"] = types.InsertTextMode.AsIs.value
    if proposal.deprecated:
        if tags:
            item["tags"] = [types.CompletionItemTag.Deprecated.value]
        else:
            item["deprecated"] = True
    return item


def on_completion(ls: CatalogServer, params: types.CompletionParams) -> JsonAnswer | None:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return None
    analyzer = ls.catalog.analyzer_for(document)
    if not analyzer.templates.available:
        ls.providers.for_settings(document.settings).want(())  # fill a cold cache in the background
    converter = _converter(ls, document)
    position = converter.from_client(params.position)
    proposals = complete(
        analyzer,
        document.text,
        position.line,
        position.column,
        snippets=_snippets(ls),
        default_location=document.default_location,
    )
    if not proposals and (slot := reference_slot(analyzer, document.text, position.line, position.column)):
        proposals = reference_proposals(ls.graph.index, slot)  # a reference: the workspace's entities
    tags = _deprecated_tags(ls)
    return JsonAnswer(
        {
            "isIncomplete": not analyzer.templates.available,
            "items": [completion_item(p, converter, tags) for p in proposals],
        }
    )


# -- hover --------------------------------------------------------------------------------------------


def on_hover(ls: CatalogServer, params: types.HoverParams) -> JsonAnswer | None:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return None
    analyzer = ls.catalog.analyzer_for(document)
    converter = _converter(ls, document)
    position = converter.from_client(params.position)
    on_reference = reference_hover(ls.graph.current(document.uri), document.uri, position)
    if on_reference is not None:
        return JsonAnswer(
            {"contents": markdown(on_reference[0]), "range": converter.range_json(on_reference[1])}
        )
    result = hover(
        analyzer,
        document.text,
        position.line,
        position.column,
        document.path or document.uri,
        document.default_location,
    )
    if result is None:
        return None
    return JsonAnswer({"contents": markdown(result.markdown), "range": converter.range_json(result.span)})


# -- code actions -------------------------------------------------------------------------------------


def _matching(
    diagnostics: Sequence[types.Diagnostic], action: Action, converter: PositionConverter
) -> list[types.Diagnostic]:
    wanted = {(f.code, converter.range_to_client(f.span).start.line) for f in action.diagnostics}
    return [d for d in diagnostics if (str(d.code), d.range.start.line) in wanted]


def on_code_action(ls: CatalogServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return None
    analysis = ls.catalog.analyze(document)
    analyzer = ls.catalog.analyzer_for(document)
    converter = _converter(ls, document)
    span = converter.range_from_client(params.range)
    only = [str(getattr(kind, "value", kind)) for kind in params.context.only or ()]
    result = []
    for action in code_actions(analyzer, document.text, span, analysis.findings):
        kind = _ACTION_KIND[action.kind]
        if not _kind_wanted(str(kind.value), only):
            continue
        edits = [
            types.TextEdit(range=converter.range_to_client(edit.span), new_text=edit.new_text)
            for edit in action.edits
        ]
        result.append(
            types.CodeAction(
                title=action.title,
                kind=kind,
                diagnostics=_matching(params.context.diagnostics, action, converter) or None,
                is_preferred=action.preferred or None,
                edit=types.WorkspaceEdit(changes={document.uri: edits}),
                command=_select_command(document.uri, action),
            )
        )
    for source in _ACTION_SOURCES.get(ls, ()):
        result.extend(a for a in source(ls, document, params) if _kind_wanted(str(a.kind or ""), only))
    return result


SELECT_RANGE = "coderCatalog.selectRange"


def _select_command(uri: str, action: Action) -> types.Command | None:
    """After the edit, put the cursor on the value to replace (the client runs a code action's command
    once its edit is applied). The inserted text is ASCII, so its columns are the same in every
    position encoding."""
    select = action.select
    if select is None:
        return None
    where = {
        "start": {"line": select.start.line, "character": select.start.column},
        "end": {"line": select.end.line, "character": select.end.column},
    }
    return types.Command(title="Select the value to replace", command=SELECT_RANGE, arguments=[uri, where])


async def select_range(ls: LanguageServer, *args: Any) -> dict[str, Any]:
    """``coderCatalog.selectRange(uri, range)``: select ``range`` in the document (window/showDocument),
    when the client can; answers whether it did."""
    window = ls.client_capabilities.window
    supported = bool(window and window.show_document and window.show_document.support)
    if len(args) != 2 or not isinstance(args[0], str) or not supported:
        return {"selected": False}
    try:
        start, end = args[1]["start"], args[1]["end"]
        where = types.Range(
            start=types.Position(line=int(start["line"]), character=int(start["character"])),
            end=types.Position(line=int(end["line"]), character=int(end["character"])),
        )
        answer = await ls.window_show_document_async(
            types.ShowDocumentParams(uri=args[0], take_focus=True, selection=where)
        )
    except Exception:
        log.info("could not select the range", exc_info=True)
        return {"selected": False}
    return {"selected": bool(answer and answer.success)}


def _kind_wanted(kind: str, only: list[str]) -> bool:
    return not only or any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


CodeActionSource = Callable[["CatalogServer", "OpenDocument", types.CodeActionParams], list[types.CodeAction]]
_ACTION_SOURCES: WeakKeyDictionary[CatalogServer, list[CodeActionSource]] = WeakKeyDictionary()


def add_code_actions(server: CatalogServer, source: CodeActionSource) -> None:
    """More code actions on catalog documents, from another module (e.g. the workspace commands)."""
    _ACTION_SOURCES.setdefault(server, []).append(source)


# -- outline and links --------------------------------------------------------------------------------


def document_symbol(symbol: Symbol, converter: PositionConverter) -> types.DocumentSymbol:
    return types.DocumentSymbol(
        name=symbol.name or "?",
        detail=symbol.detail or None,
        kind=_SYMBOL_KIND.get(symbol.kind, types.SymbolKind.Object),
        range=converter.range_to_client(symbol.span),
        selection_range=converter.range_to_client(symbol.selection_span),
        children=[document_symbol(child, converter) for child in symbol.children] or None,
    )


def on_document_symbol(
    ls: CatalogServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | None:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return None
    analyzer = ls.catalog.analyzer_for(document)
    converter = _converter(ls, document)
    return [document_symbol(s, converter) for s in symbols(analyzer, document.text)]


def on_document_link(ls: CatalogServer, params: types.DocumentLinkParams) -> list[types.DocumentLink] | None:
    document = _document(ls, params.text_document.uri)
    if document is None:
        return None
    analyzer = ls.catalog.analyzer_for(document)
    converter = _converter(ls, document)
    text_document = ls.client_capabilities.text_document
    capability = text_document.document_link if text_document else None
    tooltips = bool(capability and capability.tooltip_support)
    return [
        types.DocumentLink(
            range=converter.range_to_client(link.span),
            target=link.target,
            tooltip=(link.tooltip or None) if tooltips else None,
        )
        for link in links(analyzer, document.text)
    ]


def register(server: CatalogServer) -> None:
    """Register the feature handlers on ``server``."""
    server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS)
    )(guarded(on_completion))
    server.feature(types.TEXT_DOCUMENT_HOVER)(guarded(on_hover))
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.SourceFixAll,
                types.CodeActionKind.RefactorRewrite,
                types.CodeActionKind.Source,
            ]
        ),
    )(guarded(on_code_action))
    server.command(SELECT_RANGE)(select_range)
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(guarded(on_document_symbol))
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))(
        guarded(on_document_link)
    )

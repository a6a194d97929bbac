"""Entity references across the workspace: go to definition, find references, document highlight,
rename, and workspace symbols. Each handler converts positions, asks the core
(``analysis.editor.entity_references``) over the workspace index (``lsp.workspace_index``) and converts
the answer back (large answers in their JSON form: ``json_answers``). Completion and hover of
references join the other proposals in ``lsp.features``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from coder_catalog.analysis.editor.entity_references import (
    Occurrence,
    RenameRefused,
    occurrences,
    rename_edits,
    target_at,
    workspace_symbols,
)
from coder_catalog.analysis.spans import Position, Span
from coder_catalog.lsp.features import guarded
from coder_catalog.lsp.json_answers import JsonAnswer
from coder_catalog.lsp.positions import UTF32, PositionConverter
from coder_catalog.lsp.workspace_index import path_of

if TYPE_CHECKING:
    from coder_catalog.lsp.server import CatalogServer

log = logging.getLogger(__name__)

REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was valid, and could not be done
MAX_SYMBOLS = 1000


class Converters:
    """Position converters for the files of one answer: the open document's text, nothing for ASCII
    files (code points are UTF-16 units there), else the file read once from disk."""

    def __init__(self, ls: CatalogServer) -> None:
        self._ls = ls
        self._encoding = ls.encoding()
        self._found: dict[str, PositionConverter] = {}

    def __call__(self, uri: str) -> PositionConverter:
        found = self._found.get(uri)
        if found is None:
            found = self._found[uri] = self._converter(uri)
        return found

    def _converter(self, uri: str) -> PositionConverter:
        document = self._ls.catalog.documents.get(uri)
        if document is not None:
            return document.converter(self._encoding)
        indexed = self._ls.graph.index.file(uri)
        if indexed is not None and indexed.ascii:
            return _ASCII
        path = path_of(uri)
        try:
            with open(path or "", encoding="utf-8") as handle:
                return PositionConverter(handle.read(), self._encoding)
        except (OSError, UnicodeDecodeError):
            return _ASCII

    def location(self, uri: str, span: Span) -> dict[str, Any]:
        """A ``Location`` in its JSON form (answers of a thousand locations are built as JSON: see
        ``json_answers``)."""
        return {"uri": uri, "range": self(uri).range_json(span)}


class _AsciiText(PositionConverter):
    """Positions in an ASCII file (not open): code points are bytes and UTF-16 units alike."""

    def __init__(self) -> None:
        super().__init__("", UTF32)

    def from_client(self, position: types.Position) -> Position:
        return Position(position.line, position.character)


_ASCII = _AsciiText()


def _position(ls: CatalogServer, uri: str, position: types.Position) -> Position | None:
    document = ls.catalog.documents.get(uri)
    if document is not None:
        return document.converter(ls.encoding()).from_client(position)
    indexed = ls.graph.index.file(uri)
    if indexed is None:
        return None
    return Converters(ls)(uri).from_client(position)


def _target(ls: CatalogServer, uri: str, position: types.Position) -> Any:
    index = ls.graph.current()
    where = _position(ls, uri, position)
    return (index, target_at(index, uri, where)) if where is not None else (index, None)


def on_definition(ls: CatalogServer, params: types.DefinitionParams) -> JsonAnswer | None:
    index, target = _target(ls, params.text_document.uri, params.position)
    if target is None:
        return None
    converters = Converters(ls)
    found = index.find(*target.key)
    return JsonAnswer([converters.location(e.uri, e.span) for e in found]) if found else None


def on_references(ls: CatalogServer, params: types.ReferenceParams) -> JsonAnswer | None:
    index, target = _target(ls, params.text_document.uri, params.position)
    if target is None:
        return None
    converters = Converters(ls)
    found = occurrences(index, target.key, definitions=params.context.include_declaration)
    return JsonAnswer([converters.location(o.uri, o.span) for o in found])


def on_document_highlight(
    ls: CatalogServer, params: types.DocumentHighlightParams
) -> list[types.DocumentHighlight] | None:
    uri = params.text_document.uri
    index, target = _target(ls, uri, params.position)
    if target is None:
        return None
    converter = Converters(ls)(uri)
    return [
        types.DocumentHighlight(range=converter.range_to_client(o.span), kind=_highlight_kind(o))
        for o in occurrences(index, target.key)
        if o.uri == uri
    ]


def _highlight_kind(occurrence: Occurrence) -> types.DocumentHighlightKind:
    return (
        types.DocumentHighlightKind.Write
        if occurrence.role == "definition"
        else types.DocumentHighlightKind.Read
    )


def on_prepare_rename(ls: CatalogServer, params: types.PrepareRenameParams) -> Any:
    uri = params.text_document.uri
    _, target = _target(ls, uri, params.position)
    if target is None:
        return None  # not a place that can be renamed: the client says so
    placeholder = target.entity.name if target.entity is not None else target.reference.name
    return types.PrepareRenamePlaceholder(
        range=Converters(ls)(uri).range_to_client(target.span), placeholder=placeholder
    )


def on_rename(ls: CatalogServer, params: types.RenameParams) -> JsonAnswer | None:
    uri = params.text_document.uri
    index = ls.graph.current()
    where = _position(ls, uri, params.position)
    if where is None:
        return None
    try:
        edits = rename_edits(index, uri, where, params.new_name)
    except RenameRefused as refused:
        raise JsonRpcException(message=str(refused), code=REQUEST_FAILED) from None
    converters = Converters(ls)
    changes = {
        file_uri: [
            {"range": converters(file_uri).range_json(e.span), "newText": e.new_text} for e in file_edits
        ]
        for file_uri, file_edits in edits.items()
    }
    return JsonAnswer({"changes": changes})


def on_workspace_symbol(ls: CatalogServer, params: types.WorkspaceSymbolParams) -> JsonAnswer:
    index = ls.graph.current()
    converters = Converters(ls)
    return JsonAnswer(
        [
            {
                "name": entity.name,
                "kind": types.SymbolKind.Class.value,
                "location": converters.location(entity.uri, entity.span),
                "containerName": f"{entity.kind.lower()}:{entity.namespace}",
            }
            for entity in workspace_symbols(index, params.query, MAX_SYMBOLS)
        ]
    )


def register(server: CatalogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DEFINITION)(guarded(on_definition))
    server.feature(types.TEXT_DOCUMENT_REFERENCES)(guarded(on_references))
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)(guarded(on_document_highlight))
    server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(guarded(on_prepare_rename))
    server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))(guarded(on_rename))
    server.feature(types.WORKSPACE_SYMBOL)(guarded(on_workspace_symbol))

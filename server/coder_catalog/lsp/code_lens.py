"""Code lenses on each entity with a ``spec.coder`` block: "N workspaces (M running)",
"Create workspace" (not for a template the deployment lacks) and "Open in Coder".

Answered from memory at once (``WorkspaceState.peek``): a listing not yet in memory shows
"loading" and is fetched in the background; the client is asked to refresh its lenses when it
arrives. Each lens runs one of the workspace commands with ``{"uri", "line"}`` (see
``workspace_commands``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types

from coder_catalog.lsp.features import guarded
from coder_catalog.lsp.workspace_commands import CREATE, LIST, OPEN, can_offer_create
from coder_catalog.lsp.workspace_open import OPEN_VSCODE
from coder_catalog.lsp.workspace_state import Listing, state_of
from coder_catalog.workspaces.entities import CoderEntity

if TYPE_CHECKING:
    from coder_catalog.lsp.documents import OpenDocument
    from coder_catalog.lsp.positions import PositionConverter
    from coder_catalog.lsp.server import CatalogServer

_ERROR_TITLES = {
    "unauthorized": "Coder workspaces: sign in to see them",
    "unreachable": "Coder workspaces: deployment unreachable",
    "usage": "Coder workspaces: no deployment configured",
}


def summary_title(listing: Listing | None, entity: CoderEntity) -> str:
    """The first lens: the count, or why there is none yet."""
    if listing is None:
        return _ERROR_TITLES["usage"]
    result = listing.result
    if result is None:
        if listing.error_kind is not None:
            return _ERROR_TITLES.get(listing.error_kind, "Coder workspaces: unavailable")
        return "Coder workspaces: loading…"
    if entity.search.basis == "none":
        return "Coder workspaces: none can be matched"
    if entity.search.basis == "all":
        return f"{result.summary}: all yours (no repository URL)"
    return result.summary


def entity_lenses(
    ls: CatalogServer, document: OpenDocument, entity: CoderEntity, converter: PositionConverter
) -> list[types.CodeLens]:
    settings = document.settings
    listing = state_of(ls).peek(settings, entity.search) if settings.access_url else None
    arguments: dict[str, Any] = {"uri": document.uri, "line": entity.coder_key.start.line}
    span = converter.range_to_client(entity.coder_key)

    def lens(title: str, command: str, **extra: Any) -> types.CodeLens:
        return types.CodeLens(
            range=span,
            command=types.Command(title=title, command=command, arguments=[{**arguments, **extra}]),
        )

    lenses = [lens(summary_title(listing, entity), LIST, pick=True)]
    if listing is not None and can_offer_create(ls, document, entity):
        lenses.append(lens("Create workspace", CREATE))
    if listing is not None and listing.result is not None and listing.result.workspaces:
        lenses.append(lens("Open in Coder", OPEN))
        lenses.append(lens("Open in VS Code", OPEN_VSCODE))
    return lenses


def on_code_lens(ls: CatalogServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    document = ls.catalog.documents.get(params.text_document.uri)
    if document is None or not document.is_catalog:
        return None
    converter = document.converter(ls.encoding())
    return [
        lens
        for entity in state_of(ls).shown_entities(document)
        for lens in entity_lenses(ls, document, entity, converter)
    ]


def register(server: CatalogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(
        guarded(on_code_lens)
    )

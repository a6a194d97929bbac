"""The language server: its state, and the registration of every handler.

Handlers translate between LSP and the core; each one is guarded so that a failure is logged
and answered with an empty result, never a dead server. Nothing here waits on the network:
template data comes from memory and fills in the background (``deployments``).
"""

from __future__ import annotations

import asyncio
import fnmatch
import inspect
import json
import logging
import os
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from coder_catalog import __version__
from coder_catalog.lsp import (
    account_commands,
    code_lens,
    entity_references,
    features,
    template_usage_commands,
    workspace_commands,
    workspace_lifecycle,
    workspace_open,
)
from coder_catalog.lsp.client_settings import SECTION, overrides_from_client
from coder_catalog.lsp.deployments import ProgressHandle, TemplateProvider, TemplateProviders
from coder_catalog.lsp.diagnostics import DiagnosticsPublisher
from coder_catalog.lsp.documents import CatalogDocuments, OpenDocument
from coder_catalog.lsp.json_answers import converter_factory
from coder_catalog.lsp.positions import encoding_name
from coder_catalog.lsp.quick_requests import (
    QUICK_METHODS,
    QuickRequest,
    answer_with_internal_error,
    quick_request,
)
from coder_catalog.lsp.quick_requests import answer as answer_quickly
from coder_catalog.lsp.stdio import serve_stdio
from coder_catalog.lsp.workspace_index import WorkspaceIndex, path_of

log = logging.getLogger(__name__)

SERVER_STATS = "coderCatalog.serverStats"
SETTINGS_FILES = ("**/.coder-catalog.yaml", "**/.coder-catalog.yml", "**/app-config*.yaml", "**/*.json")
# Catalog files: the workspace index reads them again when they change on disk.
CATALOG_FILES = ("**/*.yaml", "**/*.yml")
CATALOG_SUFFIXES = (".yaml", ".yml")
WATCHED = (*SETTINGS_FILES, *CATALOG_FILES)


def is_settings_file(path: str) -> bool:
    name = os.path.basename(path)
    return name in (".coder-catalog.yaml", ".coder-catalog.yml") or fnmatch.fnmatch(name, "app-config*.yaml")


_PENDING_WRITES: set[asyncio.Future[Any]] = set()


def send_raw(protocol: Any, body: str) -> bool:
    """Write one already-serialized JSON-RPC message (ASCII) with pygls's framing; False when the
    transport cannot be reached this way (then the caller sends it the ordinary way)."""
    writer = getattr(protocol, "writer", None)
    if writer is None or not body.isascii():
        return False
    try:
        if getattr(protocol, "_include_headers", True):
            header = (
                f"Content-Length: {len(body)}\r\n"
                f"Content-Type: {protocol.CONTENT_TYPE}; charset={protocol.CHARSET}\r\n\r\n"
            )
            body = header + body
        result = writer.write(body.encode("ascii"))
        if inspect.isawaitable(result):
            _PENDING_WRITES.add(task := asyncio.ensure_future(result))
            task.add_done_callback(_PENDING_WRITES.discard)
    except (AttributeError, TypeError):
        return False
    return True


class _WorkDoneProgress(ProgressHandle):
    def __init__(self, server: CatalogServer, title: str, percentage: bool = False) -> None:
        self._server = server
        self._token = f"coder-catalog/{id(self)}"
        self._ended = False
        self._task = asyncio.get_running_loop().create_task(self._begin(title, 0 if percentage else None))

    async def _begin(self, title: str, percentage: int | None) -> None:
        try:
            await self._server.work_done_progress.create_async(self._token)
            if not self._ended:
                self._server.work_done_progress.begin(
                    self._token,
                    types.WorkDoneProgressBegin(title=title, cancellable=False, percentage=percentage),
                )
        except Exception:  # a client that refuses progress still gets its diagnostics
            log.debug("work-done progress refused", exc_info=True)
            self._ended = True

    def report(self, message: str, percentage: int | None = None) -> None:
        if self._task.done() and not self._ended:
            self._server.work_done_progress.report(
                self._token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )

    def end(self) -> None:
        async def finish() -> None:
            await self._task
            if not self._ended:
                self._ended = True
                self._server.work_done_progress.end(self._token, types.WorkDoneProgressEnd())

        asyncio.get_running_loop().create_task(finish())


class CatalogProtocol(LanguageServerProtocol):
    """pygls's protocol, except that a request whose parameters cannot be read gets an error answer
    (Invalid params) instead of no answer at all, which would leave the client waiting; that
    completion and hover take a shorter way (``quick_requests``); that a request after ``shutdown``
    is answered with an error; and that edits are applied by the server's ``didChange`` handler."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        if data.get("method") in QUICK_METHODS and (quick := quick_request(data)) is not None:
            return quick
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
                return _Answered()
            raise

    def handle_message(self, message: Any) -> None:
        if self._shutdown and _is_request(message) and message.method != types.EXIT:
            # pygls drops it, and the client would wait for ever; LSP asks for this error.
            refused = JsonRpcInvalidRequest(message="the server is shutting down")
            self._send_response(message.id, error=refused.to_response_error())
            return
        if type(message) is not QuickRequest:
            super().handle_message(message)
            return
        try:
            answer_quickly(self, message, send_raw)
        except Exception:  # never leave the client waiting
            log.exception("%s failed", message.method)
            answer_with_internal_error(self, message)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        """Leave the text to the server's ``didChange`` handler (``CatalogDocuments.apply_changes``):
        pygls would edit its own copy first, splitting lines where LSP does not (U+2028, form feeds...)
        and walking every line of the file in Python at each keystroke."""
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None


def _is_request(message: Any) -> bool:
    return getattr(message, "id", None) is not None and isinstance(getattr(message, "method", None), str)


class _Answered:
    """A message already answered: ``handle_message`` ignores anything that is not JSON-RPC 2.0."""

    jsonrpc = "answered"


class CatalogServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "coder-catalog", __version__, protocol_cls=CatalogProtocol, converter_factory=converter_factory
        )
        self.providers = TemplateProviders(self._templates_changed, self._notify_once, self._progress)
        self.catalog = CatalogDocuments(self.providers)
        self.graph = WorkspaceIndex(
            self.catalog, lambda title: self._progress(title, percentage=True), self._republish
        )
        self.publisher = DiagnosticsPublisher(
            self.catalog, self._publish, self.encoding, extra=self.graph.unresolved_findings
        )
        self._told: set[str] = set()
        # How many times the editor's settings were applied (see pull_configuration).
        self._settings_applied = 0

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """Serve on stdio, reading stdin on the event loop when it is a pipe or a socket
        (``coder_catalog.lsp.stdio``), else with pygls's threaded reader."""
        if not serve_stdio(self, stdin, stdout):
            super().start_io(stdin, stdout)

    # -- plumbing for the other modules ---------------------------------------------------------------

    def encoding(self) -> str:
        try:
            return encoding_name(self.workspace.position_encoding)
        except RuntimeError:  # before initialize
            return encoding_name(None)

    def _publish(self, uri: str, version: int | None, fragments: list[str]) -> None:
        """Send ``textDocument/publishDiagnostics`` from pre-serialized diagnostics."""
        params = json.dumps({"uri": uri, "version": version}, separators=(",", ":"))[:-1]
        body = (
            f'{{"jsonrpc":"2.0","method":"{types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}",'
            f'"params":{params},"diagnostics":[{",".join(fragments)}]}}}}'
        )
        if not send_raw(self.protocol, body):
            decoded = json.loads(f"[{','.join(fragments)}]")
            self.protocol.notify(
                types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                {"uri": uri, "version": version, "diagnostics": decoded},
            )

    def _notify_once(self, kind: str, message: str) -> None:
        """Tell the user about something they must act on, once per kind of problem."""
        if kind in self._told:
            return
        self._told.add(kind)
        try:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
        except Exception:
            log.warning("%s", message)

    def forget_told(self, prefix: str = "") -> None:
        self._told = {kind for kind in self._told if not kind.startswith(prefix)} if prefix else set()

    def _progress(self, title: str, percentage: bool = False) -> ProgressHandle:
        supported = bool(
            self.client_capabilities.window and self.client_capabilities.window.work_done_progress
        )
        return _WorkDoneProgress(self, title, percentage) if supported else ProgressHandle()

    def _republish(self, documents: list[OpenDocument]) -> None:
        self.publisher.publish_all(documents)

    def workspace_folders(self) -> list[str]:
        """The paths of the workspace folders (else of the root), as the client named them."""
        try:
            workspace = self.workspace
        except RuntimeError:  # before initialize
            return []
        uris = [folder.uri for folder in workspace.folders.values()] or (
            [workspace.root_uri] if workspace.root_uri else []
        )
        return [path for path in (path_of(uri) for uri in uris) if path]

    def _templates_changed(self, provider: TemplateProvider) -> None:
        self.publisher.publish_all(self.catalog.invalidate(provider))

    # -- settings --------------------------------------------------------------------------------------

    def apply_client_settings(self, raw: Any) -> None:
        self._settings_applied += 1
        self.catalog.set_overrides(overrides_from_client(raw))
        self.publisher.publish_all()
        self.graph.settings_changed()

    async def pull_configuration(self, asked_after: int | None = None) -> None:
        """Ask the client for ``coderCatalog`` (even when it does not declare the capability: Neovim 0.7
        answers anyway). Open documents are re-checked when the answer arrives, unless settings were
        applied since ``asked_after`` (a count of :meth:`apply_client_settings`; default: now): those
        are newer than the answer."""
        if asked_after is None:
            asked_after = self._settings_applied
        try:
            answer = await asyncio.wait_for(
                self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                ),
                timeout=10,
            )
        except Exception:
            log.info("the client did not answer workspace/configuration", exc_info=True)
            return
        if self._settings_applied != asked_after:
            return  # settings pushed (didChangeConfiguration) while asking are newer than this answer
        if answer and isinstance(answer[0], dict):
            self.apply_client_settings(answer[0])


def create_server() -> CatalogServer:
    server = CatalogServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: CatalogServer, params: types.InitializeParams) -> None:
        ls.catalog.set_overrides(overrides_from_client(params.initialization_options))

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CatalogServer, params: types.InitializedParams) -> None:
        # Settings pushed while the watchers are registered are newer than the answer to this pull.
        asked_after = ls._settings_applied
        await _register_watchers(ls)
        await ls.pull_configuration(asked_after)
        ls.graph.start(ls.workspace_folders())

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: CatalogServer, params: types.DidChangeConfigurationParams) -> None:
        if isinstance(params.settings, dict) and SECTION in params.settings:
            ls.apply_client_settings(params.settings)
        else:
            await ls.pull_configuration()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: CatalogServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = {p for p in (path_of(change.uri) for change in params.changes) if p}
        if any(not p.endswith(CATALOG_SUFFIXES) or is_settings_file(p) for p in paths):
            ls.catalog.forget_settings()
            ls.providers.reload_snapshots(paths)
            ls.publisher.publish_all()
            if any(is_settings_file(p) for p in paths):
                ls.graph.settings_changed()
        catalog = [(c.type, path_of(c.uri)) for c in params.changes if c.uri.endswith(CATALOG_SUFFIXES)]
        ls.graph.files_changed(
            [p for kind, p in catalog if p and kind != types.FileChangeType.Deleted],
            [p for kind, p in catalog if p and kind == types.FileChangeType.Deleted],
        )

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_workspace_folders(
        ls: CatalogServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        added = [p for p in (path_of(folder.uri) for folder in params.event.added) if p]
        removed = [p for p in (path_of(folder.uri) for folder in params.event.removed) if p]
        ls.graph.folders_changed(added, removed)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CatalogServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        document = ls.catalog.open(item.uri, path_of(item.uri), item.language_id, item.version, item.text)
        if document.is_catalog:
            ls.publisher.publish(document.uri)
        # Indexed after its diagnostics are written: the index costs the first publish nothing (CC601,
        # which needs it, follows when the index changed).
        ls.graph.opened(document)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CatalogServer, params: types.DidChangeTextDocumentParams) -> None:
        uri, version = params.text_document.uri, params.text_document.version
        document = ls.catalog.apply_changes(uri, version, params.content_changes, ls.encoding())
        if document is None:
            log.warning("a change to %s, which is not open, was ignored", uri)
            return
        # pygls's copy of the text, for anything that reads it: replaced, not edited (see the protocol)
        ls.workspace.put_text_document(
            types.TextDocumentItem(
                uri=uri, language_id=document.language_id or "", version=version, text=document.text
            )
        )
        if document.is_catalog:
            ls.graph.changed(document)
            ls.publisher.changed(document)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CatalogServer, params: types.DidSaveTextDocumentParams) -> None:
        document = ls.catalog.documents.get(params.text_document.uri)
        if document is not None and document.is_catalog:
            ls.publisher.publish(document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CatalogServer, params: types.DidCloseTextDocumentParams) -> None:
        document = ls.catalog.close(params.text_document.uri)
        ls.graph.closed(params.text_document.uri)
        if document is not None and document.is_catalog:
            ls.publisher.clear(document.uri)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: CatalogServer, params: None) -> None:
        await ls.providers.close()

    @server.command(SERVER_STATS)
    def server_stats(ls: CatalogServer, *args: Any) -> dict[str, Any]:
        """Recent timings, for performance work: change -> diagnostics written, in milliseconds."""
        timings = sorted(ls.publisher.change_to_publish)
        return {
            "changeToPublishMs": [round(t * 1000, 3) for t in ls.publisher.change_to_publish],
            "medianChangeToPublishMs": round(timings[len(timings) // 2] * 1000, 3) if timings else None,
            "openDocuments": len(ls.catalog.documents),
            "catalogIndex": {
                "ready": ls.graph.ready,
                "files": len(ls.graph.index),
                "entities": sum(1 for _ in ls.graph.index.entities()),
                "seconds": round(ls.graph.indexed_seconds, 3)
                if ls.graph.indexed_seconds is not None
                else None,
            },
        }

    features.register(server)
    entity_references.register(server)
    template_usage_commands.register(server)
    code_lens.register(server)
    workspace_commands.register(server)
    workspace_lifecycle.register(server)
    workspace_open.register(server)
    account_commands.register(server)
    return server


async def _register_watchers(ls: CatalogServer) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if not (watched and watched.dynamic_registration):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="coder-catalog-watched-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=options,
                    )
                ]
            )
        )
    except Exception:
        log.info("the client refused file watching", exc_info=True)


def document_of(ls: CatalogServer, uri: str) -> OpenDocument | None:
    document = ls.catalog.documents.get(uri)
    return document if document is not None and document.is_catalog else None

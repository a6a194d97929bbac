"""Random editing sessions against the real server process over stdio, as an editor drives it.

Hypothesis makes sequences of ``didChange`` notifications (incremental edits at random places, with
LSP's UTF-16 positions computed from the client's own copy of the text, several edits in one
notification, whole-document replacements) mixed with requests at random positions (completion,
hover, outline, code actions, links, lenses, definition, references, rename; positions past a line's
end and past the last line included). Properties: every request is answered within ``REQUEST_BOUND_SECONDS``; the process
never exits; the diagnostics of the final version equal those of a fresh open of the final text.

One server process serves the whole module (each example opens its own documents and closes
them). ``make fuzz`` runs many more examples (``CODER_CATALOG_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import sys
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from tests.lsp.conftest import server_env
from tests.reliability import fuzz_inputs

T = TypeVar("T")

EXAMPLES = max(10, fuzz_inputs.EXAMPLES // 2)
REQUEST_BOUND_SECONDS = 3.0
DIAGNOSTICS_BOUND_SECONDS = 15.0
SNAPSHOT = Path(__file__).resolve().parents[1] / "fixtures" / "coder-templates.json"
START = fuzz_inputs.START
# Over the wire, more: form feeds, lone CRs, NUL, a 2,000-character line, whole lines.
PIECES = st.sampled_from(
    [*fuzz_inputs.PIECES, "\x0c", "\r", "\x00", "x" * 2000, "coder:\n", "    templateName: dokker\n"]
)
EDIT = st.tuples(st.floats(0, 1), st.integers(0, 60), st.lists(PIECES, max_size=4).map("".join))
CHANGE = st.one_of(
    st.lists(EDIT, min_size=1, max_size=3).map(lambda edits: ("edits", edits)),
    st.lists(PIECES, max_size=30).map(lambda pieces: ("replace", START + "".join(pieces))),
)
REQUEST = st.tuples(
    st.sampled_from(
        ["completion", "hover", "symbols", "actions", "links", "lenses", "definition", "references", "rename"]
    ),
    st.integers(0, 40),
    st.integers(0, 120),
).map(lambda request: ("request", request))

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# -- the client's copy of the text, with LSP's positions -------------------------------------------------


def line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def lsp_position(text: str, offset: int) -> types.Position:
    """The LSP position (UTF-16 units) of a string offset that is not inside a CRLF."""
    starts = line_starts(text)
    line = max(i for i, start in enumerate(starts) if start <= offset)
    before = text[starts[line] : offset]
    return types.Position(line, len(before.encode("utf-16-le")) // 2)


def edit_offsets(text: str, where: float, length: int) -> tuple[int, int]:
    """A random range of ``text`` whose ends are not between a CR and its LF (no LSP position is)."""
    start = int(where * len(text))
    end = min(len(text), start + length)

    def outside_crlf(offset: int) -> int:
        return (
            offset - 1
            if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n"
            else offset
        )

    return outside_crlf(start), max(outside_crlf(start), outside_crlf(end))


# -- one server for the module -------------------------------------------------------------------------


class Session:
    """A pygls client on its own event-loop thread, driving ``coder-catalog serve`` over stdio."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzzed-session", daemon=True)
        self.thread.start()
        self.published: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}
        self.client: LanguageClient = self.run(self._start(), timeout=60)

    def run(self, work: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(asyncio.wait_for(work, timeout), self.loop).result(
            timeout + 5
        )

    async def _start(self) -> LanguageClient:
        client = LanguageClient("fuzzed-session", "1")

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = (params.version, list(params.diagnostics))

        @client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            return [{"templates": str(SNAPSHOT)} for _ in params.items]

        await client.start_io(
            sys.executable, "-m", "coder_catalog", "serve", "--log-level", "error", env=server_env()
        )
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(
                    workspace=types.WorkspaceClientCapabilities(configuration=True),
                    text_document=types.TextDocumentClientCapabilities(
                        publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)
                    ),
                ),
                process_id=os.getpid(),
            )
        )
        client.initialized(types.InitializedParams())
        return client

    def alive(self) -> bool:
        server = self.client._server
        return server is not None and server.returncode is None

    async def diagnostics(self, uri: str, version: int) -> list[types.Diagnostic]:
        while True:
            found = self.published.get(uri)
            if found is not None and found[0] == version:
                return found[1]
            await asyncio.sleep(0.005)

    def close(self) -> None:
        async def stop() -> None:
            await self.client.shutdown_async(None)
            self.client.exit(None)
            await self.client.stop()

        try:
            self.run(stop(), timeout=20)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    started = Session()
    yield started
    started.close()


_documents = itertools.count()


def _open(session: Session, text: str) -> str:
    uri = f"file:///fuzzed/{next(_documents)}/catalog-info.yaml"
    session.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return uri


def _close(session: Session, uri: str) -> None:
    session.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


def _request(session: Session, uri: str, name: str, position: types.Position) -> Any:
    client, document = session.client, types.TextDocumentIdentifier(uri=uri)
    pending: Coroutine[Any, Any, Any]
    if name == "completion":
        pending = client.text_document_completion_async(types.CompletionParams(document, position))
    elif name == "hover":
        pending = client.text_document_hover_async(types.HoverParams(document, position))
    elif name == "symbols":
        pending = client.text_document_document_symbol_async(types.DocumentSymbolParams(document))
    elif name == "actions":
        pending = client.text_document_code_action_async(
            types.CodeActionParams(
                document, types.Range(position, position), types.CodeActionContext(diagnostics=[])
            )
        )
    elif name == "links":
        pending = client.text_document_document_link_async(types.DocumentLinkParams(document))
    elif name == "definition":
        pending = client.text_document_definition_async(
            types.DefinitionParams(text_document=document, position=position)
        )
    elif name == "references":
        pending = client.text_document_references_async(
            types.ReferenceParams(
                text_document=document,
                position=position,
                context=types.ReferenceContext(include_declaration=True),
            )
        )
    elif name == "rename":
        pending = _rename_or_refusal(
            client, types.RenameParams(text_document=document, position=position, new_name="renamed-by-fuzz")
        )
    else:
        pending = client.text_document_code_lens_async(types.CodeLensParams(document))

    async def answered() -> Any:
        return await pending

    return session.run(answered(), timeout=REQUEST_BOUND_SECONDS)


async def _rename_or_refusal(client: LanguageClient, params: types.RenameParams) -> Any:
    """A rename answers an edit, nothing, or a refusal meant for the user (RequestFailed), never anything else."""
    try:
        return await client.text_document_rename_async(params)
    except Exception as exc:  # pygls raises the error answer
        if "-32803" in str(exc) or "RequestFailed" in type(exc).__name__ or "Put the cursor" in str(exc):
            return None
        raise


def _shape(diagnostics: list[types.Diagnostic]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            str(d.code),
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
        )
        for d in diagnostics
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.one_of(CHANGE, REQUEST), max_size=20))
def test_random_sessions_over_stdio(session: Session, steps: list[tuple[str, Any]]) -> None:
    text = START
    uri = _open(session, text)
    version = 1
    try:
        for kind, step in steps:
            if kind == "request":
                name, line, character = step
                _request(session, uri, name, types.Position(line, character))
                continue
            version += 1
            changes: list[types.TextDocumentContentChangeEvent] = []
            if kind == "replace":
                text = step
                changes.append(types.TextDocumentContentChangeWholeDocument(text=text))
            else:
                for where, length, insert in step:
                    start, end = edit_offsets(text, where, length)
                    edit_range = types.Range(lsp_position(text, start), lsp_position(text, end))
                    text = text[:start] + insert + text[end:]
                    changes.append(types.TextDocumentContentChangePartial(range=edit_range, text=insert))
            session.client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=changes,
                )
            )
        final = session.run(session.diagnostics(uri, version), timeout=DIAGNOSTICS_BOUND_SECONDS)
        fresh = _open(session, text)
        try:
            expected = session.run(session.diagnostics(fresh, 1), timeout=DIAGNOSTICS_BOUND_SECONDS)
        finally:
            _close(session, fresh)
        assert _shape(final) == _shape(expected)
    finally:
        _close(session, uri)
    assert session.alive()

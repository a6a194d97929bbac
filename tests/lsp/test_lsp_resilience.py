"""The server keeps answering while Coder hangs, reacts to watched files, and serves over TCP."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from lsp_support import codes, entity, open_document, wait_for_diagnostics
from lsprotocol import types

from coder_catalog.simulator.server import SimulatorServer
from conftest import RecordingClient, server_env, start_client, stop_client


async def test_requests_are_answered_while_coder_hangs(
    editor: str, simulator: SimulatorServer, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    simulator.set_fault("hang", path_prefix="/api/")
    client = await start_client(
        editor,
        env={"CODER_SESSION_TOKEN": simulator.token},
        initialization_options={"coderCatalog": {"deployment": {"accessUrl": simulator.url}}},
        root=tmp_path,
    )
    try:
        text = entity(coder="    templateName: docker\n    mode: Auto\n")
        uri = open_document(client, tmp_path / "catalog-info.yaml", text)
        await wait_for_diagnostics(client, uri, lambda d: "CC105" in codes(d), timeout=5)
        line = text.splitlines().index("    mode: Auto")
        for _ in range(5):
            started = time.perf_counter()
            await asyncio.wait_for(
                client.text_document_hover_async(
                    types.HoverParams(
                        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, 10)
                    )
                ),
                timeout=2,
            )
            await asyncio.wait_for(
                client.text_document_completion_async(
                    types.CompletionParams(
                        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, 10)
                    )
                ),
                timeout=2,
            )
            assert time.perf_counter() - started < 1.0
    finally:
        simulator.clear_faults()
        await stop_client(client)


async def test_a_changed_project_file_is_picked_up(client: RecordingClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "catalog-info.yaml", entity(coder="    mode: auto\n"))
    await wait_for_diagnostics(client, uri, lambda d: "CC203" in codes(d))
    project = tmp_path / ".coder-catalog.yaml"
    project.write_text("workspaces:\n  defaultTemplateName: docker\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=project.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_for_diagnostics(client, uri, lambda d: "CC203" not in codes(d))
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in client.registrations) or not (
        client.capabilities
        and client.capabilities.workspace
        and client.capabilities.workspace.did_change_watched_files
        and client.capabilities.workspace.did_change_watched_files.dynamic_registration
    )


async def test_a_quick_fix_is_preferred_when_unambiguous(client: RecordingClient, tmp_path: Path) -> None:
    text = entity(coder="    templateName: docker\n    mode: Auto\n")
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: "CC105" in codes(d))
    mode = next(d for d in diagnostics if d.code == "CC105")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=mode.range,
            context=types.CodeActionContext(diagnostics=[mode], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert actions
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and "auto" in a.title)
    assert fix.is_preferred and fix.diagnostics and fix.diagnostics[0].code == "CC105"


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_serve_over_tcp() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "coder_catalog", "serve", "--tcp", f"127.0.0.1:{port}"],
        env=server_env(),
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with connection:
            connection.sendall(
                _message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
            )
            received = b""
            while b'"id": 1' not in received and b'"id":1' not in received:
                chunk = connection.recv(65536)
                assert chunk, "the server closed the connection"
                received += chunk
        assert b"capabilities" in received and b"completionProvider" in received
    finally:
        process.terminate()
        process.wait(timeout=10)

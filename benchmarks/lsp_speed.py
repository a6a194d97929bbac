"""The language server over stdio with a real LSP client (pygls), on large and many files.

Edit latencies are given twice: as the client sees them (round trip, including the client's own
decoding of thousands of diagnostics) and server side (from the change handler to the
diagnostics written, from the server's coderCatalog.serverStats command).

Figures (issue 4): didChange -> publishDiagnostics for a one-entity file and for an edit inside
one document of the 2,000-entity file; completion and hover latency in the 2,000-entity file;
resident memory with that file and 200 small catalog files open. Offline (no deployment), so
that the figures measure the server, not the network.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from benchmarks.generated_catalogs import component, many_components

EDITS = 40
SKIP_FEATURES = False


class _Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("coder-catalog-bench", "1")
        self.published: dict[str, asyncio.Future[float]] = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_publish(params: types.PublishDiagnosticsParams) -> None:
            waiter = self.published.get(f"{params.uri}@{params.version}")
            if waiter is not None and not waiter.done():
                waiter.set_result(time.perf_counter())

        @self.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list[Any]:
            return [{} for _ in params.items]

    def expect(self, uri: str, version: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.published[f"{uri}@{version}"] = future
        return future


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(_percentile(values, 0.95) * 1000, 2),
    }


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


async def _open(client: _Client, path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    waiter = client.expect(uri, 1)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    await asyncio.wait_for(waiter, 120)
    return uri


async def _edit_latencies(client: _Client, uri: str, line: int, name: str) -> list[float]:
    """Replace one character in a document's name, as typing does, and time each publish."""
    latencies = []
    for version in range(2, EDITS + 2):
        waiter = client.expect(uri, version)
        new_text = f"{name}{version % 10}"
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, 8), types.Position(line, 8 + len(new_text))),
                        text=new_text,
                    )
                ],
            )
        )
        latencies.append(await asyncio.wait_for(waiter, 60) - started)
        await asyncio.sleep(0.08)  # a pause between keystrokes, so edits are not coalesced
    return latencies


async def _request_latencies(
    client: _Client, uri: str, lines: list[int], column: int, hover: bool
) -> list[float]:
    latencies = []
    for line in lines:
        position = types.Position(line, column)
        started = time.perf_counter()
        if hover:
            await client.text_document_hover_async(
                types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
            )
        else:
            await client.text_document_completion_async(
                types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
            )
        latencies.append(time.perf_counter() - started)
    return latencies


async def _run() -> dict[str, Any]:
    client = _Client()
    await client.start_io(sys.executable, "-m", "coder_catalog", "serve", "--log-level", "warning")
    assert client._server is not None
    pid = client._server.pid
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=None)
    )
    client.initialized(types.InitializedParams())
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        small = await _open(client, root / "one" / "catalog-info.yaml", component(1, wrong=True))
        results["one_entity_edit_to_diagnostics"] = _summary(
            await _edit_latencies(client, small, 3, "service-")
        )

        big_text = many_components(2000)
        started = time.perf_counter()
        big = await _open(client, root / "big" / "catalog-info.yaml", big_text)
        results["open_2000_entities_to_diagnostics_ms"] = round((time.perf_counter() - started) * 1000, 1)
        lines = big_text.splitlines()
        middle = lines.index("  name: service-1000")
        results["edit_in_2000_entities_to_diagnostics"] = _summary(
            await _edit_latencies(client, big, middle, "service-")
        )
        stats = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="coderCatalog.serverStats")
        )
        server_side = [t / 1000 for t in stats["changeToPublishMs"][-EDITS:]]
        results["edit_in_2000_entities_to_diagnostics_server_side"] = _summary(server_side)
        coder_lines = [i for i, line in enumerate(lines) if line.startswith("    templateName:")][::40]
        results["completion_2000_entities"] = _summary(
            await _request_latencies(client, big, coder_lines, 18, hover=False)
        )
        results["hover_2000_entities"] = _summary(
            await _request_latencies(client, big, coder_lines, 6, hover=True)
        )
        for number in range(200):
            await _open(client, root / "many" / f"s{number}" / "catalog-info.yaml", component(number))
        results["resident_memory_mb_2000_entities_and_200_files"] = _rss_mb(pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    results["targets"] = {
        "one_entity_edit_median_ms": 10,
        "edit_in_2000_entities_median_ms": 60,
        "completion_and_hover_median_ms": 10,
        "resident_memory_mb": 150,
    }
    return results


def run() -> dict[str, Any]:
    return asyncio.run(_run())

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
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from benchmarks.generated_catalogs import component, many_components
from benchmarks.lsp_client import (
    EDITS,
    BenchClient,
    edit_latencies,
    open_document,
    request_latencies,
    rss_mb,
    summary,
)

SKIP_FEATURES = False


async def _run() -> dict[str, Any]:
    client = BenchClient()
    try:
        pid = await client.start_server(
            sys.executable, "-m", "coder_catalog", "serve", "--log-level", "warning"
        )
        return await _measure(client, pid)
    finally:
        await client.close()


async def _measure(client: BenchClient, pid: int) -> dict[str, Any]:
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=None)
    )
    client.initialized(types.InitializedParams())
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        small, _ = await open_document(client, root / "one" / "catalog-info.yaml", component(1, wrong=True))
        edits = await edit_latencies(client, small, 3, "service-")
        results["one_entity_edit_to_diagnostics"] = summary([edit.handled for edit in edits])

        big_text = many_components(2000)
        started = time.perf_counter()
        big, _ = await open_document(client, root / "big" / "catalog-info.yaml", big_text)
        results["open_2000_entities_to_diagnostics_ms"] = round((time.perf_counter() - started) * 1000, 1)
        lines = big_text.splitlines()
        middle = lines.index("  name: service-1000")
        edits = await edit_latencies(client, big, middle, "service-")
        results["edit_in_2000_entities_to_diagnostics"] = summary([edit.handled for edit in edits])
        stats = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="coderCatalog.serverStats")
        )
        assert isinstance(stats, dict)
        server_side = [t / 1000 for t in stats["changeToPublishMs"][-EDITS:]]
        results["edit_in_2000_entities_to_diagnostics_server_side"] = summary(server_side)
        coder_lines = [i for i, line in enumerate(lines) if line.startswith("    templateName:")][::40]
        completion, _ = await request_latencies(
            client, big, [(line, 18) for line in coder_lines], hover=False
        )
        results["completion_2000_entities"] = summary([answer.observed for answer in completion])
        hover, _ = await request_latencies(client, big, [(line, 6) for line in coder_lines], hover=True)
        results["hover_2000_entities"] = summary([answer.observed for answer in hover])
        for number in range(200):
            await open_document(client, root / "many" / f"s{number}" / "catalog-info.yaml", component(number))
        results["resident_memory_mb_2000_entities_and_200_files"] = rss_mb(pid)
    results["targets"] = {
        "one_entity_edit_median_ms": 10,
        "edit_in_2000_entities_median_ms": 60,
        "completion_and_hover_median_ms": 10,
        "resident_memory_mb": 150,
    }
    return results


def run() -> dict[str, Any]:
    return asyncio.run(_run())

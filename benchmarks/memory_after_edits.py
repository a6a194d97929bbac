"""Resident memory of the language server over a long editing session (issue 18).

A real ``coder-catalog serve`` process over stdio (the pygls client of ``lsp_client``) opens the
2,000-entity file and receives 10,000 ``didChange`` edits inside one of its documents, typed in bursts
of ``BURST`` keystrokes: the server applies every edit and, typing pausing after each burst, analyses
and publishes once per burst (as it does for fast typing: one publish per quiet period). Each edit
writes a new name, so every analysis sees a document text it has never seen before.

``VmRSS`` of ``/proc/<pid>/status`` is read after the first 100 edits and after all of them.
Target: after 10,000 edits within 10% of after the first 100 (ratio <= 1.10).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from benchmarks.generated_catalogs import many_components
from benchmarks.lsp_client import BenchClient, open_document, rss_mb

EDITS = 10_000
FIRST = 100
BURST = 10  # keystrokes sent back to back; the server publishes once typing pauses
TARGET_RATIO = 1.10


async def _run(edits: int) -> dict[str, Any]:
    client = BenchClient()
    try:
        pid = await client.start_server(
            sys.executable, "-m", "coder_catalog", "serve", "--log-level", "warning"
        )
        await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=None)
        )
        client.initialized(types.InitializedParams())
        return await _measure(client, pid, edits)
    finally:
        await client.close()


async def _measure(client: BenchClient, pid: int, edits: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        text = many_components(2000)
        started = time.perf_counter()
        uri, _ = await open_document(client, root / "big" / "catalog-info.yaml", text)
        opened_ms = round((time.perf_counter() - started) * 1000, 1)
        after_open = rss_mb(pid)
        line = text.splitlines().index("  name: service-1000")
        width = len(str(edits)) + 1  # every name has the same length: the edit replaces it in place
        publishes_before = client.publishes
        after_first: float | None = None
        current = len("1000")  # the characters after "service-" on that line
        began = time.perf_counter()
        for version in range(2, edits + 2):
            new_text = f"e{version:0{width}d}"
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        types.TextDocumentContentChangePartial(
                            range=types.Range(types.Position(line, 16), types.Position(line, 16 + current)),
                            text=new_text,
                        )
                    ],
                )
            )
            current = len(new_text)
            done = version - 1
            if done % BURST == 0 or done == edits:
                await asyncio.wait_for(client.expect(uri, version), 60)
            if done == FIRST:
                after_first = rss_mb(pid)
        seconds = time.perf_counter() - began
        after_all = rss_mb(pid)
    assert after_first is not None
    ratio = round(after_all / after_first, 3) if after_first > 0 else None
    return {
        "entities": 2000,
        "open_to_diagnostics_ms": opened_ms,
        "edits": edits,
        "publishes_during_edits": client.publishes - publishes_before,
        "seconds_for_the_edits": round(seconds, 1),
        "resident_memory_mb_after_open": after_open,
        f"resident_memory_mb_after_{FIRST}_edits": after_first,
        f"resident_memory_mb_after_{edits}_edits": after_all,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio is not None and ratio <= TARGET_RATIO,
    }


def run(edits: int = EDITS) -> dict[str, Any]:
    return asyncio.run(_run(edits))


if __name__ == "__main__":
    import json

    json.dump(run(int(sys.argv[1]) if len(sys.argv) > 1 else EDITS), sys.stdout, indent=2)
    sys.stdout.write("\n")

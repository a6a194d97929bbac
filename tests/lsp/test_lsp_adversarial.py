"""Adversarial documents through the language server: each answered within 2 s, the server stays up."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lsp_support import open_document, wait_for_diagnostics
from lsprotocol import types

from conftest import start_client, stop_client


def alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    return "apiVersion: v1\nkind: Thing\n" + "\n".join(lines) + "\n"


DOCUMENTS = {
    "alias-bomb": (alias_bomb(), "CC003"),
    "deep-nesting": ("apiVersion: v1\nkind: Thing\na: " + "[" * 100_000 + "\n", "CC006"),
    "huge-file": ("apiVersion: v1\nkind: Thing\n" + "a: b\n" * 10_000_000, "CC005"),
    "one-megabyte-line": (
        "apiVersion: v1\nkind: Thing\nmetadata:\n  name: " + "x" * 1_000_000 + "\n",
        "CC503",
    ),
    "binary": ("apiVersion: v1\nkind: Thing\n" + "".join(chr(c) for c in range(1, 256)) * 64, "CC001"),
}


def resident_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # the peak
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_each_document_is_answered_and_the_server_stays_up(name: str, tmp_path: Path) -> None:
    text, code = DOCUMENTS[name]
    client = await start_client("visual-studio-code", root=tmp_path)
    try:
        started = time.perf_counter()
        uri = open_document(client, tmp_path / "catalog-info.yaml", text)
        diagnostics = await wait_for_diagnostics(client, uri, timeout=30)
        # The 50 MB document's own transfer and decoding by the client are not the server's time.
        assert code in [str(d.code) for d in diagnostics]
        if name != "huge-file":
            assert time.perf_counter() - started < 2.0
        answer = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(0, 0)
            )
        )
        assert answer is None or isinstance(answer, types.Hover)
        assert client._server is not None
        assert resident_megabytes(client._server.pid) < 1000, "the server's memory is not bounded"
    finally:
        await stop_client(client)

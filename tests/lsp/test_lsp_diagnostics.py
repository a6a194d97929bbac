"""Diagnostics over stdio against the simulator, for each editor's capabilities."""

from __future__ import annotations

from pathlib import Path

from lsp_support import codes, entity, open_document, replace_all, wait_for_diagnostics
from lsprotocol import types
from pytest_lsp import LanguageClient


async def test_diagnostics_on_open_with_rule_links_and_fixes(client: LanguageClient, tmp_path: Path) -> None:
    text = entity(coder="    templateName: docker\n    mode: Auto\n    params:\n      cpu: 4\n")
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: "CC105" in codes(d))
    mode = next(d for d in diagnostics if d.code == "CC105")
    assert mode.range.start == types.Position(12, 10)
    assert mode.code_description is not None and "cc105-mode-invalid" in mode.code_description.href
    assert mode.source == "coder-catalog"
    assert mode.data is None  # the fixes are code actions, not carried in every publish
    assert "CC107" in codes(diagnostics)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=mode.range,
            context=types.CodeActionContext(diagnostics=[mode]),
        )
    )
    fix = next(
        a
        for a in actions or []
        if isinstance(a, types.CodeAction) and a.kind == types.CodeActionKind.QuickFix and "auto" in a.title
    )
    assert fix.edit is not None and fix.edit.changes is not None
    assert fix.edit.changes[uri][0].new_text == "auto"


async def test_template_checks_arrive_from_the_deployment(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "catalog-info.yaml", entity(coder="    templateName: dokker\n"))
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: "CC201" in codes(d))
    assert "docker" in next(d for d in diagnostics if d.code == "CC201").message


async def test_other_yaml_files_get_nothing(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "docker-compose.yaml", "services:\n  web:\n    image: nginx\n")
    marker = open_document(client, tmp_path / "catalog-info.yaml", entity(coder="    mode: Auto\n"))
    await wait_for_diagnostics(client, marker)
    assert uri not in client.diagnostics


async def test_edits_are_answered_and_closing_clears(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "catalog-info.yaml", entity(coder="    mode: Auto\n"))
    await wait_for_diagnostics(client, uri, lambda d: "CC105" in codes(d))
    replace_all(client, uri, entity(coder="    templateName: docker\n    mode: auto\n"), version=2)
    await wait_for_diagnostics(client, uri, lambda d: "CC105" not in codes(d))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_for_diagnostics(client, uri, lambda d: len(d) == 0)


async def test_incremental_edits_count_lines_as_lsp_does(client: LanguageClient, tmp_path: Path) -> None:
    """A form feed is not a line break in LSP (nor in YAML 1.2): edits below it land where the editor
    made them, and the result equals a fresh open of the same text."""
    text = entity(coder="    templateName: dokker\n").replace("kind:", "# one\x0cline\nkind:", 1)
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    row = text.split("\n").index("    templateName: dokker")
    first = await wait_for_diagnostics(client, uri, lambda d: "CC201" in codes(d))
    assert [d.range.start.line for d in first if d.code == "CC201"] == [row]

    def edit(version: int, start: types.Position, end: types.Position, new_text: str) -> None:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=types.Range(start, end), text=new_text)
                ],
            )
        )

    edit(2, types.Position(row, 20), types.Position(row, 22), "ck")  # dokker -> docker
    edit(3, types.Position(1, 5), types.Position(1, 6), " ")  # the form feed -> a space
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: "CC201" not in codes(d))
    final = text.replace("dokker", "docker").replace("\x0c", " ")
    fresh = open_document(client, tmp_path / "again" / "catalog-info.yaml", final)
    assert codes(diagnostics) == codes(await wait_for_diagnostics(client, fresh))
    assert [d.range for d in diagnostics] == [d.range for d in client.diagnostics[fresh]]
    assert "CC201" not in codes(diagnostics)

"""Completion, hover, code actions, symbols and links over stdio against the simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsp_support import codes, entity, open_document, replace_all, wait_for_diagnostics
from lsprotocol import types
from pytest_lsp import client_capabilities

from conftest import RecordingClient


def doc_id(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


async def completion_labels(client: RecordingClient, uri: str, line: int, character: int) -> list[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc_id(uri), position=types.Position(line, character))
    )
    items = result.items if isinstance(result, types.CompletionList) else (result or [])
    return [item.label for item in items]


async def eventually_completes(
    client: RecordingClient, uri: str, line: int, character: int, wanted: set[str]
) -> list[str]:
    """Completion answers at once from the cache; what loads in the background shows up later."""
    labels: list[str] = []
    for _ in range(100):
        labels = await completion_labels(client, uri, line, character)
        if wanted <= set(labels):
            return labels
        await asyncio.sleep(0.05)
    raise AssertionError(f"completion never offered {wanted - set(labels)}; got {labels}")


async def test_completion_of_templates_modes_and_parameters(client: RecordingClient, tmp_path: Path) -> None:
    text = entity(coder="    templateName: \n    mode: \n    params:\n      \n")
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    await wait_for_diagnostics(client, uri)
    lines = text.splitlines()
    template_line = lines.index("    templateName: ")
    wanted = {"docker", "devcontainers", "legacy-vm"}
    labels = await eventually_completes(client, uri, template_line, len("    templateName: "), wanted)
    assert labels.index("legacy-vm") > labels.index("docker")  # deprecated ones last
    mode_line = lines.index("    mode: ")
    assert set(await completion_labels(client, uri, mode_line, len("    mode: "))) >= {"manual", "auto"}
    replace_all(client, uri, text.replace("templateName: \n", "templateName: docker\n"), version=2)
    await wait_for_diagnostics(client, uri)
    params_line = lines.index("    params:") + 1
    await eventually_completes(
        client, uri, params_line, 6, {"cpu", "memory", "dotfiles_uri", "docker_in_docker"}
    )


async def test_hover_on_template_mode_and_coder(client: RecordingClient, tmp_path: Path) -> None:
    text = entity(coder="    templateName: docker\n    mode: auto\n")
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    await wait_for_diagnostics(client, uri)
    lines = text.splitlines()
    mode = await client.text_document_hover_async(
        types.HoverParams(
            text_document=doc_id(uri), position=types.Position(lines.index("    mode: auto"), 12)
        )
    )
    assert mode is not None and isinstance(mode.contents, types.MarkupContent)
    assert "auto" in mode.contents.value
    coder = await client.text_document_hover_async(
        types.HoverParams(text_document=doc_id(uri), position=types.Position(lines.index("  coder:"), 4))
    )
    assert coder is not None and isinstance(coder.contents, types.MarkupContent)
    assert "/templates/docker/workspace" in coder.contents.value


async def test_quick_fixes_apply_and_recheck_clean(client: RecordingClient, tmp_path: Path) -> None:
    text = entity(coder="    templateName: docker\n    mode: Auto\n    params:\n      cpu: 4\n")
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: {"CC105", "CC107"} <= set(codes(d)))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc_id(uri),
            range=types.Range(types.Position(0, 0), types.Position(len(text.splitlines()), 0)),
            context=types.CodeActionContext(
                diagnostics=list(diagnostics), only=[types.CodeActionKind.SourceFixAll]
            ),
        )
    )
    assert actions and len(actions) == 1
    fix_all = actions[0]
    assert isinstance(fix_all, types.CodeAction) and fix_all.edit and fix_all.edit.changes
    fixed = apply(text, fix_all.edit.changes[uri])
    replace_all(client, uri, fixed, version=2)
    after = await wait_for_diagnostics(client, uri, lambda d: "CC105" not in codes(d))
    assert "CC107" not in codes(after)


async def test_symbols_and_links(client: RecordingClient, tmp_path: Path) -> None:
    text = (
        entity("first", "    templateName: docker\n")
        + "---\n"
        + entity("second", "    templateName: devcontainers\n")
    )
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    await wait_for_diagnostics(client, uri)
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc_id(uri))
    )
    assert found is not None
    names = [s.name for s in found if isinstance(s, types.DocumentSymbol)]
    assert names == ["Component first", "Component second"]
    first = found[0]
    assert isinstance(first, types.DocumentSymbol) and first.children
    assert any("coder" in child.name for child in first.children)
    targets = [
        link.target
        for link in await client.text_document_document_link_async(
            types.DocumentLinkParams(text_document=doc_id(uri))
        )
        or []
    ]
    assert any(t and t.endswith("/templates/docker") for t in targets)
    assert "https://github.com/acme/first/tree/main/" in targets


def apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:
        return offsets[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def test_a_missing_field_is_added_and_its_value_selected(
    client: RecordingClient, editor: str, tmp_path: Path
) -> None:
    """The quick fix for a missing required field (CC517) adds it with a value to replace, and its
    command puts the cursor on that value (window/showDocument with a selection) once the edit is in."""
    text = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n"
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: "CC517" in codes(d))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc_id(uri),
            range=types.Range(types.Position(4, 0), types.Position(4, 4)),
            context=types.CodeActionContext(
                diagnostics=list(diagnostics), only=[types.CodeActionKind.QuickFix]
            ),
        )
    )
    [add] = [
        a for a in actions or [] if isinstance(a, types.CodeAction) and a.title == 'Add "spec.children: []"'
    ]
    assert add.edit and add.edit.changes and add.command is not None
    fixed = apply(text, add.edit.changes[uri])
    assert fixed.endswith("  type: team\n  children: []\n")
    replace_all(client, uri, fixed, version=2)
    await wait_for_diagnostics(client, uri, lambda d: "CC517" not in codes(d))
    answer = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=add.command.command, arguments=add.command.arguments)
    )
    selection = types.Range(types.Position(6, 12), types.Position(6, 14))  # the "[]" to replace
    window = client_capabilities(editor).window
    if not (window and window.show_document and window.show_document.support):
        assert answer == {"selected": False}  # the client cannot be told
        return
    assert answer == {"selected": True}
    shown = client.shown_documents[-1]
    assert shown.uri == uri and shown.selection == selection and shown.take_focus

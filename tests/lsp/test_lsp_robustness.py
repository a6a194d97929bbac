"""Settings arriving late or changing, Coder going down and back, rapid edits, non-ASCII positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_support import codes, entity, open_document, replace_all, wait_for_diagnostics
from lsprotocol import types

from coder_catalog.simulator.server import SimulatorServer
from conftest import RecordingClient, start_client, stop_client


async def test_a_file_opened_before_settings_arrive_is_rechecked(
    editor: str, simulator: SimulatorServer, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    # No initializationOptions: the deployment is known only from workspace/configuration.
    client = await start_client(
        editor,
        env={"CODER_SESSION_TOKEN": simulator.token},
        configuration={"coderCatalog": {"deployment": {"accessUrl": simulator.url}}},
        root=tmp_path,
    )
    try:
        uri = open_document(
            client, tmp_path / "catalog-info.yaml", entity(coder="    templateName: dokker\n")
        )
        await wait_for_diagnostics(client, uri, lambda d: "CC201" in codes(d))
    finally:
        await stop_client(client)


async def test_a_settings_change_rechecks_open_files(client: RecordingClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "catalog-info.yaml", entity(coder="    mode: auto\n"))
    await wait_for_diagnostics(client, uri, lambda d: "CC203" in codes(d))
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"coderCatalog": {"workspaces": {"defaultTemplateName": "docker"}}}
        )
    )
    await wait_for_diagnostics(client, uri, lambda d: "CC203" not in codes(d))


async def test_the_deployment_going_down_and_coming_back(
    editor: str, simulator: SimulatorServer, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    simulator.set_fault("status", status=503, path_prefix="/api/")
    client = await start_client(
        editor,
        env={"CODER_SESSION_TOKEN": simulator.token},
        initialization_options={"coderCatalog": {"deployment": {"accessUrl": simulator.url}}},
        root=tmp_path,
    )
    try:
        uri = open_document(
            client, tmp_path / "catalog-info.yaml", entity(coder="    templateName: dokker\n")
        )
        diagnostics = await wait_for_diagnostics(client, uri, lambda d: "CC200" in codes(d), timeout=30)
        assert "CC201" not in codes(diagnostics)  # never "unknown template" because Coder is down
        assert any("cannot" in m.message or "failed" in m.message for m in client.messages)
        simulator.clear_faults()
        replace_all(client, uri, entity(coder="    templateName: dokker \n"), version=2)
        await wait_for_diagnostics(
            client, uri, lambda d: "CC201" in codes(d) and "CC200" not in codes(d), timeout=30
        )
    finally:
        simulator.clear_faults()
        await stop_client(client)


async def test_rapid_edits_end_with_the_last_version(client: RecordingClient, tmp_path: Path) -> None:
    uri = open_document(client, tmp_path / "catalog-info.yaml", entity(coder="    mode: auto\n"))
    await wait_for_diagnostics(client, uri)
    for version in range(2, 40):
        mode = "Auto" if version % 2 else "auto"
        replace_all(
            client, uri, entity(coder=f"    templateName: docker\n    mode: {mode}\n"), version=version
        )
    versions: list[int] = []

    def at_last_version(diagnostics: object) -> bool:
        versions[:] = [p.version for p in client.published if p.uri == uri and p.version is not None]
        return bool(versions) and versions[-1] == 39

    final = await wait_for_diagnostics(client, uri, at_last_version)
    assert "CC105" in codes(final)  # version 39 has mode: Auto
    assert versions == sorted(versions), "an older version was published after a newer one"
    assert versions[-1] == 39
    assert len(versions) < 30, "rapid typing was not coalesced"


@pytest.mark.parametrize("key", ["größe", "😀-emoji"])
async def test_non_ascii_positions_in_the_negotiated_encoding(
    client: RecordingClient, tmp_path: Path, key: str
) -> None:
    text = entity(coder=f'    templateName: docker\n    params:\n      "{key}": 4\n')
    uri = open_document(client, tmp_path / "catalog-info.yaml", text)
    diagnostics = await wait_for_diagnostics(client, uri, lambda d: "CC107" in codes(d))
    finding = next(d for d in diagnostics if d.code == "CC107")
    line = text.splitlines()[finding.range.start.line]
    column = line.index(": 4") + 2  # code points
    prefix = line[:column]
    encoding = (
        client.capabilities and client.capabilities.general and client.capabilities.general.position_encodings
    )
    expected = {
        "utf-8": len(prefix.encode("utf-8")),
        "utf-16": len(prefix.encode("utf-16-le")) // 2,
        "utf-32": len(prefix),
    }
    negotiated = (encoding or ["utf-16"])[0]
    assert finding.range.start.character == expected[str(negotiated)]

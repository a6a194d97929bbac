"""Settings pushed with didChangeConfiguration while a workspace/configuration request is out are
newer than its answer: the late answer must not undo them."""

from __future__ import annotations

import asyncio
from typing import Any

from coder_catalog.lsp.server import create_server


async def test_a_late_configuration_answer_does_not_undo_pushed_settings() -> None:
    server = create_server()
    answer: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()

    async def configuration(params: Any) -> list[Any]:
        return await answer

    server.workspace_configuration_async = configuration  # type: ignore[method-assign]
    pulling = asyncio.create_task(server.pull_configuration())
    await asyncio.sleep(0)  # the request is out
    pushed = {"coderCatalog": {"workspaces": {"defaultTemplateName": "docker"}}}
    server.apply_client_settings(pushed)
    answer.set_result([{}])  # what the editor had before the push
    await pulling
    assert server.catalog.overrides == {"workspaces": {"defaultTemplateName": "docker"}}


async def test_an_answer_with_nothing_pushed_meanwhile_is_applied() -> None:
    server = create_server()

    async def configuration(params: Any) -> list[Any]:
        return [{"workspaces": {"defaultMode": "auto"}}]

    server.workspace_configuration_async = configuration  # type: ignore[method-assign]
    await server.pull_configuration()
    assert server.catalog.overrides == {"workspaces": {"defaultMode": "auto"}}


async def test_settings_pushed_while_the_watchers_register_beat_the_first_answer() -> None:
    """At start-up the server registers its file watchers, then asks for the settings; an editor
    that pushes settings before the registration is answered has the newer ones (seen as a flaky
    test_a_settings_change_rechecks_open_files on a loaded machine)."""
    from lsprotocol import types

    server = create_server()
    registered: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def register(params: Any) -> None:
        await registered

    async def configuration(params: Any) -> list[Any]:
        return [{}]  # what the editor had before the push

    server.client_register_capability_async = register  # type: ignore[method-assign]
    server.workspace_configuration_async = configuration  # type: ignore[method-assign]
    server.protocol.client_capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True)
        )
    )
    initialized = server.protocol.fm.features[types.INITIALIZED]
    starting = asyncio.create_task(initialized(types.InitializedParams()))
    await asyncio.sleep(0)  # registering the watchers
    server.apply_client_settings({"coderCatalog": {"workspaces": {"defaultTemplateName": "docker"}}})
    registered.set_result(None)
    await starting
    assert server.catalog.overrides == {"workspaces": {"defaultTemplateName": "docker"}}

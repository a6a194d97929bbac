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

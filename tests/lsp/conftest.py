"""A language client driving the real server over stdio (pytest-lsp), for each editor's capabilities."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from coder_catalog.simulator.server import SimulatorServer

CLIENTS = ("visual-studio-code", "neovim@v0.7", "neovim@v0.11")


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODER_")}
    env["CODER_CONFIG_DIR"] = "/nonexistent/coder-catalog-tests"
    env.update(extra or {})
    return env


async def start_client(
    capabilities: str,
    *,
    env: dict[str, str] | None = None,
    initialization_options: dict[str, Any] | None = None,
    configuration: dict[str, Any] | None = None,
    root: Path | None = None,
) -> LanguageClient:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "coder_catalog", "serve"], server_env=server_env(env)
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    registrations: list[types.Registration] = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    client.registrations = registrations  # type: ignore[attr-defined]
    if configuration is not None:
        client.set_configuration(configuration)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(capabilities),
            initialization_options=initialization_options,
            root_uri=root.as_uri() if root else None,
        )
    )
    return client


async def stop_client(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


@pytest.fixture(params=CLIENTS)
def editor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest_asyncio.fixture
async def client(editor: str, simulator: SimulatorServer, tmp_path: Path) -> AsyncIterator[LanguageClient]:
    """A client connected to a server that talks to the simulator."""
    (tmp_path / ".git").mkdir()
    lsp = await start_client(
        editor,
        env={"CODER_SESSION_TOKEN": simulator.token},
        initialization_options={"coderCatalog": {"deployment": {"accessUrl": simulator.url}}},
        configuration={"": {"coderCatalog": {"deployment": {"accessUrl": simulator.url}}}},
        root=tmp_path,
    )
    yield lsp
    await stop_client(lsp)

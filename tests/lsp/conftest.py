"""A language client driving the real server over stdio (pytest-lsp), for each editor's capabilities."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_asyncio
from cattrs import Converter
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from coder_catalog.simulator.server import SimulatorServer

CLIENTS = ("visual-studio-code", "neovim@v0.7", "neovim@v0.11")


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODER_")}
    env["CODER_CONFIG_DIR"] = "/nonexistent/coder-catalog-tests"
    env.update(extra or {})
    return env


class RecordingClient(LanguageClient):
    """pytest-lsp's client, also recording every publish (in order) and every registration."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []


def _record_publish(client: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _register_capability(client: RecordingClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def action_converter() -> Converter:
    """lsprotocol reads any code action with a ``command`` key as a Command; real clients look at
    whether ``command`` is a string (a code action may carry an edit and a command). Read them as those
    clients do."""
    converter = default_converter()

    def action(data: Any, _: type) -> types.Command | types.CodeAction:
        kind = types.Command if isinstance(data.get("command"), str) else types.CodeAction
        return converter.structure(data, kind)  # type: ignore[no-any-return]

    converter.register_structure_hook(Union[types.Command, types.CodeAction], action)  # noqa: UP007
    return converter


def make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=action_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_publish
    features[types.CLIENT_REGISTER_CAPABILITY] = _register_capability
    register_lsp_features(client, features)
    return client


async def start_client(
    capabilities: str,
    *,
    env: dict[str, str] | None = None,
    initialization_options: dict[str, Any] | None = None,
    configuration: dict[str, Any] | None = None,
    root: Path | None = None,
    folders: list[Path] | None = None,
) -> RecordingClient:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "coder_catalog", "serve"],
        server_env=server_env(env),
        client_factory=make_client,
    )
    client = await config.start()
    assert isinstance(client, RecordingClient)
    if configuration is not None:
        client.set_configuration(configuration)
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(capabilities),
            initialization_options=initialization_options,
            root_uri=root.as_uri() if root else None,
            workspace_folders=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders]
            if folders
            else None,
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
async def client(editor: str, simulator: SimulatorServer, tmp_path: Path) -> AsyncIterator[RecordingClient]:
    """A client connected to a server that talks to the simulator."""
    (tmp_path / ".git").mkdir()
    lsp = await start_client(
        editor,
        env={"CODER_SESSION_TOKEN": simulator.token},
        initialization_options={"coderCatalog": {"deployment": {"accessUrl": simulator.url}}},
        configuration={"coderCatalog": {"deployment": {"accessUrl": simulator.url}}},
        root=tmp_path,
    )
    yield lsp
    await stop_client(lsp)

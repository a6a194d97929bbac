"""The account commands through a real client (pytest-lsp), against the simulator and a real keyring."""

from __future__ import annotations

import asyncio
import copy
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from lsp_support import codes, entity, open_document, wait_for_diagnostics
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

import account_support
from coder_catalog.simulator.server import SimulatorServer
from conftest import RecordingClient, make_client, server_env, stop_client

keyring_service = account_support.keyring_service
os_keyring = account_support.os_keyring
canary = account_support.canary

LINK = "coderCatalog.linkAccount"
SIGN_IN = "coderCatalog.signInWithOAuth"
UNLINK = "coderCatalog.unlinkAccount"
STATUS = "coderCatalog.accountStatus"

SEED: dict[str, Any] = yaml.safe_load(
    resources.files("coder_catalog.simulator").joinpath("data", "default.yaml").read_text()
)
APP = SEED["oauth2"]["apps"][0]


async def start(
    editor: str, env: dict[str, str], settings: dict[str, Any], root: Path
) -> tuple[RecordingClient, types.InitializeResult]:
    """The server at debug level (its log goes to stderr), with the editor's settings."""
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "coder_catalog", "serve", "--log-level", "debug"],
        server_env=server_env(env),
        client_factory=make_client,
    )
    client = await config.start()
    assert isinstance(client, RecordingClient)
    client.set_configuration({"coderCatalog": settings})
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            initialization_options={"coderCatalog": settings},
            root_uri=root.as_uri(),
        )
    )
    return client, result


async def command(client: RecordingClient, name: str, *arguments: Any) -> dict[str, Any]:
    params = types.ExecuteCommandParams(command=name, arguments=list(arguments))
    answer = await asyncio.wait_for(client.workspace_execute_command_async(params), 20)
    assert isinstance(answer, dict), answer
    return answer


async def wait_for_message(client: RecordingClient, text: str, timeout: float = 15) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for message in client.messages:
            if text in message.message:
                return message.message
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no message with {text!r}: {[m.message for m in client.messages]}")
        await asyncio.sleep(0.05)


def everything_said(client: RecordingClient, answers: list[dict[str, Any]], stderr: str) -> str:
    diagnostics = [d.message for published in client.published for d in published.diagnostics]
    parts = [m.message for m in client.messages] + [m.message for m in client.log_messages]
    return "\n".join([*parts, *diagnostics, *map(str, answers), stderr])


def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    return tmp_path


async def test_linking_from_the_editor_resumes_template_checks(
    os_keyring: account_support.OSKeyring,
    simulator: SimulatorServer,
    canary: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    root = project(tmp_path)
    client, initialized = await start(
        "visual-studio-code", os_keyring.env, {"deployment": {"accessUrl": simulator.url}}, root
    )
    answers: list[dict[str, Any]] = []
    try:
        provider = initialized.capabilities.execute_command_provider
        assert provider is not None and {LINK, SIGN_IN, UNLINK, STATUS} <= set(provider.commands)

        uri = open_document(client, root / "catalog-info.yaml", entity(coder="    templateName: dokker\n"))
        await wait_for_diagnostics(client, uri, lambda d: "CC200" in codes(d))
        told = await wait_for_message(client, "no Coder credential")
        assert LINK in told and "coder-catalog login" in told

        answers.append(await command(client, STATUS))
        assert answers[-1]["signedIn"] is False and answers[-1]["deployment"] == simulator.url

        answers.append(await command(client, LINK, canary))
        assert answers[-1]["status"] == "failed" and "rejected the token (401" in answers[-1]["message"]
        answers.append(await command(client, LINK, {"token": canary + "x"}))
        assert answers[-1]["status"] == "failed" and "not a Coder session token" in answers[-1]["message"]

        answers.append(await command(client, LINK, simulator.token))
        assert answers[-1]["status"] == "linked" and answers[-1]["user"] == "alice"
        await wait_for_diagnostics(client, uri, lambda d: "CC201" in codes(d) and "CC200" not in codes(d))

        answers.append(await command(client, STATUS, simulator.url))
        status = answers[-1]
        assert status["signedIn"] is True and status["source"] == "keyring" and status["user"] == "alice"
        assert status["linked"] is True and status["method"] == "token"

        answers.append(await command(client, SIGN_IN))  # no OAuth2 app in the settings
        assert answers[-1]["status"] == "failed" and "deployment.oauth.clientId" in answers[-1]["message"]

        answers.append(await command(client, UNLINK))
        assert answers[-1]["status"] == "unlinked"
        await wait_for_diagnostics(client, uri, lambda d: "CC200" in codes(d))
        await asyncio.sleep(0.2)
        assert sum("no Coder credential" in m.message for m in client.messages) == 2  # told again
    finally:
        await stop_client(client)
    stderr = capfd.readouterr().err
    assert "workspace/executeCommand" in stderr  # the debug log was captured
    said = everything_said(client, answers, stderr)
    for secret in (canary, canary.split("-")[1], simulator.token, simulator.token.split("-")[1]):
        assert secret not in said


@pytest.mark.parametrize("editor", ["visual-studio-code", "neovim@v0.7"])
async def test_signing_in_with_oauth_from_the_editor(
    os_keyring: account_support.OSKeyring,
    simulator: SimulatorServer,
    tmp_path: Path,
    editor: str,
    capfd: pytest.CaptureFixture[str],
) -> None:
    root = project(tmp_path)
    settings = {
        "deployment": {
            "accessUrl": simulator.url,
            "oauth": {"clientId": APP["id"], "clientSecret": APP["client_secret"]},
        }
    }
    client, _ = await start(editor, os_keyring.env, settings, root)
    answers: list[dict[str, Any]] = []
    try:
        answers.append(await command(client, SIGN_IN))
        pending = answers[-1]
        assert pending["status"] == "waitingForBrowser"
        authorize_url = pending["authorizeUrl"]
        assert authorize_url.startswith(f"{simulator.url}/oauth2/authorize?")
        if editor == "visual-studio-code":  # window/showDocument, in the external browser
            assert pending["opened"] is True
            assert [(d.uri, d.external) for d in client.shown_documents] == [(authorize_url, True)]
        else:  # Neovim 0.7 has no showDocument: a message with the address
            assert pending["opened"] is False and not client.shown_documents
            await wait_for_message(client, authorize_url)

        async with httpx.AsyncClient(trust_env=False, follow_redirects=True, timeout=10) as browser:
            landed = await browser.get(authorize_url)
        assert landed.status_code == 200 and "Signed in" in landed.text
        await wait_for_message(client, "as alice with OAuth2")

        answers.append(await command(client, STATUS))
        status = answers[-1]
        assert status["signedIn"] is True and status["method"] == "oauth2" and status["expiresAt"]
        assert status["user"] == "alice"
        answers.append(await command(client, UNLINK))
        assert answers[-1]["status"] == "unlinked" and answers[-1]["revoked"] is True
    finally:
        await stop_client(client)
    said = everything_said(client, answers, capfd.readouterr().err)
    assert APP["client_secret"] not in said


async def test_signing_in_when_the_oauth2_provider_is_off(
    os_keyring: account_support.OSKeyring, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    seed = copy.deepcopy(SEED)
    seed["deployment"]["oauth2_provider_enable"] = False  # Coder's default
    root = project(tmp_path)
    with SimulatorServer(seed) as simulator:
        settings = {"deployment": {"accessUrl": simulator.url, "oauth": {"clientId": APP["id"]}}}
        client, _ = await start("visual-studio-code", os_keyring.env, settings, root)
        answers: list[dict[str, Any]] = []
        try:
            answers.append(await command(client, SIGN_IN))
            answer = answers[-1]
            assert answer["status"] == "failed" and not client.shown_documents
            assert "has not enabled its OAuth2 provider" in answer["message"]
            assert "--oauth2-provider-enable" in answer["message"]
            assert "CODER_OAUTH2_PROVIDER_ENABLE=true" in answer["message"]
            shown = await wait_for_message(client, "has not enabled its OAuth2 provider")
            assert f"{simulator.url}/cli-auth" in shown
        finally:
            await stop_client(client)
        said = everything_said(client, answers, capfd.readouterr().err)
    assert "Route not found" not in said

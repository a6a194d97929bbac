"""Where a credential comes from, in order, and that a linked one never leaves its origin."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from account_support import ALT_FILE_BACKEND, OSKeyring, make_token
from coder_catalog.accounts import resolve_credential
from coder_catalog.accounts.coder_cli_login import ACCOUNT as CLI_ACCOUNT
from coder_catalog.accounts.coder_cli_login import SERVICE as CLI_SERVICE
from coder_catalog.accounts.coder_cli_login import token_for_origin
from coder_catalog.accounts.credentials import Secret
from coder_catalog.accounts.store import (
    SERVICE,
    FileStore,
    KeyringStore,
    LinkedAccount,
    file_store_path,
    usable_keyring,
)
from coder_catalog.cli import main
from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import InsecureDeploymentURL, Unauthorized
from coder_catalog.simulator.errors import NO_TOKEN_DETAIL
from coder_catalog.simulator.server import SimulatorServer

ORIGIN = "https://coder.example.com"


def coder_cli_login(url: str, token: str) -> Path:
    """What ``coder login`` leaves on Linux: the url and session files."""
    config = Path(os.environ["CODER_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "url").write_text(url + "\n")
    (config / "session").write_text(token + "\n")
    return config


def link(os_keyring: OSKeyring, origin: str, token: str) -> None:
    KeyringStore(os_keyring.backend).save(LinkedAccount(origin, Secret(token), username="alice"))


def test_the_order_env_then_linked_then_coder_cli(
    os_keyring: OSKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli_token, linked_token, env_token = make_token(), make_token(), make_token()
    coder_cli_login(ORIGIN, cli_token)
    only_cli = resolve_credential(ORIGIN)
    assert only_cli is not None and only_cli.source == "coder-cli" and only_cli.token.reveal() == cli_token

    link(os_keyring, ORIGIN, linked_token)
    linked = resolve_credential(ORIGIN + "/some/path")
    assert linked is not None and linked.source == "keyring" and linked.token.reveal() == linked_token
    assert linked.is_linked and linked.method == "token"

    monkeypatch.setenv("CODER_SESSION_TOKEN", env_token)
    from_env = resolve_credential(ORIGIN)
    assert from_env is not None and from_env.source == "env:CODER_SESSION_TOKEN"
    assert from_env.token.reveal() == env_token


def test_a_linked_token_is_only_offered_to_its_own_origin(os_keyring: OSKeyring) -> None:
    link(os_keyring, ORIGIN, make_token())
    for other in ("http://coder.example.com", "https://coder.example.com:8443", "https://evil.example.com"):
        assert resolve_credential(other) is None, other
    credential = resolve_credential(ORIGIN)
    assert credential is not None
    with pytest.raises(InsecureDeploymentURL, match="will not be sent"):
        CoderClient("https://coder.example.com:8443", credential)


def test_a_repository_naming_another_deployment_gets_no_token(
    os_keyring: OSKeyring, simulator: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = SimulatorServer().start()
    try:
        link(os_keyring, simulator.url, simulator.token)
        repo = tmp_path / "repo"
        (repo / ".git").mkdir(parents=True)
        (repo / ".coder-catalog.yaml").write_text(f"deployment:\n  accessUrl: {other.url}\n")
        monkeypatch.chdir(repo)
        assert main(["templates", "list"]) == 1  # the other deployment got no token: 401
        statuses = {r["status"] for r in other.requests() if r["path"].startswith("/api/v2/templates")}
        assert statuses == {401}
        with pytest.raises(Unauthorized) as refused:
            asyncio.run(me(other.url))
        assert refused.value.detail == NO_TOKEN_DETAIL  # nothing was sent, not a wrong token
        assert main(["templates", "list", "--url", simulator.url]) == 0  # its own deployment: yes
    finally:
        other.stop()


async def me(url: str) -> object:
    async with CoderClient(url, resolve_credential(url)) as client:
        return await client.me()


def test_the_coder_cli_session_file_needs_the_same_deployment(os_keyring: OSKeyring) -> None:
    coder_cli_login(ORIGIN, make_token())
    assert resolve_credential("https://other.example.com") is None
    assert resolve_credential("http://coder.example.com") is None


@pytest.mark.parametrize("encoded", [False, True])
def test_the_coder_cli_keyring_entry_on_macos_and_windows(os_keyring: OSKeyring, encoded: bool) -> None:
    token, file_token = make_token(), make_token()
    coder_cli_login(ORIGIN, file_token)
    entry = json.dumps({"coder.example.com": {"coder_url": ORIGIN, "api_token": token}})
    os_keyring.backend.set_password(
        CLI_SERVICE, CLI_ACCOUNT, base64.b64encode(entry.encode()).decode() if encoded else entry
    )
    for platform in ("darwin", "win32"):
        credential = resolve_credential(ORIGIN, platform=platform)
        assert credential is not None and credential.source == "coder-cli:keyring"
        assert credential.token.reveal() == token
    on_linux = resolve_credential(ORIGIN, platform="linux")  # Linux: the CLI keeps the session file
    assert on_linux is not None and on_linux.source == "coder-cli" and on_linux.token.reveal() == file_token


def test_coder_cli_keyring_entries_stay_with_their_origin() -> None:
    token = make_token()
    legacy = json.dumps({"coder.example.com": {"coder_url": "coder.example.com", "api_token": token}})
    assert token_for_origin(legacy, ORIGIN) == Secret(token)  # a bare host means https
    assert token_for_origin(legacy, "http://coder.example.com") is None
    with_port = json.dumps(
        {"coder.example.com:8443": {"coder_url": "https://coder.example.com:8443", "api_token": token}}
    )
    assert token_for_origin(with_port, "https://coder.example.com:8443") == Secret(token)
    assert token_for_origin(with_port, ORIGIN) is None
    default_port = json.dumps(
        {"coder.example.com:443": {"coder_url": "https://coder.example.com:443", "api_token": token}}
    )
    assert token_for_origin(default_port, ORIGIN) == Secret(token)
    for garbage in (None, "", "not json", "bm90IGpzb24=", "[]", json.dumps({"coder.example.com": "x"})):
        assert token_for_origin(garbage, ORIGIN) is None


def test_the_file_store_is_read_only_when_present_and_private(no_keyring: dict[str, str]) -> None:
    path = file_store_path()
    assert path == Path(no_keyring["XDG_CONFIG_HOME"]) / "coder-catalog" / "credentials.json"
    assert resolve_credential(ORIGIN) is None
    token = make_token()
    FileStore(path).save(LinkedAccount(ORIGIN, Secret(token)))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    credential = resolve_credential(ORIGIN)
    assert credential is not None and credential.source == "file" and credential.token.reveal() == token
    path.chmod(0o644)  # readable by others: not trusted
    assert resolve_credential(ORIGIN) is None
    path.chmod(0o600)
    assert FileStore(path).delete(ORIGIN) and not path.exists()
    assert not FileStore(path).delete(ORIGIN)


def test_which_keyring_backends_count(no_keyring: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import null
    from keyrings.alt.file import PlaintextKeyring

    assert usable_keyring() is None  # the fail backend
    keyring.set_keyring(null.Keyring())
    assert usable_keyring() is None
    keyring.set_keyring(PlaintextKeyring())
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    assert usable_keyring() is None  # installed, not chosen: a plaintext file is not a keyring
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", ALT_FILE_BACKEND)
    assert isinstance(usable_keyring(), PlaintextKeyring)
    assert isinstance(usable_keyring(), KeyringBackend)


def test_stored_accounts_are_bound_to_their_origin(os_keyring: OSKeyring) -> None:
    token = make_token()
    os_keyring.backend.set_password(
        SERVICE, ORIGIN, json.dumps({"origin": "https://evil.example.com", "token": token})
    )
    assert resolve_credential(ORIGIN) is None  # an entry naming another origin is not used
    os_keyring.backend.set_password(SERVICE, ORIGIN, "not json")
    assert resolve_credential(ORIGIN) is None
    account = LinkedAccount(
        ORIGIN, Secret(token), "oauth2", refresh_token=Secret(make_token()), client_id="app"
    )
    assert token not in repr(account) and "refresh" in repr(account)
    assert LinkedAccount.from_data(account.to_data(), ORIGIN) == account

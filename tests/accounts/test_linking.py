"""Linking with a session token against the simulator: good, malformed, rejected; with and without a keyring."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
from pathlib import Path

import pytest

from account_support import OSKeyring, make_token
from coder_catalog.accounts import resolve_credential
from coder_catalog.accounts.errors import MalformedToken, NoKeyring, TokenRejected
from coder_catalog.accounts.linking import link_token, parse_token, unlink
from coder_catalog.accounts.store import SERVICE, file_store_path
from coder_catalog.cli import main
from coder_catalog.simulator.server import SimulatorServer


def login(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str) -> int:
    monkeypatch.setattr(sys, "stdin", _Stdin(stdin))
    return main(["login", *args, "--token-stdin"])


class _Stdin:
    def __init__(self, text: str) -> None:
        self._lines = text.splitlines(keepends=True)

    def readline(self) -> str:
        return self._lines.pop(0) if self._lines else ""


def test_a_good_token_is_checked_and_kept_in_the_keyring(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = simulator.tokens["bob"]
    assert login([simulator.url], monkeypatch, token + "\n") == 0
    out = capsys.readouterr()
    assert f"Linked bob on {simulator.url}" in out.out and "OS keyring" in out.out
    assert token not in out.out + out.err
    assert [r["path"] for r in simulator.requests()] == ["/api/v2/users/me"]
    stored = json.loads(os_keyring.get(SERVICE, simulator.url) or "{}")
    assert stored["token"] == token and stored["username"] == "bob" and stored["method"] == "token"
    credential = resolve_credential(simulator.url)
    assert credential is not None and credential.source == "keyring" and credential.token.reveal() == token

    assert main(["whoami", simulator.url]) == 0
    shown = capsys.readouterr().out
    assert "User:       bob" in shown and "OS keyring" in shown and token not in shown
    assert main(["logout", simulator.url]) == 0
    assert "Unlinked" in capsys.readouterr().out
    assert os_keyring.get(SERVICE, simulator.url) is None and resolve_credential(simulator.url) is None
    assert main(["logout", simulator.url]) == 0
    assert "No account is linked" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n",
        "not-a-token",
        "abc-def",
        make_token() + "x",
        "Bearer " + make_token(),
        "ab cdefghij-" + "a" * 22,
    ],
)
def test_a_malformed_token_is_refused_before_any_request(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
) -> None:
    assert login([simulator.url], monkeypatch, text + "\n") == 2
    err = capsys.readouterr().err
    assert "session token" in err and f"{simulator.url}/cli-auth" in err
    if text.strip():
        assert text.strip() not in err
    assert simulator.requests() == []
    assert os_keyring.get(SERVICE, simulator.url) is None


def test_parse_token_accepts_a_pasted_header() -> None:
    token = make_token()
    assert parse_token(f"  {token}\n").reveal() == token
    assert parse_token(f"Coder-Session-Token: {token}").reveal() == token
    with pytest.raises(MalformedToken) as refused:
        parse_token(token[:-1])
    assert token[:-1] not in str(refused.value)


def test_a_rejected_token_is_not_stored(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    canary: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert login([simulator.url], monkeypatch, canary + "\n") == 1
    err = capsys.readouterr().err
    assert "rejected the token (401" in err and "cli-auth" in err and canary not in err
    assert os_keyring.get(SERVICE, simulator.url) is None
    with pytest.raises(TokenRejected) as rejected:
        asyncio.run(link_token(simulator.url, canary))
    assert canary not in str(rejected.value)


def test_a_revoked_link_says_so(
    os_keyring: OSKeyring,
    make_sim: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert login([make_sim.url], monkeypatch, make_sim.tokens["alice"] + "\n") == 0
    make_sim.revoke_tokens("alice")
    capsys.readouterr()
    assert main(["whoami", make_sim.url]) == 1
    err = capsys.readouterr().err
    assert "rejected the credential" in err and "coder-catalog login" in err


def test_without_a_keyring_nothing_is_stored_without_consent(
    no_keyring: dict[str, str],
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = simulator.token
    assert login([simulator.url], monkeypatch, token + "\n") == 2
    err = capsys.readouterr().err
    assert "no OS keyring" in err and "--allow-file-store" in err and "CODER_CATALOG_FILE_STORE=1" in err
    assert simulator.requests() == []  # refused before the token was even checked
    path = file_store_path()
    assert not path.exists() and not path.parent.exists()
    with pytest.raises(NoKeyring):
        asyncio.run(link_token(simulator.url, token))


@pytest.mark.parametrize("consent", ["flag", "environment"])
def test_the_file_store_with_consent(
    no_keyring: dict[str, str],
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    consent: str,
) -> None:
    token = simulator.token
    args = [simulator.url]
    if consent == "flag":
        args.append("--allow-file-store")
    else:
        monkeypatch.setenv("CODER_CATALOG_FILE_STORE", "1")
    assert login(args, monkeypatch, token + "\n") == 0
    out = capsys.readouterr().out
    path = file_store_path()
    assert str(path) in out and token not in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    credential = resolve_credential(simulator.url)
    assert credential is not None and credential.source == "file"
    result, removed = unlink(simulator.url)
    assert result.removed_from and removed[0].token.reveal() == token and not path.exists()


def test_unlink_tells_what_remains(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert login([simulator.url], monkeypatch, simulator.token + "\n") == 0
    monkeypatch.setenv("CODER_SESSION_TOKEN", simulator.token)
    assert main(["logout", simulator.url]) == 0
    out = capsys.readouterr().out
    assert "Still signed in there through the CODER_SESSION_TOKEN environment variable" in out


def test_login_takes_the_deployment_from_the_settings(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".coder-catalog.yaml").write_text(f"deployment:\n  accessUrl: {simulator.url}/\n")
    monkeypatch.chdir(repo)
    assert login([], monkeypatch, simulator.token + "\n") == 0
    assert resolve_credential(simulator.url) is not None
    monkeypatch.chdir(tmp_path)
    assert login([], monkeypatch, simulator.token + "\n") == 2
    assert "no Coder deployment is given" in capsys.readouterr().err


def test_interactive_login_prints_the_token_page_and_hides_the_input(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return simulator.token

    monkeypatch.setattr("getpass.getpass", getpass)
    assert main(["login", simulator.url]) == 0
    out = capsys.readouterr()
    assert f"{simulator.url}/cli-auth" in out.err and prompts and "not shown" in prompts[0]
    assert simulator.token not in out.out + out.err

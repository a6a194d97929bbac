"""The editor commands' arguments and the no-keyring answer (in process; tests/lsp drives a real client)."""

from __future__ import annotations

import stat

import pytest

from account_support import FakeServer
from coder_catalog.accounts import resolve_credential
from coder_catalog.accounts.store import file_store_path
from coder_catalog.lsp.account_commands import Accounts, Request
from coder_catalog.simulator.server import SimulatorServer


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], Request()),
        (["tok"], Request(token="tok")),
        (["tok", "https://c.example.com"], Request(token="tok", url="https://c.example.com")),
        (["tok", {"allowFileStore": True}], Request(token="tok", allow_file_store=True)),
        ([{"token": "tok", "url": " ", "allowFileStore": "yes"}], Request(token="tok")),
        ([None, 3, {"url": "https://c.example.com"}], Request(url="https://c.example.com")),
    ],
)
def test_link_arguments(args: list[object], expected: Request) -> None:
    assert Request.parse(args, takes_token=True) == expected


def test_other_commands_take_a_url() -> None:
    assert Request.parse(["https://c.example.com"], takes_token=False) == Request(url="https://c.example.com")


async def test_without_a_keyring_the_editor_is_asked_for_consent(
    no_keyring: dict[str, str], simulator: SimulatorServer
) -> None:
    server = FakeServer()
    accounts = Accounts(server)  # type: ignore[arg-type]
    refused = await accounts.link([simulator.token, simulator.url])
    assert refused["status"] == "failed" and refused["needsFileStoreConsent"] is True
    assert "allowFileStore" in refused["message"] and simulator.requests() == []
    assert server.shown and simulator.token not in "".join(server.shown)

    linked = await accounts.link([simulator.token, simulator.url, {"allowFileStore": True}])
    assert linked["status"] == "linked" and linked["store"] == "file"
    assert stat.S_IMODE(file_store_path().stat().st_mode) == 0o600
    assert server.reloaded == [simulator.url]
    credential = resolve_credential(simulator.url)
    assert credential is not None and credential.source == "file"

    status = await accounts.status([simulator.url])
    assert status["signedIn"] is True and status["source"] == "file" and status["user"] == "alice"
    unlinked = await accounts.unlink([simulator.url])
    assert unlinked["status"] == "unlinked" and not file_store_path().exists()
    assert (await accounts.unlink([simulator.url]))["status"] == "notLinked"


async def test_without_a_deployment_the_command_says_so(no_keyring: dict[str, str]) -> None:
    answer = await Accounts(FakeServer()).status([])  # type: ignore[arg-type]
    assert answer["status"] == "failed" and "no Coder deployment" in answer["message"]
    bad = await Accounts(FakeServer()).status(["ftp://c.example.com"])  # type: ignore[arg-type]
    assert bad["status"] == "failed" and "http" in bad["message"]

"""OAuth2 sign-in against the simulator: the whole flow, renewal, revocation, and what is refused.

Coder wants a confidential app's client secret to refresh and revoke (401 ``invalid_client``
without it), and its OAuth2 provider is off unless an admin enables it (404 "Route not found.").
"""

from __future__ import annotations

import asyncio
import copy
import json
import socket
import webbrowser
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from account_support import FakeServer, OSKeyring
from coder_catalog.accounts import resolve_credential
from coder_catalog.accounts.credentials import Secret
from coder_catalog.accounts.errors import OAuthUnavailable, StateMismatch
from coder_catalog.accounts.oauth import OAuthSignIn, refresh_if_due
from coder_catalog.accounts.store import SERVICE, LinkedAccount, load_linked
from coder_catalog.cli import main
from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import Unauthorized
from coder_catalog.coder.oauth_client import OAuthApp
from coder_catalog.lsp.account_commands import Accounts
from coder_catalog.settings import OAuthClient
from coder_catalog.simulator.server import SimulatorServer

SEED: dict[str, Any] = yaml.safe_load(
    resources.files("coder_catalog.simulator").joinpath("data", "default.yaml").read_text()
)
APP = SEED["oauth2"]["apps"][0]
CLIENT_ID, CLIENT_SECRET = APP["id"], APP["client_secret"]
PUBLIC_CLIENT_ID = "0d1c5c6e-2b1f-4f57-9a43-3c1d4f0e6a21"
ROUTE_NOT_FOUND = "Route not found"


def seed(**deployment: Any) -> dict[str, Any]:
    data = copy.deepcopy(SEED)
    data["deployment"].update(deployment)
    return data


class Browser:
    """Follows the authorize page's redirect like a browser would (in the thread it is called from)."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.final: httpx.Response | None = None

    def open(self, url: str, *args: Any, **kwargs: Any) -> bool:
        self.opened.append(url)
        with httpx.Client(trust_env=False, follow_redirects=True, timeout=10) as client:
            self.final = client.get(url)
        return True


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    fake = Browser()
    monkeypatch.setattr(webbrowser, "open", fake.open)
    return fake


def project(
    tmp_path: Path,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    client_id: str | None = CLIENT_ID,
    client_secret: str | None = CLIENT_SECRET,
) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True, exist_ok=True)
    text = f"deployment:\n  accessUrl: {url}\n"
    if client_id:
        text += f"  oauth:\n    clientId: {client_id}\n"
        if client_secret:
            text += f"    clientSecret: {client_secret}\n"
    (repo / ".coder-catalog.yaml").write_text(text)
    monkeypatch.chdir(repo)
    return repo


async def sign_in(server: SimulatorServer, app: OAuthApp | None = None) -> OAuthSignIn:
    """A sign-in that the test completes by following the authorize URL itself."""
    flow = OAuthSignIn(server.url, app or OAuthApp(CLIENT_ID, Secret(CLIENT_SECRET)))
    pending = await flow.start()
    async with httpx.AsyncClient(trust_env=False, follow_redirects=True, timeout=10) as client:
        finish = asyncio.ensure_future(flow.finish(timeout=10))
        landed = await client.get(pending.authorize_url)
        assert landed.status_code == 200 and "Signed in" in landed.text
        await finish
    return flow


async def me(url: str) -> str:
    async with CoderClient(url, resolve_credential(url)) as client:
        return (await client.me()).username


def test_the_whole_flow_from_the_command_line(
    os_keyring: OSKeyring,
    make_sim: SimulatorServer,
    browser: Browser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project(tmp_path, make_sim.url, monkeypatch)
    assert main(["login", "--oauth", "--timeout", "20"]) == 0
    out = capsys.readouterr()
    assert f"Linked alice on {make_sim.url} (signed in with OAuth2)" in out.out
    assert "renewed before then" in out.out

    authorize = urlsplit(browser.opened[0])
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{make_sim.url}/oauth2/authorize"
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32
    redirect = urlsplit(query["redirect_uri"])
    assert (redirect.scheme, redirect.hostname, redirect.path) == ("http", "127.0.0.1", "/callback")
    assert browser.final is not None and browser.final.status_code == 200

    stored = json.loads(os_keyring.get(SERVICE, make_sim.url) or "{}")
    assert stored["method"] == "oauth2" and stored["clientId"] == CLIENT_ID and stored["username"] == "alice"
    assert stored["refreshToken"].startswith("coder_") and stored["expiresAt"]
    for secret in (stored["token"], stored["refreshToken"], CLIENT_SECRET):
        assert secret not in out.out + out.err
    paths = [r["path"] for r in make_sim.requests()]
    assert paths[:3] == ["/.well-known/oauth-authorization-server", "/oauth2/authorize", "/oauth2/tokens"]

    assert main(["whoami"]) == 0
    shown = capsys.readouterr().out
    assert "User:       alice" in shown and "via OAuth2" in shown and "Expires:" in shown
    assert asyncio.run(me(make_sim.url)) == "alice"


def test_the_access_token_is_renewed_before_it_expires(
    os_keyring: OSKeyring, make_sim: SimulatorServer
) -> None:
    asyncio.run(sign_in(make_sim))
    found = load_linked(make_sim.url)
    assert found is not None
    account = found[0]
    assert account.expires_at is not None and account.linked_at is not None

    unchanged = asyncio.run(refresh_if_due(make_sim.url, now=account.linked_at))
    assert unchanged is not None and unchanged.token == account.token  # not due yet: no request
    assert not any(r["path"] == "/oauth2/tokens" for r in make_sim.requests()[3:])

    renewed = asyncio.run(refresh_if_due(make_sim.url, now=account.expires_at - timedelta(seconds=30)))
    assert renewed is not None and renewed.token != account.token and renewed.method == "oauth2"
    again = load_linked(make_sim.url)
    assert (
        again is not None
        and again[0].token == renewed.token
        and again[0].refresh_token != account.refresh_token
    )
    assert asyncio.run(me(make_sim.url)) == "alice"
    with pytest.raises(Unauthorized):  # the old access token was rotated away
        asyncio.run(_me_with(make_sim.url, account.token))


async def _me_with(url: str, token: Secret) -> str:
    from coder_catalog.accounts.credentials import Credential

    async with CoderClient(url, Credential(url, token, "test")) as client:
        return (await client.me()).username


def test_a_renewal_that_is_refused_keeps_the_credential(
    os_keyring: OSKeyring, make_sim: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(sign_in(make_sim))
    found = load_linked(make_sim.url)
    assert found is not None and found[0].refresh_token is not None and found[0].expires_at is not None
    refresh = found[0].refresh_token.reveal()
    revoked = httpx.post(
        f"{make_sim.url}/oauth2/revoke",
        data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "token": refresh},
        trust_env=False,
    )
    assert revoked.status_code == 200
    kept = asyncio.run(refresh_if_due(make_sim.url, now=found[0].expires_at))
    assert kept is not None and kept.token == found[0].token
    assert "renewing the sign-in" in caplog.text and refresh not in caplog.text


def test_a_forged_state_is_refused(os_keyring: OSKeyring, make_sim: SimulatorServer) -> None:
    async def scenario() -> None:
        flow = OAuthSignIn(make_sim.url, OAuthApp(CLIENT_ID, Secret(CLIENT_SECRET)))
        pending = await flow.start()
        finish = asyncio.ensure_future(flow.finish(timeout=10))
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            answer = await client.get(pending.redirect_uri, params={"code": "coder_a_b", "state": "forged"})
        assert answer.status_code == 200  # the page is served; the answer is then refused
        with pytest.raises(StateMismatch, match="refused"):
            await finish
        port = urlsplit(pending.redirect_uri).port
        assert port is not None
        with pytest.raises(OSError):  # one request, then the listener is gone
            socket.create_connection(("127.0.0.1", port), timeout=2).close()

    asyncio.run(scenario())
    assert not any(r["path"] == "/oauth2/tokens" for r in make_sim.requests())
    assert resolve_credential(make_sim.url) is None


def assert_says_the_provider_is_off(text: str, url: str) -> None:
    assert "has not enabled its OAuth2 provider" in text
    assert "coder server --oauth2-provider-enable" in text and "CODER_OAUTH2_PROVIDER_ENABLE=true" in text
    assert f"{url}/cli-auth" in text and "coder-catalog login" in text
    assert ROUTE_NOT_FOUND not in text and "experiment" not in text


def test_without_the_oauth2_provider_the_message_says_how_to_enable_it(
    os_keyring: OSKeyring,
    start_sim: Any,
    browser: Browser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = start_sim(seed(oauth2_provider_enable=False))
    project(tmp_path, server.url, monkeypatch)
    assert main(["login", "--oauth"]) == 1
    err = capsys.readouterr().err
    assert_says_the_provider_is_off(err, server.url)
    assert browser.opened == []
    assert [(r["path"], r["status"]) for r in server.requests()] == [
        ("/.well-known/oauth-authorization-server", 404)
    ]
    with pytest.raises(OAuthUnavailable) as raised:
        asyncio.run(OAuthSignIn(server.url, OAuthApp(CLIENT_ID)).start())
    assert_says_the_provider_is_off(raised.value.message, server.url)


async def test_the_editor_command_says_the_provider_is_off(
    os_keyring: OSKeyring, start_sim: Any, tmp_path: Path
) -> None:
    from coder_catalog.settings import resolve_settings

    server = start_sim(seed(oauth2_provider_enable=False))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".coder-catalog.yaml").write_text(
        f"deployment:\n  accessUrl: {server.url}\n  oauth:\n    clientId: {CLIENT_ID}\n"
    )
    fake = FakeServer()
    fake.catalog.settings_for = lambda path: resolve_settings(path)
    fake.workspace.root_path = str(repo)
    answer = await Accounts(fake).sign_in([])  # type: ignore[arg-type]
    assert answer["status"] == "failed"
    assert_says_the_provider_is_off(answer["message"], server.url)
    assert len(fake.shown) == 1 and ROUTE_NOT_FOUND not in fake.shown[0]


def due(server: SimulatorServer, *, keep_secret: bool = True) -> LinkedAccount:
    """Make the stored sign-in due for renewal (and forget its client secret, like a sign-in stored
    before coder-catalog kept it); returns it as stored."""
    found = load_linked(server.url)
    assert found is not None and found[0].client_secret is not None
    account, store = found
    account = replace(
        account,
        expires_at=datetime.now(UTC) + timedelta(seconds=30),
        client_secret=account.client_secret if keep_secret else None,
    )
    store.save(account)
    return account


def token_requests(server: SimulatorServer) -> list[int]:
    return [r["status"] for r in server.requests() if r["path"] == "/oauth2/tokens"]


def test_renewing_after_the_provider_was_turned_off_says_so(
    os_keyring: OSKeyring, make_sim: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(sign_in(make_sim))
    account = due(make_sim)
    make_sim.set_oauth2_provider(False)
    kept = asyncio.run(refresh_if_due(make_sim.url))
    assert kept is not None and kept.token == account.token
    assert_says_the_provider_is_off(caplog.text, make_sim.url)
    assert "the OAuth2 sign-in cannot be renewed" in caplog.text
    assert token_requests(make_sim)[-1] == 404
    assert asyncio.run(me(make_sim.url)) == "alice"  # Coder keeps issued tokens working


async def test_the_language_server_says_the_provider_is_off_when_renewing(
    os_keyring: OSKeyring, make_sim: SimulatorServer
) -> None:
    await sign_in(make_sim)
    due(make_sim)
    make_sim.set_oauth2_provider(False)
    server = FakeServer()
    assert Accounts(server).credential_for(make_sim.url) is not None  # type: ignore[arg-type]
    for _ in range(200):
        if server.told:
            break
        await asyncio.sleep(0.02)
    assert server.reloaded == [] and "could not be renewed" in server.told[0]
    assert_says_the_provider_is_off(server.told[0], make_sim.url)
    assert "signInWithOAuth" not in server.told[0]  # signing in again would not help


def test_renewal_sends_the_client_secret_kept_at_sign_in(
    os_keyring: OSKeyring, make_sim: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(sign_in(make_sim))
    stored = json.loads(os_keyring.get(SERVICE, make_sim.url) or "{}")
    assert stored["clientSecret"] == CLIENT_SECRET  # kept in the keyring with the tokens, for renewals
    account = due(make_sim)
    renewed = asyncio.run(refresh_if_due(make_sim.url))  # no settings at hand: the stored secret
    assert renewed is not None and renewed.token != account.token
    assert token_requests(make_sim)[-1] == 200
    assert "renewing the sign-in" not in caplog.text


def test_renewal_takes_the_client_secret_from_the_settings(
    os_keyring: OSKeyring, make_sim: SimulatorServer, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(sign_in(make_sim))
    account = due(make_sim, keep_secret=False)  # stored before the secret was kept

    kept = asyncio.run(refresh_if_due(make_sim.url))  # without it Coder refuses the app
    assert kept is not None and kept.token == account.token
    assert token_requests(make_sim)[-1] == 401
    assert "no client secret" in caplog.text and "deployment.oauth.clientSecret" in caplog.text
    assert CLIENT_SECRET not in caplog.text

    other_app = OAuthClient("00000000-0000-0000-0000-000000000001", CLIENT_SECRET)
    asyncio.run(refresh_if_due(make_sim.url, settings_oauth=other_app))  # not that app's secret
    assert token_requests(make_sim)[-1] == 401

    renewed = asyncio.run(refresh_if_due(make_sim.url, settings_oauth=OAuthClient(CLIENT_ID, CLIENT_SECRET)))
    assert renewed is not None and renewed.token != account.token
    assert token_requests(make_sim)[-1] == 200
    again = load_linked(make_sim.url)
    assert again is not None and again[0].client_secret == Secret(CLIENT_SECRET)  # kept from now on


CATALOG_FILE = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
  annotations:
    backstage.io/source-location: url:https://github.com/acme/svc/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: docker
"""


@pytest.mark.parametrize("secret_from", ["keyring", "settings"])
def test_lint_renews_a_due_sign_in_with_the_client_secret(
    os_keyring: OSKeyring,
    make_sim: SimulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret_from: str,
) -> None:
    asyncio.run(sign_in(make_sim))
    account = due(make_sim, keep_secret=secret_from == "keyring")
    repo = project(
        tmp_path,
        make_sim.url,
        monkeypatch,
        client_secret=CLIENT_SECRET if secret_from == "settings" else None,
    )
    (repo / "catalog-info.yaml").write_text(CATALOG_FILE)
    make_sim.clear_requests()
    assert main(["lint", "--format", "json", "--require-deployment"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["summary"]["files"] == 1
    assert token_requests(make_sim) == [200]
    renewed = load_linked(make_sim.url)
    assert renewed is not None and renewed[0].token != account.token
    assert renewed[0].expires_at is not None and renewed[0].expires_at > datetime.now(UTC) + timedelta(
        minutes=30
    )
    for secret in (CLIENT_SECRET, account.token.reveal(), renewed[0].token.reveal()):
        assert secret not in out.out + out.err


def test_a_public_client_renews_and_revokes_without_a_secret(
    os_keyring: OSKeyring,
    start_sim: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = seed()
    data["oauth2"]["apps"].append(
        {"id": PUBLIC_CLIENT_ID, "name": "Public", "redirect_uris": ["http://127.0.0.1/callback"]}
    )
    server = start_sim(data)
    asyncio.run(sign_in(server, OAuthApp(PUBLIC_CLIENT_ID)))
    found = load_linked(server.url)
    assert found is not None and found[0].client_id == PUBLIC_CLIENT_ID and found[0].client_secret is None
    account, store = found
    store.save(replace(account, expires_at=datetime.now(UTC) + timedelta(seconds=30)))
    renewed = asyncio.run(refresh_if_due(server.url))
    assert renewed is not None and renewed.token != account.token
    assert token_requests(server)[-1] == 200

    project(tmp_path, server.url, monkeypatch, client_id=PUBLIC_CLIENT_ID, client_secret=None)
    assert main(["logout"]) == 0
    assert "revoked" in capsys.readouterr().out
    with pytest.raises(Unauthorized):
        asyncio.run(_me_with(server.url, renewed.token))


def test_without_a_client_id_the_message_says_where_to_set_it(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project(tmp_path, simulator.url, monkeypatch, client_id=None)
    assert main(["login", "--oauth"]) == 2
    assert "deployment.oauth.clientId" in capsys.readouterr().err
    assert simulator.requests() == []


def test_logout_revokes_the_grant(
    os_keyring: OSKeyring,
    make_sim: SimulatorServer,
    browser: Browser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project(tmp_path, make_sim.url, monkeypatch)
    assert main(["login", "--oauth", "--timeout", "20"]) == 0
    credential = resolve_credential(make_sim.url)
    assert credential is not None
    assert main(["logout"]) == 0
    out = capsys.readouterr().out
    assert "revoked" in out and credential.token.reveal() not in out
    assert any(r["path"] == "/oauth2/revoke" for r in make_sim.requests())
    with pytest.raises(Unauthorized):
        asyncio.run(_me_with(make_sim.url, credential.token))


def test_the_url_is_printed_when_no_browser_opens(
    os_keyring: OSKeyring,
    make_sim: SimulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project(tmp_path, make_sim.url, monkeypatch)
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: False)
    assert main(["login", "--oauth", "--timeout", "0.5"]) == 1
    err = capsys.readouterr().err
    assert "Open this address in your browser" in err and f"{make_sim.url}/oauth2/authorize?" in err
    assert "no answer from the browser" in err


@pytest.mark.parametrize("refusal", [False, True])
async def test_the_language_server_renews_on_a_timer(
    os_keyring: OSKeyring, make_sim: SimulatorServer, refusal: bool
) -> None:
    await sign_in(make_sim)
    found = load_linked(make_sim.url)
    assert found is not None and found[0].refresh_token is not None
    account, store = found
    store.save(replace(account, expires_at=datetime.now(UTC) + timedelta(seconds=30)))  # due
    if refusal:
        async with httpx.AsyncClient(trust_env=False) as client:
            revoked = await client.post(
                f"{make_sim.url}/oauth2/revoke",
                data={
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "token": account.refresh_token.reveal(),
                },
            )
            assert revoked.status_code == 200
    server = FakeServer()
    accounts = Accounts(server)  # type: ignore[arg-type]
    first = accounts.credential_for(make_sim.url)
    assert first is not None and first.token == account.token
    for _ in range(200):
        if server.reloaded or server.told:
            break
        await asyncio.sleep(0.02)
    renewed = load_linked(make_sim.url)
    assert renewed is not None
    if refusal:
        assert server.reloaded == [] and "could not be renewed" in server.told[0]
        assert renewed[0].token == account.token
    else:
        assert server.reloaded == [make_sim.url] and renewed[0].token != account.token
        assert renewed[0].expires_at is not None and renewed[0].expires_at > datetime.now(UTC) + timedelta(
            minutes=30
        )


async def test_a_cancelled_sign_in_stops_listening(os_keyring: OSKeyring, simulator: SimulatorServer) -> None:
    flow = OAuthSignIn(simulator.url, OAuthApp(CLIENT_ID))
    pending = await flow.start()
    finish = asyncio.ensure_future(flow.finish(timeout=10))
    await asyncio.sleep(0)
    flow.cancel()  # a newer sign-in replaced this one
    with pytest.raises(asyncio.CancelledError):
        await finish
    port = urlsplit(pending.redirect_uri).port
    assert port is not None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()

"""The simulator as an OAuth2 authorization server: code flow with PKCE S256, refresh, revoke."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sim_helpers import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, api, default_seed

from coder_catalog.simulator import SimulatorServer

REDIRECT = "http://127.0.0.1:53682/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client: httpx.Client, challenge: str, **overrides: str) -> httpx.Response:
    params = {
        "client_id": OAUTH_CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "xyz-42",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return client.get("/oauth2/authorize", params={k: v for k, v in params.items() if v is not None})


def code_from(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    assert query["state"] == ["xyz-42"]
    return query["code"][0]


def exchange(client: httpx.Client, code: str, verifier: str, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": OAUTH_CLIENT_ID,
        "client_secret": OAUTH_CLIENT_SECRET,
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": REDIRECT,
        **overrides,
    }
    return client.post("/oauth2/tokens", data=form)


@pytest.fixture
def server(make_server) -> SimulatorServer:
    return make_server()


@pytest.fixture
def anon(server: SimulatorServer):
    with api(server, None) as client:
        yield client


def test_metadata(anon: httpx.Client, server: SimulatorServer) -> None:
    metadata = anon.get("/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == server.url
    assert metadata["authorization_endpoint"] == f"{server.url}/oauth2/authorize"
    assert metadata["token_endpoint"] == f"{server.url}/oauth2/tokens"
    assert metadata["revocation_endpoint"] == f"{server.url}/oauth2/revoke"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]


def test_full_flow_with_pkce_refresh_and_revoke(anon: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = code_from(authorize(anon, challenge))
    assert code.startswith("coder_")

    tokens = exchange(anon, code, verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer" and 3500 < body["expires_in"] <= 3600 and body["expiry"]
    me = anon.get("/api/v2/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "alice"  # the data file's auto-approve user
    assert exchange(anon, code, verifier).json()["error"] == "invalid_grant"  # codes are single-use

    refreshed = anon.post(
        "/oauth2/tokens",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": OAUTH_CLIENT_ID,
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    rotated = refreshed.json()
    assert (
        rotated["refresh_token"] != body["refresh_token"] and rotated["access_token"] != body["access_token"]
    )
    old_access = anon.get("/api/v2/users/me", headers={"Coder-Session-Token": body["access_token"]})
    assert old_access.status_code == 401
    reused = anon.post(
        "/oauth2/tokens",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": OAUTH_CLIENT_ID,
        },
    )
    assert reused.status_code == 400
    assert reused.json() == {
        "error": "invalid_grant",
        "error_description": "The refresh token is invalid or expired",
    }

    revoked = anon.post(
        "/oauth2/revoke", data={"client_id": OAUTH_CLIENT_ID, "token": rotated["refresh_token"]}
    )
    assert revoked.status_code == 200
    after = anon.get("/api/v2/users/me", headers={"Coder-Session-Token": rotated["access_token"]})
    assert after.status_code == 401 and after.json()["detail"] == "API key is invalid."


def test_revoking_the_access_token(anon: httpx.Client) -> None:
    verifier, challenge = pkce()
    body = exchange(anon, code_from(authorize(anon, challenge)), verifier).json()
    basic = base64.b64encode(f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}".encode()).decode()
    answer = anon.post(
        "/oauth2/revoke", data={"token": body["access_token"]}, headers={"Authorization": f"Basic {basic}"}
    )
    assert answer.status_code == 200
    assert (
        anon.get("/api/v2/users/me", headers={"Coder-Session-Token": body["access_token"]}).status_code == 401
    )
    unknown = anon.post("/oauth2/revoke", data={"client_id": OAUTH_CLIENT_ID, "token": "coder_abc_def"})
    assert unknown.status_code == 200  # RFC 7009: unknown tokens are not an error
    garbage = anon.post("/oauth2/revoke", data={"client_id": OAUTH_CLIENT_ID, "token": "garbage"})
    assert garbage.json()["error"] == "invalid_request"


def test_a_session_token_chooses_the_approving_user(anon: httpx.Client, server: SimulatorServer) -> None:
    verifier, challenge = pkce()
    with api(server, "bob") as bob:
        response = authorize(bob, challenge)
    body = exchange(anon, code_from(response), verifier).json()
    me = anon.get("/api/v2/users/me", headers={"Coder-Session-Token": body["access_token"]})
    assert me.json()["username"] == "bob"


def test_wrong_verifier_and_secret_are_refused(anon: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = code_from(authorize(anon, challenge))
    wrong = exchange(anon, code, pkce()[0])
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "The PKCE code verifier is invalid",
    }
    missing = exchange(anon, code, "")
    assert missing.json()["error"] == "invalid_grant"
    bad_secret = exchange(anon, code, verifier, client_secret="nope-nope-nope")
    assert bad_secret.status_code == 401
    assert bad_secret.json() == {
        "error": "invalid_client",
        "error_description": "The client credentials are invalid",
    }
    other_redirect = exchange(anon, code, verifier, redirect_uri="http://127.0.0.1:1/other")
    assert other_redirect.json()["error"] == "invalid_grant"
    assert exchange(anon, code, verifier).status_code == 200  # the failures did not burn the code


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_id": "00000000-0000-0000-0000-000000000000"}, 401, "invalid_client"),
        ({"client_id": None}, 400, "invalid_request"),
        ({"redirect_uri": "http://evil.example.com/callback"}, 400, "invalid_request"),
        ({"redirect_uri": "http://127.0.0.1:9/elsewhere"}, 400, "invalid_request"),
        (
            {"redirect_uri": "http://localhost:7008/api/auth/coder/handler/frame"},
            302,
            None,
        ),  # loopback: any port
        ({"redirect_uri": "http://[::1]:80/callback"}, 400, "invalid_request"),  # not registered host
        ({"response_type": "token"}, 400, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, 400, "invalid_request"),
        ({"code_challenge": None}, 400, "invalid_request"),
    ],
)
def test_authorize_validates_its_parameters(
    anon: httpx.Client, overrides: dict, status: int, error: str | None
) -> None:
    response = authorize(anon, pkce()[1], **overrides)
    assert response.status_code == status, response.text
    if error:
        assert response.json()["error"] == error


def test_token_endpoint_errors(anon: httpx.Client) -> None:
    unsupported = anon.post("/oauth2/tokens", data={"grant_type": "password"})
    assert unsupported.json() == {
        "error": "unsupported_grant_type",
        "error_description": "The grant type is missing or unsupported",
    }
    no_code = anon.post(
        "/oauth2/tokens", data={"grant_type": "authorization_code", "client_id": OAUTH_CLIENT_ID}
    )
    assert no_code.json() == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: code",
    }
    bad_code = exchange(anon, "coder_nope_nope", "verifier")
    assert bad_code.json()["error_description"] == "The authorization code is invalid or expired"


def test_oauth2_needs_the_experiment(make_server) -> None:
    server = make_server(default_seed(experiments=[]))
    with api(server, None) as client:
        for response in (
            client.get("/.well-known/oauth-authorization-server"),
            client.get("/oauth2/authorize", params={"client_id": OAUTH_CLIENT_ID}),
            client.post("/oauth2/tokens", data={"grant_type": "refresh_token"}),
            client.post("/oauth2/revoke", data={"token": "x"}),
        ):
            assert response.status_code == 403
            assert response.json() == {
                "message": "OAuth2 functionality requires enabling the 'oauth2' experiment."
            }
